"""Reading a submission as a lead: its answers as CRM values (the form's mapping, else its field types),
normalized, with the company it names and the country it is from. Nothing is written here."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from landform.accounts.models import Tenant
from landform.crm_sink import normalize
from landform.crm_sink.assignment.models import FieldMapping
from landform.crm_sink.fields import LEAD_FIELDS

ALL_TENANTS = {"all_tenants": True}


class NotRoutable(Exception):
    """This submission can never be routed (gone, or without a usable e-mail address)."""


@dataclass
class LeadSettings:
    """What reading a tenant's leads needs of its settings, read once per batch."""

    region: str
    # form id -> CRM target -> (form field name or "", overwrite)
    mappings: dict[UUID, dict[str, tuple[str, bool]]]


@dataclass
class Lead:
    """One submission, read and normalized, before it touches the CRM."""

    submission: Row[Any]
    email: str
    key: str
    contact: dict[str, tuple[Any, bool]] = field(default_factory=dict)
    company: dict[str, tuple[Any, bool]] = field(default_factory=dict)
    domains: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    country: str = ""
    company_id: UUID | None = None
    company_size: int | None = None

    @property
    def company_name(self) -> str:
        value = self.contact.get("company_name")
        return str(value[0]) if value else ""


def load_lead_settings(session: Session, tenant_id: UUID) -> LeadSettings:
    """One tenant's region and field mappings, in Core statements: the router's session has no tenant
    scope of its own, and the database's row-level security is set to this tenant already
    (`leads.writing.route_submissions`)."""
    connection = session.connection()
    country = connection.execute(select(Tenant.country).where(Tenant.id == tenant_id)).scalar()
    mappings: dict[UUID, dict[str, tuple[str, bool]]] = defaultdict(dict)
    mapping_table = FieldMapping.__table__
    for mapping in connection.execute(select(mapping_table).where(mapping_table.c.tenant_id == tenant_id)):
        mappings[mapping.form_id][mapping.target] = (mapping.field_name, mapping.overwrite)
    return LeadSettings(region=country or "NL", mappings=dict(mappings))


def read_lead(submission: Row[Any], config: LeadSettings) -> Lead:
    """The submission's answers as CRM values: the form's mapping first, else its field types decide."""
    fields = submission.contact_fields or {}
    try:
        email = normalize.normalized_email(fields.get("email", ""))
    except normalize.Invalid as invalid:
        raise NotRoutable(f"submission {submission.id} has no usable e-mail address") from invalid
    lead = Lead(submission=submission, email=email, key=normalize.email_key(email))
    values: dict[str, tuple[Any, bool]] = {}
    for name, raw in fields.items():
        target = LEAD_FIELDS.get(name)
        if target:
            values[target] = (raw, True)
    for target, (field_name, overwrite) in config.mappings.get(submission.form_id or UUID(int=0), {}).items():
        values.pop(target, None)
        answer = submission.data.get(field_name) if field_name else None
        if answer is not None:
            values[target] = (answer, overwrite)
    for target, (raw, overwrite) in values.items():
        try:
            value = normalize.value_for(target, raw, config.region)
        except normalize.Invalid:
            continue
        kind, _dot, name = target.partition(".")
        (lead.contact if kind == "contact" else lead.company)[name] = (value, overwrite)
    website = lead.company.get("website")
    if website:
        lead.domains.append(normalize.domain_of_url(str(website[0])))
    lead.domains.append(normalize.domain_of_email(email))
    lead.domains = [d for d in dict.fromkeys(lead.domains) if d and not normalize.is_free_mail(d)]
    context = submission.context or {}
    lead.tags = [str(tag)[:64] for tag in context.get("tags", []) if str(tag).strip()]
    size = lead.company.get("size")
    lead.company_size = int(size[0]) if size else None
    country = lead.company.get("country")
    vat_number = lead.company.get("vat_number")
    phone = lead.contact.get("phone")
    if country:
        lead.country = str(country[0])
    elif vat_number:
        lead.country = str(vat_number[0])[:2].replace("EL", "GR")
    elif phone and str(phone[0]).startswith("+"):
        lead.country = normalize.phone_region(str(phone[0]))
    return lead


def apply_values(target: Any, values: dict[str, tuple[Any, bool]], newest: bool) -> None:
    """Fill a contact's or company's fields: an overwriting mapping lets the newest value win,
    the others only fill what is blank."""
    for name, (value, overwrite) in values.items():
        current = getattr(target, name)
        if (current in ("", None) or (overwrite and newest)) and current != value:
            setattr(target, name, value)
