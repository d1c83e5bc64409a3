"""The builder's draft over HTTP: the browser reads it, autosaves it, and has the canvas drawn from it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.response import Response, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.guards import BUILDERS, provide_tenant_db, requires_role
from landform.accounts.models import User
from landform.consent import services as consent
from landform.core import drafts as core_drafts
from landform.core import i18n
from landform.core.http import DASHBOARD_CSP
from landform.core.i18n import LANGUAGES, get_language
from landform.core.i18n import gettext as _
from landform.forms.builder import drafts
from landform.forms.builder.consent_fields import new_purposes
from landform.forms.fields import FIELD_TYPES, HIDDEN_SOURCES, TEXT_TARGETS
from landform.forms.intake.view import form_view
from landform.forms.models import Form, FormVersion
from landform.forms.uploads.rules import MAX_FILES, MAX_MB
from landform.forms.uploads.sniff import KINDS as FILE_KINDS

# The canvas is drawn inside the builder (an iframe of the same origin), so it may be framed by it.
CANVAS_HEADERS = {
    "content-security-policy": DASHBOARD_CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'"),
    "x-frame-options": "SAMEORIGIN",
    "cache-control": "no-store",
}


async def _form(db: AsyncSession, form_id: UUID, *, for_update: bool = False) -> Form:
    query = select(Form).where(Form.id == form_id)
    form = (await db.execute(query.with_for_update() if for_update else query)).scalar_one_or_none()
    if form is None:
        raise NotFoundException()
    return form


async def live_version(db: AsyncSession, form: Form) -> FormVersion | None:
    if form.published_version is None:
        return None
    query = select(FormVersion).where(
        FormVersion.form_id == form.id, FormVersion.number == form.published_version
    )
    return (await db.execute(query)).scalar_one_or_none()


def _language(wanted: Any) -> str:
    """The language the canvas is drawn in; the whole canvas speaks it, as it would to a visitor."""
    language = wanted if wanted in LANGUAGES else get_language()
    i18n.set_language(language)
    return language


def _canvas_view(
    form: Form, fields: list[dict[str, Any]], submit_label: dict[str, str], language: str
) -> Any:
    spec = drafts.DraftSpec(fields, submit_label, form.thank_you, form.redirect_url)
    # `editing` only adds data attributes the builder finds fields by; a visitor's form never has it.
    return {**form_view(form.key, spec, language=language, all_steps=True), "editing": True}


class FormDraftController(Controller):
    """The draft the builder's script keeps: read, autosave with a revision check, the canvas."""

    path = "/app/forms/{form_id:uuid}"
    include_in_schema = False
    guards = [requires_role(*BUILDERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/draft")
    async def read(self, db: AsyncSession, form_id: UUID) -> dict[str, Any]:
        """The stored draft, its revision, and whether it differs from what is live."""
        form = await _form(db, form_id)
        return drafts.draft_state(form, await live_version(db, form))

    @post("/draft", status_code=200)
    async def save(self, request: Request[User, Any, Any], db: AsyncSession, form_id: UUID) -> Response[Any]:
        """Autosave: the whole list of fields, from the revision the browser started from.

        409 when someone saved in between (nothing changes, theirs is in the answer); 422 naming each
        field that breaks a rule (those keep their stored version, the rest is saved); 400 for a body
        that is not a draft or would leave the form without an e-mail field (nothing changes).
        """
        form = await _form(db, form_id, for_update=True)
        try:
            payload = msgspec.json.decode(await request.body())
        except msgspec.DecodeError:
            return Response({"errors": {"draft": _("The draft could not be read.")}}, status_code=400)
        try:
            created = await new_purposes(db, payload)
            saved = drafts.save_draft(form, payload, await consent.purposes(db), request.user.id)
        except core_drafts.DraftConflict as conflict:
            by = await db.get(User, conflict.saved_by_id) if conflict.saved_by_id else None
            return Response(
                {
                    "revision": conflict.revision,
                    "saved_by": by.full_name if by else "",
                    "saved_at": i18n.format_datetime(conflict.saved_at, request.user.timezone)
                    if conflict.saved_at
                    else "",
                    # Theirs, so the browser can show it without losing the marketer's own.
                    **drafts.draft_state(form, None),
                },
                status_code=409,
            )
        except core_drafts.DraftInvalid as invalid:
            return Response({"errors": invalid.errors}, status_code=400)
        await db.flush()
        body = {
            "revision": saved.revision,
            "errors": saved.errors,
            "renamed": saved.renamed,
            "can_publish": drafts.can_publish(form, await live_version(db, form)),
        }
        if created:
            # The browser's boxes learn their new purpose, and its list offers it from now on.
            body["new_purposes"] = created
            body["purposes"] = builder_texts(await consent.purposes(db))["purposes"]
        await db.commit()
        return Response(body, status_code=422 if saved.errors else 200)

    @get("/canvas", media_type=MediaType.HTML)
    async def canvas(self, request: Request[User, Any, Any], db: AsyncSession, form_id: UUID) -> Template:
        """The draft drawn by the hosted form's own template, for the builder's iframe."""
        form = await _form(db, form_id)
        language = _language(request.query_params.get("lang"))
        return Template(
            "forms/hosted_form.html",
            headers=CANVAS_HEADERS,
            context={
                "tenant": request.user.tenant,
                "title": form.name,
                "form": _canvas_view(form, form.fields, form.submit_label, language),
                "editing": True,
            },
        )

    @post("/canvas", media_type=MediaType.HTML, status_code=200)
    async def redraw(self, request: Request[User, Any, Any], db: AsyncSession, form_id: UUID) -> Any:
        """The canvas's form for the browser's unsaved draft, so a change shows at once."""
        form = await _form(db, form_id)
        try:
            payload = msgspec.json.decode(await request.body())
            # Drawn by the browser's keys, which name new fields before the server has.
            fields = [{**item, "name": key} for key, item in drafts.read_fields(payload)]
        except msgspec.DecodeError:
            return Response({"errors": {"draft": _("The draft could not be read.")}}, status_code=400)
        except core_drafts.DraftInvalid as invalid:
            return Response({"errors": invalid.errors}, status_code=400)
        language = _language(payload.get("language"))
        submit_label = drafts.read_submit_label(payload, form.submit_label)
        return Template(
            "forms/_canvas.html",
            headers=CANVAS_HEADERS,
            context={"form": _canvas_view(form, fields, submit_label, language)},
        )


def builder_texts(purposes: list[consent.PurposeChoice]) -> dict[str, Any]:
    """The words the builder's script shows, in the marketer's language (the script has none of its own)."""
    return {
        # A consent box records consent for one of these; choosing one fills in its consent text.
        "purposes": [
            {"id": str(p.id), "name": i18n.pick(p.name), "version": p.version, "text": p.text}
            for p in purposes
        ],
        "purpose": _("Purpose"),
        "no_purpose": _("Choose a purpose…"),
        "new_purpose": _("A new purpose, named below"),
        "new_purpose_name": _("New purpose's name"),
        "file_kinds": [[code, str(name)] for code, name in FILE_KINDS.items()],
        "max_mb": _("Largest file (MB, at most %(n)d)", n=MAX_MB),
        "max_files": _("Number of files (at most %(n)d)", n=MAX_FILES),
        # Pairs, not objects: Jinja's tojson sorts keys, and these are offered in this order.
        "types": [
            *([code, str(name)] for code, name in FIELD_TYPES.items()),
            ["step", _("Step break: a new page of the form")],
        ],
        "targets": [[code, str(name)] for code, name in TEXT_TARGETS.items()],
        "sources": [[code, str(name)] for code, name in HIDDEN_SOURCES.items()],
        "languages": {"nl": _("Dutch"), "en": _("English")},
        "saving": _("Saving…"),
        "saved": _("Saved"),
        "not_saved": _("Not saved: %(why)s"),
        "offline": _("the server could not be reached; your changes are kept here and saved when it can be."),
        "field_problem": _("a field needs another look (marked below); your other changes are saved."),
        "conflict": _(
            "%(who)s saved this form on %(when)s, after you opened it. Your changes are not saved yet."
        ),
        "conflict_why": _("someone else saved this form first (see above)."),
        "someone": _("Someone"),
        "label": _("Label"),
        "help": _("Help text"),
        "placeholder": _("Placeholder"),
        "options": _("Options, one per line"),
        "maps_to": _("Fills this CRM field"),
        "default": _("Default value"),
        "required": _("Required"),
        "progressive": _("Ask only returning visitors"),
        "carries": _("Carries"),
        "move_up": _("Move up"),
        "move_down": _("Move down"),
        "duplicate": _("Duplicate"),
        "remove": _("Remove"),
        "removed": _("Field “%(label)s” removed."),
        "undo": _("Undo"),
        "add_here": _("Add a field below this one"),
        "add_end": _("Add a field at the end"),
        "add": _("Add"),
        "type": _("Type"),
        "edit": _("Edit %(field)s"),
        "missing": _("No %(language)s text yet: visitors see the %(other)s text."),
        "missing_short": _("%(code)s missing"),
        "option": _("Option %(n)d"),
        "submit": _("Button text"),
        "hidden": _("Hidden, filled automatically"),
        "selected": _("Editing “%(label)s”."),
        "moved": _("“%(label)s” is now field %(n)d of %(total)d."),
        "step_title": _("Step title"),
        "step": _("Step"),
        "logic": {
            "show_if": _("Show this field only when"),
            "show_step": _("Show this step only when"),
            "skip_to": _("After this step, skip to"),
            "no_skip": _("No skip: the next step"),
            "add_rule": _("Add a rule"),
            "remove_rule": _("Remove this rule"),
            "all": _("all rules match"),
            "any": _("any rule matches"),
            "field": _("Answer to"),
            "op": _("Compare"),
            "value": _("Value"),
            "none_yet": _("No rules: always shown."),
            "no_earlier": _("Rules use the answers to fields above this one; add one first."),
            "used_by": _("Rules in %(names)s use this field's answer."),
            "remove_anyway": _("Remove it and those rules"),
            "param": _("Address parameter to keep"),
            "param_help": _(
                "Like gclid or ref: the value of ?gclid=… in the page address, at most 200 characters."
            ),
            "consent_field": _("Keep it only when this consent box is ticked"),
            "no_consent_field": _("Always keep it"),
            "ops": [
                ["equals", _("is")],
                ["one_of", _("is one of (separate with commas)")],
                ["filled", _("is filled in")],
                ["empty", _("is empty")],
                ["above", _("is a number above")],
                ["below", _("is a number below")],
                ["before", _("is a date before")],
                ["after", _("is a date after")],
                ["younger_than", _("is a birth date younger than (years)")],
            ],
        },
    }
