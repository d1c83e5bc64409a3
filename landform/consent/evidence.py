"""Proof of consent on demand: an evidence bundle per contact, and a report per purpose for a regulator.

The bundle holds every ledger record about one person with the full text of each version they saw,
and a SHA-256 over its records so a copy handed to a supervisory authority can be checked later. The
purpose report counts given and withdrawn consents per text version and channel, and exports every
record of that purpose as CSV, naming people only by contact id (the regulator asks for a person
when a complaint names one; then the bundle answers).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from litestar import Controller, Response, get
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.response import Stream, Template
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.guards import BUILDERS, provide_tenant_db, requires_role
from landform.consent import services
from landform.consent.models import ConsentRecord, ConsentText, Purpose
from landform.core.csvfile import csv_chunks
from landform.core.db import utcnow
from landform.crm_sink.models import Contact
from landform.webhooks import notices

RECORD_COLUMNS = (
    "record_id",
    "contact_id",
    "occurred_at",
    "given",
    "purpose_id",
    "text_version",
    "language",
    "method",
    "confirmed_by",
    "form_id",
    "form_version",
    "page_id",
    "embed_host",
    "ip_hash",
    "user_agent_family",
)


def _record_row(record: ConsentRecord, versions: dict[UUID, int]) -> dict[str, Any]:
    return {
        "record_id": str(record.id),
        "contact_id": str(record.contact_id) if record.contact_id else "",
        "occurred_at": record.occurred_at.isoformat(),
        "given": record.given,
        "purpose_id": str(record.purpose_id) if record.purpose_id else "",
        "text_version": versions.get(record.text_id) if record.text_id else None,
        "language": record.language,
        "method": record.method,
        "confirmed_by": record.confirmed_by,
        "form_id": str(record.form_id) if record.form_id else "",
        "form_version": record.form_version,
        "page_id": str(record.page_id) if record.page_id else "",
        "embed_host": record.embed_host,
        "ip_hash": record.ip_hash,
        "user_agent_family": record.user_agent_family,
    }


async def bundle(db: AsyncSession, contact: Contact, tenant_name: str) -> dict[str, Any]:
    """Everything that proves what this person consented to, and withdrew, and when and how."""
    records = list(
        (
            await db.execute(
                select(ConsentRecord)
                .where(ConsentRecord.contact_id == contact.id)
                .order_by(ConsentRecord.occurred_at, ConsentRecord.id)
            )
        ).scalars()
    )
    text_ids = {r.text_id for r in records if r.text_id}
    texts = (
        list((await db.execute(select(ConsentText).where(ConsentText.id.in_(text_ids)))).scalars())
        if text_ids
        else []
    )
    purpose_ids = {r.purpose_id for r in records if r.purpose_id}
    purposes = (
        {p.id: p for p in (await db.execute(select(Purpose).where(Purpose.id.in_(purpose_ids)))).scalars()}
        if purpose_ids
        else {}
    )
    versions = {t.id: t.version for t in texts}
    entries = [
        {**_record_row(r, versions), "text_shown": r.text_shown, "evidence": r.evidence} for r in records
    ]
    digest = hashlib.sha256(
        json.dumps(entries, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()
    return {
        "kind": "landform.consent-evidence/1",
        "generated_at": utcnow().isoformat(),
        "controller": tenant_name,
        "data_subject": {
            "contact_id": str(contact.id),
            "email": contact.email,
            "name": contact.full_name,
            "do_not_contact": contact.do_not_contact,
        },
        "purposes": [
            {"purpose_id": str(p.id), "name": p.name}
            for p in sorted(purposes.values(), key=lambda p: str(p.id))
        ],
        "texts": [
            {"text_id": str(t.id), "purpose_id": str(t.purpose_id), "version": t.version, "text": t.text}
            for t in sorted(texts, key=lambda t: (str(t.purpose_id), t.version))
        ],
        "records": entries,
        "records_sha256": digest,
        # Which of the tenant's systems were told of a withdrawal, do-not-contact or erasure, and confirmed.
        "downstream_notices": [
            n.as_dict() for n in await db.run_sync(lambda s: notices.notices(s, contact_id=contact.id))
        ],
        "notes": (
            "Records are append-only: a withdrawal is a new record, never an edit. ip_hash is an HMAC of "
            "the visitor's IP address under the platform's secret key: it shows two records came from the "
            "same address without keeping the address. confirmed_by 'parent' means a parent or guardian "
            "confirmed a minor's consent through a signed e-mail link. downstream_notices lists the "
            "webhook endpoints told of a withdrawal, do-not-contact or erasure, when each was delivered, "
            "and when the receiver confirmed it with a signed acknowledgement."
        ),
    }


@dataclass
class PurposeReport:
    purpose: Purpose
    versions: list[ConsentText]
    given: Counter[int | None] = field(default_factory=Counter)
    withdrawn: Counter[int | None] = field(default_factory=Counter)
    by_method: Counter[str] = field(default_factory=Counter)
    current: int = 0  # contacts whose latest word on this purpose is yes
    total: int = 0


def _purpose_records(purpose_id: UUID) -> Any:
    # A withdrawal of every purpose at once (purpose_id NULL) counts for this purpose too.
    return (
        select(ConsentRecord)
        .where(or_(ConsentRecord.purpose_id == purpose_id, ConsentRecord.purpose_id.is_(None)))
        .where(or_(ConsentRecord.purpose_id.is_not(None), ConsentRecord.contact_id.is_not(None)))
        .order_by(ConsentRecord.occurred_at, ConsentRecord.id)
    )


async def purpose_report(db: AsyncSession, purpose: Purpose, versions: list[ConsentText]) -> PurposeReport:
    version_of = {t.id: t.version for t in versions}
    report = PurposeReport(purpose=purpose, versions=versions)
    latest: dict[UUID, bool] = {}
    result = await db.stream_scalars(_purpose_records(purpose.id).execution_options(yield_per=1000))
    async for record in result:
        if record.purpose_id is None and (record.evidence or {}).get("cookie_category"):
            continue  # a cookie choice, not about this purpose
        report.total += 1
        version = version_of.get(record.text_id) if record.text_id else None
        (report.given if record.given else report.withdrawn)[version] += 1
        report.by_method[record.method] += 1
        if record.contact_id is not None:
            latest[record.contact_id] = record.given
    report.current = sum(latest.values())
    return report


class EvidenceController(Controller):
    """Downloads that prove consent: per contact and per purpose."""

    path = "/app/consent"
    include_in_schema = False
    guards = [requires_role(*BUILDERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/evidence/{contact_id:uuid}")
    async def contact_evidence(self, request: Any, db: AsyncSession, contact_id: UUID) -> Response[bytes]:
        """The evidence bundle of one contact, as a JSON file."""
        contact = (await db.execute(select(Contact).where(Contact.id == contact_id))).scalar_one_or_none()
        if contact is None:
            raise NotFoundException()
        data = await bundle(db, contact, request.user.tenant.name)
        return Response(
            json.dumps(data, indent=2, ensure_ascii=False, default=str).encode(),
            media_type="application/json",
            headers={
                "content-disposition": f'attachment; filename="consent-evidence-{contact.id}.json"',
                "cache-control": "no-store",
            },
        )

    @get("/purposes/{purpose_id:uuid}/report")
    async def report(self, db: AsyncSession, purpose_id: UUID) -> Template:
        """Given and withdrawn consents per text version and channel, for a supervisory authority."""
        found = await services.purpose_with_versions(db, purpose_id)
        if found is None:
            raise NotFoundException()
        purpose, versions = found
        return Template(
            "consent/report.html",
            context={"report": await purpose_report(db, purpose, versions), "generated_at": utcnow()},
        )

    @get("/purposes/{purpose_id:uuid}/report.csv")
    async def report_csv(self, db: AsyncSession, purpose_id: UUID) -> Stream:
        """Every ledger record of the purpose, one line each, people named by contact id only."""
        found = await services.purpose_with_versions(db, purpose_id)
        if found is None:
            raise NotFoundException()
        purpose, versions = found
        version_of = {t.id: t.version for t in versions}
        rows = [
            _record_row(record, version_of)
            for record in (await db.execute(_purpose_records(purpose.id))).scalars()
            if not (record.purpose_id is None and (record.evidence or {}).get("cookie_category"))
        ]
        return Stream(
            csv_chunks(RECORD_COLUMNS, rows),
            media_type="text/csv; charset=utf-8",
            headers={
                "content-disposition": f'attachment; filename="consent-report-{purpose.id}.csv"',
                "cache-control": "no-store",
            },
        )
