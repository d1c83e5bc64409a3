"""Account rules: sign-up, e-mail confirmation, log-in, password reset, API keys.

None of these tells a stranger whether an address has an account: sign-up and reset answer the
same either way (the mailbox owner learns the rest by e-mail), and a failed log-in costs the same
time whether or not the address is known.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING
from uuid import UUID

from advanced_alchemy.mixins.uuid import uuid7
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from landform import hooks
from landform.accounts import audit, devices, passwords, sessions, terms
from landform.accounts.models import ApiKey, PasswordResetRequest, Role, Tenant, User, UserSession
from landform.accounts.sessions import ClientInfo
from landform.core import security
from landform.core.db import scope_to_tenant, utcnow
from landform.core.i18n import LANGUAGES
from landform.core.i18n import gettext as _
from landform.core.jobs.registry import add_job, job
from landform.core.mail import queue_email
from landform.core.text import normalize_text

if TYPE_CHECKING:
    from landform.core.mail_limits import MailLimiter  # imports web.py, which imports this module

RESET_MAX_AGE = 3600
CONFIRM_MAX_AGE = 7 * 24 * 3600
GENDERS = ("female", "male", "other")


class AccountInvalid(Exception):
    """Input for an account action that is not acceptable, by field name."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


class LoginFailed(AccountInvalid):
    """Wrong credentials; `user` is the account the address belongs to (never shown to the client)."""

    def __init__(self, user: User | None) -> None:
        super().__init__({"_form": _("That e-mail address and password do not match an account.")})
        self.user = user


@dataclass
class SignUp:
    company: str
    first_name: str
    last_name: str
    email: str
    password: str
    language: str


def normalize_email(raw: str) -> str:
    """An account address, validated and lower-cased so log-in is case-blind."""
    try:
        return validate_email(normalize_text(raw), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise AccountInvalid(
            {"email": _("Please enter a valid e-mail address, like name@example.com.")}
        ) from error


def check_password(password: str, *, personal: tuple[str, ...] = ()) -> None:
    try:
        passwords.check_password(password, personal=personal)
    except passwords.PasswordRefused as error:
        raise AccountInvalid({"password": str(error)}) from error


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40] or "team"


async def _user_by_email(db: AsyncSession, email: str) -> User | None:
    return (
        await db.execute(select(User).where(User.email == email).execution_options(all_tenants=True))
    ).scalar_one_or_none()


async def sign_up(db: AsyncSession, form: SignUp, limiter: MailLimiter | None = None) -> None:
    """Create a tenant and its owner, pending e-mail confirmation; or tell an existing owner by mail.

    When the address was mailed enough (`limiter`, asked once the form is valid) an existing owner is not
    told again, and a new account's confirmation link comes with the next log-in. The password is hashed
    either way, so an existing address costs the same time as a new one.
    """
    errors: dict[str, str] = {}
    company = normalize_text(form.company)[:200]
    first_name = normalize_text(form.first_name)[:100]
    last_name = normalize_text(form.last_name)[:100]
    if not company:
        errors["company"] = _("Please fill in your company's name.")
    if not first_name:
        errors["first_name"] = _("Please fill in your first name.")
    if not last_name:
        errors["last_name"] = _("Please fill in your last name.")
    try:
        email = normalize_email(form.email)
    except AccountInvalid as error:
        errors.update(error.errors)
    try:
        check_password(form.password, personal=(form.email, company))
    except AccountInvalid as error:
        errors.update(error.errors)
    if errors:
        raise AccountInvalid(errors)
    language = form.language if form.language in LANGUAGES else "nl"
    password_hash = security.hash_password(form.password)
    mail = limiter is None or await limiter.allows(email, "signup")
    existing = await _user_by_email(db, email)
    if existing is not None:
        if not mail:
            return
        await db.run_sync(
            queue_email,
            to=email,
            template="account_exists",
            language=existing.language,
            first_name=existing.first_name,
        )
        return
    base = slugify(company)
    slug = base
    while (await db.execute(select(Tenant.id).where(Tenant.slug == slug))).first() is not None:
        slug = f"{base}-{secrets.token_hex(2)}"
    tenant = Tenant(slug=slug, name=company, default_language=language)
    db.add(tenant)
    await db.flush()
    scope_to_tenant(db.sync_session, tenant.id)
    user = User(
        tenant_id=tenant.id,
        email=email,
        password_hash=password_hash,
        first_name=first_name,
        last_name=last_name,
        language=language,
        role=Role.OWNER,
    )
    db.add(user)
    await db.flush()
    # Creating the account accepts the terms and processing agreement the form names (and links).
    terms.accept(db.sync_session, tenant.id, user)
    # The domains above set the new account up (routing: its owner gets the leads no rule places). They
    # only add rows, no I/O, so the sync_session serves without run_sync.
    for hook in hooks.tenant_created:
        hook(db.sync_session, tenant.id, user.id)
    if not mail:
        return
    token = security.sign("confirm-email", str(user.id))
    await db.run_sync(
        queue_email,
        to=email,
        template="confirm_email",
        language=language,
        tenant_id=tenant.id,
        first_name=first_name,
        token=token,
    )


async def confirm_email(db: AsyncSession, token: str) -> User:
    try:
        user_id = security.unsign("confirm-email", token, max_age=CONFIRM_MAX_AGE)
    except security.TokenInvalid as error:
        raise AccountInvalid({"token": _("This confirmation link is not valid or has expired.")}) from error
    user = await user_by_id(db, user_id)
    if user is None:
        raise AccountInvalid({"token": _("This confirmation link is not valid or has expired.")})
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    return user


async def user_by_id(db: AsyncSession, user_id: str | UUID) -> User | None:
    try:
        uid = UUID(str(user_id))
    except ValueError:
        return None
    return (
        await db.execute(select(User).where(User.id == uid).execution_options(all_tenants=True))
    ).scalar_one_or_none()


async def log_in(db: AsyncSession, email: str, password: str, client: ClientInfo | None = None) -> User:
    """The user for these credentials; one message for every way it can fail.

    A second factor, if the user has one, is asked for next; `complete_log_in` starts the session.
    """
    try:
        address = normalize_email(email)
    except AccountInvalid:
        security.verify_password(None, password)
        raise LoginFailed(None) from None
    user = await _user_by_email(db, address)
    if not security.verify_password(user.password_hash if user else None, password) or user is None:
        if user is not None:
            await db.run_sync(
                audit.record, "login_failed", tenant_id=user.tenant_id, subject=user, client=client
            )
        raise LoginFailed(user)
    if user.email_confirmed_at is None:
        token = security.sign("confirm-email", str(user.id))
        await db.run_sync(
            queue_email,
            to=user.email,
            template="confirm_email",
            language=user.language,
            tenant_id=user.tenant_id,
            first_name=user.first_name,
            token=token,
        )
        raise AccountInvalid(
            {"_form": _("Please confirm your e-mail address first: we sent you a new link.")}
        )
    return user


async def complete_log_in(db: AsyncSession, user: User, client: ClientInfo, *, how: str = "") -> UserSession:
    """Every factor checked: record the log-in and open a session row for this browser."""
    user.last_login_at = utcnow()
    await db.run_sync(
        audit.record,
        "login_succeeded",
        tenant_id=user.tenant_id,
        subject=user,
        client=client,
        how=how,
    )
    await devices.note_log_in(db, user, client)
    return await sessions.start_session(db, user, client)


async def record_lockout(db: AsyncSession, user: User, client: ClientInfo) -> None:
    """Log-ins to this account from this network are paused: audit it and tell the account's owner."""
    await devices.tell_locked_out(db, user)
    await db.run_sync(audit.record, "lockout", tenant_id=user.tenant_id, subject=user, client=client)


def request_password_reset(session: Session, email: str) -> None:
    """Queue a reset link for `email`: the job mails it if the address has an account, else nothing.

    The request only stores the address and its job, the same two rows for every address, so neither
    the answer nor its timing tells whether there is an account.
    """
    reset = PasswordResetRequest(id=uuid7(), email=email.strip()[:320])
    session.add(reset)
    add_job(session, "answer_password_reset", reset.id, None)


@job(max_retries=12, min_backoff=5_000, max_backoff=30 * 60_000, time_limit=60_000, max_age=24 * 3_600_000)
def answer_password_reset(session: Session, request_id: UUID) -> None:
    """Mail a reset link to the account at the requested address, if there is one; forget the request."""
    reset = session.get(PasswordResetRequest, request_id)
    if reset is None:
        return  # answered already
    session.delete(reset)
    try:
        address = normalize_email(reset.email)
    except AccountInvalid:
        return
    user = session.execute(
        select(User).where(User.email == address).execution_options(all_tenants=True)
    ).scalar_one_or_none()
    if user is None:
        return
    token = security.sign("password-reset", [str(user.id), security.password_fingerprint(user.password_hash)])
    queue_email(
        session,
        to=user.email,
        template="password_reset",
        language=user.language,
        tenant_id=user.tenant_id,
        first_name=user.first_name,
        token=token,
    )


async def user_for_reset(db: AsyncSession, token: str) -> User:
    """The user a reset link is for, if the link is genuine, fresh, and not used yet."""
    invalid = AccountInvalid({"token": _("This link is not valid any more. Links work once, for one hour.")})
    try:
        user_id, fingerprint = security.unsign("password-reset", token, max_age=RESET_MAX_AGE)
    except (security.TokenInvalid, ValueError, TypeError) as error:
        raise invalid from error
    user = await user_by_id(db, user_id)
    # Setting a new password changes the fingerprint, so the link works exactly once.
    if user is None or not secrets.compare_digest(
        security.password_fingerprint(user.password_hash), fingerprint
    ):
        raise invalid
    return user


async def reset_password(
    db: AsyncSession, token: str, password: str, client: ClientInfo | None = None
) -> User:
    """Set a new password from a reset link; every session of the account is signed out."""
    user = await user_for_reset(db, token)
    check_password(password, personal=(user.email,))
    user.password_hash = security.hash_password(password)
    # Following the link proves the address is theirs.
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    await sessions.revoke_all(db, user)
    await db.run_sync(audit.record, "password_reset", tenant_id=user.tenant_id, subject=user, client=client)
    return user


async def change_password(
    db: AsyncSession, user: User, current: str, new: str, *, keep_session: UUID | None, client: ClientInfo
) -> int:
    """Change the password knowing the current one; other sessions are signed out (their number returned)."""
    if not security.verify_password(user.password_hash, current):
        raise AccountInvalid({"current_password": _("This is not your current password.")})
    check_password(new, personal=(user.email,))
    user.password_hash = security.hash_password(new)
    signed_out = await sessions.revoke_all(db, user, keep=keep_session)
    await db.run_sync(
        audit.record, "password_changed", tenant_id=user.tenant_id, subject=user, actor=user, client=client
    )
    return signed_out


async def create_api_key(db: AsyncSession, name: str, created_by: User) -> tuple[ApiKey, str]:
    """A new key; the secret is returned once and only its hash is stored."""
    name = normalize_text(name)[:100]
    if not name:
        raise AccountInvalid({"name": _("Give the key a name, like the system that will use it.")})
    secret = security.new_api_key()
    key = ApiKey(
        name=name, prefix=secret[:10], key_hash=security.hash_api_key(secret), created_by_id=created_by.id
    )
    db.add(key)
    await db.flush()
    return key, secret


async def tenant_for_api_key(db: AsyncSession, secret: str) -> ApiKey | None:
    key = (
        await db.execute(
            select(ApiKey)
            .where(ApiKey.key_hash == security.hash_api_key(secret), ApiKey.revoked_at.is_(None))
            .execution_options(all_tenants=True)
        )
    ).scalar_one_or_none()
    return key
