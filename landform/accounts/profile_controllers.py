"""The logged-in user's own pages: profile, and security (password, two-factor, sessions)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts import audit, mfa, profiles, services, sessions
from landform.accounts.controllers import client_info
from landform.accounts.guards import provide_tenant_db
from landform.accounts.models import User
from landform.accounts.services import GENDERS, AccountInvalid
from landform.core import i18n, security
from landform.core.http import read_upload
from landform.core.i18n import gettext as _
from landform.core.images import UPLOAD_BODY


def _current_sid(request: Request[Any, Any, Any]) -> UUID | None:
    try:
        return UUID(str(request.session.get("sid")))
    except ValueError:
        return None


def _profile_values(user: User) -> dict[str, str]:
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "gender": user.gender or "",
        "language": user.language,
        "timezone": user.timezone,
        "lead_notifications": user.lead_notifications,
        "task_mail": "1" if user.task_mail else "",
    }


class ProfileController(Controller):
    """Your profile: name, gender, language, time zone, photo."""

    path = "/app/me"
    include_in_schema = False
    dependencies = {"db": Provide(provide_tenant_db)}

    def _context(self, values: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
        return {"values": values, "errors": errors, "genders": GENDERS, "timezones": profiles.timezones()}

    @get("/")
    async def profile(self, request: Request[User, Any, Any]) -> Template:
        """The profile form."""
        return Template("accounts/profile.html", context=self._context(_profile_values(request.user), {}))

    @post("/", media_type=MediaType.HTML, request_max_body_size=UPLOAD_BODY)
    async def save_profile(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """Save the profile (and a new photo)."""
        form = await request.form()
        data = {k: v for k, v in form.items() if isinstance(v, str)}
        user = request.user
        try:
            await profiles.update_profile(db, user, data, await read_upload(form, "photo"))
        except AccountInvalid as error:
            errors = {("photo" if k == "image" else k): v for k, v in error.errors.items()}
            return Template("accounts/profile.html", status_code=422, context=self._context(data, errors))
        db.add(user)
        await db.commit()
        request.session["lang"] = user.language
        i18n.set_language(user.language)  # the confirmation already in the language just chosen
        flash(request, _("Your profile is saved."), category="success")
        return Redirect("/app/me/")


class SecurityController(Controller):
    """Your password, two-factor authentication, and where you are logged in."""

    path = "/app/me/security"
    include_in_schema = False
    dependencies = {"db": Provide(provide_tenant_db)}

    async def _page(
        self, request: Request[User, Any, Any], db: AsyncSession, status: int = 200, **extra: Any
    ) -> Template:
        user = request.user
        context = {
            "sessions": await sessions.sessions_of(db, user),
            "current_sid": _current_sid(request),
            "codes_left": await mfa.recovery_codes_left(db, user) if user.totp_enabled_at else 0,
            "errors": {},
            **extra,
        }
        return Template("accounts/security.html", context=context, status_code=status)

    @get("/")
    async def index(self, request: Request[User, Any, Any], db: AsyncSession) -> Template:
        """The security page."""
        return await self._page(request, db)

    @post("/password", media_type=MediaType.HTML)
    async def change_password(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """Change the password; every other session is signed out."""
        form = await request.form()
        try:
            signed_out = await services.change_password(
                db,
                request.user,
                str(form.get("current_password", "")),
                str(form.get("password", "")),
                keep_session=_current_sid(request),
                client=client_info(request),
            )
        except AccountInvalid as error:
            return await self._page(request, db, 422, errors=error.errors)
        db.add(request.user)
        await db.commit()
        message = _("Your new password is set.")
        if signed_out:
            message += " " + _("Your other sessions are signed out.")
        flash(request, message, category="success")
        return Redirect("/app/me/security/")

    @post("/2fa/start", media_type=MediaType.HTML)
    async def start_two_factor(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """Show a new secret as a QR code; it counts once a code from the app confirms it."""
        if request.user.totp_enabled_at is not None:
            return Redirect("/app/me/security/")
        secret = mfa.new_secret()
        request.session["mfa_setup"] = secret
        return self._setup(request, secret, {})

    def _setup(self, request: Request[User, Any, Any], secret: str, errors: dict[str, str]) -> Template:
        uri = mfa.provisioning_uri(secret, request.user.email)
        return Template(
            "accounts/two_factor_setup.html",
            status_code=422 if errors else 200,
            context={
                "qr": mfa.qr_svg(uri, _("QR code for your authenticator app")),
                "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
                "errors": errors,
            },
        )

    @post("/2fa/confirm", media_type=MediaType.HTML)
    async def confirm_two_factor(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """Turn two-factor on with the confirming code; show the recovery codes once."""
        secret = request.session.get("mfa_setup")
        if not isinstance(secret, str) or request.user.totp_enabled_at is not None:
            return Redirect("/app/me/security/")
        form = await request.form()
        if not mfa.check_setup_code(secret, str(form.get("code", ""))):
            return self._setup(
                request, secret, {"code": _("This code is not right. Enter the current code.")}
            )
        user = request.user
        codes = await mfa.enable(db, user, secret)
        await db.run_sync(
            audit.record,
            "mfa_enabled",
            tenant_id=user.tenant_id,
            actor=user,
            subject=user,
            client=client_info(request),
        )
        db.add(user)
        await db.commit()
        request.session.pop("mfa_setup", None)
        return Template("accounts/recovery_codes.html", context={"codes": codes, "first": True})

    def _password_ok(self, request: Request[User, Any, Any], password: str) -> bool:
        return security.verify_password(request.user.password_hash, password)

    @post("/2fa/disable", media_type=MediaType.HTML)
    async def disable_two_factor(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """Turn two-factor off; asks for the password again."""
        form = await request.form()
        if not self._password_ok(request, str(form.get("disable_password", ""))):
            return await self._page(
                request, db, 422, errors={"disable_password": _("This is not your password.")}
            )
        user = request.user
        await mfa.disable(db, user)
        await db.run_sync(
            audit.record,
            "mfa_disabled",
            tenant_id=user.tenant_id,
            actor=user,
            subject=user,
            client=client_info(request),
        )
        db.add(user)
        await db.commit()
        flash(request, _("Two-factor authentication is off."), category="success")
        return Redirect("/app/me/security/")

    @post("/2fa/recovery-codes", media_type=MediaType.HTML)
    async def new_recovery_codes(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """Replace the recovery codes; asks for the password again."""
        form = await request.form()
        if request.user.totp_enabled_at is None:
            return Redirect("/app/me/security/")
        if not self._password_ok(request, str(form.get("codes_password", ""))):
            return await self._page(
                request, db, 422, errors={"codes_password": _("This is not your password.")}
            )
        codes = await mfa.new_recovery_codes(db, request.user)
        await db.commit()
        return Template("accounts/recovery_codes.html", context={"codes": codes, "first": False})

    @post("/sessions/{session_id:uuid}/revoke")
    async def revoke_session(
        self, request: Request[User, Any, Any], db: AsyncSession, session_id: UUID
    ) -> Redirect:
        """Sign out one of your other sessions."""
        row = await sessions.revoke(db, request.user, session_id)
        if row is None:
            raise NotFoundException()
        user = request.user
        await db.run_sync(
            audit.record,
            "session_revoked",
            tenant_id=user.tenant_id,
            actor=user,
            subject=user,
            client=client_info(request),
        )
        await db.commit()
        if session_id == _current_sid(request):
            request.clear_session()
            return Redirect("/login")
        flash(request, _("That session is signed out."), category="success")
        return Redirect("/app/me/security/")

    @post("/sessions/revoke-others")
    async def revoke_others(self, request: Request[User, Any, Any], db: AsyncSession) -> Redirect:
        """Sign out everywhere but here."""
        user = request.user
        count = await sessions.revoke_all(db, user, keep=_current_sid(request))
        if count:
            await db.run_sync(
                audit.record,
                "session_revoked",
                tenant_id=user.tenant_id,
                actor=user,
                subject=user,
                client=client_info(request),
                count=str(count),
            )
        await db.commit()
        flash(request, _("Your other sessions are signed out."), category="success")
        return Redirect("/app/me/security/")
