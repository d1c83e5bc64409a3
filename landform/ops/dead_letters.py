"""Dead letters: background jobs that failed for good or keep failing, with a way to retry them.

Owners and admins see their tenant's at /app/jobs; the operator (there is no operator role in the
dashboard) lists every tenant's with `landform jobs dead` and retries with `landform jobs retry ID`.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import click
from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.guards import MANAGERS, requires_role
from landform.accounts.models import User
from landform.core.db import sync_session
from landform.core.i18n import gettext as _
from landform.core.jobs.broker import configure_broker
from landform.core.jobs.models import OutboxJob
from landform.core.jobs.sweep import is_dead, retry_job
from landform.core.settings import get_settings

LIMIT = 200
UserRequest = Request[User, Any, Any]


class DeadLettersController(Controller):
    """The tenant's jobs that failed permanently or keep failing."""

    path = "/app/jobs"
    include_in_schema = False
    guards = [requires_role(*MANAGERS)]

    @get("/")
    async def index(self, request: Request[User, Any, Any], db_session: AsyncSession) -> Template:
        """Dead jobs, newest first, with their last error."""
        jobs = (
            await db_session.execute(
                select(OutboxJob)
                .where(is_dead(), OutboxJob.tenant_id == request.user.tenant_id)
                .order_by(OutboxJob.created_at.desc())
                .limit(LIMIT)
            )
        ).scalars()
        return Template("ops/dead_letters.html", context={"jobs": list(jobs)})

    @post("/{job_id:uuid}/retry")
    async def retry(self, request: UserRequest, db_session: AsyncSession, job_id: UUID) -> Redirect:
        """Run a dead job again."""
        row = (
            await db_session.execute(
                select(OutboxJob).where(
                    OutboxJob.id == job_id, OutboxJob.tenant_id == request.user.tenant_id, is_dead()
                )
            )
        ).scalar_one_or_none()
        if row is None:
            raise NotFoundException()
        await db_session.run_sync(retry_job, row)
        await db_session.commit()
        flash(request, _("The job runs again. If it fails again it comes back here."), category="success")
        return Redirect("/app/jobs")


@click.group(name="jobs")
def jobs_group() -> None:
    """Background jobs: dead letters."""


@jobs_group.command(name="dead")
@click.option("--limit", default=LIMIT, show_default=True)
def dead_command(limit: int) -> None:
    """List every tenant's jobs that failed permanently or keep failing."""
    with sync_session(get_settings().database.sync_url) as session:
        newest = select(OutboxJob).where(is_dead()).order_by(OutboxJob.created_at.desc())
        rows = session.execute(newest.limit(limit))
        count = 0
        for row in rows.scalars():
            count += 1
            state = "failed" if row.failed_at else f"stuck ({row.redispatches} re-sends)"
            error = (row.last_error or "").splitlines()[0][:120] if row.last_error else ""
            when = f"{row.created_at:%Y-%m-%d %H:%M}"
            click.echo(f"{row.id}  {when}  tenant={row.tenant_id}  {row.actor_name}  {state}  {error}")
        click.echo(f"{count} dead job(s)")


@jobs_group.command(name="retry")
@click.argument("job_id", type=click.UUID)
def retry_command(job_id: UUID) -> None:
    """Run a dead job again (it is sent to the worker once committed)."""
    with sync_session(get_settings().database.sync_url) as session:
        row = session.execute(select(OutboxJob).where(OutboxJob.id == job_id, is_dead())).scalar_one_or_none()
        if row is None:
            raise click.ClickException(f"no dead job {job_id}")
        configure_broker(get_settings())  # every job is known: the CLI wired the domains at start-up
        retry_job(session, row)
        session.commit()
    click.echo(f"job {job_id} sent again")
