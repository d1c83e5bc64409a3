"""The dashboard's pages for deleting the whole account (its owner) or one's own user (anyone else)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.guards import provide_tenant_db, requires_role
from landform.accounts.models import Role, User
from landform.billing import quotas
from landform.core.i18n import gettext as _
from landform.privacy import deletion


class AccountDeletionController(Controller):
    """The owner deletes the tenant's account: 7 days to change their mind, then it is anonymized."""

    path = "/app/account/delete"
    include_in_schema = False
    guards = [requires_role(Role.OWNER)]
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/")
    async def page(self, request: Request[User, Any, Any], db: AsyncSession) -> Template:
        """What deletion means, the pending deletion if there is one, and what it does to the subscription."""
        latest = await deletion.latest(db, request.user.tenant_id)
        return Template(
            "privacy/delete_account.html",
            context={
                "pending": latest if latest is not None and latest.is_pending else None,
                "billing": latest.billing if latest is not None else "none",
                "subscription": await db.run_sync(quotas.subscription_of),
                "days": deletion.COOLING_OFF.days,
                "only_me": False,
                "action": "/app/account/delete",
            },
        )

    @post("/", media_type=MediaType.HTML)
    async def start(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """Start the cooling-off; the owner must type the account's address to confirm."""
        typed = str((await request.form()).get("confirm", "")).strip()
        if typed != request.user.tenant.slug:
            flash(request, _("Type the account's name exactly as shown to confirm."), category="error")
            return Redirect("/app/account/delete")
        try:
            await deletion.request_deletion(db, request.user)
        except deletion.DeletionRefused:
            flash(request, _("The account is already being deleted."), category="error")
            return Redirect("/app/account/delete")
        await db.commit()
        flash(
            request,
            _("Deletion scheduled. You can cancel it here or with the link in the e-mail."),
            category="success",
        )
        return Redirect("/app/account/delete")

    @post("/cancel", media_type=MediaType.HTML)
    async def stop(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        if await deletion.cancel(db, request.user.tenant_id):
            await db.commit()
            flash(request, _("Deletion cancelled. Your account stays as it is."), category="success")
        return Redirect("/app/account/delete")


class MyUserDeletionController(Controller):
    """A user (not the owner) deletes their own user: the same cooling-off, then only their data goes."""

    path = "/app/me/delete"
    include_in_schema = False
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/", media_type=MediaType.HTML)
    async def page(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """What deleting one's own user means, and the pending deletion if there is one."""
        if request.user.role == Role.OWNER:
            return Redirect("/app/account/delete")
        return Template(
            "privacy/delete_account.html",
            context={
                "pending": await deletion.pending(db, request.user.tenant_id, request.user.id),
                "days": deletion.COOLING_OFF.days,
                "only_me": True,
                "action": "/app/me/delete",
            },
        )

    @post("/", media_type=MediaType.HTML)
    async def start(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        typed = str((await request.form()).get("confirm", "")).strip()
        if typed != request.user.tenant.slug:
            flash(request, _("Type the account's name exactly as shown to confirm."), category="error")
            return Redirect("/app/me/delete")
        try:
            await deletion.request_deletion(db, request.user, only_me=True)
        except deletion.DeletionRefused:
            return Redirect("/app/me/delete")
        await db.commit()
        flash(
            request,
            _("Deletion scheduled. You can cancel it here or with the link in the e-mail."),
            category="success",
        )
        return Redirect("/app/me/delete")

    @post("/cancel", media_type=MediaType.HTML)
    async def stop(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        if await deletion.cancel(db, request.user.tenant_id, user_id=request.user.id):
            await db.commit()
            flash(request, _("Deletion cancelled. Your account stays as it is."), category="success")
        return Redirect("/app/me/delete")
