"""The age check (GDPR art. 8; 16 in the Netherlands): a minor's lead waits for a parent's consent.

Under 16, the form asks for a parent's or guardian's e-mail address. The submission is stored but
held (billing's `HeldLead`, so it does not count against the month's leads while it waits): no routing
job, so no contact and nothing in the CRM or the API. The parent gets a signed link,
valid for 7 days, to a page explaining what is asked, with a consent and a refuse button (POST: mail
scanners that open links decide nothing). Consent routes the lead through the plan's quota like any
other (held if the month's leads are used up) and records the consents,
confirmed by the parent. Refusal or expiry purges the submission and everything about it.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from advanced_alchemy.mixins.uuid import uuid7
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from landform.accounts.models import Tenant
from landform.billing import quotas
from landform.billing.models import HeldLead
from landform.consent.models import ParentalConsent
from landform.consent.services import ConsentHow, LinkInvalid, ticked_records
from landform.core import security
from landform.core.db import scope_to_tenant, sync_session, utcnow
from landform.core.i18n import gettext as _
from landform.core.jobs.models import OutboxJob
from landform.core.mail import EmailMessage, queue_email
from landform.core.settings import Settings
from landform.crm_sink.models import Submission

log = logging.getLogger(__name__)

MINIMUM_AGE = 16
PARENT_EMAIL_FIELD = "parent_email"
HOLD_DAYS = 7
_PURPOSE = "parental-consent"


class ParentEmailNeeded(Exception):
    """A visitor under 16 without a usable parent's address; the message says what to do."""


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def parent_needed(
    requires_age_check: bool, fields: list[dict[str, Any]], values: dict[str, Any], raw: dict[str, Any]
) -> str | None:
    """The parent's address when the visitor is under 16, None when no parent is needed.

    Raises ParentEmailNeeded when a parent is needed and no valid address was given.
    """
    if not requires_age_check:
        return None
    births = [values.get(f["name"]) for f in fields if f["type"] == "date_of_birth"]
    born = next((b for b in births if isinstance(b, str) and b), None)
    declarations = [f["name"] for f in fields if f.get("age_declaration")]
    if born is not None:
        if age_on(date.fromisoformat(born), date.today()) >= MINIMUM_AGE:
            return None
        missing = _(
            "You are younger than %(age)d. Please give the e-mail address of a parent or guardian: "
            "we ask them for permission first.",
            age=MINIMUM_AGE,
        )
    elif declarations and not births:
        # "I am 16 or older": not ticked means a parent is asked, as for a younger date of birth.
        if any(values.get(name) is True for name in declarations):
            return None
        missing = _(
            "Tick the box if you are %(age)d or older. If you are younger, give the e-mail address of a "
            "parent or guardian: we ask them for permission first.",
            age=MINIMUM_AGE,
        )
    else:
        return None  # the form's own validation makes the date of birth required
    given = str(raw.get(PARENT_EMAIL_FIELD) or "").strip()
    if not given:
        raise ParentEmailNeeded(missing)
    try:
        address = validate_email(given[:254], check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ParentEmailNeeded(_("Please enter a valid e-mail address, like name@example.com.")) from error
    own = {str(v).casefold() for k, v in values.items() if isinstance(v, str) and "@" in v}
    if address.casefold() in own:
        raise ParentEmailNeeded(_("Please give the address of your parent or guardian, not your own."))
    return address


def age_declaration_field(taken: set[str]) -> dict[str, Any]:
    """The "I am 16 or older" box a form asks instead of a date of birth, when the tenant prefers it."""
    name = "age_16_or_older"
    while name in taken:
        name += "_"
    return {
        "name": name,
        "type": "checkbox",
        "required": False,
        "age_declaration": True,
        "label": {"nl": f"Ik ben {MINIMUM_AGE} jaar of ouder", "en": f"I am {MINIMUM_AGE} or older"},
    }


def parent_email_field(value: str, error: str, language: str, *, up_front: bool = False) -> dict[str, Any]:
    """The extra field a form shows once it knows a parent is needed (for `form_view`).

    `up_front`: shown from the start, optional, for the embed script, which cannot add a field later.
    """
    return {
        "name": PARENT_EMAIL_FIELD,
        "type": "email",
        "label": _("E-mail address of a parent or guardian"),
        "help": _("Only if you are younger than 16: we ask them for permission first.")
        if up_front
        else _("We ask them for permission before we use your details."),
        "placeholder": "",
        "required": not up_front,
        "value": value,
        "error": error,
        "autocomplete": "off",
        "options": [],
        "source": "",
    }


def hold_for_parent(
    session: Session,
    submission: Submission,
    parent_email: str,
    consents: list[dict[str, Any]],
    how: ConsentHow,
    *,
    tenant_name: str,
    form_name: str,
) -> ParentalConsent:
    """Hold the submission and e-mail the parent a signed link; in the caller's transaction."""
    hold = ParentalConsent(
        id=uuid7(),
        tenant_id=submission.tenant_id,
        submission_id=submission.id,
        parent_email=parent_email,
        status="pending",
        expires_at=utcnow() + timedelta(days=HOLD_DAYS),
        pending_consents=consents,
        how={
            "method": how.method,
            "form_id": str(how.form_id) if how.form_id else None,
            "form_version": how.form_version,
            "page_id": str(how.page_id) if how.page_id else None,
            "embed_host": how.embed_host,
            "ip_hash": how.ip_hash,
            "user_agent_family": how.user_agent_family,
        },
    )
    session.add(hold)
    language = str(submission.context.get("language") or "nl")
    message = queue_email(
        session,
        to=parent_email,
        template="parental_consent",
        language=language,
        tenant_id=submission.tenant_id,
        tenant_name=tenant_name,
        form_name=form_name,
        child_name=submission.contact_fields.get("first_name", ""),
        link=f"/consent/parent?token={security.sign(_PURPOSE, str(hold.id))}&lang={language}",
        days=HOLD_DAYS,
    )
    hold.email_message_id = message.id
    return hold


def read_parent_token(token: str) -> UUID:
    """The hold a parent's link is for; LinkInvalid when forged or older than 7 days."""
    try:
        return UUID(str(security.unsign(_PURPOSE, token, max_age=HOLD_DAYS * 24 * 3600)))
    except (security.TokenInvalid, ValueError, TypeError) as error:
        raise LinkInvalid(str(error)) from error


def pending_hold(session: Session, hold_id: UUID) -> ParentalConsent:
    """A hold still waiting for the parent; LinkInvalid when decided, purged or expired."""
    hold = session.execute(
        select(ParentalConsent).where(ParentalConsent.id == hold_id).execution_options(all_tenants=True)
    ).scalar_one_or_none()
    if hold is None or hold.status != "pending" or hold.expires_at <= utcnow():
        raise LinkInvalid("no pending request for this link")
    # The signed link named the hold; from here on the session works for that hold's tenant only.
    scope_to_tenant(session, hold.tenant_id)
    return hold


def describe(session: Session, hold_id: UUID) -> dict[str, Any]:
    """What the parent's page shows: who asks, for which form, which consents. Not the child's answers:
    the address may not be a parent's, so the page shows no more than the e-mail did."""
    hold = pending_hold(session, hold_id)
    submission = session.get_one(Submission, hold.submission_id)
    tenant = session.get_one(Tenant, hold.tenant_id)
    return {
        "tenant_name": tenant.name,
        "tenant_slug": tenant.slug,
        "form_name": str(submission.context.get("form_name") or ""),
        "child_name": submission.contact_fields.get("first_name", ""),
        "consents": [str(item.get("text", "")) for item in hold.pending_consents],
        "expires_at": hold.expires_at,
        "days": HOLD_DAYS,
    }


def give_consent(session: Session, hold: ParentalConsent, parent_ip_hash: str, parent_browser: str) -> None:
    """The parent agrees: the lead is routed, and the ledger shows the parent confirmed each consent."""
    submission = session.get_one(Submission, hold.submission_id)
    hold.status = "given"
    hold.decided_at = utcnow()
    # Now it is a lead: it counts against the month's allowance, and waits for room if that is used up.
    quotas.route_after_parent(session, submission, hold.decided_at)
    how = dict(hold.how)
    records = ticked_records(
        submission,
        hold.pending_consents,
        ConsentHow(
            method=str(how.get("method") or "form"),
            form_id=UUID(how["form_id"]) if how.get("form_id") else None,
            form_version=how.get("form_version"),
            page_id=UUID(how["page_id"]) if how.get("page_id") else None,
            embed_host=str(how.get("embed_host") or ""),
            ip_hash=str(how.get("ip_hash") or ""),
            user_agent_family=str(how.get("user_agent_family") or ""),
        ),
        confirmed_by="parent",
        evidence={
            "parental_consent_id": str(hold.id),
            "parent_confirmed_at": hold.decided_at.isoformat(),
            "parent_ip_hash": parent_ip_hash,
            "parent_user_agent_family": parent_browser,
        },
    )
    session.add_all(records)


def purge_hold(session: Session, hold: ParentalConsent) -> None:
    """Forget a held submission entirely: the submission, the hold, the e-mail to the parent, their jobs."""
    message_ids = [hold.email_message_id] if hold.email_message_id else []
    session.execute(delete(OutboxJob).where(OutboxJob.subject_id.in_([hold.submission_id, *message_ids])))
    if message_ids:
        session.execute(delete(EmailMessage).where(EmailMessage.id.in_(message_ids)))
    # The expiry purge runs for every tenant, so these statements name the hold's tenant themselves.
    session.execute(
        delete(HeldLead)
        .where(HeldLead.submission_id == hold.submission_id, HeldLead.tenant_id == hold.tenant_id)
        .execution_options(all_tenants=True)
    )
    session.execute(
        delete(Submission)
        .where(Submission.id == hold.submission_id, Submission.tenant_id == hold.tenant_id)
        .execution_options(all_tenants=True)
    )
    session.execute(
        delete(ParentalConsent)
        .where(ParentalConsent.id == hold.id, ParentalConsent.tenant_id == hold.tenant_id)
        .execution_options(all_tenants=True)
    )


def refuse(session: Session, hold: ParentalConsent) -> None:
    """The parent says no: nothing of the child stays."""
    purge_hold(session, hold)


def purge_expired_holds(session: Session) -> int:
    """Purge every hold no parent answered within 7 days (runs for every tenant); how many."""
    expired = session.execute(
        select(ParentalConsent)
        .where(ParentalConsent.status == "pending", ParentalConsent.expires_at <= utcnow())
        .execution_options(all_tenants=True)
    ).scalars()
    count = 0
    for hold in list(expired):
        purge_hold(session, hold)
        count += 1
    return count


def purge_expired_holds_job(settings: Settings) -> int:
    """The periodic job (landform/ops/jobs.py)."""
    with sync_session(settings.database.sync_url) as session:
        count = purge_expired_holds(session)
        session.commit()
    if count:
        log.info("consent: purged %d minors' submissions no parent confirmed", count)
    return count
