"""Sign-up, log-in, log-out, password reset, the user's preferences, and API keys."""

from __future__ import annotations

import contextlib
import time
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

from landform.accounts import audit, mfa, services, sessions
from landform.accounts.guards import MANAGERS, provide_tenant_db, requires_role
from landform.accounts.models import ApiKey, User
from landform.accounts.sessions import ClientInfo
from landform.accounts.terms import TERMS_DATE
from landform.accounts.throttle import LoginThrottle
from landform.core import security
from landform.core.db import scope_to_tenant, utcnow
from landform.core.http import client_ip, rotate_session_id
from landform.core.i18n import LANGUAGES
from landform.core.i18n import gettext as _
from landform.core.mail_limits import mail_limiter

# The forms that e-mail whatever address is typed in, and how often a minute one client may send them.
MAILING_PATHS = ("/signup", "/password/forgot")
MAILS_PER_MINUTE = 5

# How long the second step of a log-in (the code) may take after the password was right.
SECOND_FACTOR_SECONDS = 5 * 60


def _local_outbox(request: Request[Any, Any, Any]) -> bool:
    """No mail server (development): the e-mail waits in /_outbox/, which a newcomer cannot guess."""
    settings = request.app.state.settings
    return not settings.ops.is_production and not settings.mail.smtp_url


def client_info(request: Request[Any, Any, Any]) -> ClientInfo:
    settings = request.app.state.settings
    return ClientInfo(
        ip=client_ip(request, settings.server.trusted_proxies),
        user_agent=request.headers.get("user-agent", ""),
    )


def login_throttle(request: Request[Any, Any, Any]) -> LoginThrottle:
    # The "rate_limit" prefix gives an in-memory store on the embedded default (see app.py), Redis otherwise.
    return LoginThrottle(request.app.stores.get("rate_limit_login"))


async def begin_session(request: Request[Any, Any, Any], db: AsyncSession, user: User, how: str = "") -> None:
    """Every factor is checked: a fresh session (never the pre-log-in one) tied to a session row."""
    row = await services.complete_log_in(db, user, client_info(request), how=how)
    await db.commit()
    request.clear_session()
    request.set_session(
        {"user_id": str(user.id), "tenant_id": str(user.tenant_id), "lang": user.language, "sid": str(row.id)}
    )
    rotate_session_id(request)


def _too_many(request: Request[Any, Any, Any], wait: int, template: str, context: dict[str, Any]) -> Template:
    minutes = max(1, -(-wait // 60))
    message = _(
        "Too many attempts. For your safety, logging in from here is paused: try again in %(n)d minutes.",
        n=minutes,
    )
    return Template(
        template,
        status_code=429,
        headers={"retry-after": str(wait)},
        context={**context, "errors": {"_form": message}},
    )


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
        return Template(
            "accounts/signup.html", context={"values": {}, "errors": {}, "terms_date": TERMS_DATE}
        )

    @post("/signup")
    async def signup(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        """Create a tenant and its owner; the same answer whether or not the address had an account."""
        form = await request.form()
        values = {
            k: str(form.get(k, "")) for k in ("company", "first_name", "last_name", "email", "language")
        }
        try:
            await services.sign_up(
                db_session,
                services.SignUp(password=str(form.get("password", "")), **values),
                mail_limiter(request),
            )
        except services.AccountInvalid as error:
            return Template(
                "accounts/signup.html",
                context={"values": values, "errors": error.errors, "terms_date": TERMS_DATE},
                status_code=422,
            )
        await db_session.commit()
        return Template(
            "accounts/check_mail.html",
            context={"email": values["email"], "purpose": "signup", "local_outbox": _local_outbox(request)},
        )

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
        await begin_session(request, db_session, user)
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
        """Check credentials, then ask for the second factor if the user has one, else start a session.

        Throttled per address-and-IP and per IP, the same for addresses with and without an account.
        """
        form = await request.form()
        email, password, target = (str(form.get(k, "")) for k in ("email", "password", "next"))
        context = {"values": {"email": email}, "next": target}
        client = client_info(request)
        throttle = login_throttle(request)
        wait = await throttle.wait_seconds(email, client.ip)
        if wait:
            security.verify_password(None, password)  # a paused try costs what a real one does
            return _too_many(request, wait, "accounts/login.html", context)
        try:
            user = await services.log_in(db_session, email, password, client)
        except services.LoginFailed as error:
            if await throttle.failed(email, client.ip) and error.user is not None:
                await services.record_lockout(db_session, error.user, client)
            await db_session.commit()
            return Template(
                "accounts/login.html", status_code=422, context={**context, "errors": error.errors}
            )
        except services.AccountInvalid as error:
            await db_session.commit()  # a fresh confirmation mail may have been queued
            return Template(
                "accounts/login.html", status_code=422, context={**context, "errors": error.errors}
            )
        await throttle.succeeded(email, client.ip)
        if user.totp_enabled_at is not None:
            request.clear_session()
            request.set_session({"mfa_user_id": str(user.id), "mfa_since": time.time(), "next": target})
            await db_session.commit()
            return Redirect("/login/code")
        await begin_session(request, db_session, user)
        return Redirect(_safe_next(target))

    async def _pending_user(self, request: Request[Any, Any, Any], db: AsyncSession) -> User | None:
        started = request.session.get("mfa_since")
        if not isinstance(started, int | float) or time.time() - started > SECOND_FACTOR_SECONDS:
            return None
        return await services.user_by_id(db, str(request.session.get("mfa_user_id")))

    @get("/login/code", media_type=MediaType.HTML)
    async def code_form(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Any:
        """The second step of a log-in with two-factor authentication: the code from the app."""
        if await self._pending_user(request, db_session) is None:
            return Redirect("/login")
        return Template("accounts/login_code.html", context={"errors": {}})

    @post("/login/code", media_type=MediaType.HTML)
    async def code(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Any:
        """Check the authenticator code (or a recovery code) and start the session."""
        user = await self._pending_user(request, db_session)
        if user is None:
            request.set_session({})
            flash(request, _("That took too long. Please log in again."), category="error")
            return Redirect("/login")
        form = await request.form()
        code = str(form.get("code", "")).strip()
        client = client_info(request)
        throttle = login_throttle(request)
        wait = await throttle.wait_seconds(user.email, client.ip)
        if wait:
            return _too_many(request, wait, "accounts/login_code.html", {})
        how = ""
        if mfa.verify_code(user, code):
            how = "totp"
        elif len(code) > 8 and await mfa.use_recovery_code(db_session, user, code):
            how = "recovery_code"
            await db_session.run_sync(
                audit.record, "recovery_code_used", tenant_id=user.tenant_id, subject=user, client=client
            )
        if not how:
            await db_session.run_sync(
                audit.record,
                "login_failed",
                tenant_id=user.tenant_id,
                subject=user,
                client=client,
                step="code",
            )
            if await throttle.failed(user.email, client.ip):
                await services.record_lockout(db_session, user, client)
            await db_session.commit()
            return Template(
                "accounts/login_code.html",
                status_code=422,
                context={
                    "errors": {"code": _("This code is not right, or was used already. Try the next one.")}
                },
            )
        await throttle.succeeded(user.email, client.ip)
        target = str(request.session.get("next", ""))
        await begin_session(request, db_session, user, how=how)
        if how == "recovery_code":
            flash(
                request,
                _("You used a recovery code; it will not work again. Make new ones under Security."),
                category="warning",
            )
        return Redirect(_safe_next(target))

    @post("/logout")
    async def logout(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Redirect:
        """End the session, here and in the list of sessions."""
        user = await services.user_by_id(db_session, str(request.session.get("user_id")))
        sid = str(request.session.get("sid", ""))
        if user is not None and sid:
            scope_to_tenant(db_session.sync_session, user.tenant_id)
            with contextlib.suppress(ValueError):
                await sessions.revoke(db_session, user, UUID(sid))
            await db_session.commit()
        request.clear_session()
        return Redirect("/login")

    @get("/password/forgot")
    async def forgot_form(self) -> Template:
        """Ask for a reset link."""
        return Template("accounts/forgot.html", context={"values": {}, "errors": {}})

    @post("/password/forgot")
    async def forgot(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        """Send a reset link if the address has an account; answer the same either way.

        Also the same when the address had its reset links already (one per 10 minutes, a few a day):
        an attacker learns nothing and the owner's mailbox is not flooded.
        """
        form = await request.form()
        email = str(form.get("email", ""))
        if await mail_limiter(request).allows(email, "password_reset"):
            await db_session.run_sync(services.request_password_reset, email)
            await db_session.commit()
        return Template(
            "accounts/check_mail.html",
            context={"email": email, "purpose": "reset", "local_outbox": _local_outbox(request)},
        )

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
            user = await services.reset_password(
                db_session, token, str(form.get("password", "")), client_info(request)
            )
        except services.AccountInvalid as error:
            if "token" in error.errors:
                return Template(
                    "accounts/link_invalid.html", context={"message": error.errors["token"]}, status_code=400
                )
            return Template(
                "accounts/reset.html", context={"token": token, "errors": error.errors}, status_code=422
            )
        if user.totp_enabled_at is not None:
            # A reset link proves the mailbox, not the second factor: log in with both.
            await db_session.commit()
            request.clear_session()
            flash(
                request, _("Your new password is set. Log in with it and your authenticator code."), "success"
            )
            return Redirect("/login")
        await begin_session(request, db_session, user)
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
