"""A tenant's forms; their fields are kept as a list of small dicts (see `fields.py`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from landform.db import Base, TenantScoped


class Form(TenantScoped, Base):
    """A form visitors fill in, on a hosted page or through the embed script."""

    __tablename__ = "form"

    # Public and unguessable: it appears in page HTML and embed snippets.
    key: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    submit_label: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    thank_you: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    redirect_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
