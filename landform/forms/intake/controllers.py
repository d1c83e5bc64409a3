"""The intake over HTTP: the hosted form, the form for the embed script, and `POST /f/{key}`."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, Router, get, post
from litestar.enums import MediaType
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_415_UNSUPPORTED_MEDIA_TYPE
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from landform import hooks
from landform.accounts.models import Tenant
from landform.analytics import track
from landform.billing import quotas
from landform.consent import minors as consent_minors
from landform.core.http import client_ip, custom_host, site_prefix, wants_json
from landform.core.i18n import get_language, pick
from landform.core.i18n import gettext as _
from landform.core.mail_limits import mail_limiter
from landform.core.metrics import SUBMISSIONS
from landform.core.ratelimit import FailOpenRateLimit
from landform.core.settings import Settings
from landform.forms import embed_refusals, progressive
from landform.forms.embed import extension_routes, serve_embed_script
from landform.forms.fields import SubmissionInvalid
from landform.forms.guard import proof
from landform.forms.intake import pipeline, screen, spam, stepping
from landform.forms.intake.body import MAX_BODY, read_answers
from landform.forms.intake.live import live_form
from landform.forms.intake.origins import OriginRefused, cors_headers, embedding_origin
from landform.forms.intake.resume import services as resume_services
from landform.forms.intake.resume.controllers import ResumeController
from landform.forms.intake.view import embed_extensions, form_view, url_params
from landform.forms.models import Form, FormVersion
from landform.forms.uploads import rules as uploads_rules
from landform.forms.uploads import services as uploads
from landform.forms.uploads.intake import receive_files

log = logging.getLogger(__name__)


class IntakeController(Controller):
    """Where visitors' submissions arrive: from hosted pages, the embed script, or any HTTP client."""

    include_in_schema = False

    @get("/f/{form_key:str}")
    async def hosted_form(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, form_key: str
    ) -> Template:
        """The form on a page of its own (the link for visitors without JavaScript)."""
        form, version, tenant = await live_form(request, db_session, form_key)
        track.form_viewed(request, tenant.id, form.id)
        tracking = {k: v[:500] for k, v in request.query_params.items() if k.startswith("utm_")}
        tracking["referrer"] = request.headers.get("referer", "")[:500]
        tracking |= url_params(version.fields, request.query_params)
        return Template(
            "forms/hosted_form.html",
            context={
                "tenant": tenant,
                "title": form.name,
                "form": form_view(
                    form.key,
                    version,
                    language=get_language(),
                    tracking=tracking,
                    age_check=form.requires_age_check,
                    challenge=proof.new_challenge(form.key) if form.proof_of_work_always else None,
                    later=form.allow_resume,
                ),
                "branding": await quotas.shows_branding(db_session),
            },
        )

    @get("/f/{form_key:str}/embed", cache=False)
    async def embed_definition(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, form_key: str
    ) -> Response[Any]:
        """The form as JSON for the embed script, readable only by the websites the form allows."""
        form, version, tenant = await live_form(request, db_session, form_key)
        language = get_language()
        try:
            origin = embedding_origin(request, form)
        except OriginRefused as refused:
            # Readable by the refused website, so its console can say which setting to change; it
            # carries no part of the form. The dashboard offers to allow the website.
            await embed_refusals.record(db_session, form, refused.origin)
            base = request.app.state.settings.server.base_url
            return Response(
                {
                    "refused": embed_refusals.console_message(refused.origin),
                    "hosted_url": f"{base}/f/{form.key}",
                },
                status_code=403,
                headers={**cors_headers(refused.origin), "cache-control": "no-store"},
            )
        track.form_viewed(request, tenant.id, form.id)
        view = form_view(
            form.key, version, language=language, age_check=form.requires_age_check, all_steps=True
        )
        if form.requires_age_check and not any(
            f["name"] == consent_minors.PARENT_EMAIL_FIELD for f in view["fields"]
        ):
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
            # The brand, as CSS the script adopts in its shadow root (values from closed sets only).
            "css": await hooks.embed_style.get()(db_session),
            "messages": {
                "invalid": _("Some answers need another look. They are marked below."),
                "network": _("Your details could not be sent. Check your connection and try again."),
                "sending": _("Sending…"),
                "too_many": _("Too many attempts. Please wait a minute and try again."),
                "optional": _("optional"),
                "fallback": _("Open the form"),
            },
        }
        body |= embed_extensions(view)
        # Any submission may be asked for a proof of work (too fast, a burst from the network), so the
        # solver (under 1 KB gzipped, cached a day for every form) comes with every form; a form that
        # always asks carries its challenge, solved while the visitor fills it in.
        if view["multipart"]:  # the embed loads embed-files.js: a file picker, a multipart body
            body["ext"] = [*body.get("ext", []), "files"]
        body["ext"] = [*body.get("ext", []), "altcha"]
        if form.proof_of_work_always:
            body["altcha"] = proof.new_challenge(form.key)
        if form.allow_resume:
            body |= resume_services.embed_extension(body.get("ext", []), form.key)
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

    @post(
        "/f/{form_key:str}/files",
        exclude_from_csrf=True,
        request_max_body_size=uploads_rules.MAX_BODY,
        media_type=MediaType.HTML,
    )
    async def submit_with_files(self, request: Request[Any, Any, Any], form_key: str) -> Response[Any]:
        """Accept a submission with files (multipart): the files are checked and stored with it.

        Its own route for its own body limit: every other submission stays capped at 64 KB.
        """
        if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
            raise HTTPException(
                status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                detail=_("Send a form with files as multipart/form-data."),
            )
        async with request.app.state.db_sessions() as db_session:
            return await self._accept(request, db_session, form_key, with_files=True)

    async def _accept(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        form_key: str,
        with_files: bool = False,
    ) -> Response[Any]:
        as_json = wants_json(request)
        form, version, tenant = await live_form(request, db_session, form_key)
        origin = embedding_origin(request, form)
        language = get_language()
        # Read now: a rollback (a replayed token) expires the loaded rows.
        accepted = self._accepted(version, tenant, as_json, origin)
        raw: dict[str, Any] = {}
        resume: Any = None
        token_nonce: str | None = None
        context = pipeline.SubmissionContext(
            source="embed" if origin else "form",
            language=language,
            extra={"embed_host": origin} if origin else {},
            ip=client_ip(request, request.app.state.settings.server.trusted_proxies),
            user_agent=request.headers.get("user-agent", "")[:500],
        )
        visit = progressive.Visit()
        received = uploads.Received()
        try:
            raw = await read_answers(request)
            resume = raw.pop(resume_services.RESUME_FIELD, None)
            move = stepping.take_step(
                version.fields,
                raw,
                tenant.country,
                age_check=form.requires_age_check,
                block_disposable=form.block_disposable_email,
            )
            if not move.final:
                return await self._step(
                    request, db_session, form, version, tenant, raw, move, as_json, origin, resume
                )
            raw = move.answers
            if with_files:  # only with the last step: nothing is kept before it
                received = await receive_files(request, db_session, version.fields, tenant.id)
            raw.update(received.answers)
            token = await screen.screen(form, raw, context.ip, request.app.stores)
            token_nonce, visit = token.nonce, token.visit
            if token.page_id and not origin:
                context.source, context.page_id = "page", token.page_id
                if visit.visitor_id:  # analytics consent: their journey shows on the contact's page
                    context.extra["visitor_id"] = visit.visitor_id
            submission = await pipeline.accept_submission(
                db_session,
                form,
                version,
                version.number,
                raw,
                context,
                tenant.country,
                nonce=token.nonce,
                skip=visit.skip or frozenset(),
                commit=not received.files,
                mail_limiter=mail_limiter(request),
            )
            if received.files:
                received.attach(db_session, submission.id)
                await db_session.commit()
                received.kept = True
        except spam.Spam as suspected:
            log.info("intake: kept a submission to form %s as spam (%s)", form.id, suspected.reason)
            SUBMISSIONS.labels("spam").inc()
            spam.keep_spam(db_session, form, version.number, raw, suspected.reason, context)
            await db_session.commit()
            return accepted
        except proof.ProofNeeded as needed:
            SUBMISSIONS.labels("challenged").inc()
            return self._proof_needed(form, version, tenant, as_json, raw, needed.reason, language, origin)
        except IntegrityError:
            # The token's nonce is unique: this exact filled-in form was stored already. Any other
            # integrity error is a bug and must surface, not pass for a duplicate.
            await db_session.rollback()
            if token_nonce is None or not await pipeline.nonce_used(db_session, token_nonce):
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
                    resume,
                )
                if page is not None:
                    return page
            return self._invalid(
                form, version, tenant, as_json, raw, invalid.errors, language, origin, visit, resume=resume
            )
        finally:
            # Files of a submission not kept (invalid, spam, a replay, an error) are not kept either.
            received.discard()
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
        # Sent through a finish-later link: the saved answers have served their purpose.
        await resume_services.forget(db_session, tenant.id, resume)
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

    def _proof_needed(
        self,
        form: Form,
        version: FormVersion,
        tenant: Tenant,
        as_json: bool,
        raw: dict[str, Any],
        reason: str,
        language: str,
        origin: str | None,
    ) -> Response[Any]:
        """403 with a fresh challenge: the embed solves it and sends again; a hosted form keeps answers."""
        challenge = proof.new_challenge(form.key)
        message = _(
            "One more step: your browser confirms that you are not a bot. This takes a moment and "
            "happens by itself. If nothing happens, turn on JavaScript and press the button again: "
            "your answers are kept."
        )
        if as_json:
            return Response(
                {
                    "status": "challenge",
                    "reason": reason,
                    "message": message,
                    "field": proof.FIELD,
                    "challenge": challenge,
                },
                status_code=403,
                headers=cors_headers(origin),
                media_type=MediaType.JSON,
            )
        return self._invalid(
            form,
            version,
            tenant,
            as_json,
            raw,
            {"_form": message},
            language,
            origin,
            progressive.Visit(),
            challenge=challenge,
            status_code=403,
        )

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
        challenge: dict[str, Any] | None = None,
        status_code: int = 422,
        resume: Any = None,
    ) -> Response[Any]:
        if as_json:
            return Response(
                {"status": "invalid", "errors": errors},
                status_code=422,
                headers=cors_headers(origin),
                media_type=MediaType.JSON,
            )
        values = {k: v for k, v in raw.items() if isinstance(v, str) and k != proof.FIELD}
        if challenge is None and form.proof_of_work_always:
            challenge = proof.new_challenge(form.key)
        view = form_view(
            form.key,
            version,
            language=language,
            values=values,
            errors=errors,
            visit=visit,
            age_check=form.requires_age_check,
            challenge=challenge,
            **_later(form, resume),
        )
        # Sent again by the script once solved: the visitor pressed the button already.
        view["altcha_resubmit"] = status_code == 403
        return Template(
            "forms/hosted_form.html",
            status_code=status_code,
            context={"tenant": tenant, "title": form.name, "form": view},
        )

    async def _step(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        form: Form,
        version: FormVersion,
        tenant: Tenant,
        raw: dict[str, Any],
        move: stepping.Move,
        as_json: bool,
        origin: str | None,
        resume: Any = None,
    ) -> Response[Any]:
        """A step of a form with steps: its errors, or the next step (nothing is stored until the last)."""
        if move.completed is not None:
            track.step_completed(request, tenant.id, form.id, move.completed)
        if as_json:
            return Response(
                {"status": "invalid", "errors": move.errors}
                if move.errors
                else {"status": "step", "step": move.step},
                status_code=422 if move.errors else 200,
                headers=cors_headers(origin),
                media_type=MediaType.JSON,
            )
        facts = spam.token_facts(form, raw)
        page_id = facts.page_id if facts and not origin else None
        values = {k: v for k, v in move.answers.items() if isinstance(v, str)}
        view = form_view(
            form.key,
            version,
            language=get_language(),
            values=values,
            errors=move.errors,
            page_id=page_id,
            visit=facts.visit if facts else None,
            age_check=form.requires_age_check,
            step=move.step,
            **_later(form, resume),
        )
        # One token for the whole form: the time trap and the one-lead-per-token check span every step.
        view["token"] = str(raw.get(spam.TOKEN_FIELD, ""))
        status = 422 if move.errors else 200
        if page_id is not None:
            page = await hooks.page_renderer.get()(request, db, page_id, view)
            if page is not None:
                page.status_code = status
                return page
        return Template(
            "forms/hosted_form.html",
            status_code=status,
            context={"tenant": tenant, "title": form.name, "form": view},
        )

    @post("/f/{form_key:str}/start", exclude_from_csrf=True, request_max_body_size=64, status_code=204)
    async def started(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, form_key: str
    ) -> Response[None]:
        """A visitor began to fill in the form (counted for the drop-off funnel; no visitor is stored)."""
        form, _version, tenant = await live_form(request, db_session, form_key)
        try:
            origin = embedding_origin(request, form)
        except OriginRefused:
            return Response(None, status_code=204)
        track.form_started(request, tenant.id, form.id)
        return Response(None, status_code=204, headers=cors_headers(origin))

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
        resume: Any = None,
    ) -> Response[Any] | None:
        """The landing page again, with the errors in its form, so the visitor stays where they were."""
        values = {k: v for k, v in raw.items() if isinstance(v, str) and k != proof.FIELD}
        view = form_view(
            form.key,
            version,
            language=language,
            values=values,
            errors=errors,
            page_id=page_id,
            visit=visit,
            age_check=form.requires_age_check,
            challenge=proof.new_challenge(form.key) if form.proof_of_work_always else None,
            **_later(form, resume),
        )
        # `forms` may not import `site`: the landing page comes through a hook (not a dependency, which
        # Litestar would resolve on every submission for a page only an invalid one shows).
        return await hooks.page_renderer.get()(request, db, page_id, view)


def _later(form: Form, resume: Any) -> dict[str, Any]:
    """The finish-later button, and the link the form was resumed with, kept through every step."""
    return {"later": form.allow_resume, "resume": resume if isinstance(resume, str) else ""}


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
        route_handlers=[IntakeController, ResumeController, serve_embed_script, *extension_routes],
        middleware=[DefineMiddleware(FailOpenRateLimit, config=per_ip, also=(per_form,))],
    )
