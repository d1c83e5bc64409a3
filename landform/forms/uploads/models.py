"""A file a visitor sent with a submission; its bytes live in the file store, never in the database."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from landform.core.db import GUID, Base, TenantScoped


class SubmissionFile(TenantScoped, Base):
    """One stored file. Its row is written in the submission's transaction, after the bytes are on disk.

    A submission that never commits leaves bytes without a row, and a deleted submission (a parent's
    refusal, retention) leaves a row without one (`SET NULL`): the orphan sweep removes both.
    """

    __tablename__ = "submission_file"

    submission_id: Mapped[UUID | None] = mapped_column(
        GUID,
        ForeignKey("submission.id", ondelete="SET NULL"),
        index=True,
        nullable=True,
        info={"personal": False},
    )
    field_name: Mapped[str] = mapped_column(String(64), info={"personal": False})
    # The name as the visitor's device called it: shown and offered on download, never used as a path.
    filename: Mapped[str] = mapped_column(String(200), info={"personal": True})
    content_type: Mapped[str] = mapped_column(String(64), info={"personal": False})
    size: Mapped[int] = mapped_column(BigInteger, info={"personal": False})
    sha256: Mapped[str] = mapped_column(String(64), info={"personal": False})
