"""`landform backup` and `landform restore`: verified backups, seven days kept, one a day when scheduled."""

from __future__ import annotations

import json
import shutil
import threading
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from landform.accounts.models import Tenant
from landform.ops import backup
from landform.ops.cli import backup_command, restore_command
from tests.conftest import make_form, make_tenant, unavailable


@pytest.fixture(autouse=True)
def _postgresql_client(settings):
    if not settings.database.is_sqlite and not (shutil.which("pg_dump") and shutil.which("psql")):
        unavailable("pg_dump and psql", "apt-get install postgresql-client")


def _tenants(db) -> int:
    db.expire_all()
    return db.execute(select(func.count(Tenant.id))).scalar_one()


def test_it_backs_up_verifies_and_restores_from_the_command_line(settings, db, owner):
    make_form(db, owner)
    runner = CliRunner()
    taken = runner.invoke(backup_command, catch_exceptions=False)
    assert taken.exit_code == 0, taken.output
    assert "verified by restoring" in taken.output
    (only,) = backup.list_backups(settings)
    manifest = json.loads(only.path.with_name(only.path.name + ".json").read_text())
    assert manifest["verified"] is True
    assert (manifest["rows"]["tenant"], manifest["rows"]["user_account"], manifest["rows"]["form"]) == (
        1,
        1,
        1,
    )
    assert only.path.parent == settings.ops.backup_dir

    make_tenant(db, "later", "Added after the backup")
    db.commit()
    assert _tenants(db) == 2
    db.close()
    restored = runner.invoke(restore_command, ["latest", "--yes"], catch_exceptions=False)
    assert restored.exit_code == 0, restored.output
    assert _tenants(db) == 1
    listed = runner.invoke(backup_command, ["--list"], catch_exceptions=False)
    assert only.path.name in listed.output and "verified" in listed.output


def test_it_refuses_to_restore_a_backup_that_is_not_there(settings):
    result = CliRunner().invoke(restore_command, ["landform-20200101T000000Z.dump", "--yes"])
    assert result.exit_code != 0
    assert "no backup" in result.output


def test_it_keeps_the_newest_backup_of_each_of_the_last_seven_days(settings):
    directory = settings.ops.backup_dir
    directory.mkdir(parents=True)
    start = datetime(2026, 3, 1, 2, 15, tzinfo=UTC)
    names = [f"landform-{(start + timedelta(days=d)).strftime(backup.STAMP)}.sqlite3" for d in range(10)]
    same_day_later = f"landform-{(start + timedelta(days=9, hours=5)).strftime(backup.STAMP)}.sqlite3"
    for name in [*names, same_day_later]:
        (directory / name).write_bytes(b"")
    backup.rotate(settings)
    kept = sorted(path.name for path in directory.glob("landform-*"))
    assert kept == sorted([*names[4:9], names[3], same_day_later]) and len(kept) == 7
    assert names[9] not in kept  # the earlier of two backups on one day goes


def test_it_takes_one_backup_a_day_however_often_and_wherever_the_job_runs(settings, owner):
    results: list[None] = []
    threads = [
        threading.Thread(target=lambda: results.append(backup.scheduled_backup(settings))) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    backup.scheduled_backup(settings)
    backups = backup.list_backups(settings)
    assert len(backups) == 1
    assert backups[0].verified and backups[0].rows["tenant"] == 1
