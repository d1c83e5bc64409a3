"""`landform backup` and `landform restore`."""

from __future__ import annotations

import click

from landform.core.settings import get_settings
from landform.ops import backup


@click.command(name="backup")
@click.option("--list", "list_only", is_flag=True, help="List the backups instead of taking one.")
def backup_command(list_only: bool) -> None:
    """Take a backup now, verify it by restoring it into a scratch database, keep the last 7 days."""
    settings = get_settings()
    if list_only:
        for found in backup.list_backups(settings):
            status = "verified" if found.verified else "NOT VERIFIED"
            click.echo(
                f"{found.path.name}  {found.created_at:%Y-%m-%d %H:%M} UTC  {status}  {found.total_rows} rows"
            )
        return
    with backup.backup_lock(settings) as locked:
        if not locked:
            raise click.ClickException("another backup is running; try again when it is done")
        try:
            taken = backup.take_backup(settings)
        except backup.BackupFailed as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"{taken.path}  verified by restoring: {taken.total_rows} rows in {len(taken.rows)} tables")


@click.command(name="restore")
@click.argument("name", default="latest")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(name: str, yes: bool) -> None:
    """Replace the database's contents by a backup (a file name, a path, or "latest"). Stop the app first."""
    settings = get_settings()
    try:
        path = backup.find_backup(settings, name)
        if not yes:
            click.confirm(
                f"Replace everything in the database at LANDFORM_DATABASE_URL by {path.name}?", abort=True
            )
        rows = backup.restore(settings, path)
    except backup.BackupFailed as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"restored {path.name}: {sum(rows.values())} rows in {len(rows)} tables")
    click.echo("If this code is newer than the backup, run `landform db upgrade` before starting the app.")
