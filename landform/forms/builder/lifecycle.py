"""A form's life on the list: duplicated as a draft, archived (closed, kept) and restored, or deleted.

Deleting is for drafts nobody has seen: a form that was ever published may have leads, consent records
that name it, statistics and embeds on websites, so it is archived instead (closed to visitors, kept
whole, restorable). A form a published page shows is not archived: the page would lose its form.
"""

from __future__ import annotations

import secrets
from uuid import UUID

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from landform import hooks
from landform.core.db import utcnow
from landform.core.i18n import gettext as _
from landform.forms.models import Form


class FormStays(Exception):
    """The form cannot be archived or deleted; the message says why and what to do instead."""


def copy_of(form: Form) -> Form:
    """A draft copy: same fields and settings, a new key, "(copy)" in its name, never published."""
    return Form(
        key=secrets.token_urlsafe(12),
        name=_("%(name)s (copy)", name=form.name)[:200],
        fields=[dict(field) for field in form.fields],
        submit_label=dict(form.submit_label),
        thank_you=dict(form.thank_you),
        redirect_url=form.redirect_url,
        allowed_origins=list(form.allowed_origins),
        crm_tags=list(form.crm_tags),
        block_disposable_email=form.block_disposable_email,
        requires_age_check=form.requires_age_check,
        proof_of_work_always=form.proof_of_work_always,
        draft_changed_at=utcnow(),
    )


async def live_pages_showing(db: AsyncSession, form: Form) -> list[str]:
    return [title for title, published in await hooks.pages_with_form.get()(db, form.id) if published]


async def archive(db: AsyncSession, form: Form) -> None:
    """Close the form to visitors and take it off the list; its leads, versions and settings stay."""
    live = await live_pages_showing(db, form)
    if live:
        raise FormStays(
            _(
                "Published pages show this form: %(pages)s. Unpublish them or give them another form first.",
                pages=", ".join(live),
            )
        )
    form.archived_at = utcnow()


def restore(form: Form) -> None:
    form.archived_at = None


async def why_not_deletable(db: AsyncSession, form: Form) -> str:
    """Empty when the form may be deleted; else the reason, in the marketer's words."""
    if form.published_version is not None:
        return _(
            "This form has been published, so leads, consent records or websites may depend on it. "
            "Archive it instead: it closes and leaves the list, and everything it collected stays."
        )
    pages = [title for title, _published in await hooks.pages_with_form.get()(db, form.id)]
    if pages:
        return _(
            "These pages use this form: %(pages)s. Give them another form first.", pages=", ".join(pages)
        )
    return ""


async def delete_form(db: AsyncSession, form: Form) -> None:
    reason = await why_not_deletable(db, form)
    if reason:
        raise FormStays(reason)
    form_id: UUID = form.id
    await db.execute(delete(Form).where(Form.id == form_id))
