"""The demo's sales team (departments, a routing rule, a fallback owner) and its sample leads, routed."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from landform.accounts.models import Role, Tenant, User
from landform.core import security
from landform.core.db import utcnow
from landform.crm_sink.assignment.models import Department, DepartmentMember, RoutingRule, RoutingSettings
from landform.crm_sink.leads.writing import route_now
from landform.crm_sink.models import Company, Submission
from landform.forms.models import Form

SAMPLE_LEADS = [
    {
        "first_name": "Sanne",
        "last_name": "Vermeulen",
        "email": "sanne.vermeulen@example.net",
        "phone": "+31612345678",
        "utm_source": "newsletter",
        "utm_campaign": "voorjaar",
    },
    {
        "first_name": "Joris",
        "last_name": "Bakker",
        "email": "joris@bakker-timmerwerk.example.com",
        "phone": "+31301234567",
        "utm_source": "google",
        "utm_campaign": "dakscan",
    },
    {
        "first_name": "Emma",
        "last_name": "Jansen",
        "email": "emma.jansen@example.org",
        "phone": "",
        "utm_source": "facebook",
        "utm_campaign": "voorjaar",
    },
]


# Two sales reps beside the owner, so lead routing, owners and the team screen have something to show.
SALES_REPS = (
    ("sem.visser@landform.example.com", "Sem", "Visser", "male"),
    ("lotte.smit@landform.example.com", "Lotte", "Smit", "female"),
)


def ensure_sales_team(session: Session, tenant: Tenant, form: Form) -> None:
    """Departments, a rule and a fallback owner, as a small installer would set them up (once)."""
    if session.execute(select(Department.id).limit(1)).first() is not None:
        return
    reps = []
    for email, first_name, last_name, gender in SALES_REPS:
        rep = User(
            tenant_id=tenant.id,
            email=email,
            # No known password: the reps are there to receive leads; log in as the owner.
            password_hash=security.hash_password(secrets.token_urlsafe(24)),
            first_name=first_name,
            last_name=last_name,
            gender=gender,
            language="nl",
            timezone="Europe/Amsterdam",
            role=Role.SALES_REP,
            email_confirmed_at=utcnow(),
        )
        session.add(rep)
        reps.append(rep)
    homes = Department(name="Particulieren")
    business = Department(name="Zakelijk")
    session.add_all([homes, business])
    session.flush()
    session.add_all(
        [
            *(DepartmentMember(department_id=homes.id, user_id=rep.id, rank=1) for rep in reps),
            DepartmentMember(department_id=business.id, user_id=reps[1].id, rank=1),
            # Google's campaign brings in businesses; everything else from the roof scan form is a home.
            RoutingRule(position=0, department_id=business.id, utm_campaign="dakscan"),
            RoutingRule(position=1, department_id=homes.id, form_id=form.id),
        ]
    )
    owner = session.execute(select(User).where(User.role == Role.OWNER)).scalars().first()
    session.add(RoutingSettings(fallback_owner_id=owner.id if owner else None))
    session.add(
        Company(
            name="Bakker Timmerwerk",
            city="Utrecht",
            country="NL",
            website="https://bakker-timmerwerk.example.com",
            domain="bakker-timmerwerk.example.com",
            description="Timmerbedrijf met een plat dak van 400 m².",
        )
    )
    session.flush()


def seed_leads(session: Session, tenant: Tenant, form: Form) -> None:
    start = utcnow() - timedelta(days=3)
    for n, lead in enumerate(SAMPLE_LEADS):
        contact = {k: v for k, v in lead.items() if k in {"first_name", "last_name", "email", "phone"} and v}
        submission = Submission(
            tenant_id=tenant.id,
            form_id=form.id,
            form_version=1,
            data=dict(lead),
            contact_fields=contact,
            context={
                "source": "page",
                "language": "nl",
                "form_name": form.name,
                "utm_source": lead["utm_source"],
                "utm_campaign": lead["utm_campaign"],
            },
        )
        submission.created_at = start + timedelta(hours=9 * n)
        session.add(submission)
        session.flush()
        route_now(session, submission.id)
