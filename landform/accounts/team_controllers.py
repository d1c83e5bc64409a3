"""The team page, the invitation link, the company profile, the audit log, and account images."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from landform import hooks
from landform.accounts import audit, profiles, team
from landform.accounts.controllers import begin_session, client_info
from landform.accounts.guards import MANAGERS, provide_tenant_db, requires_role
from landform.accounts.models import AccountImage, Role, User
from landform.accounts.services import AccountInvalid
from landform.core.http import read_upload
from landform.core.i18n import gettext as _
from landform.core.images import UPLOAD_BODY
from landform.core.mail_limits import mail_limiter


class TeamController(Controller):
    """Members and invitations: invite, change a role, remove. Owners and admins."""

    path = "/app/team"
    include_in_schema = False
    guards = [requires_role(*MANAGERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    async def _page(
        self,
        request: Request[User, Any, Any],
        db: AsyncSession,
        errors: dict[str, str],
        values: dict[str, str],
    ) -> dict[str, Any]:
        grantable = [role for role in Role if role is not Role.OWNER or request.user.role is Role.OWNER]
        return {
            "members": await team.members(db),
            "invitations": await team.pending_invitations(db),
            "role_names": team.ROLE_NAMES,
            "grantable": grantable,
            "errors": errors,
            "values": values,
        }

    @get("/")
    async def index(self, request: Request[User, Any, Any], db: AsyncSession) -> Template:
        """The team: who is in it, with which role, and who is invited."""
        return Template("accounts/team.html", context=await self._page(request, db, {}, {"role": "marketer"}))

    @post("/invite", media_type=MediaType.HTML)
    async def invite(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """Send an invitation by e-mail."""
        form = await request.form()
        values = {"email": str(form.get("email", "")), "role": str(form.get("role", ""))}
        # The plan's user limit (billing fills the hook; accounts does not import billing).
        await hooks.ensure_room.get()(db, "users")
        try:
            invitation = await team.invite(
                db,
                request.user,
                values["email"],
                values["role"],
                client_info(request),
                mail_limiter(request),
            )
        except AccountInvalid as error:
            return Template(
                "accounts/team.html",
                status_code=422,
                context=await self._page(request, db, error.errors, values),
            )
        except team.NotAllowed as error:
            return Template(
                "accounts/team.html",
                status_code=403,
                context=await self._page(request, db, {"role": str(error)}, values),
            )
        await db.commit()
        flash(request, _("Invitation sent to %(email)s.", email=invitation.email), category="success")
        return Redirect("/app/team/")

    async def _act(
        self, request: Request[User, Any, Any], db: AsyncSession, action: Any, done: str
    ) -> Redirect:
        try:
            await action
        except team.NotFound:
            raise NotFoundException() from None
        except (team.NotAllowed, AccountInvalid) as error:
            message = str(error) if isinstance(error, team.NotAllowed) else next(iter(error.errors.values()))
            flash(request, message, category="error")
            return Redirect("/app/team/", status_code=303)
        await db.commit()
        flash(request, done, category="success")
        return Redirect("/app/team/")

    @post("/{member_id:uuid}/role")
    async def change_role(
        self, request: Request[User, Any, Any], db: AsyncSession, member_id: UUID
    ) -> Redirect:
        """Give a member another role."""
        form = await request.form()
        action = team.change_role(
            db, request.user, member_id, str(form.get("role", "")), client_info(request)
        )
        return await self._act(request, db, action, _("The role is changed."))

    @post("/{member_id:uuid}/remove")
    async def remove(self, request: Request[User, Any, Any], db: AsyncSession, member_id: UUID) -> Redirect:
        """Take a member out of the team; they can no longer log in."""
        action = team.remove_member(db, request.user, member_id, client_info(request))
        return await self._act(request, db, action, _("The member is removed from the team."))

    @post("/invitations/{invitation_id:uuid}/revoke")
    async def revoke_invitation(
        self, request: Request[User, Any, Any], db: AsyncSession, invitation_id: UUID
    ) -> Redirect:
        """Withdraw an invitation: its link stops working."""
        action = team.revoke_invitation(db, request.user, invitation_id, client_info(request))
        return await self._act(request, db, action, _("The invitation is withdrawn."))


class InvitationController(Controller):
    """The link in an invitation: the invitee chooses a name and password, and is in."""

    path = "/invite"
    include_in_schema = False

    @get("/", media_type=MediaType.HTML)
    async def form(self, db_session: AsyncSession, token: str = "") -> Any:
        """The join form, if the link is still good."""
        try:
            invitation, tenant = await team.invitation_for_token(db_session, token)
        except AccountInvalid as error:
            return Template(
                "accounts/link_invalid.html", context={"message": error.errors["token"]}, status_code=400
            )
        return Template(
            "accounts/invite.html",
            context={"token": token, "invitation": invitation, "tenant": tenant, "values": {}, "errors": {}},
        )

    @post("/", media_type=MediaType.HTML)
    async def accept(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Any:
        """Create the account and log in."""
        form = await request.form()
        token = str(form.get("token", ""))
        data = {k: str(form.get(k, "")) for k in ("first_name", "last_name", "password", "language")}
        try:
            user = await team.accept_invitation(db_session, token, data, client_info(request))
        except AccountInvalid as error:
            if "token" in error.errors:
                return Template(
                    "accounts/link_invalid.html", context={"message": error.errors["token"]}, status_code=400
                )
            invitation, tenant = await team.invitation_for_token(db_session, token)
            return Template(
                "accounts/invite.html",
                status_code=422,
                context={
                    "token": token,
                    "invitation": invitation,
                    "tenant": tenant,
                    "values": data,
                    "errors": error.errors,
                },
            )
        await begin_session(request, db_session, user)
        flash(request, _("Welcome to the team at %(company)s!", company=user.tenant.name), category="success")
        return Redirect("/app")


class CompanyController(Controller):
    """The company profile. Owners and admins."""

    path = "/app/settings"
    include_in_schema = False
    guards = [requires_role(*MANAGERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/")
    async def settings_index(self) -> Redirect:
        """Settings start at the company profile."""
        return Redirect("/app/settings/company")

    @get("/company")
    async def company(self, request: Request[User, Any, Any]) -> Template:
        """The company's details."""
        return Template(
            "accounts/company.html",
            context={"values": profiles.company_values(request.user.tenant), "errors": {}},
        )

    @post("/company", media_type=MediaType.HTML, request_max_body_size=UPLOAD_BODY)
    async def save_company(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """Save the company's details (and a new logo)."""
        form = await request.form()
        data = {k: v for k, v in form.items() if isinstance(v, str)}
        tenant = request.user.tenant
        try:
            await profiles.update_company(db, tenant, data, await read_upload(form, "logo"))
        except AccountInvalid as error:
            return Template(
                "accounts/company.html", status_code=422, context={"values": data, "errors": error.errors}
            )
        db.add(tenant)
        await db.commit()
        flash(request, _("The company details are saved."), category="success")
        return Redirect("/app/settings/company")

    @get("/audit")
    async def audit_log(self, db: AsyncSession) -> Template:
        """The newest security events of the team's accounts."""
        return Template(
            "accounts/audit.html",
            context={
                "events": await audit.recent_events(db),
                "kinds": audit.KINDS,
                "role_names": team.ROLE_NAMES,
            },
        )


class AccountImageController(Controller):
    """Profile photos and the company logo, for the team's own eyes."""

    path = "/app/images"
    include_in_schema = False
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/{image_id:uuid}")
    async def image(self, db: AsyncSession, image_id: UUID) -> Response[bytes]:
        """An image with the type sniffed at upload, in a sandbox so nothing in it can run."""
        image = (
            await db.execute(select(AccountImage).where(AccountImage.id == image_id))
        ).scalar_one_or_none()
        if image is None:
            raise NotFoundException()
        return Response(
            image.data,
            media_type=image.content_type,
            headers={
                "cache-control": "private, max-age=86400",
                "content-security-policy": "default-src 'none'; sandbox",
                "content-disposition": "inline",
            },
        )
