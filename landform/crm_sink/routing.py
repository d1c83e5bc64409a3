"""Routing submissions into the CRM, many at once: contacts, companies, owners, tags and timeline activities.

One call routes a batch in the caller's transaction with a handful of statements whatever its size
(multi-row upserts), which is what lets one worker keep up with a busy intake. It is idempotent in
the database, so a batch that is routed twice, or cut short by a crash and routed again, has the
effect of once:

- one contact per tenant and e-mail key (`INSERT ... ON CONFLICT DO NOTHING`, then the rows locked);
- one activity per submission (unique `submission_id`), one tag per contact and name;
- a submission already routed is skipped; the owner's round robin turn moves in the same transaction.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import Row, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from landform import hooks
from landform.accounts.models import Tenant
from landform.core.db import rls_all_tenants, rls_tenant, utcnow
from landform.crm_sink import bulk, normalize
from landform.crm_sink.models import Activity, Company, Contact, ContactTag, Submission
from landform.crm_sink.routing_models import (
    Department,
    DepartmentMember,
    FieldMapping,
    RoutingRule,
    RoutingSettings,
)

ALL_TENANTS = {"all_tenants": True}


class NotRoutable(Exception):
    """This submission can never be routed (gone, or without a usable e-mail address)."""


@dataclass
class TenantRouting:
    """What routing needs of one tenant's settings, read once per batch."""

    region: str
    # form id -> CRM target -> (form field name or "", overwrite)
    mappings: dict[UUID, dict[str, tuple[str, bool]]]
    rules: list[Row[Any]]  # the tenant's RoutingRule rows, in order
    # department id -> the members of its best rank that has any, in a stable order
    turns: dict[UUID, list[UUID]]
    fallback_owner_id: UUID | None


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


def _insert(session: Session, model: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def load_tenant_routing(session: Session, tenant_id: UUID) -> TenantRouting:
    """One tenant's routing settings, in Core statements: the router's session has no tenant scope of
    its own, and the database's row-level security is set to this tenant already (route_submissions)."""
    connection = session.connection()
    country = connection.execute(select(Tenant.country).where(Tenant.id == tenant_id)).scalar()
    mappings: dict[UUID, dict[str, tuple[str, bool]]] = defaultdict(dict)
    mapping_table = FieldMapping.__table__
    for mapping in connection.execute(select(mapping_table).where(mapping_table.c.tenant_id == tenant_id)):
        mappings[mapping.form_id][mapping.target] = (mapping.field_name, mapping.overwrite)
    rule_table = RoutingRule.__table__
    rules = list(
        connection.execute(
            select(rule_table)
            .where(rule_table.c.tenant_id == tenant_id)
            .order_by(rule_table.c.position, rule_table.c.created_at)
        )
    )
    turns: dict[UUID, list[UUID]] = {}
    best: dict[UUID, int] = {}
    member_table = DepartmentMember.__table__
    for member in connection.execute(
        select(member_table)
        .where(member_table.c.tenant_id == tenant_id)
        .order_by(member_table.c.rank, member_table.c.created_at, member_table.c.id)
    ):
        rank = best.setdefault(member.department_id, member.rank)
        if member.rank == rank:
            turns.setdefault(member.department_id, []).append(member.user_id)
    settings_table = RoutingSettings.__table__
    fallback = connection.execute(
        select(settings_table.c.fallback_owner_id).where(settings_table.c.tenant_id == tenant_id).limit(1)
    ).scalar()
    return TenantRouting(
        region=country or "NL",
        mappings=dict(mappings),
        rules=rules,
        turns=turns,
        fallback_owner_id=fallback,
    )


def read_lead(submission: Row[Any], config: TenantRouting) -> Lead:
    """The submission's answers as CRM values: the form's mapping first, else its field types decide."""
    fields = submission.contact_fields or {}
    try:
        email = normalize.normalized_email(fields.get("email", ""))
    except normalize.Invalid as invalid:
        raise NotRoutable(f"submission {submission.id} has no usable e-mail address") from invalid
    lead = Lead(submission=submission, email=email, key=normalize.email_key(email))
    values: dict[str, tuple[Any, bool]] = {}
    for name, raw in fields.items():
        target = normalize.DEFAULT_TARGETS.get(name)
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


def _apply(target: Any, values: dict[str, tuple[Any, bool]], newest: bool) -> None:
    """Fill a contact's or company's fields: an overwriting mapping lets the newest value win,
    the others only fill what is blank."""
    for name, (value, overwrite) in values.items():
        current = getattr(target, name)
        if (current in ("", None) or (overwrite and newest)) and current != value:
            setattr(target, name, value)


def _company_keys(lead: Lead) -> list[tuple[str, str]]:
    """What a lead's company is matched by, best first: KvK number, VAT number, web domains."""
    numbers = ("kvk_number", "vat_number")
    keys = [(kind, str(lead.company[kind][0])) for kind in numbers if kind in lead.company]
    return keys + [("domain", domain) for domain in lead.domains]


def _lock_company_keys(session: Session, tenant_id: UUID, leads: list[Lead]) -> None:
    """Serialize matching and creating companies per key (KvK, VAT, domain) and tenant, until commit.

    A lead that names a company may create one: it locks its keys exclusively. A lead that can only
    match locks them shared, so batches that only match run side by side, yet wait for a batch that is
    creating a company under one of their keys and then see it. Each batch takes all its locks in one
    statement in one global order, so two batches never wait on each other in a circle.
    """
    modes: dict[int, bool] = {}
    for lead in leads:
        for kind, value in _company_keys(lead):
            digest = hashlib.blake2b(f"{kind}:{value}".encode(), key=tenant_id.bytes, digest_size=8)
            number = int.from_bytes(digest.digest(), "big", signed=True)
            modes[number] = modes.get(number, False) or bool(lead.company_name)
    numbers = sorted(modes)
    session.connection().execute(
        text(
            "SELECT CASE WHEN w THEN pg_advisory_xact_lock(k) ELSE pg_advisory_xact_lock_shared(k) END"
            " FROM unnest(CAST(:keys AS bigint[]), CAST(:exclusive AS boolean[])) AS u(k, w)"
        ),
        {"keys": numbers, "exclusive": [modes[number] for number in numbers]},
    ).all()


def _match_companies(session: Session, tenant_id: UUID, leads: list[Lead], now: datetime) -> None:
    """Each lead's company: by KvK number, then VAT number, then web domain; created when none matches
    and the lead names one. Two workers never create the same company twice (see _lock_company_keys)."""
    wanted = [
        lead
        for lead in leads
        if lead.company_name or lead.domains or {"kvk_number", "vat_number"} & lead.company.keys()
    ]
    if not wanted:
        return
    if session.get_bind().dialect.name == "postgresql":
        _lock_company_keys(session, tenant_id, wanted)
    kvks = {str(lead.company["kvk_number"][0]) for lead in wanted if "kvk_number" in lead.company}
    vats = {str(lead.company["vat_number"][0]) for lead in wanted if "vat_number" in lead.company}
    domains = {domain for lead in wanted for domain in lead.domains}
    conditions = []
    if kvks:
        conditions.append(Company.kvk_number.in_(kvks))
    if vats:
        conditions.append(Company.vat_number.in_(vats))
    if domains:
        conditions.append(Company.domain.in_(domains))
    by_key: dict[tuple[str, str], Company] = {}

    def remember(company: Company) -> None:
        for kind in ("kvk_number", "vat_number", "domain"):
            value = getattr(company, kind)
            if value:
                by_key.setdefault((kind, value), company)

    if conditions:
        for company in session.scalars(
            select(Company)
            .where(Company.tenant_id == tenant_id, or_(*conditions))
            .order_by(Company.created_at)
            .execution_options(**ALL_TENANTS)
        ):
            remember(company)
    for lead in sorted(wanted, key=lambda lead: lead.submission.created_at):
        found = next((by_key[key] for key in _company_keys(lead) if key in by_key), None)
        if found is not None:
            company = found
        elif lead.company_name:
            company = Company(
                id=uuid7(),
                tenant_id=tenant_id,
                name=lead.company_name,
                domain=lead.domains[0] if lead.domains else "",
                created_at=now,
                updated_at=now,
            )
            session.add(company)
        else:
            continue
        # Leads are taken oldest first: an overwriting value from a later one replaces an earlier one.
        _apply(company, lead.company, newest=True)
        if not company.name and lead.company_name:
            company.name = lead.company_name
        if not company.domain and lead.domains:
            company.domain = lead.domains[0]
        remember(company)
        lead.company_id = company.id
        if lead.company_size is None:
            lead.company_size = company.size
    # New companies exist before the contacts that point at them are written.
    session.flush()


def _rule_matches(rule: Row[Any], lead: Lead) -> bool:
    submission = lead.submission
    if rule.form_id is not None and rule.form_id != submission.form_id:
        return False
    if rule.country and rule.country != lead.country:
        return False
    if rule.min_company_size is not None or rule.max_company_size is not None:
        if lead.company_size is None:
            return False
        if rule.min_company_size is not None and lead.company_size < rule.min_company_size:
            return False
        if rule.max_company_size is not None and lead.company_size > rule.max_company_size:
            return False
    campaign = str((submission.context or {}).get("utm_campaign", "")).strip().casefold()
    return not rule.utm_campaign or rule.utm_campaign.strip().casefold() == campaign


def _assign_owners(session: Session, config: TenantRouting, waiting: list[tuple[Any, Lead]]) -> None:
    """Owners for contacts that have none: the first matching rule's department, in turn among its
    best-ranked members; otherwise the fallback owner."""
    by_department: dict[UUID, list[Any]] = defaultdict(list)
    for contact, lead in waiting:
        rule = next((rule for rule in config.rules if _rule_matches(rule, lead)), None)
        if rule is not None and config.turns.get(rule.department_id):
            by_department[rule.department_id].append(contact)
        else:
            contact.owner_id = config.fallback_owner_id
    for department_id in sorted(by_department):
        contacts = by_department[department_id]
        # The row lock taken by this UPDATE keeps concurrent batches from sharing a turn.
        turn = session.execute(
            update(Department)
            .where(Department.id == department_id)
            .values(turn=Department.turn + len(contacts))
            .returning(Department.turn)
            .execution_options(**ALL_TENANTS)
        ).scalar_one()
        members = config.turns[department_id]
        first = turn - len(contacts)
        for offset, contact in enumerate(contacts):
            contact.owner_id = members[(first + offset) % len(members)]


# The contact columns routing may change; one UPDATE statement for a whole batch sets them all.
_CONTACT_COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "phone",
    "company_name",
    "company_id",
    "job_title",
    "gender",
    "language",
    "linkedin",
    "facebook",
    "twitter",
    "description",
    "owner_id",
    "last_activity_at",
)
_CONTACTS = Contact.__table__
_SUBMISSIONS = Submission.__table__
# Columns a new contact starts with empty (a multi-row insert gives every row every column).
_BLANK_CONTACT = {
    name: ""
    for name in (
        "first_name",
        "last_name",
        "phone",
        "company_name",
        "job_title",
        "gender",
        "linkedin",
        "facebook",
        "twitter",
        "description",
    )
} | {"do_not_contact": False}


class _Row(dict[str, Any]):
    """A contact's columns, changed in place; getattr/setattr so `_apply` serves companies too."""

    def __getattr__(self, name: str) -> Any:
        return self[name]

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value


def _route_tenant(
    session: Session, tenant_id: UUID, config: TenantRouting, leads: list[Lead], now: datetime
) -> list[tuple[UUID, UUID]]:
    _match_companies(session, tenant_id, leads, now)
    leads = sorted(leads, key=lambda lead: lead.submission.created_at)
    first: dict[str, Lead] = {}
    for lead in leads:
        first.setdefault(lead.key, lead)
    keys = sorted(first)
    # Sorted keys: concurrent batches take the new rows' locks in the same order.
    bulk.insert_rows(
        session,
        _CONTACTS,
        [
            {
                "id": uuid7(),
                "tenant_id": tenant_id,
                "email": first[key].email,
                "email_key": key,
                "language": str(first[key].submission.context.get("language", ""))[:8],
                "source": str(first[key].submission.context.get("source", ""))[:16],
                "created_at": now,
                "updated_at": now,
                **_BLANK_CONTACT,
            }
            for key in keys
        ],
        conflict=["tenant_id", "email_key"],
    )
    columns = [_CONTACTS.c.id, _CONTACTS.c.email_key, *(_CONTACTS.c[name] for name in _CONTACT_COLUMNS)]
    contacts = {
        row["email_key"]: _Row(row)
        for row in session.connection()
        .execute(
            select(*columns)
            .where(_CONTACTS.c.tenant_id == tenant_id, _CONTACTS.c.email_key.in_(keys))
            .order_by(_CONTACTS.c.id)
            .with_for_update()
        )
        .mappings()
    }
    needs_owner: dict[UUID, tuple[_Row, Lead]] = {}
    activities: list[dict[str, Any]] = []
    tags: set[tuple[UUID, str]] = set()
    routed: list[tuple[UUID, UUID]] = []
    for lead in leads:
        contact = contacts[lead.key]
        submission = lead.submission
        # The newest submission wins a field; an older one (routed late) only fills blanks.
        newest = contact.last_activity_at is None or contact.last_activity_at <= submission.created_at
        _apply(contact, lead.contact, newest)
        if lead.company_id is not None and (newest or contact.company_id is None):
            contact.company_id = lead.company_id
        if newest:
            contact.email = lead.email
            contact.last_activity_at = submission.created_at
        if contact.owner_id is None:
            needs_owner[contact.id] = (contact, lead)
        activities.append(
            {
                "id": uuid7(),
                "tenant_id": tenant_id,
                "contact_id": contact.id,
                "kind": "form_submission",
                "submission_id": submission.id,
                "occurred_at": submission.created_at,
                "details": {
                    "form_id": str(submission.form_id) if submission.form_id else None,
                    "page_id": str(submission.page_id) if submission.page_id else None,
                    "company_id": str(lead.company_id) if lead.company_id else None,
                    **submission.context,
                },
                "created_at": now,
                "updated_at": now,
            }
        )
        tags.update((contact.id, tag) for tag in lead.tags)
        routed.append((submission.id, contact.id))
    _assign_owners(session, config, list(needs_owner.values()))
    bulk.update_rows(
        session,
        _CONTACTS,
        [
            {"id": contact.id, "updated_at": now, **{name: contact[name] for name in _CONTACT_COLUMNS}}
            for contact in contacts.values()
        ],
    )
    bulk.insert_rows(session, Activity.__table__, activities, conflict=["submission_id"])
    bulk.insert_rows(
        session,
        ContactTag.__table__,
        [
            {
                "id": uuid7(),
                "tenant_id": tenant_id,
                "contact_id": contact_id,
                "tag": tag,
                "created_at": now,
                "updated_at": now,
            }
            for contact_id, tag in sorted(tags)
        ],
        conflict=["contact_id", "tag"],
    )
    bulk.update_rows(
        session,
        _SUBMISSIONS,
        [{"id": sid, "contact_id": cid, "routed_at": now} for sid, cid in routed],
    )
    return routed


_SUBMISSION_COLUMNS = [
    _SUBMISSIONS.c[name]
    for name in (
        "id",
        "tenant_id",
        "form_id",
        "page_id",
        "data",
        "contact_fields",
        "context",
        "created_at",
        "routed_at",
    )
]


def route_submissions(session: Session, submission_ids: Iterable[UUID]) -> dict[UUID, str]:
    """Route these submissions in the caller's transaction; the caller commits.

    Returns the ones that can never be routed, with the reason (they are skipped, not retried).
    Each tenant's share is routed with the database's row-level security set to that tenant.
    """
    ids = list(dict.fromkeys(submission_ids))
    connection = session.connection()
    # A batch spans tenants: only this one read sees them all.
    rls_all_tenants(connection, True)
    found = {
        row.id: row
        for row in connection.execute(select(*_SUBMISSION_COLUMNS).where(_SUBMISSIONS.c.id.in_(ids)))
    }
    if not session.info.get("all_tenants"):
        rls_all_tenants(connection, False)
    failed = {sid: f"submission {sid} no longer exists" for sid in ids if sid not in found}
    by_tenant: dict[UUID, list[Row[Any]]] = defaultdict(list)
    for submission in found.values():
        if submission.routed_at is None:
            by_tenant[submission.tenant_id].append(submission)
    now = utcnow()
    for tenant_id in sorted(by_tenant):
        rls_tenant(connection, tenant_id)
        config = load_tenant_routing(session, tenant_id)
        leads: list[Lead] = []
        for submission in by_tenant[tenant_id]:
            try:
                leads.append(read_lead(submission, config))
            except NotRoutable as error:
                failed[submission.id] = str(error)
        if not leads:
            continue
        routed = _route_tenant(session, tenant_id, config, leads, now)
        session.flush()
        for hook in hooks.after_routing:
            hook(session, tenant_id, routed)
    # Rows changed behind the ORM's back: what this session holds of them is stale.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Submission | Contact):
            session.expire(obj)
    return failed
