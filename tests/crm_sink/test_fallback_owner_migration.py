"""Accounts of one person made before it get their unmatched leads after `landform db upgrade`."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import text

from landform.core.db import sync_engine
from landform.core.migrate import upgrade
from landform.core.settings import DatabaseSettings, Settings


def _insert(connection, table: str, **values) -> None:
    columns = ", ".join(values)
    connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES (:{', :'.join(values)})"), values)


def test_a_one_person_account_gets_its_owner_as_fallback_owner(tmp_path: Path) -> None:
    settings = Settings(database=DatabaseSettings(url=f"sqlite:///{tmp_path / 'old.sqlite3'}"))
    upgrade(settings, "0113_password_reset_requests")
    solo, team, solo_owner = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    stamp = {"created_at": "2026-01-01", "updated_at": "2026-01-01"}
    with sync_engine(settings.database.sync_url).begin() as connection:
        for tenant, slug in ((solo, "solo"), (team, "team")):
            _insert(
                connection,
                "tenant",
                id=tenant.bytes,
                slug=slug,
                name=slug,
                default_language="nl",
                country="NL",
                **stamp,
            )
        for user, tenant, email in (
            (solo_owner, solo, "solo@example.com"),
            (uuid.uuid4(), team, "a@example.com"),
            (uuid.uuid4(), team, "b@example.com"),
        ):
            _insert(
                connection,
                "user_account",
                id=user.bytes,
                tenant_id=tenant.bytes,
                email=email,
                password_hash="x",
                first_name="A",
                last_name="B",
                language="nl",
                timezone="Europe/Amsterdam",
                role="owner",
                **stamp,
            )
    upgrade(settings)
    with sync_engine(settings.database.sync_url).connect() as connection:
        rows = connection.execute(text("SELECT tenant_id, fallback_owner_id FROM routing_settings")).all()
    assert rows == [(solo.bytes, solo_owner.bytes)]
