"""Dead letters: a tenant's owners see their failed jobs and run them again; the operator lists them all."""

from __future__ import annotations

from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import select, update

from landform.core.db import utcnow
from landform.core.jobs.models import OutboxJob
from landform.crm_sink.models import Contact, Submission
from landform.ops.dead_letters import jobs_group
from tests.conftest import log_in, post_form, wait_for


def _failed_routing(db, persona) -> OutboxJob:
    """A routing job that failed for good: its submission had no e-mail address."""
    submission = Submission(tenant_id=persona.tenant_id, data={}, contact_fields={"email": ""}, context={})
    db.add(submission)
    db.flush()
    job = OutboxJob(
        actor_name="route_submission",
        subject_id=submission.id,
        tenant_id=persona.tenant_id,
        redispatch_at=utcnow() + timedelta(hours=1),
        failed_at=utcnow(),
        last_error=f"submission {submission.id} has no e-mail address",
    )
    db.add(job)
    db.commit()
    return job


def test_it_lists_failed_jobs_to_owners_and_runs_one_again(client, db, owner, marketer, stranger):
    job = _failed_routing(db, owner)
    _failed_routing(db, stranger)
    log_in(client, marketer)
    assert client.get("/app/jobs/").status_code == 403
    client.cookies.clear()
    log_in(client, owner)
    page = client.get("/app/jobs/").text
    assert "has no e-mail address" in page and page.count("Run again") == 1
    # The cause is fixed (the address is filled in), then the owner runs the job again.
    db.execute(
        update(Submission)
        .where(Submission.id == job.subject_id)
        .values(contact_fields={"email": "fixed@example.com"})
        .execution_options(all_tenants=True)
    )
    db.commit()
    post_form(client, f"/app/jobs/{job.id}/retry")
    wait_for(lambda: (db.expire_all(), db.get(OutboxJob, job.id).done_at)[1])
    contact = db.execute(select(Contact).execution_options(all_tenants=True)).scalar_one()
    assert contact.email == "fixed@example.com"
    assert "No failed jobs" in client.get("/app/jobs/").text


def test_it_lists_every_tenants_dead_jobs_for_the_operator(settings, db, owner, stranger):
    _failed_routing(db, owner)
    _failed_routing(db, stranger)
    result = CliRunner().invoke(jobs_group, ["dead"])
    assert result.exit_code == 0, result.output
    assert str(owner.tenant_id) in result.output and str(stranger.tenant_id) in result.output
    assert "2 dead job(s)" in result.output
