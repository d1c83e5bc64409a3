"""The `landform` command: Litestar's CLI (run, routes, ...) plus db, worker and demo."""

from __future__ import annotations

import json
import os
import sys

import click
from litestar.cli.main import litestar_group

from landform.settings import get_settings


@click.group(name="db")
def db_group() -> None:
    """Database schema."""


@db_group.command(name="upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION."""
    from landform.migrate import upgrade

    settings = get_settings()
    upgrade(settings, revision)
    click.echo(f"database migrated to {revision}")


@click.command(name="worker")
@click.option("--processes", "-p", default=2, show_default=True, help="Worker processes")
@click.option("--threads", "-t", default=8, show_default=True, help="Threads per process")
def worker_command(processes: int, threads: int) -> None:
    """Run dramatiq worker processes that route submissions and send e-mail (needs LANDFORM_REDIS_URL)."""
    if not get_settings().queue.redis_url:
        raise click.ClickException(
            "LANDFORM_REDIS_URL is not set. On the embedded default the worker runs inside `landform run`."
        )
    from dramatiq.cli import main as dramatiq_main
    from dramatiq.cli import make_argument_parser

    args = make_argument_parser().parse_args(
        ["landform.dramatiq_entry", "--processes", str(processes), "--threads", str(threads)]
    )
    sys.exit(dramatiq_main(args))


@click.command(name="demo")
def demo_command() -> None:
    """Seed (or refresh) the demo tenant and print how to reach it, as one JSON object."""
    from landform.demo import seed_demo

    click.echo(json.dumps(seed_demo(get_settings())))


def main() -> None:
    settings = get_settings()
    os.environ.setdefault("LITESTAR_APP", "landform.app:create_app")
    os.environ.setdefault("LITESTAR_HOST", settings.server.host)
    os.environ.setdefault("LITESTAR_PORT", str(settings.server.port))
    for command in (db_group, worker_command, demo_command):
        litestar_group.add_command(command)  # type: ignore[arg-type]
    litestar_group(prog_name="landform")


if __name__ == "__main__":
    main()
