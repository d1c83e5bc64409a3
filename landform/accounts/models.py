"""Tenants, their users and teams, API keys, and the records that keep accounts safe."""

from __future__ import annotations

import enum
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import JSON, Boolean, Date, Enum, ForeignKey, Index, Integer, LargeBinary, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from landform.core.db import GUID, Base, DateTimeUTC, TenantScoped


class Role(enum.StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MARKETER = "marketer"
    SALES_REP = "sales_rep"


# How a user hears of a lead routed to them: one e-mail per lead, a digest, or not at all.
LEAD_NOTIFICATIONS = ("immediately", "hourly", "daily", "never")


class Tenant(Base):
    """A company using Landform; owns everything below it."""

    __tablename__ = "tenant"

    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200), info={"personal": True})
    default_language: Mapped[str] = mapped_column(String(8), default="nl")
    # Region for reading phone numbers typed without a country code.
    country: Mapped[str] = mapped_column(String(2), default="NL")
    # Raised when the tenant's cookies change: a choice made under an older version is asked again.
    cookie_policy_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # choices.js also drives Google Consent Mode v2 on the tenant's site (consent/site_banner.py).
    google_consent_mode: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The company profile (the seed's company fields); a sole trader's address is personal data.
    address: Mapped[str] = mapped_column(String(200), default="", server_default="", info={"personal": True})
    postcode: Mapped[str] = mapped_column(String(16), default="", server_default="", info={"personal": True})
    city: Mapped[str] = mapped_column(String(100), default="", server_default="", info={"personal": True})
    province: Mapped[str] = mapped_column(String(100), default="", server_default="", info={"personal": True})
    phone: Mapped[str] = mapped_column(String(32), default="", server_default="", info={"personal": True})
    website: Mapped[str] = mapped_column(String(300), default="", server_default="", info={"personal": True})
    vat_number: Mapped[str] = mapped_column(
        String(20), default="", server_default="", info={"personal": True}
    )
    description: Mapped[str] = mapped_column(Text, default="", server_default="", info={"personal": True})
    # An AccountImage of this tenant (no foreign key: the image table already points back at the tenant).
    logo_id: Mapped[UUID | None] = mapped_column(GUID, nullable=True)
    # When someone hid the dashboard's getting-started checklist (only offered once every step is done).
    getting_started_hidden_at: Mapped[datetime | None] = mapped_column(
        DateTimeUTC, nullable=True, info={"personal": False}
    )


class User(TenantScoped, Base):
    """A person who logs in to a tenant's dashboard."""

    __tablename__ = "user_account"

    email: Mapped[str] = mapped_column(String(320), unique=True, info={"personal": True})
    password_hash: Mapped[str] = mapped_column(String(200), info={"personal": True})
    first_name: Mapped[str] = mapped_column(String(100), info={"personal": True})
    last_name: Mapped[str] = mapped_column(String(100), info={"personal": True})
    gender: Mapped[str | None] = mapped_column(String(16), nullable=True, info={"personal": True})
    language: Mapped[str] = mapped_column(String(8), default="nl")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Amsterdam")
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16), default=Role.MARKETER, info={"personal": False}
    )
    email_confirmed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    photo_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("account_image.id", ondelete="SET NULL"), nullable=True
    )
    # Two-factor authentication (TOTP): on once a code from the authenticator app confirmed the secret.
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True, info={"personal": True})
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    # The last 30-second step a code was accepted for: each code works once.
    totp_last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # How this user hears of a lead routed to them: "immediately", "hourly" or "daily" (a digest), "never".
    lead_notifications: Mapped[str] = mapped_column(
        String(16), default="immediately", server_default="immediately", info={"personal": False}
    )
    # When the last digest went out: the next one holds the leads routed since.
    lead_digest_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    # A morning e-mail (about 07:00 in the user's time zone) of the tasks due that day; the local day of
    # the last one, so it comes once a day.
    task_mail: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    task_mail_on: Mapped[date | None] = mapped_column(Date, nullable=True)

    tenant: Mapped[Tenant] = relationship(lazy="joined", innerjoin=True)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ApiKey(TenantScoped, Base):
    """A secret for the JSON API; only its hash is kept, the key itself is shown once."""

    __tablename__ = "api_key"

    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(12))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    last_used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)


class AccountImage(TenantScoped, Base):
    """A user's profile photo or the company logo; the bytes were sniffed as an image before storing."""

    __tablename__ = "account_image"

    content_type: Mapped[str] = mapped_column(String(32), info={"personal": False})
    data: Mapped[bytes] = mapped_column(LargeBinary, info={"personal": True})


class Invitation(TenantScoped, Base):
    """An invitation to join a tenant's team; the e-mailed link works once, for a week."""

    __tablename__ = "invitation"

    email: Mapped[str] = mapped_column(String(320), info={"personal": True})
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=16), info={"personal": False})
    invited_by_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    accepted_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)


class RecoveryCode(TenantScoped, Base):
    """A single-use code that replaces the authenticator app once; only its hash is kept."""

    __tablename__ = "recovery_code"

    user_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), info={"personal": True})
    used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)


class UserSession(TenantScoped, Base):
    """One logged-in browser; the server-side session carries this row's id, and a revoked row logs it out."""

    __tablename__ = "user_session"

    user_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    last_seen_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    user_agent_family: Mapped[str] = mapped_column(String(64), default="", info={"personal": True})
    ip_prefix: Mapped[str] = mapped_column(String(64), default="", info={"personal": True})
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)


class KnownDevice(TenantScoped, Base):
    """A browser and network a user has logged in from before, so a log-in from elsewhere can be told.

    Only a keyed hash of the browser family and the network prefix: enough to recognise them, not to
    say what they are. Forgotten after a while unused (accounts/retention.py).
    """

    __tablename__ = "known_device"
    __table_args__ = (Index("ix_known_device_user_fingerprint", "user_id", "fingerprint"),)

    user_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("user_account.id", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(String(64), info={"personal": True})
    last_seen_at: Mapped[datetime] = mapped_column(DateTimeUTC)


class AuditEvent(TenantScoped, Base):
    """A security event of a tenant's accounts: who did what to whom, when, from roughly where.

    Never a password or a code; `detail` holds only non-personal facts (roles, counts).
    """

    __tablename__ = "audit_event"

    kind: Mapped[str] = mapped_column(String(32), index=True, info={"personal": False})
    actor_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    subject_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    # Who it was about, as shown in the log (kept readable after the person left the team).
    subject_label: Mapped[str] = mapped_column(String(320), default="", info={"personal": True})
    detail: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, info={"personal": False})
    ip_prefix: Mapped[str] = mapped_column(String(64), default="", info={"personal": True})
    user_agent_family: Mapped[str] = mapped_column(String(64), default="", info={"personal": True})


class PasswordResetRequest(Base):
    """An address someone asked a reset link for: the job looks the account up, never the request.

    So the request does the same work whether or not the address has an account (no timing to read),
    and the row is deleted once its job has answered it.
    """

    __tablename__ = "password_reset_request"

    email: Mapped[str] = mapped_column(String(320), info={"personal": True})


class TermsAcceptance(TenantScoped, Base):
    """A version of the platform's terms and processing agreement a tenant accepted (accounts/terms.py)."""

    __tablename__ = "terms_acceptance"
    __table_args__ = (Index("ix_terms_acceptance_tenant_version", "tenant_id", "version"),)

    version: Mapped[str] = mapped_column(String(32), info={"personal": False})
    accepted_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    accepted_by_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    # The name at the time, so the record still says who when that user has left the team.
    accepted_by_name: Mapped[str] = mapped_column(String(200), default="", info={"personal": True})
