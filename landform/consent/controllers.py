"""Consent over HTTP: purposes in the dashboard, the one-click withdrawal, and the parent's decision."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.exceptions import ClientException, NotFoundException
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from landform.accounts.models import Tenant, User
from landform.consent import minors, services
from landform.crm_sink.models import Contact
from landform.db import scope_to_tenant
from landform.i18n import gettext as _
from landform.web import BUILDERS, client_ip, provide_tenant_db, requires_role


def _how(request: Request[Any, Any, Any], method: str) -> services.ConsentHow:
    return services.ConsentHow(
        method=method,
        ip_hash=services.ip_hash(client_ip(request, request.app.state.settings.server.trusted_proxies)),
        user_agent_family=services.browser_family(request.headers.get("user-agent", "")),
    )


def _link_invalid(message: str) -> Template:
    return Template("consent/link_invalid.html", status_code=400, context={"message": message})


class PurposesController(Controller):
    """The dashboard's processing purposes and their consent texts."""

    path = "/app/consent/purposes"
    include_in_schema = False
    guards = [requires_role(*BUILDERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/")
    async def index(self, db: AsyncSession) -> Template:
        """Every purpose with its current text."""
        return Template(
            "consent/purposes.html",
            context={"purposes": await services.purposes(db), "errors": {}, "submitted": {}},
        )

    @post("/", media_type=MediaType.HTML)
    async def create(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """A new purpose with the first version of its consent text."""
        data = {k: str(v) for k, v in (await request.form()).items()}
        try:
            services.new_purpose(db, data)
        except services.ConsentInvalid as error:
            return Template(
                "consent/purposes.html",
                status_code=422,
                context={
                    "purposes": await services.purposes(db),
                    "errors": {"create": str(error)},
                    "submitted": data,
                },
            )
        await db.commit()
        flash(request, _("Purpose saved. Link it to a consent checkbox in a form."), category="success")
        return Redirect("/app/consent/purposes")

    @get("/{purpose_id:uuid}")
    async def edit(self, db: AsyncSession, purpose_id: UUID) -> Template:
        """A purpose with every version of its text, newest first."""
        found = await services.purpose_with_versions(db, purpose_id)
        if found is None:
            raise NotFoundException()
        purpose, versions = found
        return Template(
            "consent/purpose.html",
            context={"purpose": purpose, "versions": versions, "errors": {}, "submitted": {}},
        )

    @post("/{purpose_id:uuid}", media_type=MediaType.HTML)
    async def save(self, request: Request[User, Any, Any], db: AsyncSession, purpose_id: UUID) -> Any:
        """Save the name; a changed text becomes a new version."""
        found = await services.purpose_with_versions(db, purpose_id)
        if found is None:
            raise NotFoundException()
        purpose, versions = found
        data = {k: str(v) for k, v in (await request.form()).items()}
        try:
            new_version = services.edit_purpose(db, purpose, versions[0], data)
        except services.ConsentInvalid as error:
            return Template(
                "consent/purpose.html",
                status_code=422,
                context={
                    "purpose": purpose,
                    "versions": versions,
                    "errors": {"edit": str(error)},
                    "submitted": data,
                },
            )
        await db.commit()
        flash(
            request,
            _(
                "Saved as text version %(n)d. Consent boxes added from now on show it.",
                n=purpose.current_version,
            )
            if new_version
            else _("Saved."),
            category="success",
        )
        return Redirect(f"/app/consent/purposes/{purpose.id}")


class PublicConsentController(Controller):
    """Pages a person reaches from an e-mail: no log-in, no cookies; a signed token says who and what."""

    path = "/consent"
    include_in_schema = False

    async def _contact(self, db: AsyncSession, token: str) -> tuple[Contact, Tenant]:
        tenant_id, contact_id = services.read_withdraw_token(token)
        scope_to_tenant(db, tenant_id)
        contact = (await db.execute(select(Contact).where(Contact.id == contact_id))).scalar_one_or_none()
        if contact is None:
            raise services.LinkInvalid("contact gone")
        return contact, await db.get_one(Tenant, tenant_id)

    @get("/withdraw")
    async def withdraw_page(self, db_session: AsyncSession, token: str = "") -> Template:
        """One button to confirm (a GET changes nothing: mail scanners open links)."""
        try:
            contact, tenant = await self._contact(db_session, token)
        except services.LinkInvalid:
            return _link_invalid(
                _("This link is not complete or not valid. Copy the whole link from the e-mail.")
            )
        return Template(
            "consent/withdraw.html",
            context={
                "tenant": tenant,
                "token": token,
                "done": False,
                "already": contact.do_not_contact,
                "keep_query": f"token={token}&",  # the language switch keeps the link working
            },
        )

    @post("/withdraw", media_type=MediaType.HTML)
    async def withdraw(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        """Withdraw every consent and stop all contact."""
        token = str((await request.form()).get("token", ""))
        try:
            contact, tenant = await self._contact(db_session, token)
        except services.LinkInvalid:
            return _link_invalid(
                _("This link is not complete or not valid. Copy the whole link from the e-mail.")
            )
        await services.withdraw_all(db_session, contact, _how(request, "email"))
        await db_session.commit()
        return Template("consent/withdraw.html", context={"tenant": tenant, "token": token, "done": True})

    @get("/parent")
    async def parent_page(self, db_session: AsyncSession, token: str = "") -> Template:
        """What is asked of the parent, with a consent and a refuse button."""
        try:
            hold_id = minors.read_parent_token(token)
            request_info = await db_session.run_sync(lambda s: minors.describe(s, hold_id))
        except services.LinkInvalid:
            return _link_invalid(
                _(
                    "This request has been answered already, has expired (after 7 days), "
                    "or the link is not complete."
                )
            )
        return Template(
            "consent/parent.html",
            context={**request_info, "token": token, "decided": None, "keep_query": f"token={token}&"},
        )

    @post("/parent", media_type=MediaType.HTML)
    async def parent_decides(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        """Consent routes the lead into the CRM; refusal deletes everything the child sent."""
        data = await request.form()
        token, decision = str(data.get("token", "")), str(data.get("decision", ""))
        if decision not in {"consent", "refuse"}:
            # Refusing deletes the child's data: only a deliberate press of that button does it.
            raise ClientException(detail=_("Choose to give or to refuse permission."))
        how = _how(request, "email")

        def decide(session: Session) -> dict[str, Any]:
            hold = minors.pending_hold(session, minors.read_parent_token(token))
            scope_to_tenant(session, hold.tenant_id)
            info = minors.describe(session, hold.id)
            if decision == "consent":
                minors.give_consent(session, hold, how.ip_hash, how.user_agent_family)
            else:
                minors.refuse(session, hold)
            return info

        try:
            info = await db_session.run_sync(decide)
        except services.LinkInvalid:
            return _link_invalid(
                _(
                    "This request has been answered already, has expired (after 7 days), "
                    "or the link is not complete."
                )
            )
        await db_session.commit()
        return Template("consent/parent.html", context={**info, "token": "", "decided": decision})
