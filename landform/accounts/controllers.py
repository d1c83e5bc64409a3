"""Sign-up, log-in, log-out, password reset, the user's preferences, and API keys."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts import services
from landform.accounts.models import ApiKey, User
from landform.db import utcnow
from landform.i18n import LANGUAGES
from landform.i18n import gettext as _
from landform.web import MANAGERS, provide_tenant_db, requires_role


def _start_session(request: Request[Any, Any, Any], user: User) -> None:
    request.clear_session()
    request.set_session({"user_id": str(user.id), "tenant_id": str(user.tenant_id), "lang": user.language})


def _safe_next(target: str | None) -> str:
    # Only paths on this site: never an open redirect.
    if target and target.startswith("/app") and not target.startswith("//"):
        return target
    return "/app"


class AuthController(Controller):
    """Pages anyone can open to get into (or out of) the dashboard."""

    include_in_schema = False

    @get("/signup")
    async def signup_form(self) -> Template:
        """The sign-up form."""
        return Template("accounts/signup.html", context={"values": {}, "errors": {}})

    @post("/signup")
    async def signup(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        """Create a tenant and its owner; the same answer whether or not the address had an account."""
        form = await request.form()
        values = {
            k: str(form.get(k, "")) for k in ("company", "first_name", "last_name", "email", "language")
        }
        try:
            await services.sign_up(
                db_session, services.SignUp(password=str(form.get("password", "")), **values)
            )
        except services.AccountInvalid as error:
            return Template(
                "accounts/signup.html", context={"values": values, "errors": error.errors}, status_code=422
            )
        await db_session.commit()
        return Template("accounts/check_mail.html", context={"email": values["email"], "purpose": "signup"})

    @get("/signup/confirm", media_type=MediaType.HTML)
    async def confirm(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, token: str = ""
    ) -> Any:
        """The link in the confirmation e-mail: confirms the address and logs in."""
        try:
            user = await services.confirm_email(db_session, token)
        except services.AccountInvalid as error:
            return Template(
                "accounts/link_invalid.html", context={"message": error.errors["token"]}, status_code=400
            )
        await db_session.commit()
        _start_session(request, user)
        flash(request, _("Welcome to Landform! Your e-mail address is confirmed."), category="success")
        return Redirect("/app")

    @get("/login", media_type=MediaType.HTML)
    async def login_form(self, request: Request[Any, Any, Any], next: str = "") -> Any:
        """The log-in form."""
        if request.session.get("user_id"):
            return Redirect(_safe_next(next))
        return Template("accounts/login.html", context={"values": {}, "errors": {}, "next": next})

    @post("/login", media_type=MediaType.HTML)
    async def login(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Any:
        """Check credentials and start a session."""
        form = await request.form()
        email, target = str(form.get("email", "")), str(form.get("next", ""))
        try:
            user = await services.log_in(db_session, email, str(form.get("password", "")))
        except services.AccountInvalid as error:
            await db_session.commit()  # a fresh confirmation mail may have been queued
            return Template(
                "accounts/login.html",
                status_code=422,
                context={"values": {"email": email}, "errors": error.errors, "next": target},
            )
        await db_session.commit()
        _start_session(request, user)
        return Redirect(_safe_next(target))

    @post("/logout")
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        """End the session."""
        request.clear_session()
        return Redirect("/login")

    @get("/password/forgot")
    async def forgot_form(self) -> Template:
        """Ask for a reset link."""
        return Template("accounts/forgot.html", context={"values": {}, "errors": {}})

    @post("/password/forgot")
    async def forgot(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        """Send a reset link if the address has an account; answer the same either way."""
        form = await request.form()
        email = str(form.get("email", ""))
        await services.request_password_reset(db_session, email)
        await db_session.commit()
        return Template("accounts/check_mail.html", context={"email": email, "purpose": "reset"})

    @get("/password/reset")
    async def reset_form(self, db_session: AsyncSession, token: str = "") -> Template:
        """The new-password form behind the e-mailed link."""
        try:
            await services.user_for_reset(db_session, token)
        except services.AccountInvalid as error:
            return Template(
                "accounts/link_invalid.html", context={"message": error.errors["token"]}, status_code=400
            )
        return Template("accounts/reset.html", context={"token": token, "errors": {}})

    @post("/password/reset", media_type=MediaType.HTML)
    async def reset(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Any:
        """Set the new password; the link stops working."""
        form = await request.form()
        token = str(form.get("token", ""))
        try:
            user = await services.reset_password(db_session, token, str(form.get("password", "")))
        except services.AccountInvalid as error:
            if "token" in error.errors:
                return Template(
                    "accounts/link_invalid.html", context={"message": error.errors["token"]}, status_code=400
                )
            return Template(
                "accounts/reset.html", context={"token": token, "errors": error.errors}, status_code=422
            )
        await db_session.commit()
        _start_session(request, user)
        flash(request, _("Your new password is set."), category="success")
        return Redirect("/app")


class PreferencesController(Controller):
    """The logged-in user's own settings."""

    path = "/app/me"
    include_in_schema = False

    @post("/language")
    async def set_language(self, request: Request[User, Any, Any], db_session: AsyncSession) -> Redirect:
        """Switch the dashboard language (and remember it on the account)."""
        form = await request.form()
        language = str(form.get("language", ""))
        if language in LANGUAGES:
            request.user.language = language
            db_session.add(request.user)
            await db_session.commit()
            request.session["lang"] = language
        return Redirect(_safe_next(str(form.get("next", ""))))


class ApiKeyController(Controller):
    """API keys: list, create (shown once), revoke. Owners and admins only."""

    path = "/app/settings/api-keys"
    include_in_schema = False
    guards = [requires_role(*MANAGERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    async def _keys(self, db: AsyncSession) -> list[ApiKey]:
        return list((await db.execute(select(ApiKey).order_by(ApiKey.created_at.desc()))).scalars())

    @get("/")
    async def index(self, db: AsyncSession) -> Template:
        """The tenant's keys."""
        return Template("accounts/api_keys.html", context={"keys": await self._keys(db), "errors": {}})

    @post("/")
    async def create(self, request: Request[User, Any, Any], db: AsyncSession) -> Template:
        """Make a key and show its secret this once."""
        form = await request.form()
        try:
            key, secret = await services.create_api_key(db, str(form.get("name", "")), request.user)
        except services.AccountInvalid as error:
            return Template(
                "accounts/api_keys.html",
                status_code=422,
                context={"keys": await self._keys(db), "errors": error.errors},
            )
        await db.commit()
        return Template(
            "accounts/api_keys.html",
            context={"keys": await self._keys(db), "errors": {}, "new_key": key, "secret": secret},
        )

    @post("/{key_id:uuid}/revoke")
    async def revoke(self, request: Request[User, Any, Any], db: AsyncSession, key_id: UUID) -> Redirect:
        """Stop a key from working."""
        key = (await db.execute(select(ApiKey).where(ApiKey.id == key_id))).scalar_one_or_none()
        if key is None:
            raise NotFoundException()
        key.revoked_at = key.revoked_at or utcnow()
        await db.commit()
        flash(request, _("The key %(name)s no longer works.", name=key.name), category="success")
        return Redirect("/app/settings/api-keys")
