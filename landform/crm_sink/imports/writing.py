"""Writing an import's rows into the CRM a chunk at a time: a few statements per chunk, no ORM object per row.

Per chunk, in one transaction that also moves the import's counters (so a retried job carries on where
the last committed chunk ended): the contacts the chunk names are read; with "skip" a known address is
left alone; companies are matched by KvK, VAT and domain under routing's locks and the missing ones
created; new contacts are inserted (`ON CONFLICT DO NOTHING`: a lead routed meanwhile wins), known ones
updated with the values the file gives; every imported contact gets an "imported" activity saying from
where and on which lawful basis; refused rows are kept with the reason for the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from landform.crm_sink import bulk
from landform.crm_sink.fields import COMPANY_FIELDS
from landform.crm_sink.imports.models import ContactImport, ImportRefusal
from landform.crm_sink.imports.rows import ImportRow
from landform.crm_sink.leads.companies import lock_company_keys
from landform.crm_sink.models import Activity, Company, Contact

_CONTACTS = Contact.__table__
_COMPANIES = Company.__table__
# The contact columns an import can fill (besides the address): the text ones, the web ones.
_CONTACT_COLUMNS = (
    "first_name",
    "last_name",
    "phone",
    "company_name",
    "job_title",
    "gender",
    "language",
    "linkedin",
    "facebook",
    "twitter",
    "description",
)
_COMPANY_TEXT = tuple(name for name in COMPANY_FIELDS if name != "size")


@dataclass
class Chunk:
    """A chunk's rows that passed, and those refused with why."""

    lines: int = 0  # lines of the file it covers, blank ones too
    rows: list[ImportRow] = field(default_factory=list)
    refused: list[tuple[int, list[str], str, str]] = field(default_factory=list)  # number, values, key, why


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    skipped: int = 0


def _companies(
    session: Session, tenant_id: UUID, rows: list[ImportRow], update_known: bool, now: datetime
) -> None:
    """Each row's company: by KvK, then VAT, then domain; created when none matches and it has a name."""
    wanted = [row for row in rows if row.company or row.domains]
    if not wanted:
        return
    lock_company_keys(
        session,
        tenant_id,
        {key: "name" in row.company for row in wanted for key in row.company_keys},
    )
    keys = {key for row in wanted for key in row.company_keys}
    by_key: dict[tuple[str, str], dict[str, Any]] = {}
    conditions = [
        _COMPANIES.c[kind].in_({value for k, value in keys if k == kind})
        for kind in ("kvk_number", "vat_number", "domain")
        if any(k == kind for k, _value in keys)
    ]
    if conditions:
        found = session.connection().execute(
            select(_COMPANIES)
            .where(_COMPANIES.c.tenant_id == tenant_id, or_(*conditions))
            .order_by(_COMPANIES.c.created_at)
        )
        for match in found.mappings():
            known = dict(match)
            for kind in ("kvk_number", "vat_number", "domain"):
                if known[kind]:
                    by_key.setdefault((kind, known[kind]), known)
    new: dict[UUID, dict[str, Any]] = {}
    changed: dict[UUID, dict[str, Any]] = {}
    by_name: dict[str, dict[str, Any]] = {}
    for row in wanted:
        company = next((by_key[key] for key in row.company_keys if key in by_key), None)
        if company is None and "name" in row.company:
            company = by_name.get(str(row.company["name"]).casefold())
        if company is None:
            if "name" not in row.company:
                continue
            company = {
                "id": uuid7(),
                "tenant_id": tenant_id,
                **dict.fromkeys(_COMPANY_TEXT, ""),
                "size": None,
                "domain": row.domains[0] if row.domains else "",
                "created_at": now,
                "updated_at": now,
            }
            new[company["id"]] = company
        fresh = company["id"] in new
        if fresh or update_known:
            for name, value in row.company.items():
                if fresh and company[name] not in ("", None):
                    continue  # the first row naming a new company fills it
                if company[name] != value:
                    company[name] = value
                    if not fresh:
                        changed[company["id"]] = company
        for key in row.company_keys:
            by_key.setdefault(key, company)
        by_name.setdefault(str(company["name"]).casefold(), company)
        row.contact["company_id"] = company["id"]
    bulk.insert_json(session, _COMPANIES, list(new.values()), conflict=["id"])
    columns = ("id", *_COMPANY_TEXT, "size")
    bulk.update_json(
        session,
        _COMPANIES,
        [{name: c[name] for name in columns} | {"updated_at": now} for c in changed.values()],
    )


def write_chunk(session: Session, job: ContactImport, chunk: Chunk, now: datetime) -> Counts:
    """Write one chunk and move the import's counters, in the caller's transaction."""
    tenant_id = job.tenant_id
    counts = Counts()
    columns = [
        _CONTACTS.c.id,
        _CONTACTS.c.email_key,
        _CONTACTS.c.company_id,
        *(_CONTACTS.c[n] for n in _CONTACT_COLUMNS),
    ]
    keys = sorted({row.key for row in chunk.rows})
    known = {
        contact["email_key"]: dict(contact)
        for contact in session.connection()
        .execute(select(*columns).where(_CONTACTS.c.tenant_id == tenant_id, _CONTACTS.c.email_key.in_(keys)))
        .mappings()
    }
    update_known = job.on_duplicate == "update"
    rows = chunk.rows if update_known else [row for row in chunk.rows if row.key not in known]
    counts.skipped = len(chunk.rows) - len(rows)
    _companies(session, tenant_id, rows, update_known, now)
    created = {row.key: uuid7() for row in rows if row.key not in known}
    blank = dict.fromkeys(_CONTACT_COLUMNS, "")
    bulk.insert_json(
        session,
        _CONTACTS,
        [
            {
                "id": created[row.key],
                "tenant_id": tenant_id,
                "email": row.email,
                "email_key": row.key,
                **blank,
                **{n: v for n, v in row.contact.items() if n != "company_id"},
                "company_id": row.contact.get("company_id"),
                "source": "import",
                "do_not_contact": False,
                "last_activity_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for row in rows
            if row.key in created
        ],
        conflict=["tenant_id", "email_key"],
    )
    if created:
        # A lead routed between the read and the insert made the contact first: it counts as known.
        ours = set(
            session.connection()
            .execute(
                select(_CONTACTS.c.id).where(
                    _CONTACTS.c.tenant_id == tenant_id, _CONTACTS.c.id.in_(list(created.values()))
                )
            )
            .scalars()
        )
        for key, contact_id in list(created.items()):
            if contact_id not in ours:
                del created[key]
                counts.skipped += 1
    changed: list[dict[str, Any]] = []
    activities: list[dict[str, Any]] = []
    for row in rows:
        if row.key in created:
            contact_id = created[row.key]
            counts.created += 1
        elif row.key in known:
            contact = known[row.key]
            contact_id = contact["id"]
            for name, value in row.contact.items():
                contact[name] = value
            changed.append(
                {
                    "id": contact_id,
                    **{n: contact[n] for n in ("company_id", *_CONTACT_COLUMNS)},
                    "updated_at": now,
                }
            )
            counts.updated += 1
        else:
            continue
        details = {
            "import_id": str(job.id),
            "source_name": job.source_name,
            "lawful_basis": job.lawful_basis,
            "row": row.number,
            "updated": row.key not in created,
        }
        activities.append(
            {
                "id": uuid7(),
                "tenant_id": tenant_id,
                "contact_id": contact_id,
                "kind": "imported",
                "submission_id": None,
                "occurred_at": now,
                "details": details,
                "created_at": now,
                "updated_at": now,
            }
        )
    bulk.update_json(session, _CONTACTS, changed)
    bulk.insert_json(session, Activity.__table__, activities, conflict=["id"])
    bulk.insert_json(
        session,
        ImportRefusal.__table__,
        [
            {
                "id": uuid7(),
                "tenant_id": tenant_id,
                "import_id": job.id,
                "row_number": number,
                "values": values,
                "email_key": key,
                "reason": why[:300],
                "created_at": now,
                "updated_at": now,
            }
            for number, values, key, why in chunk.refused
        ],
        conflict=["id"],
    )
    session.execute(
        update(ContactImport)
        .where(ContactImport.id == job.id)
        .values(
            processed_rows=ContactImport.processed_rows + chunk.lines,
            created_count=ContactImport.created_count + counts.created,
            updated_count=ContactImport.updated_count + counts.updated,
            skipped_count=ContactImport.skipped_count + counts.skipped,
            refused_count=ContactImport.refused_count + len(chunk.refused),
            updated_at=now,
        )
    )
    return counts
