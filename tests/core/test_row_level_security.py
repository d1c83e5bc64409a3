"""On PostgreSQL the database keeps tenants apart too: a query that forgets its tenant filter, run as the
application's (non-superuser) role, sees only its own tenant's rows, or none."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import create_engine, select, text

from landform.core.db import sync_engine, sync_session
from landform.core.settings import DatabaseSettings, Settings
from landform.crm_sink.models import Contact
from tests.conftest import POSTGRES_ADMIN_URL
from tests.crm_sink.helpers import make_contact

ROLE = f"landform_app_{os.getpid()}"


@pytest.fixture
def app_role_url(settings: Settings) -> Iterator[str]:
    """The test database as an ordinary role: not a superuser, not the tables' owner, no BYPASSRLS."""
    if settings.database.is_sqlite:
        pytest.skip("row-level security is PostgreSQL's")
    admin_url = re.sub(r"/[^/]*$", "/" + settings.database.url.rsplit("/", 1)[1], POSTGRES_ADMIN_URL)
    with psycopg.connect(admin_url, autocommit=True) as connection:
        if _role_exists(connection):
            connection.execute(f'DROP OWNED BY "{ROLE}"')
        connection.execute(f'DROP ROLE IF EXISTS "{ROLE}"')
        connection.execute(f'CREATE ROLE "{ROLE}" LOGIN NOSUPERUSER NOBYPASSRLS')
        connection.execute(f'GRANT USAGE ON SCHEMA public TO "{ROLE}"')
        connection.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{ROLE}"')
    url = re.sub(r"://[^@/]*@", f"://{ROLE}@", admin_url)
    yield url
    # The process keeps one engine per URL: its pooled connections belong to the role dropped below.
    sync_engine(DatabaseSettings(url=url).sync_url).dispose()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP OWNED BY "{ROLE}"')
        connection.execute(f'DROP ROLE IF EXISTS "{ROLE}"')


def _role_exists(connection: psycopg.Connection) -> bool:
    return connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ROLE,)).fetchone() is not None


def test_it_forces_the_tenant_policy_on_every_tenant_table(settings, db):
    if settings.database.is_sqlite:
        pytest.skip("row-level security is PostgreSQL's")
    rows = db.execute(
        text(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, count(p.polname) "
            "FROM pg_class c JOIN information_schema.columns col "
            "  ON col.table_name = c.relname AND col.column_name = 'tenant_id' AND col.is_nullable = 'NO' "
            "  AND col.table_schema = current_schema() "
            "LEFT JOIN pg_policy p ON p.polrelid = c.oid AND p.polname = 'tenant_isolation' "
            "WHERE c.relkind = 'r' GROUP BY c.relname, c.relrowsecurity, c.relforcerowsecurity"
        )
    ).all()
    assert {"contact", "submission", "webhook_event", "user_account"} <= {r[0] for r in rows}
    unprotected = [r[0] for r in rows if not (r[1] and r[2] and r[3] == 1)]
    assert unprotected == []


def test_it_hides_other_tenants_rows_from_a_raw_query_that_forgets_the_filter(
    settings, db, owner, stranger, app_role_url
):
    make_contact(db, owner, "ada@acme.example")
    make_contact(db, stranger, "stan@globex.example")
    with psycopg.connect(app_role_url) as connection:
        # No tenant set: nothing at all.
        assert connection.execute("SELECT email FROM contact").fetchall() == []
        connection.execute("SELECT set_config('landform.tenant_id', %s, true)", (str(owner.tenant_id),))
        assert connection.execute("SELECT email FROM contact").fetchall() == [("ada@acme.example",)]
        # Asking for the other tenant by name does not help.
        other = connection.execute(
            "SELECT email FROM contact WHERE tenant_id = %s", (str(stranger.tenant_id),)
        )
        assert other.fetchall() == []
        # Nor does writing into it.
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute(
                "UPDATE contact SET tenant_id = %s WHERE email = 'ada@acme.example'",
                (str(stranger.tenant_id),),
            )


def test_it_sets_the_tenant_per_transaction_from_the_session_scope(
    settings, db, owner, stranger, app_role_url
):
    make_contact(db, owner, "ada@acme.example")
    make_contact(db, stranger, "stan@globex.example")
    app_url = DatabaseSettings(url=app_role_url).sync_url
    with sync_session(app_url, tenant_id=owner.tenant_id) as session:
        # A raw statement that forgets the filter: the database applies it.
        assert session.execute(text("SELECT email FROM contact")).scalars().all() == ["ada@acme.example"]
        assert [c.email for c in session.execute(select(Contact)).scalars()] == ["ada@acme.example"]
        session.commit()
        # A new transaction is scoped again.
        assert session.execute(text("SELECT count(*) FROM contact")).scalar_one() == 1
        # Deliberately cross-tenant statements see every tenant, and only they do.
        everyone = session.execute(select(Contact.email).execution_options(all_tenants=True)).scalars()
        assert sorted(everyone) == ["ada@acme.example", "stan@globex.example"]
        assert session.execute(text("SELECT count(*) FROM contact")).scalar_one() == 1
        # Writes pass the policy's check for the session's own tenant.
        contact = session.execute(select(Contact)).scalar_one()
        contact.first_name = "Ada"
        session.commit()
    with sync_session(app_url) as unscoped:
        assert unscoped.execute(text("SELECT count(*) FROM contact")).scalar_one() == 0
    create_engine(app_url).dispose()


def _submission(db, persona, email: str):
    from landform.crm_sink.models import Submission

    db.info["tenant_id"] = persona.tenant_id
    db.info["rls_pending"] = True
    fields = {"first_name": "Lead", "email": email}
    submission = Submission(tenant_id=persona.tenant_id, data=fields, contact_fields=fields, context={})
    db.add(submission)
    db.commit()
    return submission.id


def test_the_batch_router_routes_each_tenants_share_as_the_application_role(
    settings, db, owner, stranger, app_role_url
):
    from landform.crm_sink.leads.writing import route_submissions

    ids = [_submission(db, owner, "ada@acme.example"), _submission(db, stranger, "stan@globex.example")]
    with sync_session(DatabaseSettings(url=app_role_url).sync_url) as worker:
        assert route_submissions(worker, ids) == {}
        worker.commit()
    everyone = db.execute(select(Contact.email, Contact.tenant_id).execution_options(all_tenants=True))
    assert sorted(everyone) == sorted(
        [("ada@acme.example", owner.tenant_id), ("stan@globex.example", stranger.tenant_id)]
    )


def test_the_contact_search_finds_only_the_tenants_own_as_the_application_role(
    settings, db, owner, stranger, app_role_url
):
    from landform.crm_sink.contacts.search import ContactFilter, capped_count, contact_page

    make_contact(db, owner, "ada@acme.example", last_name="Lovelace")
    make_contact(db, stranger, "ada@globex.example", last_name="Lovelace")
    with sync_session(DatabaseSettings(url=app_role_url).sync_url, tenant_id=owner.tenant_id) as session:
        found, _next = contact_page(session, ContactFilter(q="lovelace"), None)
        assert [contact.email for contact in found] == ["ada@acme.example"]
        assert capped_count(session, ContactFilter(q="ada")) == 1


def test_the_walk_for_a_common_term_finds_only_the_tenants_own_as_the_application_role(
    settings, db, owner, stranger, app_role_url, monkeypatch
):
    from landform.crm_sink.contacts import search

    for n in range(3):
        make_contact(db, owner, f"mine{n}@acme.example", last_name="de Vries")
        make_contact(db, stranger, f"theirs{n}@globex.example", last_name="de Vries")
    ways: list[str] = []
    search_page = search._search_page

    def noted(*args):
        rows, way = search_page(*args)
        ways.append(way)
        return rows, way

    monkeypatch.setattr(search, "_search_page", noted)
    with sync_session(DatabaseSettings(url=app_role_url).sync_url, tenant_id=owner.tenant_id) as session:
        found, _next = search.contact_page(session, search.ContactFilter(q="de vries"), None, limit=2)
    assert ways == ["walk"]
    assert [contact.email for contact in found] == ["mine2@acme.example", "mine1@acme.example"]
