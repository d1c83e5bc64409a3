"""The `landform` command: Litestar's CLI (run, routes, ...) plus db, worker and demo."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from typing import Any

import click
from litestar.cli.main import litestar_group

from landform.core.settings import get_settings
from landform.ops.cli import backup_command, restore_command
from landform.ops.dead_letters import jobs_group
from landform.ops.production import ProductionMisconfigured, check_production
from landform.privacy.cli import privacy_group
from landform.wiring import wire


@click.group(name="db")
def db_group() -> None:
    """Database schema."""


@db_group.command(name="upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION."""
    from landform.core.migrate import upgrade

    settings = get_settings()
    upgrade(settings, revision)
    click.echo(f"database migrated to {revision}")


@click.command(name="worker")
@click.option("--processes", "-p", default=2, show_default=True, help="Worker processes")
@click.option("--threads", "-t", default=8, show_default=True, help="Threads per process")
@click.option("--metrics-port", default=0, help="Serve the workers' Prometheus metrics on this port (0: off)")
def worker_command(processes: int, threads: int, metrics_port: int) -> None:
    """Run dramatiq worker processes that route submissions and send e-mail (needs LANDFORM_REDIS_URL)."""
    if not get_settings().queue.redis_url:
        raise click.ClickException(
            "LANDFORM_REDIS_URL is not set. On the embedded default the worker runs inside `landform run`."
        )
    from dramatiq.cli import main as dramatiq_main
    from dramatiq.cli import make_argument_parser

    argv = ["landform.dramatiq_entry", "--processes", str(processes), "--threads", str(threads)]
    if metrics_port:
        # Each process writes its counts into this directory; the fork process serves their sum.
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="landform-metrics-"))
        os.environ["LANDFORM_WORKER_METRICS_PORT"] = str(metrics_port)
        argv += ["--fork-function", "landform.core.metrics:serve_worker_metrics"]
    sys.exit(dramatiq_main(make_argument_parser().parse_args(argv)))


@click.command(name="demo")
def demo_command() -> None:
    """Seed (or refresh) the demo tenant and print how to reach it, as one JSON object."""
    from landform.demo.seed import seed_demo

    settings = get_settings()
    if settings.ops.is_production:
        # Its log-in and password are in the source code: on a live server anyone could sign in with them.
        raise click.ClickException(
            "landform demo refuses to run with LANDFORM_ENV=production: the demo's log-in is public. "
            "Seed it on a development or staging instance."
        )
    click.echo(json.dumps(seed_demo(settings)))


def _check_before_serving(run: click.Command) -> None:
    """Run the production check knowing `--wc`, once, before uvicorn starts (and restarts) its processes."""
    serve = run.callback
    assert serve is not None

    def checked(*args: Any, **kwargs: Any) -> Any:
        os.environ["WEB_CONCURRENCY"] = str(kwargs.get("wc") or 1)
        try:
            check_production(get_settings())
        except ProductionMisconfigured as error:
            raise click.ClickException(str(error)) from error
        return serve(*args, **kwargs)

    run.callback = checked


def main() -> None:
    wire()  # the CLI's commands (privacy, jobs, demo) use the hooks the app and workers use
    _check_before_serving(litestar_group.commands["run"])
    settings = get_settings()
    os.environ.setdefault("LITESTAR_APP", "landform.app:create_app")
    os.environ.setdefault("LITESTAR_HOST", settings.server.host)
    os.environ.setdefault("LITESTAR_PORT", str(settings.server.port))
    # uvicorn believes X-Forwarded-For and -Proto from 127.0.0.1 unless told otherwise, and rewrites the
    # client address before the app sees it: LANDFORM_TRUSTED_PROXIES alone decides whom to believe, for
    # uvicorn (in-process or its subprocesses, which read this variable) as for `web.client_ip`.
    os.environ["FORWARDED_ALLOW_IPS"] = ",".join(settings.server.trusted_proxies)
    os.environ.pop("UVICORN_FORWARDED_ALLOW_IPS", None)
    for command in (
        db_group,
        worker_command,
        demo_command,
        backup_command,
        restore_command,
        privacy_group,
        jobs_group,
    ):
        litestar_group.add_command(command)  # type: ignore[arg-type]
    litestar_group(prog_name="landform")


if __name__ == "__main__":
    main()
