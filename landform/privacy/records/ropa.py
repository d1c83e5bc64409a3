"""A tenant's record of processing activities (GDPR art. 30), generated from what the code knows.

Purposes (the tenant's consent purposes and what the platform does for it), categories of data (the
models' personal columns, and the fields of the tenant's forms), of people, the recipients (its team,
its own systems, the processors of privacy/registry.py), transfers, retention (its own periods) and
security measures. One dict of plain strings: the HTML page and the JSON download show the same.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from landform.accounts.models import Role, Tenant, TermsAcceptance, User
from landform.accounts.terms import TERMS_VERSION
from landform.consent.models import Purpose
from landform.core import i18n
from landform.core.db import utcnow
from landform.core.i18n import gettext as _
from landform.forms.fields import FIELD_TYPES
from landform.forms.models import Form
from landform.privacy.models import PrivacySettings
from landform.privacy.records.categories import data_categories
from landform.privacy.registry import SECURITY_MEASURES, retention_periods, subprocessors
from landform.privacy.retention import services as retention
from landform.webhooks.models import WebhookEndpoint


def _platform_purposes() -> list[dict[str, str]]:
    return [
        {
            "purpose": _("Capturing leads through forms and landing pages, and following them up in the CRM"),
            "basis": _("Consent, or steps at the person's request before a contract (art. 6(1)(a) and (b))"),
        },
        {
            "purpose": _("Proving consent: who agreed to what text, when and how"),
            "basis": _("Legal obligation (art. 7(1))"),
        },
        {
            "purpose": _("Asking a parent's consent for a child under 16"),
            "basis": _("Legal obligation (art. 8)"),
        },
        {
            "purpose": _("Answering privacy requests and reporting data breaches"),
            "basis": _("Legal obligation (art. 12 to 22, 33 and 34)"),
        },
        {
            "purpose": _("Keeping spam and abuse out of the forms"),
            "basis": _("Legitimate interest (art. 6(1)(f)): secure forms; no profile is made"),
        },
        {
            "purpose": _("Counting page and form visits"),
            "basis": _("Legitimate interest for anonymous counts; consent for per-visitor analytics"),
        },
        {
            "purpose": _("Your team's accounts: log-in, roles, security log"),
            "basis": _(
                "Contract with your employees and legitimate interest in security (art. 6(1)(b), (f))"
            ),
        },
    ]


def _field_words(field: dict[str, Any]) -> str:
    kind = FIELD_TYPES.get(field.get("type", ""), field.get("type"))
    return f"{i18n.pick(field.get('label')) or field.get('name')} ({kind})"


def _forms(session: Session) -> list[dict[str, Any]]:
    forms = session.execute(select(Form).where(Form.archived_at.is_(None)).order_by(Form.name)).scalars()
    return [
        {
            "form": form.name,
            "fields": [_field_words(field) for field in form.fields or []],
            "children": bool(form.requires_age_check),
        }
        for form in forms
    ]


def _acceptances(session: Session, tenant_id: Any) -> list[dict[str, str]]:
    rows = session.execute(
        select(TermsAcceptance)
        .where(TermsAcceptance.tenant_id == tenant_id)
        .order_by(TermsAcceptance.accepted_at.desc())
    ).scalars()
    return [
        {
            "version": row.version,
            "accepted_at": i18n.format_datetime(row.accepted_at),
            "accepted_by": row.accepted_by_name,
            "current": str(row.version == TERMS_VERSION).lower(),
        }
        for row in rows
    ]


def build(session: Session, tenant: Tenant) -> dict[str, Any]:
    """The record for one tenant, in the current language; the session is scoped to it."""
    settings = session.execute(
        select(PrivacySettings).where(PrivacySettings.tenant_id == tenant.id)
    ).scalar_one_or_none()
    purposes = session.execute(select(Purpose).order_by(Purpose.created_at)).scalars()
    forms = _forms(session)
    team = session.execute(select(User.role)).scalars().all()
    hosts = sorted(
        {urlsplit(url).hostname or url for url in session.execute(select(WebhookEndpoint.url)).scalars()}
    )
    periods = retention.periods_of(retention.policy_in(session, tenant.id))
    people = [
        _("Visitors who fill in your forms (leads)"),
        _("Your contacts and customers, and people at the companies in your CRM"),
        _("People who ask something on your privacy page"),
        _("Your team: the users of your account"),
    ]
    if any(form["children"] for form in forms):
        people.insert(1, _("Children under 16 who fill in a form with an age check, and their parents"))
    roles = {
        Role.OWNER: _("owners"),
        Role.ADMIN: _("admins"),
        Role.MARKETER: _("marketers"),
        Role.SALES_REP: _("sales reps"),
    }
    return {
        "title": _("Record of processing activities"),
        "generated_at": i18n.format_datetime(utcnow()),
        "controller": {
            "name": tenant.name,
            "address": ", ".join(p for p in (tenant.address, tenant.postcode, tenant.city) if p),
            "country": tenant.country,
            "privacy_contact": " ".join(p for p in (settings.dpo_name, settings.dpo_email) if p)
            if settings
            else "",
        },
        "processor": {
            "name": "Landform",
            "agreement_version": TERMS_VERSION,
            "acceptances": _acceptances(session, tenant.id),
        },
        "purposes": [
            *(
                {"purpose": i18n.pick(p.name), "basis": _("Consent (art. 6(1)(a)), recorded per person")}
                for p in purposes
            ),
            *_platform_purposes(),
        ],
        "people": people,
        "data_categories": [{"category": title, "data": kinds} for title, kinds in data_categories()],
        "form_fields": [{"form": f["form"], "fields": f["fields"]} for f in forms],
        "special_categories": _(
            "None. The form builder refuses fields for health, religion, citizen service numbers (BSN) and "
            "other special categories."
        ),
        "recipients": [
            {
                "name": _("Your team"),
                "purpose": _("Working the leads"),
                "data": ", ".join(sorted({str(roles[r]) for r in team})),
                "where": "",
            },
            *(
                {
                    "name": _("Your own system at %(host)s", host=host),
                    "purpose": _("Webhooks you set up"),
                    "data": _("contacts and form answers"),
                    "where": _("where you host it"),
                }
                for host in hosts
            ),
            *(
                {
                    "name": str(s.name),
                    "purpose": str(s.purpose),
                    "data": ", ".join(str(d) for d in s.data),
                    "where": str(s.where),
                }
                for s in subprocessors(platform=False)
            ),
        ],
        "transfers": [
            _("None outside the European Economic Area by Landform or its processors."),
            *(
                _(
                    "To your own system at %(host)s: where you host it is your choice and responsibility.",
                    host=h,
                )
                for h in hosts
            ),
        ],
        "retention": [
            {"what": str(what), "how_long": str(how_long)}
            for what, how_long in retention_periods(retention.stated_periods(periods))
        ],
        "security": [str(measure) for measure in SECURITY_MEASURES],
    }
