"""Keeping a visitor's unfinished answers, only when they tick the box, and giving them back by a signed link.

Nothing is stored until the visitor ticks "Keep my answers for 30 days so I can finish later" and gives
an e-mail address: then one `SavedAnswers` row, one consent record with the exact words they saw, and
one e-mail with the link. It is never a lead: no submission, no routing job, no quota. The row goes when
the form is submitted through the link, on erasure, and after the tenant's retention period.

The consent is the platform's own purpose (the tenant cannot word or reuse it, so it has no `Purpose`
row): the record has no purpose id and names it in its evidence, with the text's version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from advanced_alchemy.mixins.uuid import uuid7
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from landform.consent import services as consent
from landform.consent.models import ConsentRecord
from landform.core import security
from landform.core.db import utcnow
from landform.core.i18n import gettext as _
from landform.core.mail import queue_email
from landform.core.personal_data import anonymize
from landform.crm_sink.normalize import email_key
from landform.forms.intake.resume.models import SavedAnswers

LINK_PURPOSE = "form-resume"
KEEP_DAYS = 30
# The platform's purpose in the ledger, and the version of its wording (raise it when the words change).
CONSENT_PURPOSE = "finish_later"
TEXT_VERSION = 1
EMAIL_FIELD = "_later_email"
KEEP_FIELD = "_later_keep"
RESUME_FIELD = "_resume"
# Each purge removes at most this many, so one backlog never holds a long transaction.
BATCH = 200


class LaterInvalid(Exception):
    """The finish-later step cannot be saved; `errors` names each field that needs another look."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


class LinkInvalid(Exception):
    """A resume link that is forged, mangled, expired, or whose answers were deleted."""


@dataclass(frozen=True)
class Unfinished:
    """What the visitor had done so far, carried signed from the form to the finish-later step."""

    answers: dict[str, str]
    step: str
    page_id: UUID | None


def consent_text() -> str:
    """The box's words in the current language, exactly as shown and recorded."""
    return _("Keep my answers for %(days)d days so I can finish later", days=KEEP_DAYS)


def sign_unfinished(unfinished: Unfinished) -> str:
    page = str(unfinished.page_id) if unfinished.page_id else ""
    return security.sign(LINK_PURPOSE + "-step", [unfinished.answers, unfinished.step, page])


def read_unfinished(token: str) -> Unfinished:
    """The answers the finish-later step carries; a day is plenty to type an e-mail address."""
    try:
        answers, step, page = security.unsign(LINK_PURPOSE + "-step", token, max_age=24 * 3600)
        return Unfinished(
            {str(k): str(v) for k, v in dict(answers).items()}, str(step), UUID(page) if page else None
        )
    except (security.TokenInvalid, security.TokenExpired, ValueError, TypeError) as error:
        raise LinkInvalid(str(error)) from error


def check_step(raw: dict[str, Any]) -> str:
    """The visitor's e-mail address, once the box is ticked; else every problem, named."""
    errors: dict[str, str] = {}
    address = ""
    try:
        address = validate_email(str(raw.get(EMAIL_FIELD, "")).strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        errors[EMAIL_FIELD] = _("Enter the e-mail address the link should go to, like name@example.com.")
    if raw.get(KEEP_FIELD) not in ("on", "true", "1", True):
        errors[KEEP_FIELD] = _(
            "Tick “%(text)s” to keep your answers. Without it nothing is kept.", text=consent_text()
        )
    if errors:
        raise LaterInvalid(errors)
    return address


def save(
    session: Session,
    *,
    form_id: UUID,
    form_key: str,
    tenant_id: UUID,
    tenant_name: str,
    form_name: str,
    unfinished: Unfinished,
    address: str,
    language: str,
    how: consent.ConsentHow,
) -> SavedAnswers:
    """Keep the answers with the consent that allows it, and e-mail the link (one transaction)."""
    record = consent.new_record(
        tenant_id=tenant_id,
        purpose_id=None,
        text_id=None,
        text_shown=consent_text(),
        language=language,
        given=True,
        how=how,
        evidence={"purpose": CONSENT_PURPOSE, "text_version": TEXT_VERSION, "kept_days": KEEP_DAYS},
    )
    saved = SavedAnswers(
        id=uuid7(),
        tenant_id=tenant_id,
        form_id=form_id,
        page_id=unfinished.page_id,
        email=address,
        email_key=email_key(address),
        answers=unfinished.answers,
        step=unfinished.step[:64],
        language=language,
        consent_record_id=record.id,
        consent_record=record,
        expires_at=utcnow() + timedelta(days=KEEP_DAYS),
    )
    session.add_all([record, saved])
    token = security.sign(LINK_PURPOSE, [str(tenant_id), str(saved.id)])
    queue_email(
        session,
        to=address,
        template="finish_later",
        language=language,
        tenant_id=tenant_id,
        link=f"/f/{form_key}/resume?token={token}",
        tenant_name=tenant_name,
        form_name=form_name,
        days=KEEP_DAYS,
    )
    return saved


def embed_extension(ext: list[str], key: str) -> dict[str, Any]:
    """What the embed needs for the Finish later button (static/embed-later.js)."""
    return {"ext": [*ext, "later"], "later": {"label": _("Finish later"), "action": f"/f/{key}/later"}}


def read_link(token: str) -> tuple[UUID, UUID]:
    """The tenant and saved answers a resume link names."""
    try:
        tenant_id, saved_id = security.unsign(LINK_PURPOSE, token, max_age=KEEP_DAYS * 86400)
        return UUID(tenant_id), UUID(saved_id)
    except (security.TokenInvalid, security.TokenExpired, ValueError, TypeError) as error:
        raise LinkInvalid(str(error)) from error


async def load(db: AsyncSession, tenant_id: UUID, saved_id: UUID) -> SavedAnswers:
    saved = (
        await db.execute(
            select(SavedAnswers).where(SavedAnswers.tenant_id == tenant_id, SavedAnswers.id == saved_id)
        )
    ).scalar_one_or_none()
    if saved is None or saved.expires_at < utcnow():
        raise LinkInvalid("the answers were deleted or have expired")
    return saved


async def forget(db: AsyncSession, tenant_id: UUID, token: Any) -> None:
    """The form was submitted through the link: its saved answers are not needed any more."""
    if not isinstance(token, str) or not token:
        return
    try:
        link_tenant, saved_id = read_link(token)
    except LinkInvalid:
        return
    if link_tenant == tenant_id:
        await db.execute(
            delete(SavedAnswers).where(SavedAnswers.tenant_id == tenant_id, SavedAnswers.id == saved_id)
        )
        await db.commit()


def purge_due(session: Session, tenant_id: UUID, before: datetime) -> int:
    """Retention: delete up to a batch of the tenant's saved answers kept since before `before`.

    Never kept past the 30 days the visitor agreed to, even when the tenant's period is longer.
    """
    due = or_(SavedAnswers.created_at < before, SavedAnswers.expires_at < utcnow())
    ids = list(
        session.execute(
            select(SavedAnswers.id).where(SavedAnswers.tenant_id == tenant_id, due).limit(BATCH)
        ).scalars()
    )
    if ids:
        session.execute(
            delete(SavedAnswers).where(SavedAnswers.tenant_id == tenant_id, SavedAnswers.id.in_(ids))
        )
    return len(ids)


def count_due(session: Session, tenant_id: UUID, before: datetime) -> int:
    return session.execute(
        select(func.count())
        .select_from(SavedAnswers)
        .where(SavedAnswers.tenant_id == tenant_id, SavedAnswers.created_at < before)
    ).scalar_one()


def export_section(session: Session, tenant_id: UUID, key: str) -> tuple[str, list[dict[str, Any]]]:
    """The person's unfinished answers, with the consent that keeps them, for their copy of their data."""
    rows = session.execute(
        select(SavedAnswers, ConsentRecord.text_shown)
        .join(ConsentRecord, ConsentRecord.id == SavedAnswers.consent_record_id)
        .where(SavedAnswers.tenant_id == tenant_id, SavedAnswers.email_key == key)
        .order_by(SavedAnswers.created_at)
        .execution_options(all_tenants=True)
    ).all()
    return (
        "unfinished_answers",
        [
            {
                "form_id": str(saved.form_id),
                "email": saved.email,
                "answers": saved.answers,
                "saved_at": saved.created_at.isoformat(),
                "deleted_by": saved.expires_at.isoformat(),
                "consent": text,
            }
            for saved, text in rows
        ],
    )


def erase(session: Session, tenant_id: UUID, key: str, _contact_ids: list[UUID]) -> int:
    """For an erasure: the saved answers go, and their consent records keep no personal details."""
    rows = session.execute(
        select(SavedAnswers.id, SavedAnswers.consent_record_id).where(
            SavedAnswers.tenant_id == tenant_id, SavedAnswers.email_key == key
        )
    ).all()
    if not rows:
        return 0
    records = ConsentRecord.__table__
    anonymize(
        session,
        records,  # type: ignore[arg-type]
        (records.c.tenant_id == tenant_id) & records.c.id.in_([row.consent_record_id for row in rows]),
    )
    session.execute(delete(SavedAnswers).where(SavedAnswers.id.in_([row.id for row in rows])))
    return len(rows)
