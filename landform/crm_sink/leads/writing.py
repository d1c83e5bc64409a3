"""Writing leads into the CRM, many at once: contacts, companies, owners, tags and timeline activities.

One call writes a batch in the caller's transaction with a handful of statements whatever its size
(multi-row upserts), which is what lets one worker keep up with a busy intake. It is idempotent in
the database, so a batch that is routed twice, or cut short by a crash and routed again, has the
effect of once:

- one contact per tenant and e-mail key (`INSERT ... ON CONFLICT DO NOTHING`, then the rows locked);
- one activity per submission (unique `submission_id`), one tag per contact and name;
- a submission already routed is skipped; the owner's round robin turn moves in the same transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import Row, false, select, update
from sqlalchemy.orm import Session

from landform import hooks
from landform.core.db import rls_all_tenants, rls_tenant, utcnow
from landform.core.jobs.models import PermanentJobError
from landform.crm_sink import bulk
from landform.crm_sink.assignment.owners import OwnerRules, assign_owners, load_owner_rules
from landform.crm_sink.fields import CONTACT_FIELDS
from landform.crm_sink.leads.companies import match_companies
from landform.crm_sink.leads.reading import Lead, NotRoutable, apply_values, load_lead_settings, read_lead
from landform.crm_sink.models import Activity, Contact, ContactTag, Submission

# The contact columns routing may change; one UPDATE statement for a whole batch sets them all.
# The owner, and when and from which department they got the lead (speed to lead), are set by assign_owners.
_CONTACT_COLUMNS = (*CONTACT_FIELDS, "last_activity_at", "owner_assigned_at", "department_id")
_CONTACTS = Contact.__table__
_SUBMISSIONS = Submission.__table__
# Columns a new contact starts with empty (a multi-row insert gives every row every column): its text,
# but the address and the language, which the insert sets.
_BLANK_CONTACT: dict[str, Any] = {
    name: ""
    for name, kind in CONTACT_FIELDS.items()
    if kind not in {"email", "company", "user"} and name != "language"
} | {"do_not_contact": False}


class _Row(dict[str, Any]):
    """A contact's columns, changed in place; getattr/setattr so `apply_values` serves companies too."""

    def __getattr__(self, name: str) -> Any:
        return self[name]

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value


def _route_tenant(
    session: Session, tenant_id: UUID, owners: OwnerRules, leads: list[Lead], now: datetime
) -> list[tuple[UUID, UUID]]:
    match_companies(session, tenant_id, leads, now)
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
        apply_values(contact, lead.contact, newest)
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
    assign_owners(session, owners, list(needs_owner.values()))
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
    if connection.dialect.name == "sqlite":
        # pysqlite runs a SELECT outside any transaction, so two workers given the same job (the outbox
        # sends again one that looks lost) would both read it unrouted and route it twice. An UPDATE of
        # no row takes the write lock first: the second waits and then reads the first one's routed_at.
        connection.execute(update(Submission).where(false()).values(routed_at=Submission.routed_at))
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
        settings = load_lead_settings(session, tenant_id)
        leads: list[Lead] = []
        for submission in by_tenant[tenant_id]:
            try:
                leads.append(read_lead(submission, settings))
            except NotRoutable as error:
                failed[submission.id] = str(error)
        if not leads:
            continue
        owners = load_owner_rules(session, tenant_id)
        routed = _route_tenant(session, tenant_id, owners, leads, now)
        session.flush()
        for hook in hooks.after_routing:
            hook(session, tenant_id, routed)
    # Rows changed behind the ORM's back: what this session holds of them is stale.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Submission | Contact):
            session.expire(obj)
    return failed


def route_now(session: Session, submission_id: UUID) -> Contact:
    """Route one submission now, without its job: its contact (created or updated) with an activity on
    its timeline, in the caller's transaction.

    The worker routes many at once (`route_submissions`); this is the same for one. Idempotent: routing
    it again changes nothing.
    """
    failed = route_submissions(session, [submission_id])
    if failed:
        raise PermanentJobError(failed[submission_id])
    submission = session.get_one(Submission, submission_id)
    return session.get_one(Contact, submission.contact_id)
