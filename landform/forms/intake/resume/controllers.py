"""Finish later over HTTP: the step that asks for the e-mail address and the tick, and the resume link.

Both work without JavaScript: the form's "Finish later" button posts the answers so far to
`/f/{key}/later` (its `formaction`), which shows the small step; the link in the e-mail opens the form,
or the landing page it was on, with the answers and the step restored.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from landform import hooks
from landform.accounts.models import Tenant
from landform.consent import services as consent
from landform.core.http import client_ip
from landform.core.i18n import get_language
from landform.core.i18n import gettext as _
from landform.core.mail_limits import mail_limiter
from landform.forms import logic
from landform.forms.intake import spam
from landform.forms.intake.body import MAX_BODY, read_answers
from landform.forms.intake.live import live_form
from landform.forms.intake.resume import services
from landform.forms.intake.steps_carry import STEP_FIELD, read_carried
from landform.forms.intake.view import form_view
from landform.forms.models import Form

STATE_FIELD = "_later"


class ResumeController(Controller):
    """Saving a form's answers to finish later (only with the visitor's tick) and coming back to them."""

    include_in_schema = False

    @post(
        "/f/{form_key:str}/later",
        exclude_from_csrf=True,
        request_max_body_size=MAX_BODY,
        media_type=MediaType.HTML,
    )
    async def later(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, form_key: str
    ) -> Response[Any]:
        """From the form: the step. From the step: keep the answers and e-mail the link, or say why not."""
        form, version, tenant = await live_form(request, db_session, form_key)
        if not form.allow_resume:
            raise NotFoundException(detail=_("This form cannot be saved to finish later."))
        raw = await read_answers(request)
        state = raw.get(STATE_FIELD)
        if not isinstance(state, str):
            names = {f["name"] for f in logic.answer_fields(version.fields)}
            answers = {
                k: v for k, v in (read_carried(raw) | raw).items() if k in names and isinstance(v, str) and v
            }
            facts = spam.token_facts(form, raw)
            step = raw.get(STEP_FIELD)
            unfinished = services.Unfinished(
                answers, step if isinstance(step, str) else "", facts.page_id if facts else None
            )
            resume = raw.get(services.RESUME_FIELD)
            return self._step(form, tenant, services.sign_unfinished(unfinished), resume=resume)
        try:
            unfinished = services.read_unfinished(state)
        except services.LinkInvalid:
            return self._gone(tenant, form)
        try:
            address = services.check_step(raw)
        except services.LaterInvalid as invalid:
            return self._step(
                form,
                tenant,
                state,
                errors=invalid.errors,
                email=str(raw.get(services.EMAIL_FIELD, ""))[:320],
                resume=raw.get(services.RESUME_FIELD),
            )
        message = _(
            "We have e-mailed a link to %(email)s. It opens the form with your answers for %(days)d days.",
            email=address,
            days=services.KEEP_DAYS,
        )
        sent = Template("forms/thank_you.html", context={"message": message, "tenant": tenant})
        # No flooding a mailbox through this form: a repeat within minutes keeps and sends nothing (the
        # first e-mail's link still works); the visitor's answer is the same either way.
        if not await mail_limiter(request).allows(address, f"finish-later:{tenant.id}"):
            return sent
        settings = request.app.state.settings
        how = consent.ConsentHow(
            method="page" if unfinished.page_id else "form",
            form_id=form.id,
            form_version=version.number,
            page_id=unfinished.page_id,
            ip_hash=consent.ip_hash(client_ip(request, settings.server.trusted_proxies)),
            user_agent_family=consent.browser_family(request.headers.get("user-agent", "")),
        )
        # Only adds rows (no I/O): the sync_session serves without run_sync.
        services.save(
            db_session.sync_session,
            form_id=form.id,
            form_key=form.key,
            tenant_id=tenant.id,
            tenant_name=tenant.name,
            form_name=form.name,
            unfinished=unfinished,
            address=address,
            language=get_language(),
            how=how,
        )
        await db_session.commit()
        # Saved again from a resumed form: the new link replaces the old one.
        await services.forget(db_session, tenant.id, raw.get(services.RESUME_FIELD))
        return sent

    @get("/f/{form_key:str}/resume", cache=False)
    async def resume(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, form_key: str, token: str = ""
    ) -> Response[Any]:
        """The link from the e-mail: the form (or its landing page) with the answers and step restored."""
        form, version, tenant = await live_form(request, db_session, form_key)
        try:
            tenant_id, saved_id = services.read_link(token)
            if tenant_id != tenant.id:
                raise services.LinkInvalid("another organisation's link")
            saved = await services.load(db_session, tenant_id, saved_id)
            if saved.form_id != form.id:
                raise services.LinkInvalid("another form's link")
        except services.LinkInvalid:
            return self._gone(tenant, form)
        view = form_view(
            form.key,
            version,
            language=get_language(),
            values=dict(saved.answers),
            page_id=saved.page_id,
            age_check=form.requires_age_check,
            step=saved.step or None,
            later=form.allow_resume,
            resume=token,
        )
        if saved.page_id is not None:
            page = await hooks.page_renderer.get()(request, db_session, saved.page_id, view)
            if page is not None:
                page.status_code = 200
                return page
        return Template(
            "forms/hosted_form.html",
            headers={"cache-control": "no-store"},
            context={"tenant": tenant, "title": form.name, "form": view},
        )

    def _step(
        self,
        form: Form,
        tenant: Tenant,
        state: str,
        *,
        errors: dict[str, str] | None = None,
        email: str = "",
        resume: Any = None,
    ) -> Template:
        return Template(
            "forms/finish_later.html",
            status_code=422 if errors else 200,
            headers={"cache-control": "no-store"},
            context={
                "tenant": tenant,
                "title": form.name,
                "key": form.key,
                "state": state,
                "state_field": STATE_FIELD,
                "email_field": services.EMAIL_FIELD,
                "keep_field": services.KEEP_FIELD,
                "resume_field": services.RESUME_FIELD,
                "resume": resume if isinstance(resume, str) else "",
                "consent_text": services.consent_text(),
                "days": services.KEEP_DAYS,
                "errors": errors or {},
                "email": email,
            },
        )

    def _gone(self, tenant: Tenant, form: Form) -> Template:
        return Template(
            "forms/resume_invalid.html",
            status_code=410,
            headers={"cache-control": "no-store"},
            context={
                "tenant": tenant,
                "title": form.name,
                "form_url": f"/f/{form.key}",
                "days": services.KEEP_DAYS,
            },
        )
