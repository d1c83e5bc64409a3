"""Declaring background jobs (`job`, `batch_job`) and writing one in the caller's transaction (`add_job`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlalchemy.orm import Session

from landform.core.db import utcnow
from landform.core.jobs.handoff import kick_in_batches
from landform.core.jobs.models import OutboxJob, PermanentJobError
from landform.core.settings import get_settings

# add_job only puts the row in `session.info`; the after-commit listener that sends it is registered by
# `handoff` when that module is imported. This module imports it (kick_in_batches above), so wherever
# a job can be added the listener is there, whoever imported what first.

JobFunction = Callable[[Session, UUID], None]
# A batch job gets the subjects of every job it claimed; it returns those that failed for good.
BatchFunction = Callable[[Session, list[UUID]], dict[UUID, str]]
# Every job by name, with its dramatiq actor options; batch jobs also by name, with their batch size.
registered_jobs: dict[str, tuple[JobFunction, dict[str, Any]]] = {}
registered_batch_jobs: dict[str, tuple[BatchFunction, int]] = {}


def _limits(max_retries: int, time_limit: int, max_age: int, options: dict[str, Any]) -> dict[str, Any]:
    # Every job states its retries and limits; a PermanentJobError is recorded, never retried.
    return {
        "max_retries": max_retries,
        "time_limit": time_limit,
        "max_age": max_age,
        "throws": (PermanentJobError,),
        **options,
    }


def job(
    *, max_retries: int, time_limit: int, max_age: int, **actor_options: Any
) -> Callable[[JobFunction], JobFunction]:
    """Register `fn(session, subject_id)` as a background job.

    Retries, the time limit of one run and the age after which a message is dropped (ms) are required:
    a dropped or exhausted message loses nothing, the job row stays pending and the sweep sends it
    again. The dramatiq actor is declared later, on whichever broker `configure_broker` builds, so
    that importing a domain module never creates dramatiq's silent default broker.
    """

    def register(fn: JobFunction) -> JobFunction:
        registered_jobs[fn.__name__] = (fn, _limits(max_retries, time_limit, max_age, actor_options))
        return fn

    return register


def batch_job(
    *, size: int, max_retries: int, time_limit: int, max_age: int, **actor_options: Any
) -> Callable[[BatchFunction], BatchFunction]:
    """Register `fn(session, subject_ids) -> {subject_id: error}` as a job run in batches.

    Each job still has its row and its message, but a message is a kick: the worker claims its own
    job and up to `size` other pending jobs of the same kind (`FOR UPDATE SKIP LOCKED`, so workers
    never wait for each other), does them all in one transaction and marks them done together.
    """

    def register(fn: BatchFunction) -> BatchFunction:
        registered_batch_jobs[fn.__name__] = (fn, size)
        registered_jobs[fn.__name__] = (_not_alone, _limits(max_retries, time_limit, max_age, actor_options))
        kick_in_batches(fn.__name__, size)
        return fn

    return register


def _not_alone(_session: Session, _subject_id: UUID) -> None:
    raise RuntimeError("a batch job runs through run_batch")


def add_job(session: Session, actor_name: str, subject_id: UUID, tenant_id: UUID | None) -> OutboxJob:
    """Write a job in the caller's transaction; it is sent to the broker once that commits."""
    if actor_name not in registered_jobs:
        raise KeyError(f"no job named {actor_name}")
    settings = get_settings()
    row = OutboxJob(
        actor_name=actor_name,
        subject_id=subject_id,
        tenant_id=tenant_id,
        redispatch_at=utcnow() + timedelta(seconds=settings.queue.redispatch_after_seconds),
    )
    session.add(row)
    session.info.setdefault("outbox_to_send", []).append(row)
    return row
