"""Drafts saved as the marketer works: a revision every save raises, so two tabs never overwrite each other.

A save names the revision it started from; when someone saved since, it is refused with `DraftConflict`
(answered 409 with who saved and when) and the client asks the marketer before anything is overwritten.
Used by the page editor and the form builder alike: the model mixes in `DraftRevision`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from landform.core.db import GUID, utcnow


class DraftRevision:
    """Mixin: the draft's revision (raised by every save) and who saved it last."""

    draft_revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Not a foreign key: the mixin knows no user table; a removed user just reads as "someone".
    draft_saved_by_id: Mapped[UUID | None] = mapped_column(GUID, nullable=True, info={"personal": False})


class DraftConflict(Exception):
    """The draft was saved by someone else since the client read it."""

    def __init__(self, revision: int, saved_by_id: UUID | None, saved_at: datetime | None) -> None:
        super().__init__(revision)
        self.revision = revision
        self.saved_by_id = saved_by_id
        self.saved_at = saved_at


class DraftInvalid(Exception):
    """A save that is not a draft at all (no revision, not a list...): by where, what is wrong."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def sent_revision(body: Any) -> int:
    """The revision a save says it started from; DraftInvalid when it names none."""
    revision = body.get("revision") if isinstance(body, dict) else None
    if not isinstance(revision, int) or isinstance(revision, bool) or revision < 0:
        raise DraftInvalid(
            {"revision": "revision: a whole number, the draft's revision the edit started from"}
        )
    return revision


def check_revision(draft: DraftRevision, revision: int) -> None:
    """Raise DraftConflict unless `revision` is the draft's current one."""
    if revision != (draft.draft_revision or 0):
        raise DraftConflict(
            draft.draft_revision or 0, draft.draft_saved_by_id, getattr(draft, "updated_at", None)
        )


def record_save(draft: DraftRevision, user_id: UUID | None) -> int:
    """A save of the draft (by the editor, a no-JS form or a roll back): the next revision."""
    draft.draft_revision = (draft.draft_revision or 0) + 1
    draft.draft_saved_by_id = user_id
    if hasattr(draft, "updated_at"):
        draft.updated_at = utcnow()
    return draft.draft_revision
