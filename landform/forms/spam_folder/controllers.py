"""The spam folder's screens: suspected spam of the last 30 days, and releasing what a person sent."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.guards import BUILDERS, provide_tenant_db, requires_role
from landform.accounts.models import User
from landform.core.i18n import gettext as _
from landform.forms.builder.controllers import form_or_404
from landform.forms.builder.services import FormInvalid
from landform.forms.models import SpamSubmission
from landform.forms.spam_folder import services


class SpamFolderController(Controller):
    """A form's spam folder in the dashboard."""

    path = "/app/forms"
    include_in_schema = False
    guards = [requires_role(*BUILDERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/{form_id:uuid}/spam")
    async def spam(self, db: AsyncSession, form_id: UUID) -> Template:
        """Suspected spam of the last 30 days, to release what a person sent."""
        form = await form_or_404(db, form_id)
        items = list(
            (
                await db.execute(
                    select(SpamSubmission)
                    .where(SpamSubmission.form_id == form.id)
                    .order_by(SpamSubmission.created_at.desc())
                    .limit(200)
                )
            ).scalars()
        )
        return Template(
            "forms/spam.html", context={"form": form, "items": items, "kept_days": services.SPAM_KEPT_DAYS}
        )

    @post("/{form_id:uuid}/spam/{spam_id:uuid}/release")
    async def release(
        self, request: Request[User, Any, Any], db: AsyncSession, form_id: UUID, spam_id: UUID
    ) -> Redirect:
        """Route a false positive into the CRM after all."""
        form = await form_or_404(db, form_id)
        item = (
            await db.execute(
                select(SpamSubmission).where(SpamSubmission.id == spam_id, SpamSubmission.form_id == form.id)
            )
        ).scalar_one_or_none()
        if item is None:
            raise NotFoundException()
        try:
            await services.release_spam(db, form, item, request.user.tenant.country)
        except FormInvalid as error:
            flash(request, str(error), category="error")
            return Redirect(f"/app/forms/{form.id}/spam")
        await db.commit()
        flash(request, _("Released: it is on its way into the CRM."), category="success")
        return Redirect(f"/app/forms/{form.id}/spam")
