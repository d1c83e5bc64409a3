"""Rows a process remembers for a few seconds, forgotten at once when this process writes them.

The public hot paths (a submission, a hosted page) read the same few rows on every request: a form and
its published version, a page and its version, their tenant. A `Memo` keeps what was read, detached
from any session and never changed, keyed as its user likes, for at most `seconds`:

- in this process, a write to a watched model (through any ORM session) forgets every entry that
  depends on the written row at once, and again when it commits, so a request that read the old rows
  between the flush and the commit cannot keep them; an UPDATE or DELETE statement on a watched model
  forgets all of the memo's entries;
- other processes (more app servers, the worker) see the change after at most `seconds`.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Generic, TypeVar
from uuid import UUID

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

V = TypeVar("V")
_memos: list[Memo[Any]] = []


class Memo(Generic[V]):
    """Values by key, each depending on some row ids; `watch` maps a model to the id a write touches."""

    def __init__(
        self, *, seconds: float, watch: dict[type, Callable[[Any], UUID]], max_entries: int = 10_000
    ) -> None:
        self.seconds = seconds
        self.watch = watch
        self.max_entries = max_entries
        self.entries: OrderedDict[Hashable, tuple[float, frozenset[UUID], V]] = OrderedDict()
        self.clock: Callable[[], float] = time.monotonic
        _memos.append(self)

    def get(self, key: Hashable) -> V | None:
        found = self.entries.get(key)
        if found is None:
            return None
        expires, _depends_on, value = found
        if expires < self.clock():
            self.entries.pop(key, None)
            return None
        return value

    def keep(self, key: Hashable, value: V, depends_on: Iterable[UUID]) -> None:
        """Remember rows a session loaded; the caller must not use them in that session afterwards."""
        self.entries[key] = (self.clock() + self.seconds, frozenset(depends_on), value)
        self.entries.move_to_end(key)
        while len(self.entries) > self.max_entries:
            self.entries.popitem(last=False)

    def forget(self, ids: set[UUID]) -> None:
        for key, (_expires, depends_on, _value) in list(self.entries.items()):
            if depends_on & ids:
                self.entries.pop(key, None)

    def touched(self, objects: Iterable[Any]) -> set[UUID]:
        ids = set()
        for obj in objects:
            id_of = self.watch.get(type(obj))
            if id_of is not None:
                ids.add(id_of(obj))
        return ids


_TOUCHED = "landform.memo_touched"


@event.listens_for(Session, "before_flush")
def _forget_written(session: Session, _context: Any, _instances: Any) -> None:
    written = [*session.new, *session.dirty, *session.deleted]
    for memo in _memos:
        ids = memo.touched(written)
        if ids:
            memo.forget(ids)
            session.info.setdefault(_TOUCHED, set()).update(ids)


_CLEARED = "landform.memo_cleared"


@event.listens_for(Session, "do_orm_execute")
def _forget_bulk_written(state: ORMExecuteState) -> None:
    # An UPDATE or DELETE statement (not the unit of work) names no rows: forget all of its model's.
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return
    model = state.bind_mapper.class_
    for memo in _memos:
        if model in memo.watch:
            memo.entries.clear()
            state.session.info.setdefault(_CLEARED, set()).add(id(memo))


@event.listens_for(Session, "after_commit")
def _forget_committed(session: Session) -> None:
    ids = session.info.pop(_TOUCHED, None)
    cleared = session.info.pop(_CLEARED, set())
    for memo in _memos:
        if id(memo) in cleared:
            memo.entries.clear()
        elif ids:
            memo.forget(ids)


@event.listens_for(Session, "after_soft_rollback")
def _drop_touched(session: Session, _transaction: Any) -> None:
    session.info.pop(_TOUCHED, None)
    session.info.pop(_CLEARED, None)


def forget_everything() -> None:
    """Forget every entry of every memo (tests that empty the database behind the app's back)."""
    for memo in _memos:
        memo.entries.clear()


_lifetime = 10.0


def lifetime() -> float:
    """How long this process may remember what it read (`LANDFORM_CACHE_SECONDS`)."""
    return _lifetime


def set_seconds(seconds: float) -> None:
    """Every memo's lifetime, from the settings (`LANDFORM_CACHE_SECONDS`); 0 remembers nothing."""
    global _lifetime
    _lifetime = seconds
    for memo in _memos:
        memo.seconds = seconds
        memo.entries.clear()
