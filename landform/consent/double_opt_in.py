"""Double opt-in: for a purpose that asks it, a ticked consent box counts once the person confirms by e-mail.

At intake the ticked box is not recorded; the submission keeps what was ticked and the person gets a
signed link (30 days). The link opens a page with a confirm button (mail scanners open links, a GET
changes nothing); confirming appends the consent record with the text they saw at the form, the way
they gave it, and the confirmation as evidence.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.enums import MediaType
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from landform.accounts.models import Tenant
from landform.consent import services, visitor_copy
from landform.consent.models import ConsentRecord, Purpose
from landform.core import security
from landform.core.db import scope_to_tenant, utcnow
from landform.core.http import client_ip
from landform.core.i18n import gettext as _
from landform.core.i18n import pick
from landform.core.mail import queue_email
from landform.crm_sink.models import Submission

CONFIRM_PURPOSE = "consent-confirm"
CONFIRM_DAYS = 30
PENDING_KEY = visitor_copy.AWAITING_KEY


async def needing_confirmation(db: AsyncSession, ticked: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ticked consents whose purpose asks for double opt-in."""
    ids = {UUID(str(item["purpose_id"])) for item in ticked}
    if not ids:
        return []
    query = select(Purpose.id, Purpose.name).where(Purpose.id.in_(ids), Purpose.double_opt_in)
    names = {purpose_id: name for purpose_id, name in await db.execute(query)}
    return [
        {**item, "purpose_name": pick(names[purpose_id], item.get("language", ""))}
        for item in ticked
        if (purpose_id := UUID(str(item["purpose_id"]))) in names
    ]


def pending(waiting: list[dict[str, Any]], how: services.ConsentHow) -> dict[str, Any]:
    """What a submission keeps (under `PENDING_KEY` in its context) of the consents awaiting confirmation."""
    return {
        "items": waiting,
        "how": {
            "method": how.method,
            "form_id": str(how.form_id) if how.form_id else None,
            "form_version": how.form_version,
            "page_id": str(how.page_id) if how.page_id else None,
            "embed_host": how.embed_host,
            "ip_hash": how.ip_hash,
            "user_agent_family": how.user_agent_family,
        },
    }


def ask(
    session: Session,
    submission: Submission,
    *,
    to: str,
    language: str,
    tenant_name: str,
    purpose_names: list[str],
) -> None:
    """E-mail the person the link that confirms what the submission keeps as `pending(...)`."""
    token = security.sign(CONFIRM_PURPOSE, [str(submission.tenant_id), str(submission.id)])
    queue_email(
        session,
        to=to,
        template="consent_confirmation",
        language=language,
        tenant_id=submission.tenant_id,
        link=f"/consent/confirm?token={token}",
        tenant_name=tenant_name,
        purposes=purpose_names,
        days=CONFIRM_DAYS,
    )


def _read_token(token: str) -> tuple[UUID, UUID]:
    try:
        tenant_id, submission_id = security.unsign(CONFIRM_PURPOSE, token, max_age=CONFIRM_DAYS * 86400)
        return UUID(tenant_id), UUID(submission_id)
    except (security.TokenInvalid, security.TokenExpired, ValueError, TypeError) as error:
        raise services.LinkInvalid(str(error)) from error


def _uuid(value: Any) -> UUID | None:
    return UUID(str(value)) if value else None


class ConfirmConsentController(Controller):
    """The confirmation link of a double opt-in e-mail."""

    path = "/consent/confirm"
    include_in_schema = False

    async def _load(self, db: AsyncSession, token: str) -> tuple[Submission, Tenant, dict[str, Any], bool]:
        tenant_id, submission_id = _read_token(token)
        scope_to_tenant(db.sync_session, tenant_id)
        submission = (
            await db.execute(select(Submission).where(Submission.id == submission_id))
        ).scalar_one_or_none()
        pending: Any = (submission.context or {}).get(PENDING_KEY) if submission else None
        if submission is None or not pending:
            raise services.LinkInvalid("nothing awaits confirmation")
        done = (
            await db.execute(
                select(ConsentRecord.id).where(
                    ConsentRecord.submission_id == submission.id,
                    ConsentRecord.confirmed_by == "double_opt_in",
                )
            )
        ).first() is not None
        return submission, await db.get_one(Tenant, tenant_id), pending, done

    def _invalid(self) -> Template:
        return Template(
            "consent/link_invalid.html",
            status_code=400,
            context={
                "message": _(
                    "This confirmation link is not complete, has expired (after %(days)d days) or its "
                    "details were deleted. Fill in the form again to sign up.",
                    days=CONFIRM_DAYS,
                )
            },
        )

    @get("/")
    async def page(self, db_session: AsyncSession, token: str = "") -> Template:
        """What the person is confirming, with one button (opening the link confirms nothing)."""
        try:
            _submission, tenant, pending, done = await self._load(db_session, token)
        except services.LinkInvalid:
            return self._invalid()
        return Template(
            "consent/confirm.html",
            context={
                "tenant": tenant,
                "token": token,
                "texts": [item["text"] for item in pending["items"]],
                "done": done,
                "just_now": False,
                "keep_query": f"token={token}&",
            },
        )

    @post("/", media_type=MediaType.HTML)
    async def confirm(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        """Append the consent records; confirming twice records once."""
        token = str((await request.form()).get("token", ""))
        try:
            submission, tenant, pending, done = await self._load(db_session, token)
        except services.LinkInvalid:
            return self._invalid()
        if not done:
            given = pending["how"]
            how = services.ConsentHow(
                method=str(given.get("method", "form"))[:16],
                form_id=_uuid(given.get("form_id")),
                form_version=given.get("form_version"),
                page_id=_uuid(given.get("page_id")),
                embed_host=str(given.get("embed_host", "")),
                ip_hash=str(given.get("ip_hash", "")),
                user_agent_family=str(given.get("user_agent_family", "")),
            )
            records = services.ticked_records(
                submission,
                pending["items"],
                how,
                confirmed_by="double_opt_in",
                evidence={
                    "confirmed_at": utcnow().isoformat(),
                    "confirmed_from_ip_hash": services.ip_hash(
                        client_ip(request, request.app.state.settings.server.trusted_proxies)
                    ),
                    "confirmed_with": services.browser_family(request.headers.get("user-agent", "")),
                },
            )
            for record in records:
                record.contact_id = submission.contact_id  # None until routed; routing fills it in then
            db_session.add_all(records)
            # Only adds the job's row (no I/O): the sync_session serves without run_sync.
            visitor_copy.after_double_opt_in(db_session.sync_session, submission)
            await db_session.commit()
        return Template(
            "consent/confirm.html",
            context={
                "tenant": tenant,
                "token": token,
                "texts": [item["text"] for item in pending["items"]],
                "done": True,
                "just_now": not done,
            },
        )
