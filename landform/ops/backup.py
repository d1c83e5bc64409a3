"""Backups: a consistent copy of the database, verified by restoring it, the last seven days kept.

SQLite uses its online backup API (a consistent copy while the app keeps writing); PostgreSQL uses
`pg_dump` in custom format (one snapshot). Every backup is restored into a scratch database right
away (a temporary file, or a throw-away PostgreSQL database) and its rows counted: a backup that
cannot be restored is reported at once, not on the day it is needed. The counts go into a manifest
beside it (`<name>.json`), and `landform restore` prints the restored counts to compare.

A PostgreSQL restore runs as one transaction (psql --single-transaction): the public schema is
replaced by the backup's, or, if anything fails, left exactly as it was.
"""

from __future__ import annotations

import fcntl
import json
import logging
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy import create_engine, func, inspect, select, table
from sqlalchemy.engine import make_url

from landform.core.settings import DatabaseSettings, Settings

log = logging.getLogger(__name__)

KEEP_DAYS = 7
PREFIX = "landform-"
STAMP = "%Y%m%dT%H%M%SZ"
# Any constant will do: it only has to be the same in every process taking backups.
ADVISORY_LOCK = 0x6C616E64


class BackupFailed(Exception):
    """A backup or restore did not complete; the message says why and what to do."""


@dataclass(frozen=True)
class Backup:
    path: Path
    created_at: datetime
    verified: bool
    rows: dict[str, int]

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def _manifest(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _plain_postgres_url(url: str) -> str:
    """The URL libpq's tools understand (no SQLAlchemy driver suffix)."""
    return "postgresql://" + url.partition("://")[2]


def _owner_url(settings: Settings) -> str:
    """PostgreSQL as the schema's owner (LANDFORM_BACKUP_DATABASE_URL), who sees every tenant's rows."""
    return _plain_postgres_url(settings.ops.backup_database_url or settings.database.url)


def _sqlite_path(url: str) -> Path:
    return Path(url.split("///", 1)[-1])


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupFailed(f"{name} is not installed; on Debian: apt-get install postgresql-client")
    return found


def _run(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupFailed(f"{Path(args[0]).name} failed: {done.stderr.strip()[-2000:]}")


def count_rows(sync_url: str) -> dict[str, int]:
    """Rows per table of a database (SQLAlchemy URL)."""
    engine = create_engine(sync_url)
    try:
        with engine.connect() as connection:
            names = sorted(inspect(connection).get_table_names())
            return {
                name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
                for name in names
            }
    finally:
        engine.dispose()


# SQLite


def _sqlite_copy(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _verify_sqlite(path: Path) -> dict[str, int]:
    with tempfile.TemporaryDirectory(prefix="landform-verify-") as scratch:
        restored = Path(scratch) / "restored.sqlite3"
        _sqlite_copy(path, restored)
        with closing(sqlite3.connect(restored)) as connection:
            (result,) = connection.execute("PRAGMA integrity_check").fetchone()
        if result != "ok":
            raise BackupFailed(f"the restored copy of {path.name} is damaged: {result}")
        return count_rows(f"sqlite+pysqlite:///{restored}")


# PostgreSQL


def _psql_restore(dump: Path, url: str, *, privileges: bool = False) -> None:
    """Replace the public schema of the database at URL by the dump's, in one transaction.

    `privileges`: also the dump's grants (the application role's USAGE on the schema and its rights on
    the tables), without which the app and workers, which are not the owner, would see no tables.
    """
    with tempfile.TemporaryDirectory(prefix="landform-restore-") as work:
        script = Path(work) / "restore.sql"
        grants = [] if privileges else ["--no-privileges"]
        _run([_tool("pg_restore"), "--no-owner", *grants, f"--file={script}", str(dump)])
        _run(
            [
                _tool("psql"),
                "--no-psqlrc",
                "--quiet",
                "--single-transaction",
                "--set=ON_ERROR_STOP=1",
                f"--dbname={url}",
                "--command=DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;",
                f"--file={script}",
            ]
        )


@contextmanager
def _scratch_database(url: str) -> Iterator[str]:
    """A new, empty database beside the one at URL, dropped afterwards."""
    parts = make_url(url)
    name = f"{parts.database or 'landform'}_verify_{secrets.token_hex(4)}"[-63:]
    with psycopg.connect(url, autocommit=True) as admin:
        try:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.Error as error:
            raise BackupFailed(
                f"cannot create a scratch database to verify the backup ({error}); "
                "the database user needs the CREATEDB privilege"
            ) from error
        try:
            yield parts.set(database=name).render_as_string(hide_password=False)
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _verify_postgres(dump: Path, url: str) -> dict[str, int]:
    with _scratch_database(url) as scratch:
        _psql_restore(dump, scratch)
        return count_rows("postgresql+psycopg://" + scratch.partition("://")[2])


# Backups


@contextmanager
def backup_lock(settings: Settings) -> Iterator[bool]:
    """Held by one process at a time (per host through a file, per database through an advisory lock)."""
    directory = settings.ops.backup_dir
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ".lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        if settings.database.is_sqlite:
            yield True
            return
        with psycopg.connect(_owner_url(settings), autocommit=True) as connection:
            row = connection.execute("SELECT pg_try_advisory_lock(%s)", (ADVISORY_LOCK,)).fetchone()
            # The lock is the connection's: closing it releases the lock.
            yield bool(row and row[0])


def take_backup(settings: Settings, now: datetime | None = None) -> Backup:
    """Back up, verify by restoring, write the manifest, then drop backups older than the last seven days."""
    now = now or datetime.now(UTC)
    directory = settings.ops.backup_dir
    directory.mkdir(parents=True, exist_ok=True)
    suffix = ".sqlite3" if settings.database.is_sqlite else ".dump"
    final = directory / f"{PREFIX}{now.strftime(STAMP)}{suffix}"
    partial = directory / f".{final.name}.partial"
    try:
        if settings.database.is_sqlite:
            _sqlite_copy(_sqlite_path(settings.database.url), partial)
            rows = _verify_sqlite(partial)
        else:
            url = _owner_url(settings)
            _run([_tool("pg_dump"), "--format=custom", f"--file={partial}", f"--dbname={url}"])
            rows = _verify_postgres(partial, url)
        if "alembic_version" not in rows:
            raise BackupFailed("the restored copy has no alembic_version table: not a Landform database")
        _manifest(final).write_text(
            json.dumps({"created_at": now.isoformat(), "verified": True, "rows": rows}, indent=2)
        )
        partial.rename(final)
    finally:
        partial.unlink(missing_ok=True)
    log.info("backup: wrote %s (%d rows, verified by restoring)", final.name, sum(rows.values()))
    rotate(settings)
    return Backup(final, now, True, rows)


def list_backups(settings: Settings) -> list[Backup]:
    """Backups in the backup directory, newest first."""
    found = []
    for path in settings.ops.backup_dir.glob(f"{PREFIX}*"):
        if path.suffix not in {".sqlite3", ".dump"}:
            continue
        try:
            created = datetime.strptime(path.stem.removeprefix(PREFIX), STAMP).replace(tzinfo=UTC)
        except ValueError:
            continue
        manifest = _manifest(path)
        info = json.loads(manifest.read_text()) if manifest.exists() else {}
        found.append(Backup(path, created, bool(info.get("verified")), info.get("rows", {})))
    return sorted(found, key=lambda b: b.created_at, reverse=True)


def rotate(settings: Settings, keep_days: int = KEEP_DAYS) -> list[Path]:
    """Keep the newest backup of each of the last `keep_days` days that have one; delete the rest."""
    kept_days: set[str] = set()
    removed = []
    for backup in list_backups(settings):
        day = backup.created_at.date().isoformat()
        if day not in kept_days and len(kept_days) < keep_days:
            kept_days.add(day)
            continue
        backup.path.unlink(missing_ok=True)
        _manifest(backup.path).unlink(missing_ok=True)
        removed.append(backup.path)
    return removed


def scheduled_backup(settings: Settings) -> None:
    """The daily job: one verified backup a day, however many workers receive the tick."""
    with backup_lock(settings) as locked:
        if not locked:
            log.info("backup: another process is taking a backup; skipping")
            return
        today = datetime.now(UTC).date()
        if any(b.created_at.date() == today and b.verified for b in list_backups(settings)):
            return
        take_backup(settings)


def find_backup(settings: Settings, name: str) -> Path:
    """A backup by path, by file name in the backup directory, or "latest"."""
    if name == "latest":
        backups = list_backups(settings)
        if not backups:
            raise BackupFailed(f"there are no backups in {settings.ops.backup_dir}")
        return backups[0].path
    for candidate in (Path(name), settings.ops.backup_dir / name):
        if candidate.is_file():
            return candidate
    raise BackupFailed(f"no backup {name!r} (looked in {settings.ops.backup_dir})")


def restore(settings: Settings, path: Path) -> dict[str, int]:
    """Replace the database's contents by the backup's; the rows per table afterwards."""
    if settings.database.is_sqlite != (path.suffix == ".sqlite3"):
        raise BackupFailed(f"{path.name} is not a backup of this kind of database")
    if settings.database.is_sqlite:
        target = _sqlite_path(settings.database.url)
        target.parent.mkdir(parents=True, exist_ok=True)
        # One backup step copies every page in one transaction: all of the backup, or nothing.
        _sqlite_copy(path, target)
    else:
        _psql_restore(path, _owner_url(settings), privileges=True)
    log.info("backup: restored %s", path.name)
    return count_rows(
        DatabaseSettings(url=settings.ops.backup_database_url or settings.database.url).sync_url
    )
