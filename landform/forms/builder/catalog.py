"""What other domains may know of a tenant's forms (filled into `landform/hooks.py` by the wiring)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.core.i18n import pick
from landform.forms import logic
from landform.forms.fields import BOOLEAN
from landform.forms.intake.pipeline import live_version
from landform.forms.models import Form
from landform.hooks import FormSummary


async def form_catalog(db: AsyncSession) -> list[FormSummary]:
    """The tenant's forms for the CRM's routing screens (`hooks.form_catalog`)."""
    forms = (await db.execute(select(Form).order_by(Form.name))).scalars()
    return [
        FormSummary(
            id=form.id,
            name=form.name,
            fields=[(f["name"], pick(f.get("label"))) for f in form.fields if f["type"] not in BOOLEAN],
        )
        for form in forms
    ]


async def form_titles(db: AsyncSession) -> tuple[str, dict[UUID, str]]:
    """The tenant's forms by name (for analytics' reports)."""
    return "form", {
        form.id: form.name for form in (await db.execute(select(Form).order_by(Form.name))).scalars()
    }


async def allowed_origins(db: AsyncSession) -> set[str]:
    """Every website the tenant allowed one of its forms on (its cookie banner may run there too)."""
    return {
        origin
        for allowed in (await db.execute(select(Form.allowed_origins))).scalars()
        for origin in allowed or []
    }


async def form_steps(db: AsyncSession, form_id: UUID) -> list[tuple[str, str]]:
    """A form's steps as (name, title), from its live version (or its draft before it is published)."""
    form = await db.get(Form, form_id)
    if form is None:
        return []
    version = await live_version(db, form)
    fields = version.fields if version is not None else form.fields
    return [
        (step.name, logic.unpiped(pick((step.item or {}).get("label")))) for step in logic.split_steps(fields)
    ]
