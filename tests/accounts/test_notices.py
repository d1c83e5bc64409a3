"""E-mails to a tenant's own team: the roles asked for, each in their own language, never another tenant."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from landform.accounts.models import Role, Tenant, User
from landform.accounts.notices import tell_team
from landform.billing.plans import FREE
from landform.core.db import sync_session
from landform.core.mail import EmailMessage
from tests.conftest import make_user


def _mail(db) -> dict[str, EmailMessage]:
    db.expire_all()
    rows = db.execute(select(EmailMessage).execution_options(all_tenants=True)).scalars()
    return {m.recipient: m for m in rows}


def test_it_mails_the_roles_asked_for_each_in_their_own_language(settings, db, owner, marketer, stranger):
    tenant = db.get_one(Tenant, owner.tenant_id)
    admin = make_user(db, tenant, "admin@acme.example.com", Role.ADMIN, first_name="Anouk")
    db.execute(
        update(User).where(User.id == admin.user_id).values(language="nl").execution_options(all_tenants=True)
    )
    db.commit()
    grace = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    with sync_session(settings.database.sync_url, owner.tenant_id) as session:
        tell_team(
            session,
            owner.tenant_id,
            (Role.OWNER, Role.ADMIN),
            "payment_failed",
            company=tenant.name,
            plan=FREE.lazy_name,
            grace_until=grace,
        )
        session.commit()

    mail = _mail(db)
    assert set(mail) == {owner.email, admin.email}  # not the marketer, not the other tenant's owner
    assert mail[owner.email].subject == "Your Landform payment failed"
    assert "Hello Olga," in mail[owner.email].body_text
    assert "your Free plan of Acme Zonwering" in mail[owner.email].body_text
    assert "Anouk" in mail[admin.email].body_text
    assert "Gratis" in mail[admin.email].body_text and "Free plan" not in mail[admin.email].body_text
    assert mail[admin.email].tenant_id == owner.tenant_id


def test_it_leaves_out_the_admins_when_only_owners_are_asked_for(settings, db, owner, stranger):
    tenant = db.get_one(Tenant, owner.tenant_id)
    make_user(db, tenant, "admin@acme.example.com", Role.ADMIN, first_name="Anouk")

    with sync_session(settings.database.sync_url, owner.tenant_id) as session:
        tell_team(
            session,
            owner.tenant_id,
            (Role.OWNER,),
            "domain_failed",
            host="www.acme.example",
            since=datetime(2026, 11, 20, 8, 0, tzinfo=UTC),
            organisation=tenant.name,
        )
        session.commit()

    mail = _mail(db)
    assert set(mail) == {owner.email}
    assert "Hello Olga," in mail[owner.email].body_text
    assert "www.acme.example" in mail[owner.email].body_text
