"""Forms over HTTP: the public intake (`POST /f/{key}`), the hosted form, and the dashboard builder."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.exceptions import ClientException, HTTPException, NotFoundException
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_415_UNSUPPORTED_MEDIA_TYPE
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.models import Tenant, User
from landform.crm_sink.models import Submission
from landform.db import scope_to_tenant
from landform.forms import services
from landform.forms.fields import FIELD_TYPES, HIDDEN_SOURCES, TEXT_TARGETS, SubmissionInvalid
from landform.forms.models import Form
from landform.i18n import get_language, pick
from landform.i18n import gettext as _
from landform.web import BUILDERS, provide_tenant_db, requires_role, wants_json

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024


async def read_answers(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """A submission's answers from a form-encoded, multipart or JSON body; 400/415 when unreadable."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        try:
            form = await request.form()
        except Exception as error:
            raise ClientException(detail=_("The form data could not be read.")) from error
        return {name: value for name, value in form.items() if isinstance(value, str)}
    body = await request.body()
    if content_type == "application/json":
        try:
            data = msgspec.json.decode(body)
        except msgspec.DecodeError as error:
            raise ClientException(detail=_("The body is not valid JSON.")) from error
        if not isinstance(data, dict):
            raise ClientException(detail=_("Send a JSON object of field names and values."))
        wrong = {
            str(k): _("Expected text, a number or true/false.")
            for k, v in data.items()
            if isinstance(v, list | dict)
        }
        if wrong:
            raise SubmissionInvalid(wrong)
        return {str(k): v for k, v in data.items()}
    if content_type in {"application/x-www-form-urlencoded", ""}:
        try:
            return dict(
                parse_qsl(
                    body.decode("utf-8"),
                    keep_blank_values=True,
                    max_num_fields=200,
                    encoding="utf-8",
                    errors="strict",
                )
            )
        except (UnicodeDecodeError, ValueError) as error:
            raise ClientException(detail=_("The form data could not be read.")) from error
    raise HTTPException(
        status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE, detail=_("Send the form as form data or JSON.")
    )


class IntakeController(Controller):
    """Where visitors' submissions arrive: from hosted pages, the embed script, or any HTTP client."""

    include_in_schema = False

    @get("/f/{form_key:str}")
    async def hosted_form(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, form_key: str
    ) -> Template:
        """The form on a page of its own (the link for visitors without JavaScript)."""
        form = await services.find_form(db_session, form_key)
        if form is None:
            raise NotFoundException()
        scope_to_tenant(db_session, form.tenant_id)
        tenant = await db_session.get(Tenant, form.tenant_id)
        tracking = {k: v for k, v in request.query_params.items() if k.startswith("utm_")}
        return Template(
            "forms/hosted_form.html",
            context={
                "tenant": tenant,
                "title": form.name,
                "form": services.form_view(form, language=get_language(), tracking=tracking),
            },
        )

    @post("/f/{form_key:str}", exclude_from_csrf=True, request_max_body_size=MAX_BODY)
    async def submit(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, form_key: str
    ) -> Response[Any]:
        """Accept a submission: 2xx once stored with its routing job, 422 with an error per field."""
        as_json = wants_json(request)
        form = await services.find_form(db_session, form_key)
        if form is None:
            raise NotFoundException(detail=_("There is no form with this key."))
        scope_to_tenant(db_session, form.tenant_id)
        tenant = await db_session.get_one(Tenant, form.tenant_id)
        language = get_language()
        raw: dict[str, Any] = {}
        try:
            raw = await read_answers(request)
            page_id = services.check_bot_signals(form, raw)
            submission = await services.accept_submission(
                db_session,
                form,
                raw,
                services.SubmissionContext(
                    source="page" if page_id else "form", language=language, page_id=page_id
                ),
                tenant.country,
            )
            await db_session.commit()
        except services.Spam as reason:
            log.info("intake: refused a submission as spam (%s)", reason)
            return self._accepted(form, as_json, None)
        except SubmissionInvalid as invalid:
            # Nothing was added to the session; the 422 rolls the transaction back.
            return self._invalid(form, tenant, as_json, raw, invalid.errors, language)
        return self._accepted(form, as_json, submission)

    def _accepted(self, form: Form, as_json: bool, submission: Submission | None) -> Response[Any]:
        message = pick(form.thank_you) or _("Thank you! We have received your details.")
        if as_json:
            return Response(
                {"status": "accepted", "message": message, "redirect_url": form.redirect_url},
                status_code=201,
            )
        if form.redirect_url:
            return Redirect(form.redirect_url, status_code=303)
        return Template("forms/thank_you.html", context={"message": message, "title": form.name})

    def _invalid(
        self,
        form: Form,
        tenant: Tenant,
        as_json: bool,
        raw: dict[str, Any],
        errors: dict[str, str],
        language: str,
    ) -> Response[Any]:
        if as_json:
            return Response({"status": "invalid", "errors": errors}, status_code=422)
        values = {k: v for k, v in raw.items() if isinstance(v, str)}
        return Template(
            "forms/hosted_form.html",
            status_code=422,
            context={
                "tenant": tenant,
                "title": form.name,
                "form": services.form_view(form, language=language, values=values, errors=errors),
            },
        )


async def _form_or_404(db: AsyncSession, form_id: UUID) -> Form:
    form = (await db.execute(select(Form).where(Form.id == form_id))).scalar_one_or_none()
    if form is None:
        raise NotFoundException()
    return form


def _builder_context(form: Form, errors: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "form": form,
        "errors": errors or {},
        "field_types": FIELD_TYPES,
        "text_targets": TEXT_TARGETS,
        "hidden_sources": HIDDEN_SOURCES,
        **extra,
    }


class FormBuilderController(Controller):
    """The dashboard's form list and builder."""

    path = "/app/forms"
    include_in_schema = False
    guards = [requires_role(*BUILDERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/")
    async def index(self, db: AsyncSession) -> Template:
        """All forms, with how many submissions each has had."""
        counts = select(Submission.form_id, func.count().label("n")).group_by(Submission.form_id).subquery()
        rows = (
            await db.execute(
                select(Form, func.coalesce(counts.c.n, 0))
                .outerjoin(counts, counts.c.form_id == Form.id)
                .order_by(Form.created_at.desc())
            )
        ).all()
        return Template("forms/list.html", context={"rows": rows, "errors": {}})

    @post("/")
    async def create(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """A new form with first name, last name and e-mail to start from."""
        data = await request.form()
        try:
            form = services.new_form(str(data.get("name", "")))
        except services.FormInvalid as error:
            flash(request, str(error), category="error")
            return Redirect("/app/forms")
        db.add(form)
        await db.commit()
        return Redirect(f"/app/forms/{form.id}")

    @get("/{form_id:uuid}")
    async def edit(self, db: AsyncSession, form_id: UUID) -> Template:
        """The builder."""
        return Template("forms/edit.html", context=_builder_context(await _form_or_404(db, form_id)))

    @post("/{form_id:uuid}/settings")
    async def save_settings(self, request: Request[User, Any, Any], db: AsyncSession, form_id: UUID) -> Any:
        """Name, button text, thank-you message or address."""
        form = await _form_or_404(db, form_id)
        data = await request.form()
        try:
            services.update_settings(
                form,
                **{
                    k: str(data.get(k, ""))
                    for k in (
                        "name",
                        "thank_you_nl",
                        "thank_you_en",
                        "submit_nl",
                        "submit_en",
                        "redirect_url",
                    )
                },
            )
        except services.FormInvalid as error:
            # The service checks before it changes anything; the 422 rolls the transaction back.
            return Template(
                "forms/edit.html",
                status_code=422,
                context=_builder_context(form, {"settings": str(error)}, submitted=dict(data)),
            )
        await db.commit()
        flash(request, _("Form saved."), category="success")
        return Redirect(f"/app/forms/{form.id}")

    async def _after_field_change(
        self, request: HTMXRequest, db: AsyncSession, form: Form, error: services.FormInvalid | None
    ) -> Any:
        # The service checks before it changes anything, so on an error the form is as it was.
        if error is None:
            await db.commit()
        context = _builder_context(form, {"fields": str(error)} if error else {})
        if request.htmx:
            return Template("forms/_fields.html", context=context, status_code=422 if error else 200)
        if error:
            return Template("forms/edit.html", context=context, status_code=422)
        return Redirect(f"/app/forms/{form.id}")

    @post("/{form_id:uuid}/fields")
    async def add_field(self, request: HTMXRequest, db: AsyncSession, form_id: UUID) -> Any:
        """Add a field at the end."""
        form = await _form_or_404(db, form_id)
        data = await request.form()
        error = None
        try:
            services.add_field(
                form,
                kind=str(data.get("type", "")),
                label_nl=str(data.get("label_nl", "")),
                label_en=str(data.get("label_en", "")),
                required=data.get("required") == "on",
                maps_to=str(data.get("maps_to", "")),
                source=str(data.get("source", "")),
            )
        except services.FormInvalid as invalid:
            error = invalid
        return await self._after_field_change(request, db, form, error)

    @post("/{form_id:uuid}/fields/{name:str}/remove")
    async def remove_field(self, request: HTMXRequest, db: AsyncSession, form_id: UUID, name: str) -> Any:
        """Take a field off the form (answers already given are kept)."""
        form = await _form_or_404(db, form_id)
        error = None
        try:
            services.remove_field(form, name)
        except services.FormInvalid as invalid:
            error = invalid
        return await self._after_field_change(request, db, form, error)

    @post("/{form_id:uuid}/fields/{name:str}/move")
    async def move_field(self, request: HTMXRequest, db: AsyncSession, form_id: UUID, name: str) -> Any:
        """Move a field one place up or down."""
        form = await _form_or_404(db, form_id)
        data = await request.form()
        error = None
        try:
            services.move_field(form, name, -1 if data.get("direction") == "up" else 1)
        except services.FormInvalid as invalid:
            error = invalid
        return await self._after_field_change(request, db, form, error)
