"""The copy of everything held on a person: collected section by section, zipped, and its download link.

Runs in the worker as part of the job `privacy_fulfil` (fulfilment/job.py); other domains add their
sections through `hooks.export_sections`.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from landform import hooks
from landform.accounts.models import Role, Tenant, User
from landform.billing.models import Subscription
from landform.consent.models import ConsentRecord, Purpose
from landform.core import i18n, security
from landform.core.csvfile import csv_text
from landform.core.db import utcnow
from landform.core.mail import EmailMessage, queue_email
from landform.core.templating import render
from landform.crm_sink.models import Activity, Contact, Submission
from landform.forms.models import Form
from landform.privacy.fulfilment.readable import ZONE, summary_parts
from landform.privacy.models import PrivacyExport, PrivacyRequest, RequestKind, RequestStatus
from landform.privacy.registry import EXPORT_DAYS
from landform.privacy.requests import LinkInvalid, audit, slug_of

EXPORT_PURPOSE = "privacy-export"


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _rows(objects: Iterable[Any], columns: list[str]) -> list[dict[str, Any]]:
    return [{name: _plain(getattr(obj, name)) for name in columns} for obj in objects]


def _billing_rows(session: Session, key: str) -> list[dict[str, Any]]:
    """What Stripe holds for the organisations this person owns or runs: the seed's billing fields."""
    managers = session.execute(
        select(User)
        .where(func.lower(User.email) == key, User.role.in_([Role.OWNER, Role.ADMIN]))
        .execution_options(all_tenants=True)
    ).scalars()
    rows = []
    for user in managers:
        subscription = session.execute(
            select(Subscription)
            .where(Subscription.tenant_id == user.tenant_id)
            .execution_options(all_tenants=True)
        ).scalar_one_or_none()
        if subscription is None or not subscription.stripe_customer_id:
            continue
        tenant = user.tenant
        rows.append(
            {
                "organisation": tenant.name,
                "plan": subscription.plan,
                "status": subscription.status,
                "stripe_customer": subscription.stripe_customer_id,
                "sent_to_stripe": {
                    "email": user.email,
                    "first_name": user.first_name,
                    "last_name": user.last_name,
                    "company_name": tenant.name,
                    "address": tenant.address,
                    "postcode": tenant.postcode,
                    "city": tenant.city,
                    "province": tenant.province,
                    "country": tenant.country,
                    "vat_number": tenant.vat_number,
                },
            }
        )
    return rows


def collect(session: Session, tenant: Tenant | None, key: str) -> dict[str, list[dict[str, Any]]]:
    """Everything held on the person with this e-mail key, section by section."""
    if tenant is None:
        users = session.execute(
            select(User).where(func.lower(User.email) == key).execution_options(all_tenants=True)
        ).scalars()
        return {
            "accounts": [
                {
                    **_rows([user], ["first_name", "last_name", "email", "gender", "language", "timezone"])[
                        0
                    ],
                    "role": user.role.value,
                    "organisation": user.tenant.name,
                    "created_at": _plain(user.created_at),
                    "last_login_at": _plain(user.last_login_at),
                }
                for user in users
            ],
            "billing": _billing_rows(session, key),
        }
    contacts = list(session.execute(select(Contact).where(Contact.email_key == key)).scalars())
    contact_ids = [c.id for c in contacts]
    submissions = list(
        session.execute(
            select(Submission).where(
                or_(Submission.contact_id.in_(contact_ids), *held_submissions(session, key))
            )
        ).scalars()
    )
    submission_ids = [s.id for s in submissions]
    activities = list(
        session.execute(
            select(Activity).where(Activity.contact_id.in_(contact_ids)).order_by(Activity.occurred_at)
        ).scalars()
    )
    records = session.execute(
        select(ConsentRecord, Purpose)
        .outerjoin(Purpose, Purpose.id == ConsentRecord.purpose_id)
        .where(
            or_(ConsentRecord.contact_id.in_(contact_ids), ConsentRecord.submission_id.in_(submission_ids))
        )
        .order_by(ConsentRecord.occurred_at)
    ).all()
    emails = session.execute(
        select(EmailMessage)
        .where(EmailMessage.tenant_id == tenant.id, func.lower(EmailMessage.recipient) == key)
        .order_by(EmailMessage.created_at)
    ).scalars()
    requests = session.execute(
        select(PrivacyRequest)
        .where(PrivacyRequest.tenant_id == tenant.id, PrivacyRequest.email_key == key)
        .order_by(PrivacyRequest.created_at)
    ).scalars()
    contact_columns = ["id", "email", "first_name", "last_name", "phone", "company_name", "job_title"]
    sections = {
        "contact": [
            {
                **row,
                "language": c.language,
                "do_not_contact": c.do_not_contact,
                "created_at": _plain(c.created_at),
            }
            for row, c in zip(_rows(contacts, contact_columns), contacts, strict=True)
        ],
        # The CRM keeps the company as the contact's company name (companies of their own: see the CRM).
        "company": [
            {"contact_id": str(c.id), "company_name": c.company_name} for c in contacts if c.company_name
        ],
        "submissions": [
            {
                "id": str(s.id),
                "received_at": _plain(s.created_at),
                "form_id": _plain(s.form_id),
                "answers": _plain(s.data),
                "context": _plain(s.context),
            }
            for s in submissions
        ],
        "activities": [
            {
                "id": str(a.id),
                "kind": a.kind,
                "occurred_at": _plain(a.occurred_at),
                "details": _plain(a.details),
            }
            for a in activities
        ],
        "consent_records": [
            {
                "occurred_at": _plain(r.occurred_at),
                "purpose": i18n.pick(p.name) if p else "",
                "given": r.given,
                "text_shown": r.text_shown,
                "language": r.language,
                "method": r.method,
                "confirmed_by": r.confirmed_by,
                "ip_fingerprint": r.ip_hash,
                "browser": r.user_agent_family,
            }
            for r, p in records
        ],
        "emails": [{"sent_at": _plain(m.sent_at or m.created_at), "subject": m.subject} for m in emails],
        "privacy_requests": [
            {
                "kind": r.kind.value,
                "status": r.status.value,
                "asked_at": _plain(r.created_at),
                "due_at": _plain(r.due_at),
                "details": r.details,
            }
            for r in requests
        ],
    }
    for section in hooks.export_sections:
        name, rows = section(session, tenant.id, key)
        sections[name] = rows
    return sections


def held_submissions(session: Session, key: str) -> list[Any]:
    """A minor's held submission has no contact yet: found by the address in its answers."""
    held = session.execute(
        select(Submission.id, Submission.contact_fields).where(Submission.contact_id.is_(None))
    ).all()
    ids = [row.id for row in held if str((row.contact_fields or {}).get("email", "")).casefold() == key]
    return [Submission.id.in_(ids)] if ids else []


def form_names(session: Session, sections: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    """The names of the tenant's forms the person's submissions came through, by form id (as exported)."""
    ids = {row["form_id"] for row in sections.get("submissions", []) if row.get("form_id")}
    if not ids:
        return {}
    rows = session.execute(select(Form.id, Form.name).where(Form.id.in_([UUID(i) for i in ids]))).all()
    return {str(form_id): name for form_id, name in rows}


def build_zip(
    sections: dict[str, list[dict[str, Any]]],
    organisation: str,
    language: str,
    forms: dict[str, str] | None = None,
    platform: bool = False,
    files: Sequence[tuple[str, Path]] = (),
) -> bytes:
    """JSON (everything), one CSV per section, a readable HTML summary and the person's files, in one zip."""
    previous = i18n.get_language()
    i18n.set_language(language)
    try:
        summary = render(
            "privacy/export_summary.html",
            parts=summary_parts(sections, organisation, forms or {}, platform),
            organisation=organisation,
            files=sorted(f"{name}.csv" for name, rows in sections.items() if rows),
            made_on=i18n.format_date(utcnow(), ZONE),
        )
    finally:
        i18n.set_language(previous)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(sections, ensure_ascii=False, indent=2))
        for name, rows in sections.items():
            if rows:
                archive.writestr(f"{name}.csv", csv_text(sorted({k for row in rows for k in row}), rows))
        archive.writestr("summary.html", summary)
        for name, path in files:
            if path.is_file():
                archive.write(path, name)
    return buffer.getvalue()


def deliver_export(session: Session, request: PrivacyRequest, tenant: Tenant | None) -> None:
    organisation = tenant.name if tenant else "Landform"
    previous = i18n.get_language()
    i18n.set_language(request.language)  # the purposes' names in the person's language, in the JSON too
    try:
        sections = collect(session, tenant, request.email_key)
    finally:
        i18n.set_language(previous)
    files = [
        item
        for hook in hooks.export_files
        for item in (hook(session, tenant.id, request.email_key) if tenant else [])
    ]
    data = build_zip(
        sections,
        organisation,
        request.language,
        form_names(session, sections),
        platform=tenant is None,
        files=files,
    )
    export = PrivacyExport(
        id=uuid7(),
        tenant_id=request.tenant_id,
        request_id=request.id,
        expires_at=utcnow() + timedelta(days=EXPORT_DAYS),
        data=data,
    )
    session.add(export)
    link = export_link(slug_of(tenant), export.id)
    recipients = [request.email]
    if request.kind == RequestKind.PORTABILITY and request.target_email:
        recipients.append(request.target_email)
    for to in recipients:
        queue_email(
            session,
            to=to,
            template="privacy_export",
            language=request.language,
            tenant_id=request.tenant_id,
            organisation=organisation,
            for_organisation=to != request.email,
            target_organisation=request.target_organisation,
            link=link,
            days=EXPORT_DAYS,
        )
    request.status = RequestStatus.DONE
    request.completed_at = utcnow()
    audit(session, request, "export_sent")
    if len(recipients) > 1:
        audit(session, request, "export_sent_to_organisation")


def export_link(slug: str, export_id: UUID) -> str:
    return f"/privacy/{slug}/download?token={security.sign(EXPORT_PURPOSE, [slug, str(export_id)])}"


async def export_for_download(
    db: AsyncSession, slug: str, tenant_id: UUID | None, token: str
) -> PrivacyExport:
    try:
        token_slug, export_id = security.unsign(EXPORT_PURPOSE, token, max_age=EXPORT_DAYS * 24 * 3600)
        if token_slug != slug:
            raise LinkInvalid("another portal")
        wanted = UUID(str(export_id))
    except (security.TokenInvalid, ValueError, TypeError) as error:
        raise LinkInvalid(str(error)) from error
    found = (
        await db.execute(
            select(PrivacyExport).where(
                PrivacyExport.id == wanted,
                PrivacyExport.tenant_id.is_(None)
                if tenant_id is None
                else PrivacyExport.tenant_id == tenant_id,
                PrivacyExport.expires_at > utcnow(),
            )
        )
    ).scalar_one_or_none()
    if found is None:
        raise LinkInvalid("gone")
    return found
