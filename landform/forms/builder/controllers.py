"""The builder's screens: the builder, the preview and publishing (the list of forms: builder/listing.py)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Response, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.guards import BUILDERS, provide_tenant_db, requires_role
from landform.accounts.models import User
from landform.billing import quotas
from landform.consent import services as consent
from landform.core.i18n import get_language
from landform.core.i18n import gettext as _
from landform.forms import embed_refusals
from landform.forms.builder import drafts, embed_snippet, listing, services
from landform.forms.builder.consent_fields import field_purpose
from landform.forms.builder.draft_controllers import builder_texts, live_version
from landform.forms.embed import embed_script
from landform.forms.fields import FIELD_TYPES, HIDDEN_SOURCES, TEXT_TARGETS, WITH_OPTIONS
from landform.forms.intake.view import form_view
from landform.forms.models import Form
from landform.forms.uploads.rules import DEFAULTS as FILE_DEFAULTS
from landform.forms.uploads.rules import MAX_FILES, MAX_MB
from landform.forms.uploads.sniff import KINDS as FILE_KINDS


async def form_or_404(db: AsyncSession, form_id: UUID) -> Form:
    form = (await db.execute(select(Form).where(Form.id == form_id))).scalar_one_or_none()
    if form is None:
        raise NotFoundException()
    return form


async def _builder_context(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    form: Form,
    errors: dict[str, str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    _body, integrity = embed_script()
    purposes = await consent.purposes(db)
    base = request.app.state.settings.server.base_url
    placement = embed_snippet.Placement.from_query(request.query_params)
    return {
        "form": form,
        "errors": errors or {},
        "field_types": FIELD_TYPES,
        "text_targets": TEXT_TARGETS,
        "hidden_sources": HIDDEN_SOURCES,
        "with_options": WITH_OPTIONS,
        "snippet": embed_snippet.snippet(base, form, integrity, placement),
        "placement": placement,
        "purposes": purposes,
        "file_kinds": FILE_KINDS,
        "file_limits": {
            "max_mb": MAX_MB,
            "max_files": MAX_FILES,
            "accept": FILE_DEFAULTS["accept"],
            "max_mb_default": FILE_DEFAULTS["max_mb"],
        },
        "can_publish": drafts.can_publish(form, await live_version(db, form)),
        "builder_texts": builder_texts(purposes),
        **extra,
    }


class FormBuilderController(Controller):
    """The dashboard's form builder."""

    path = "/app/forms"
    include_in_schema = False
    guards = [requires_role(*BUILDERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/")
    async def index(self, db: AsyncSession, archived: bool = False) -> Template:
        """All forms, with how many submissions each has had; `?archived=true` the archived ones."""
        return await listing.form_list(db, archived)

    @post("/", media_type=MediaType.HTML)
    async def create(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """A new form with first name, last name and e-mail to start from."""
        data = await request.form()
        try:
            form = services.new_form(str(data.get("name", "")))
            await quotas.ensure_room(db, "forms")
        except services.FormInvalid as error:
            flash(request, str(error), category="error")
            return Redirect("/app/forms")
        db.add(form)
        await db.commit()
        return Redirect(f"/app/forms/{form.id}")

    @get("/{form_id:uuid}", media_type=MediaType.HTML)
    async def edit(self, request: Request[User, Any, Any], db: AsyncSession, form_id: UUID) -> Any:
        """The builder."""
        form = await form_or_404(db, form_id)
        if request.headers.get("hx-boosted"):
            # A boosted link swaps only the body, without running scripts (htmx's allowScriptTags is
            # off): the builder's script needs a page of its own.
            return Response("", headers={"HX-Redirect": request.url.path})
        return Template(
            "forms/edit.html",
            context=await _builder_context(
                request, db, form, refusals=await embed_refusals.waiting(db, form.id)
            ),
        )

    @get("/{form_id:uuid}/preview")
    async def preview(self, request: Request[User, Any, Any], db: AsyncSession, form_id: UUID) -> Template:
        """The draft as a visitor would see it, before publishing."""
        form = await form_or_404(db, form_id)
        view = form_view(form.key, form, language=get_language())
        return Template(
            "forms/hosted_form.html",
            context={"tenant": request.user.tenant, "title": form.name, "form": view, "preview": True},
        )

    @post("/{form_id:uuid}/publish")
    async def publish(self, request: Request[User, Any, Any], db: AsyncSession, form_id: UUID) -> Redirect:
        """Make the draft the version visitors see."""
        form = await form_or_404(db, form_id)
        try:
            version = await db.run_sync(services.publish, form, request.user.id)
        except services.FormInvalid as error:
            flash(request, str(error), category="error")
            return Redirect(f"/app/forms/{form.id}")
        await db.commit()
        flash(request, _("Version %(n)d is live.", n=version.number), category="success")
        return Redirect(f"/app/forms/{form.id}")

    @post("/{form_id:uuid}/settings", media_type=MediaType.HTML)
    async def save_settings(self, request: Request[User, Any, Any], db: AsyncSession, form_id: UUID) -> Any:
        """Name, button text, thank-you message or address, allowed websites, disposable addresses."""
        form = await form_or_404(db, form_id)
        data = {k: str(v) for k, v in (await request.form()).items()}
        try:
            services.update_settings(form, data)
        except services.FormInvalid as error:
            # The service checks before it changes anything; the 422 rolls the transaction back.
            return Template(
                "forms/edit.html",
                status_code=422,
                context=await _builder_context(request, db, form, {"settings": str(error)}, submitted=data),
            )
        services.mark_changed(form)
        await db.commit()
        if drafts.can_publish(form, await live_version(db, form)):
            flash(request, _("Saved. Publish to show the changes to visitors."), category="success")
        else:
            # Allowed websites, tags and checks apply at once: "publish" would point at a disabled button.
            flash(request, _("Saved. This applies at once."), category="success")
        return Redirect(f"/app/forms/{form.id}")

    async def _after_field_change(
        self,
        request: HTMXRequest,
        db: AsyncSession,
        form: Form,
        error: services.FormInvalid | None,
        submitted: dict[str, str] | None = None,
    ) -> Any:
        # The service checks before it changes anything, so on an error the form is as it was.
        if error is None:
            services.mark_changed(form)
            await db.commit()
        context = await _builder_context(
            request, db, form, {"fields": str(error)} if error else {}, submitted=submitted or {}
        )
        if request.htmx:
            return Template("forms/_fields.html", context=context, status_code=422 if error else 200)
        if error:
            return Template("forms/edit.html", context=context, status_code=422)
        return Redirect(f"/app/forms/{form.id}")

    @post("/{form_id:uuid}/fields", media_type=MediaType.HTML)
    async def add_field(self, request: HTMXRequest, db: AsyncSession, form_id: UUID) -> Any:
        """Add a field at the end."""
        form = await form_or_404(db, form_id)
        data = {k: str(v) for k, v in (await request.form()).items()}
        error = None
        try:
            purpose = await field_purpose(db, data) if data.get("type") == "consent" else None
            services.add_field(form, data, purpose)
        except services.FormInvalid as invalid:
            error = invalid
        return await self._after_field_change(request, db, form, error, data if error else None)

    @post("/{form_id:uuid}/fields/{name:str}", media_type=MediaType.HTML)
    async def edit_field(self, request: HTMXRequest, db: AsyncSession, form_id: UUID, name: str) -> Any:
        """Change a field's labels, help, placeholder, options and settings."""
        form = await form_or_404(db, form_id)
        data = {k: str(v) for k, v in (await request.form()).items()}
        current = next((f for f in form.fields if f["name"] == name), None)
        error = None
        try:
            is_consent = current is not None and current["type"] == "consent"
            purpose = await field_purpose(db, data, current) if is_consent else None
            services.update_field(form, name, data, purpose)
        except services.FormInvalid as invalid:
            error = invalid
        return await self._after_field_change(request, db, form, error)

    @post("/{form_id:uuid}/fields/{name:str}/remove", media_type=MediaType.HTML)
    async def remove_field(self, request: HTMXRequest, db: AsyncSession, form_id: UUID, name: str) -> Any:
        """Take a field off the form (answers already given are kept)."""
        form = await form_or_404(db, form_id)
        error = None
        try:
            services.remove_field(form, name)
        except services.FormInvalid as invalid:
            error = invalid
        return await self._after_field_change(request, db, form, error)

    @post("/{form_id:uuid}/fields/{name:str}/move", media_type=MediaType.HTML)
    async def move_field(self, request: HTMXRequest, db: AsyncSession, form_id: UUID, name: str) -> Any:
        """Move a field one place up or down."""
        form = await form_or_404(db, form_id)
        data = await request.form()
        error = None
        try:
            services.move_field(form, name, -1 if data.get("direction") == "up" else 1)
        except services.FormInvalid as invalid:
            error = invalid
        return await self._after_field_change(request, db, form, error)
