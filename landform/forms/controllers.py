"""Forms over HTTP: the intake (`POST /f/{key}`), the hosted form, the embed, and the dashboard builder."""

from __future__ import annotations

import hashlib
import logging
from base64 import b64encode
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, Router, get, post
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.exceptions import (
    ClientException,
    HTTPException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_415_UNSUPPORTED_MEDIA_TYPE
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from landform import hooks
from landform.accounts.guards import BUILDERS, provide_tenant_db, requires_role
from landform.accounts.models import Tenant, User
from landform.analytics import track
from landform.billing import quotas
from landform.consent import minors as consent_minors
from landform.consent import services as consent
from landform.core.db import scope_to_tenant
from landform.core.http import (
    TenantHosts,
    client_ip,
    custom_host,
    script_response,
    site_prefix,
    wants_json,
)
from landform.core.i18n import get_language, pick
from landform.core.i18n import gettext as _
from landform.core.metrics import SUBMISSIONS
from landform.core.ratelimit import FailOpenRateLimit
from landform.core.settings import Settings
from landform.crm_sink.models import Submission
from landform.forms import live, progressive, services
from landform.forms.fields import FIELD_TYPES, HIDDEN_SOURCES, TEXT_TARGETS, WITH_OPTIONS, SubmissionInvalid
from landform.forms.models import Form, FormVersion, SpamSubmission

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
EMBED_JS = Path(__file__).parent.parent / "static" / "embed.js"


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
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as error:
            # msgspec reports invalid UTF-8 inside a string and nesting deeper than the interpreter's
            # recursion limit with Python's own errors, not DecodeError: both are the sender's fault.
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
    if content_type in {"application/x-www-form-urlencoded", "text/plain", ""}:
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


def _own_origins(request: Request[Any, Any, Any]) -> set[str]:
    base = urlsplit(request.app.state.settings.server.base_url)
    return {f"{request.url.scheme}://{request.url.netloc}", f"{base.scheme}://{base.netloc}"}


def _tenant_host_origin(request: Request[Any, Any, Any], form: Form, origin: str) -> bool:
    """Whether `origin` is one of the form's tenant's verified custom hosts (its pages live there)."""
    hosts: TenantHosts | None = request.app.state.get("site_hosts")
    parts = urlsplit(origin)
    secure = request.app.state.settings.server.secure_cookies
    if hosts is None or parts.scheme not in (("https",) if secure else ("https", "http")):
        return False
    return parts.port is None and parts.hostname in hosts.hosts_of(form.tenant_id)


def embedding_origin(request: Request[Any, Any, Any], form: Form) -> str | None:
    """The other website this request comes from, if any; 403 unless the form allows that website.

    The tenant's own verified hosts count as allowed: its hosted pages and embeds live there.
    """
    origin = request.headers.get("origin")
    if not origin or origin == "null" or origin in _own_origins(request):
        return None
    if origin not in form.allowed_origins and not _tenant_host_origin(request, form, origin):
        raise PermissionDeniedException(
            detail=_("This form does not accept submissions from %(origin)s.", origin=origin[:200])
        )
    return origin


def cors_headers(origin: str | None) -> dict[str, str]:
    if origin is None:
        return {}
    return {"access-control-allow-origin": origin, "vary": "Origin"}


async def _live_form(
    request: Request[Any, Any, Any], db: AsyncSession, form_key: str
) -> tuple[Form, FormVersion, Tenant]:
    """The form, its published version and its tenant: from the process's memory, else in one query.

    The rows are shared with other requests (see `live.py`): read them, never change them. On a
    tenant's custom host only that tenant's forms exist: go.bakkerij.nl never serves another's.
    """
    key = form_key[:32]
    found = live.get(key)
    if found is None:
        found = await _load_live_form(db, key)
        for row in found:
            db.expunge(row)
        live.keep(key, found)
    here = custom_host(request)
    if here is not None and here.tenant_id != found[0].tenant_id:
        raise NotFoundException(detail=_("There is no form with this key."))
    scope_to_tenant(db, found[0].tenant_id)
    return found


_LIVE_VERSION = aliased(FormVersion)  # one alias for every lookup, so the compiled query is reused


async def _load_live_form(db: AsyncSession, form_key: str) -> tuple[Form, FormVersion, Tenant]:
    form_version = _LIVE_VERSION
    row = (
        await db.execute(
            select(Form, form_version, Tenant)
            .join(Tenant, Tenant.id == Form.tenant_id)
            .outerjoin(
                form_version,
                (form_version.form_id == Form.id) & (form_version.number == Form.published_version),
            )
            .where(Form.key == form_key)
            .execution_options(all_tenants=True)
        )
    ).first()
    if row is None:
        raise NotFoundException(detail=_("There is no form with this key."))
    form, version, tenant = row
    if version is None:
        raise NotFoundException(detail=_("This form is not published yet."))
    return form, version, tenant


def compact_script(source: str) -> bytes:
    """The script as served: without comment lines and indentation (the source stays readable)."""
    lines = (line.strip() for line in source.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//")).encode()


@cache
def embed_script() -> tuple[bytes, str]:
    """The embed script and its Subresource Integrity hash (read once per process)."""
    body = compact_script(EMBED_JS.read_text()) if EMBED_JS.exists() else b""
    return body, "sha384-" + b64encode(hashlib.sha384(body).digest()).decode()


class IntakeController(Controller):
    """Where visitors' submissions arrive: from hosted pages, the embed script, or any HTTP client."""

    include_in_schema = False

    @get("/f/{form_key:str}")
    async def hosted_form(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, form_key: str
    ) -> Template:
        """The form on a page of its own (the link for visitors without JavaScript)."""
        form, version, tenant = await _live_form(request, db_session, form_key)
        track.form_viewed(request, tenant.id, form.id)
        tracking = {k: v[:500] for k, v in request.query_params.items() if k.startswith("utm_")}
        tracking["referrer"] = request.headers.get("referer", "")[:500]
        return Template(
            "forms/hosted_form.html",
            context={
                "tenant": tenant,
                "title": form.name,
                "form": services.form_view(form.key, version, language=get_language(), tracking=tracking),
                "branding": await quotas.shows_branding(db_session),
            },
        )

    @get("/f/{form_key:str}/embed", cache=False)
    async def embed_definition(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, form_key: str
    ) -> Response[Any]:
        """The form as JSON for the embed script, readable only by the websites the form allows."""
        form, version, tenant = await _live_form(request, db_session, form_key)
        origin = embedding_origin(request, form)
        track.form_viewed(request, tenant.id, form.id)
        language = get_language()
        view = services.form_view(form.key, version, language=language)
        if form.requires_age_check:
            view["fields"].append(consent_minors.parent_email_field("", "", language, up_front=True))
        # Served from the tenant's custom host, the form posts there too (first-party for ad blockers).
        here = custom_host(request)
        base = here.origin if here else request.app.state.settings.server.base_url
        body = {
            **{k: view[k] for k in ("key", "fields", "submit_label", "token", "token_field", "honeypot")},
            "action": f"{base}{view['action']}",
            "hosted_url": f"{base}/f/{form.key}",
            "language": language,
            "title": form.name,
            "messages": {
                "invalid": _("Some answers need another look. They are marked below."),
                "network": _("Your details could not be sent. Check your connection and try again."),
                "sending": _("Sending…"),
                "too_many": _("Too many attempts. Please wait a minute and try again."),
                "optional": _("optional"),
                "fallback": _("Open the form"),
            },
        }
        if await quotas.shows_branding(db_session):
            body["badge"] = {"text": _("Made with Landform"), "url": f"{base}/"}
        return Response(body, headers={**cors_headers(origin), "cache-control": "no-store"})

    @post(
        "/f/{form_key:str}", exclude_from_csrf=True, request_max_body_size=MAX_BODY, media_type=MediaType.HTML
    )
    async def submit(self, request: Request[Any, Any, Any], form_key: str) -> Response[Any]:
        """Accept a submission: 2xx once stored with its routing job, 422 with an error per field.

        A session of its own instead of the injected one: most submissions never use it (the form is in
        the process's memory, the lead is written in one statement on a connection of its own), and the
        injected session's provision and its commit at send time were some 8% of the intake's CPU.
        """
        async with request.app.state.db_sessions() as db_session:
            return await self._accept(request, db_session, form_key)

    async def _accept(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, form_key: str
    ) -> Response[Any]:
        as_json = wants_json(request)
        form, version, tenant = await _live_form(request, db_session, form_key)
        origin = embedding_origin(request, form)
        language = get_language()
        # Read now: a rollback (a replayed token) expires the loaded rows.
        accepted = self._accepted(version, tenant, as_json, origin)
        raw: dict[str, Any] = {}
        token_nonce: str | None = None
        context = services.SubmissionContext(
            source="embed" if origin else "form",
            language=language,
            extra={"embed_host": origin} if origin else {},
            ip=client_ip(request, request.app.state.settings.server.trusted_proxies),
            user_agent=request.headers.get("user-agent", "")[:500],
        )
        visit = progressive.Visit()
        try:
            raw = await read_answers(request)
            token = services.check_bot_signals(form, raw)
            token_nonce, visit = token.nonce, token.visit
            if token.page_id and not origin:
                context.source, context.page_id = "page", token.page_id
                if visit.visitor_id:  # analytics consent: their journey shows on the contact's page
                    context.extra["visitor_id"] = visit.visitor_id
            submission = await services.accept_submission(
                db_session,
                form,
                version,
                version.number,
                raw,
                context,
                tenant.country,
                nonce=token.nonce,
                skip=visit.skip or frozenset(),
                commit=True,
            )
        except services.Spam as spam:
            log.info("intake: kept a submission to form %s as spam (%s)", form.id, spam.reason)
            SUBMISSIONS.labels("spam").inc()
            services.keep_spam(db_session, form, version.number, raw, spam.reason, context)
            await db_session.commit()
            return accepted
        except IntegrityError:
            # The token's nonce is unique: this exact filled-in form was stored already. Any other
            # integrity error is a bug and must surface, not pass for a duplicate.
            await db_session.rollback()
            if token_nonce is None or not await services.nonce_used(db_session, token_nonce):
                raise
            return accepted
        except SubmissionInvalid as invalid:
            # Nothing was added to the session; the 422 rolls the transaction back.
            SUBMISSIONS.labels("invalid").inc()
            if context.page_id and not as_json:
                page = await self._invalid_on_page(
                    request,
                    db_session,
                    context.page_id,
                    form,
                    version,
                    raw,
                    invalid.errors,
                    language,
                    visit,
                )
                if page is not None:
                    return page
            return self._invalid(form, version, tenant, as_json, raw, invalid.errors, language, origin, visit)
        if visit.functional and context.page_id and not origin:
            # Remember which fields they answered (not the answers), for the tenant's pages only.
            known = visit.known | progressive.answered(submission.contact_fields)
            accepted.set_cookie(
                progressive.cookie_name(tenant.id),
                progressive.known_cookie_value(tenant.id, known),
                max_age=progressive.MAX_AGE,
                path=site_prefix(request, tenant.slug) + "/",
                secure=request.app.state.settings.server.secure_cookies,
                httponly=True,
                samesite="lax",
            )
        log.debug("intake: accepted submission %s to form %s", submission.id, form.id)
        SUBMISSIONS.labels("accepted").inc()
        utm = track.submission_utm(version.fields, submission.data, request.headers.get("referer", ""))
        track.submitted(request, tenant.id, form.id, context.page_id, utm)
        if submission.context.get("parent_asked"):
            held = _(
                "Thank you! We have e-mailed your parent or guardian. Once they agree, you are signed up."
            )
            return self._accepted(version, tenant, as_json, origin, held)
        return accepted

    def _accepted(
        self, version: FormVersion, tenant: Tenant, as_json: bool, origin: str | None, held: str = ""
    ) -> Response[Any]:
        message = held or pick(version.thank_you) or _("Thank you! We have received your details.")
        if as_json:
            return Response(
                {
                    "status": "accepted",
                    "message": message,
                    "redirect_url": None if held else version.redirect_url,
                },
                status_code=201,
                headers=cors_headers(origin),
                media_type=MediaType.JSON,
            )
        if version.redirect_url and not held:
            return Redirect(version.redirect_url, status_code=303)
        return Template("forms/thank_you.html", context={"message": message, "tenant": tenant})

    def _invalid(
        self,
        form: Form,
        version: FormVersion,
        tenant: Tenant,
        as_json: bool,
        raw: dict[str, Any],
        errors: dict[str, str],
        language: str,
        origin: str | None,
        visit: progressive.Visit,
    ) -> Response[Any]:
        if as_json:
            return Response(
                {"status": "invalid", "errors": errors},
                status_code=422,
                headers=cors_headers(origin),
                media_type=MediaType.JSON,
            )
        values = {k: v for k, v in raw.items() if isinstance(v, str)}
        return Template(
            "forms/hosted_form.html",
            status_code=422,
            context={
                "tenant": tenant,
                "title": form.name,
                "form": services.form_view(
                    form.key, version, language=language, values=values, errors=errors, visit=visit
                ),
            },
        )

    async def _invalid_on_page(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        page_id: UUID,
        form: Form,
        version: FormVersion,
        raw: dict[str, Any],
        errors: dict[str, str],
        language: str,
        visit: progressive.Visit,
    ) -> Response[Any] | None:
        """The landing page again, with the errors in its form, so the visitor stays where they were."""
        values = {k: v for k, v in raw.items() if isinstance(v, str)}
        view = services.form_view(
            form.key, version, language=language, values=values, errors=errors, page_id=page_id, visit=visit
        )
        # `forms` may not import `site`: the landing page comes through a hook (not a dependency, which
        # Litestar would resolve on every submission for a page only an invalid one shows).
        return await hooks.page_renderer.get()(request, db, page_id, view)


@get("/embed.js", include_in_schema=False, cache=False)
async def serve_embed_script(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The embed script: cached for a day, revalidated by ETag, loadable with Subresource Integrity."""
    return script_response(request, *embed_script())


def intake_router(settings: Settings) -> Router:
    """The public form routes with their rate limits (per visitor address and per form)."""
    proxies = settings.server.trusted_proxies

    async def is_submission(request: Request[Any, Any, Any]) -> bool:
        # Async on purpose: Litestar runs a plain function on a worker thread, a hop on every request.
        return request.method == "POST"

    per_ip = RateLimitConfig(
        rate_limit=("minute", settings.security.intake_limit_per_ip),
        store="rate_limit_ip",
        identifier_for_request=lambda request: "ip:" + client_ip(request, proxies),
        check_throttle_handler=is_submission,
        middleware_class=FailOpenRateLimit,
    )
    per_form = RateLimitConfig(
        rate_limit=("minute", settings.security.intake_limit_per_form),
        store="rate_limit_form",
        identifier_for_request=lambda request: "form:" + str(request.path_params.get("form_key", ""))[:32],
        check_throttle_handler=is_submission,
        middleware_class=FailOpenRateLimit,
    )
    return Router(
        path="/",
        route_handlers=[IntakeController, serve_embed_script],
        middleware=[DefineMiddleware(FailOpenRateLimit, config=per_ip, also=(per_form,))],
    )


async def _form_or_404(db: AsyncSession, form_id: UUID) -> Form:
    form = (await db.execute(select(Form).where(Form.id == form_id))).scalar_one_or_none()
    if form is None:
        raise NotFoundException()
    return form


def _builder_context(
    request: Request[Any, Any, Any], form: Form, errors: dict[str, str] | None = None, **extra: Any
) -> dict[str, Any]:
    _body, integrity = embed_script()
    base = request.app.state.settings.server.base_url
    snippet = (
        f'<script src="{base}/embed.js" data-landform-form="{form.key}" integrity="{integrity}" '
        f'crossorigin="anonymous" async></script>\n'
        f'<noscript><a href="{base}/f/{form.key}">{form.name}</a></noscript>'
    )
    return {
        "form": form,
        "errors": errors or {},
        "field_types": FIELD_TYPES,
        "text_targets": TEXT_TARGETS,
        "hidden_sources": HIDDEN_SOURCES,
        "with_options": WITH_OPTIONS,
        "snippet": snippet,
        "purposes": [],
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

    @get("/{form_id:uuid}")
    async def edit(self, request: Request[User, Any, Any], db: AsyncSession, form_id: UUID) -> Template:
        """The builder."""
        form = await _form_or_404(db, form_id)
        return Template(
            "forms/edit.html", context=_builder_context(request, form, purposes=await consent.purposes(db))
        )

    @get("/{form_id:uuid}/preview")
    async def preview(self, request: Request[User, Any, Any], db: AsyncSession, form_id: UUID) -> Template:
        """The draft as a visitor would see it, before publishing."""
        form = await _form_or_404(db, form_id)
        view = services.form_view(form.key, form, language=get_language())
        return Template(
            "forms/hosted_form.html",
            context={"tenant": request.user.tenant, "title": form.name, "form": view, "preview": True},
        )

    @post("/{form_id:uuid}/publish")
    async def publish(self, request: Request[User, Any, Any], db: AsyncSession, form_id: UUID) -> Redirect:
        """Make the draft the version visitors see."""
        form = await _form_or_404(db, form_id)
        try:
            version = services.publish(db, form, request.user.id)
        except services.FormInvalid as error:
            flash(request, str(error), category="error")
            return Redirect(f"/app/forms/{form.id}")
        await db.commit()
        flash(request, _("Version %(n)d is live.", n=version.number), category="success")
        return Redirect(f"/app/forms/{form.id}")

    @post("/{form_id:uuid}/settings", media_type=MediaType.HTML)
    async def save_settings(self, request: Request[User, Any, Any], db: AsyncSession, form_id: UUID) -> Any:
        """Name, button text, thank-you message or address, allowed websites, disposable addresses."""
        form = await _form_or_404(db, form_id)
        data = {k: str(v) for k, v in (await request.form()).items()}
        try:
            services.update_settings(form, data)
        except services.FormInvalid as error:
            # The service checks before it changes anything; the 422 rolls the transaction back.
            return Template(
                "forms/edit.html",
                status_code=422,
                context=_builder_context(
                    request,
                    form,
                    {"settings": str(error)},
                    submitted=data,
                    purposes=await consent.purposes(db),
                ),
            )
        services.mark_changed(form)
        await db.commit()
        flash(request, _("Saved. Publish to show the changes to visitors."), category="success")
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
        context = _builder_context(
            request,
            form,
            {"fields": str(error)} if error else {},
            submitted=submitted or {},
            purposes=await consent.purposes(db),
        )
        if request.htmx:
            return Template("forms/_fields.html", context=context, status_code=422 if error else 200)
        if error:
            return Template("forms/edit.html", context=context, status_code=422)
        return Redirect(f"/app/forms/{form.id}")

    @post("/{form_id:uuid}/fields", media_type=MediaType.HTML)
    async def add_field(self, request: HTMXRequest, db: AsyncSession, form_id: UUID) -> Any:
        """Add a field at the end."""
        form = await _form_or_404(db, form_id)
        data = {k: str(v) for k, v in (await request.form()).items()}
        purpose = await consent.purpose_choice(db, data["purpose_id"]) if data.get("purpose_id") else None
        error = None
        try:
            services.add_field(form, data, purpose)
        except services.FormInvalid as invalid:
            error = invalid
        return await self._after_field_change(request, db, form, error, data if error else None)

    @post("/{form_id:uuid}/fields/{name:str}", media_type=MediaType.HTML)
    async def edit_field(self, request: HTMXRequest, db: AsyncSession, form_id: UUID, name: str) -> Any:
        """Change a field's labels, help, placeholder, options and settings."""
        form = await _form_or_404(db, form_id)
        data = {k: str(v) for k, v in (await request.form()).items()}
        purpose = await consent.purpose_choice(db, data["purpose_id"]) if data.get("purpose_id") else None
        error = None
        try:
            services.update_field(form, name, data, purpose)
        except services.FormInvalid as invalid:
            error = invalid
        return await self._after_field_change(request, db, form, error)

    @post("/{form_id:uuid}/fields/{name:str}/remove", media_type=MediaType.HTML)
    async def remove_field(self, request: HTMXRequest, db: AsyncSession, form_id: UUID, name: str) -> Any:
        """Take a field off the form (answers already given are kept)."""
        form = await _form_or_404(db, form_id)
        error = None
        try:
            services.remove_field(form, name)
        except services.FormInvalid as invalid:
            error = invalid
        return await self._after_field_change(request, db, form, error)

    @post("/{form_id:uuid}/fields/{name:str}/move", media_type=MediaType.HTML)
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

    @get("/{form_id:uuid}/spam")
    async def spam(self, db: AsyncSession, form_id: UUID) -> Template:
        """Suspected spam of the last 30 days, to release what a person sent."""
        form = await _form_or_404(db, form_id)
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
        form = await _form_or_404(db, form_id)
        item = (
            await db.execute(
                select(SpamSubmission).where(SpamSubmission.id == spam_id, SpamSubmission.form_id == form.id)
            )
        ).scalar_one_or_none()
        if item is None:
            raise NotFoundException()
        try:
            await services.release_spam(db, form, item, request.user.tenant.country)
        except services.FormInvalid as error:
            flash(request, str(error), category="error")
            return Redirect(f"/app/forms/{form.id}/spam")
        await db.commit()
        flash(request, _("Released: it is on its way into the CRM."), category="success")
        return Redirect(f"/app/forms/{form.id}/spam")
