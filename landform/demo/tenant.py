"""The demo tenant (a solar-panel installer), its owner who logs in, its plan and its API key."""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import select
from sqlalchemy.orm import Session

from landform.accounts.models import Role, Tenant, User
from landform.billing.plans import BUSINESS
from landform.billing.services import subscription_row
from landform.core import security
from landform.core.db import scope_to_tenant, utcnow
from landform.core.settings import Settings

TENANT_SLUG = "demo"
LOGIN_EMAIL = "demo@landform.example.com"
LOGIN_PASSWORD = "zonnig-demo-2026"  # noqa: S105  (printed on purpose: it is the demo)


def demo_api_key(settings: Settings) -> str:
    """The same demo key on every run (derived from the secret key), so seeding twice changes nothing."""
    digest = hmac.new(settings.security.secret_keys[0].encode(), b"landform-demo-api-key", hashlib.sha256)
    return "lf_demo_" + digest.hexdigest()[:40]


def ensure_tenant(session: Session) -> Tenant:
    tenant = session.execute(select(Tenant).where(Tenant.slug == TENANT_SLUG)).scalar_one_or_none()
    if tenant is None:
        tenant = Tenant(slug=TENANT_SLUG, name="Zonnedak Utrecht", default_language="nl", country="NL")
        session.add(tenant)
        session.flush()
    scope_to_tenant(session, tenant.id)
    return tenant


def ensure_owner(session: Session, tenant: Tenant) -> None:
    owner = session.execute(
        select(User).where(User.email == LOGIN_EMAIL).execution_options(all_tenants=True)
    ).scalar_one_or_none()
    if owner is None:
        session.add(
            User(
                tenant_id=tenant.id,
                email=LOGIN_EMAIL,
                password_hash=security.hash_password(LOGIN_PASSWORD),
                first_name="Noor",
                last_name="de Vries",
                gender="female",
                language="nl",
                timezone="Europe/Amsterdam",
                role=Role.OWNER,
                email_confirmed_at=utcnow(),
            )
        )
    elif not security.verify_password(owner.password_hash, LOGIN_PASSWORD):
        owner.password_hash = security.hash_password(LOGIN_PASSWORD)


def ensure_plan(session: Session, tenant: Tenant) -> None:
    """The demo is on Business, so every feature shows (and benchmarks are not held by a lead quota)."""
    row = subscription_row(session, tenant.id)
    if row.status == "none":
        row.plan, row.status = BUSINESS.code, "active"
