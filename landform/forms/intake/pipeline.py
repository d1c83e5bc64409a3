"""Accepting a submission: validate the answers, record consent, store the lead with its routing job."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.models import Tenant
from landform.billing import quotas
from landform.consent import double_opt_in
from landform.consent import minors as consent_minors
from landform.consent import services as consent
from landform.consent.visitor_copy import CONFIRM_KEY
from landform.core.i18n import gettext as _
from landform.core.i18n import pick
from landform.core.mail_limits import MailLimiter
from landform.crm_sink import routing_job
from landform.crm_sink.models import Submission
from landform.forms.fields import (
    HIDDEN_SOURCES,
    WITH_OPTIONS,
    SubmissionInvalid,
    clean_answers,
    consent_proof,
)
from landform.forms.logic import shown_fields
from landform.forms.models import Form, FormVersion


class Duplicate(Exception):
    """The same filled-in form arrived again (a double click, a replayed request): it is one lead."""


class FormSpec(Protocol):
    """What a visitor sees of a form: the draft (`Form`) in a preview, a `FormVersion` when live."""

    fields: list[dict[str, Any]]
    submit_label: dict[str, str]
    thank_you: dict[str, str]
    redirect_url: str | None


@dataclass
class SubmissionContext:
    """Where a submission came from (stored with it, shown on the contact's timeline)."""

    source: str  # page, form, embed, api or released
    language: str
    page_id: UUID | None = None
    extra: dict[str, str] = field(default_factory=dict)
    # For the consent ledger, which keeps only a keyed hash of the address and the browser family.
    ip: str = ""
    user_agent: str = ""


async def live_version(db: AsyncSession, form: Form) -> FormVersion | None:
    if form.published_version is None:
        return None
    return (
        await db.execute(
            select(FormVersion).where(
                FormVersion.form_id == form.id, FormVersion.number == form.published_version
            )
        )
    ).scalar_one_or_none()


async def nonce_used(db: AsyncSession, nonce: str) -> bool:
    """Whether a submission with this form token was stored already (a double click, a replay)."""
    found = await db.execute(select(Submission.id).where(Submission.token_nonce == nonce))
    return found.first() is not None


async def find_form(db: AsyncSession, key: str) -> Form | None:
    """A form by its public key, from any tenant (the caller then scopes to the form's tenant)."""
    if not key or len(key) > 32:
        return None
    return (
        await db.execute(select(Form).where(Form.key == key).execution_options(all_tenants=True))
    ).scalar_one_or_none()


async def accept_submission(
    db: AsyncSession,
    form: Form,
    version: FormSpec,
    version_number: int | None,
    raw: dict[str, Any],
    context: SubmissionContext,
    country: str,
    nonce: str | None = None,
    skip: frozenset[str] = frozenset(),
    commit: bool = False,
    mail_limiter: MailLimiter | None = None,
) -> Submission:
    """Validate answers and store the submission with its routing job, in the caller's transaction.

    `mail_limiter`: the double opt-in e-mail goes to an address once per 10 minutes (a person who sends
    the form twice confirms with the first link) and 10 times a day, whoever submits it.

    `skip`: fields the visitor was not shown (a progressive form), so not asked for. `commit`: the
    caller writes nothing else with it, so it is committed before this returns; a lead that is routed
    at once (the usual case) is then stored in one statement (`routing_job.store_with_routing`).
    """
    # Only what the visitor was shown is validated and stored: the form's rules decide, not the request.
    asked = [f for f in shown_fields(version.fields, raw) if f["name"] not in skip]
    values, contact_fields = clean_answers(asked, raw, country, block_disposable=form.block_disposable_email)
    if "email" not in contact_fields:
        raise SubmissionInvalid({"_form": _("This form cannot be sent: it has no e-mail field.")})
    try:
        parent_email = consent_minors.parent_needed(form.requires_age_check, asked, values, raw)
    except consent_minors.ParentEmailNeeded as needed:
        raise SubmissionInvalid({consent_minors.PARENT_EMAIL_FIELD: str(needed)}) from needed
    tracked = {
        name: value
        for name, value in values.items()
        if name in HIDDEN_SOURCES and isinstance(value, str) and value
    }
    details: dict[str, Any] = {
        "source": context.source,
        "language": context.language,
        "form_name": form.name,
        "labels": {f["name"]: pick(f.get("label"), context.language) for f in asked if f["type"] != "hidden"},
        **tracked,
        **context.extra,
    }
    # The option the visitor chose, in the words they saw (the answer stores the option's key).
    choices = {
        f["name"]: pick(option.get("label"), context.language)
        for f in asked
        if f["type"] in WITH_OPTIONS
        for option in f.get("options", [])
        if str(option.get("value")) == values.get(f["name"])
    }
    if choices:
        details["choices"] = choices
    if form.crm_tags:
        details["tags"] = list(form.crm_tags)
    if form.confirmation_email:
        details[CONFIRM_KEY] = True
    consents = consent_proof(asked, values, context.language)
    if consents:
        details["consents"] = consents
    if parent_email:
        details["parent_asked"] = True
    submission_id = uuid7()
    how = consent.ConsentHow(
        method=context.source,
        form_id=form.id,
        form_version=version_number,
        page_id=context.page_id,
        embed_host=context.extra.get("embed_host", ""),
        ip_hash=consent.ip_hash(context.ip),
        user_agent_family=consent.browser_family(context.user_agent),
    )
    ticked = consent.ticked_consents(asked, values, context.language)
    # Purposes with double opt-in: recorded once the person confirms by e-mail (a parent's yes confirms).
    waiting = await double_opt_in.needing_confirmation(db, ticked) if ticked and not parent_email else []
    if waiting:
        details[double_opt_in.PENDING_KEY] = double_opt_in.pending(waiting, how)
    submission = Submission(
        id=submission_id,
        tenant_id=form.tenant_id,
        form_id=form.id,
        form_version=version_number,
        page_id=context.page_id,
        data=values,
        contact_fields=contact_fields,
        context=details,
        token_nonce=nonce,
    )
    # Under 16: stored, but not routed until a parent consents (no contact, nothing in the CRM). Over the
    # plan's leads this month: stored all the same, routed once there is room again.
    held = bool(parent_email) or await quotas.must_hold(db, submission)
    waiting_fields = {item["field"] for item in waiting}
    given = [t for t in ticked if t["field"] not in waiting_fields]
    # A minor's ticked boxes wait with the lead in its hold, recorded once a parent agrees.
    records = [] if parent_email else consent.ticked_records(submission, given, how)
    if commit and not held and not waiting:
        # The intake's hot path: the lead, its consent records and its routing job in one statement.
        await routing_job.store_with_routing(db, submission, records)
        return submission
    db.add(submission)
    if not held:
        # On the intake's path: enqueueing only adds the job row and notes it in the session's `info`
        # (the same dict on the AsyncSession and its sync_session), so no run_sync is needed.
        routing_job.enqueue_routing(db.sync_session, submission.id, submission.tenant_id)
    await db.flush()  # before the rows that refer to it (a hold has no relationship to order it by)
    if parent_email:
        tenant = await db.get_one(Tenant, form.tenant_id)
        # Only adds rows (the hold, its e-mail and job): no I/O, so the sync_session serves without run_sync.
        consent_minors.hold_for_parent(
            db.sync_session,
            submission,
            parent_email,
            ticked,
            how,
            tenant_name=tenant.name,
            form_name=form.name,
        )
        quotas.hold(db, submission, quotas.WAITING_FOR_PARENT)
    else:
        if held:
            quotas.hold(db, submission)
        db.add_all(records)
        if waiting and (
            mail_limiter is None
            or await mail_limiter.allows(contact_fields["email"], f"double-opt-in:{form.tenant_id}")
        ):
            tenant = await db.get_one(Tenant, form.tenant_id)
            # Only adds rows (the e-mail and its job): no I/O, so the sync_session serves without run_sync.
            double_opt_in.ask(
                db.sync_session,
                submission,
                to=contact_fields["email"],
                language=context.language,
                tenant_name=tenant.name,
                purpose_names=[item["purpose_name"] for item in waiting],
            )
    if commit:
        await db.commit()
    return submission
