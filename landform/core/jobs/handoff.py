"""Sending committed jobs to the broker: after each commit, from a thread of the app process when it runs."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterable
from typing import Any
from uuid import UUID

import dramatiq
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

# Batch jobs by name, with how many of their jobs one message does (`registry.batch_job` fills it).
_batch_sizes: dict[str, int] = {}


def kick_in_batches(actor_name: str, size: int) -> None:
    """Jobs of `actor_name` are done in batches of up to `size`: one message is sent per batch (`kicks`)."""
    _batch_sizes[actor_name] = size


def send(actor_name: str, job_id: UUID) -> bool:
    """Send one committed job's message now; False (and a warning) if the broker refuses it."""
    try:
        dramatiq.get_broker().get_actor(actor_name).send(str(job_id))
    except Exception:
        # The row is committed: the sweeper will send it again. The lead is delayed, not lost.
        log.warning("outbox: broker refused job %s (%s); the sweeper will retry", job_id, actor_name)
        return False
    return True


def kicks(jobs: list[tuple[str, UUID]]) -> list[tuple[str, UUID]]:
    """The messages that get `jobs` done: one per job, but one per batch for batch jobs.

    A batch job's message claims its own job and the oldest pending others of its kind, up to the
    batch size (`run_batch`), so one message per `size` jobs committed together does them all. Should
    another worker hold some of them, that worker does them; should the batch fail, the sweep sends them.
    """
    messages: list[tuple[str, UUID]] = []
    batched: dict[str, list[UUID]] = {}
    for actor_name, job_id in jobs:
        if actor_name in _batch_sizes:
            batched.setdefault(actor_name, []).append(job_id)
        else:
            messages.append((actor_name, job_id))
    for actor_name, job_ids in batched.items():
        size = _batch_sizes[actor_name]
        messages += [
            (actor_name, job_ids[start : start + size][-1]) for start in range(0, len(job_ids), size)
        ]
    return messages


# How long the hand-off thread waits after a job for others to send with it: under load one message then
# kicks the batch of many submissions, and no lead waits noticeably longer for its routing.
_GATHER_SECONDS = 0.01


class _Handoff:
    """A thread of the app process that hands committed jobs to the broker, off the event loop.

    The broker's client is synchronous: sending from a request would stall every other request on the
    event loop for a Redis round trip. The request only puts the job's id on this queue. A send lost
    here (the process dies before it) is what the sweep is for, as for a send the broker refuses.
    """

    def __init__(self) -> None:
        self.queue: queue.SimpleQueue[tuple[str, UUID] | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, name="outbox-handoff", daemon=True)

    def _run(self) -> None:
        stopping = False
        while not stopping and (item := self.queue.get()) is not None:
            waiting = [item]
            time.sleep(_GATHER_SECONDS)
            while True:  # whatever else is queued by now goes in the same hand-off
                try:
                    more = self.queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                    break
                waiting.append(more)
            for actor_name, job_id in kicks(waiting):
                send(actor_name, job_id)

    def stop(self, timeout: float) -> None:
        self.queue.put(None)  # after the jobs already queued: they are sent first
        self.thread.join(timeout)


_handoff: _Handoff | None = None


def start_handoff() -> None:
    """From now on this process sends committed jobs from a thread of their own (see `_Handoff`)."""
    global _handoff
    if _handoff is None:
        _handoff = _Handoff()
        _handoff.thread.start()


def stop_handoff(timeout: float = 5.0) -> None:
    """Send what is queued (for at most `timeout` seconds) and go back to sending in the caller."""
    global _handoff
    handoff, _handoff = _handoff, None
    if handoff is not None:
        handoff.stop(timeout)


def hand_off(jobs: Iterable[tuple[str, UUID]]) -> None:
    """Send committed jobs to the broker: from the hand-off thread when it runs, else at once."""
    handoff = _handoff
    for actor_name, job_id in jobs:
        if handoff is None:
            send(actor_name, job_id)
        else:
            handoff.queue.put((actor_name, job_id))


def _send_after_commit(session: Session) -> None:
    hand_off((row.actor_name, row.id) for row in session.info.pop("outbox_to_send", []))


def _forget_on_rollback(session: Session, _transaction: Any) -> None:
    session.info.pop("outbox_to_send", None)


# Every module that writes a job into `session.info["outbox_to_send"]` (registry's add_job, sweep's
# retry_job) imports this one, so these listeners are in place before any job can be written.
event.listen(Session, "after_commit", _send_after_commit)
event.listen(Session, "after_soft_rollback", _forget_on_rollback)
