"""What the owner's e-mail and the team channel say of a lead: who, which form and page, the answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy.orm import Session

from landform.accounts.models import Tenant
from landform.core.jobs.models import PermanentJobError
from landform.core.settings import get_settings
from landform.crm_sink.answers import shown_answers
from landform.crm_sink.models import Contact, Submission


@dataclass
class LeadSummary:
    """One routed lead, as people are told of it."""

    tenant_name: str
    name: str
    email: str
    phone: str
    company: str
    form_name: str
    source: str  # page, form, embed, api, released
    where: str  # the page's address or the website the form is embedded on; may be empty
    answers: list[tuple[str, Any]]
    contact_url: str
    owner_id: UUID | None
    do_not_contact: bool


def summarize(session: Session, submission_id: UUID) -> LeadSummary:
    """The lead of a routed submission; PermanentJobError when it or its contact is gone (erased)."""
    submission = session.get(Submission, submission_id)
    if submission is None or submission.contact_id is None:
        raise PermanentJobError(f"submission {submission_id} is gone or not routed")
    contact = session.get(Contact, submission.contact_id)
    if contact is None:
        raise PermanentJobError(f"the contact of submission {submission_id} is gone")
    tenant = session.get_one(Tenant, submission.tenant_id)
    context = submission.context or {}
    data = submission.data or {}
    known = {contact.email, contact.phone} - {""}
    return LeadSummary(
        tenant_name=tenant.name,
        name=f"{contact.first_name} {contact.last_name}".strip(),
        email=contact.email,
        phone=contact.phone,
        company=contact.company_name,
        form_name=str(context.get("form_name", "")),
        source=str(context.get("source", "")),
        # The page without its query string (UTM data and the like are the form's bookkeeping).
        where=str(data.get("page_url") or context.get("embed_host") or "").split("?", 1)[0],
        # The address and phone number are listed on their own, as links.
        answers=[(label, value) for label, value in shown_answers(data, context) if value not in known],
        contact_url=f"{get_settings().server.base_url}/app/contacts/{contact.id}",
        owner_id=contact.owner_id,
        do_not_contact=contact.do_not_contact,
    )
