"""Matching a lead's company: by KvK number, then VAT number, then web domain; created when none
matches and the lead names one, never twice when workers run side by side."""

from __future__ import annotations

import hashlib
from datetime import datetime
from uuid import UUID

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from landform.crm_sink.leads.reading import ALL_TENANTS, Lead, apply_values
from landform.crm_sink.models import Company


def _company_keys(lead: Lead) -> list[tuple[str, str]]:
    """What a lead's company is matched by, best first: KvK number, VAT number, web domains."""
    numbers = ("kvk_number", "vat_number")
    keys = [(kind, str(lead.company[kind][0])) for kind in numbers if kind in lead.company]
    return keys + [("domain", domain) for domain in lead.domains]


def _lock_company_keys(session: Session, tenant_id: UUID, leads: list[Lead]) -> None:
    """Serialize matching and creating companies per key (KvK, VAT, domain) and tenant, until commit.

    A lead that names a company may create one: it locks its keys exclusively. A lead that can only
    match locks them shared, so batches that only match run side by side, yet wait for a batch that is
    creating a company under one of their keys and then see it.
    """
    modes: dict[tuple[str, str], bool] = {}
    for lead in leads:
        for key in _company_keys(lead):
            modes[key] = modes.get(key, False) or bool(lead.company_name)
    lock_company_keys(session, tenant_id, modes)


def lock_company_keys(session: Session, tenant_id: UUID, modes: dict[tuple[str, str], bool]) -> None:
    """Lock these company keys ((kind, value) -> exclusive) until commit, on PostgreSQL; routing and the
    import take them alike. All in one statement in one global order, so two batches never wait on each
    other in a circle."""
    if session.get_bind().dialect.name != "postgresql" or not modes:
        return
    locks: dict[int, bool] = {}
    for (kind, value), exclusive in modes.items():
        digest = hashlib.blake2b(f"{kind}:{value}".encode(), key=tenant_id.bytes, digest_size=8)
        number = int.from_bytes(digest.digest(), "big", signed=True)
        locks[number] = locks.get(number, False) or exclusive
    numbers = sorted(locks)
    session.connection().execute(
        text(
            "SELECT CASE WHEN w THEN pg_advisory_xact_lock(k) ELSE pg_advisory_xact_lock_shared(k) END"
            " FROM unnest(CAST(:keys AS bigint[]), CAST(:exclusive AS boolean[])) AS u(k, w)"
        ),
        {"keys": numbers, "exclusive": [locks[number] for number in numbers]},
    ).all()


def match_companies(session: Session, tenant_id: UUID, leads: list[Lead], now: datetime) -> None:
    """Each lead's company: by KvK number, then VAT number, then web domain; created when none matches
    and the lead names one. Two workers never create the same company twice (see _lock_company_keys)."""
    wanted = [
        lead
        for lead in leads
        if lead.company_name or lead.domains or {"kvk_number", "vat_number"} & lead.company.keys()
    ]
    if not wanted:
        return
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
        apply_values(company, lead.company, newest=True)
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
