"""The process's memory of published forms: the intake reads a form, its live version and its tenant once.

Every submission and every view of a form needs the same three rows, which change only when a marketer
publishes or edits settings. They are kept here, detached from any session and never changed, keyed by
the form's public key, for at most `SECONDS`:

- in this process, a write to a form, a form version or a tenant (through any ORM session) forgets the
  entries it touches at once, and again when it commits (so a request that read the old rows between the
  flush and the commit cannot keep them);
- other processes (more app servers, the worker) see the change after at most `SECONDS`.

Only found and published forms are kept: an unknown key is looked up every time, as before.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any
from uuid import UUID

from sqlalchemy import event
from sqlalchemy.orm import Session

from landform.accounts.models import Tenant
from landform.forms.models import Form, FormVersion

SECONDS = 10.0
MAX_ENTRIES = 10_000

LiveForm = tuple[Form, FormVersion, Tenant]

_entries: OrderedDict[str, tuple[float, LiveForm]] = OrderedDict()
_clock = time.monotonic


def get(key: str) -> LiveForm | None:
    found = _entries.get(key)
    if found is None:
        return None
    expires, live = found
    if expires < _clock():
        _entries.pop(key, None)
        return None
    return live


def keep(key: str, live: LiveForm) -> None:
    """Remember rows a session loaded; the caller must not use them in that session afterwards."""
    _entries[key] = (_clock() + SECONDS, live)
    _entries.move_to_end(key)
    while len(_entries) > MAX_ENTRIES:
        _entries.popitem(last=False)


def forget(*, form_ids: set[UUID] | None = None, tenant_ids: set[UUID] | None = None) -> None:
    form_ids, tenant_ids = form_ids or set(), tenant_ids or set()
    if not form_ids and not tenant_ids:
        return
    for key, (_expires, (form, _version, tenant)) in list(_entries.items()):
        if form.id in form_ids or tenant.id in tenant_ids:
            _entries.pop(key, None)


def clear() -> None:
    _entries.clear()


_TOUCHED = "landform.live_forms_touched"


def _touched(objects: Any) -> tuple[set[UUID], set[UUID]]:
    form_ids: set[UUID] = set()
    tenant_ids: set[UUID] = set()
    for obj in objects:
        if isinstance(obj, Form):
            form_ids.add(obj.id)
        elif isinstance(obj, FormVersion):
            form_ids.add(obj.form_id)
        elif isinstance(obj, Tenant):
            tenant_ids.add(obj.id)
    return form_ids, tenant_ids


@event.listens_for(Session, "before_flush")
def _forget_written(session: Session, _context: Any, _instances: Any) -> None:
    form_ids, tenant_ids = _touched([*session.new, *session.dirty, *session.deleted])
    if form_ids or tenant_ids:
        forget(form_ids=form_ids, tenant_ids=tenant_ids)
        known = session.info.setdefault(_TOUCHED, (set(), set()))
        known[0].update(form_ids)
        known[1].update(tenant_ids)


@event.listens_for(Session, "after_commit")
def _forget_committed(session: Session) -> None:
    touched = session.info.pop(_TOUCHED, None)
    if touched:
        forget(form_ids=touched[0], tenant_ids=touched[1])


@event.listens_for(Session, "after_soft_rollback")
def _drop_touched(session: Session, _transaction: Any) -> None:
    session.info.pop(_TOUCHED, None)
