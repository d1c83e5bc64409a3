"""The demo's sales pipeline: its sample leads at their stages, and a few deals on the board (once)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from landform.accounts.models import Role, User
from landform.core.db import utcnow
from landform.crm_sink.models import Company, Contact
from landform.crm_sink.pipeline.lifecycle import change_stage
from landform.crm_sink.pipeline.models import Deal
from landform.crm_sink.pipeline.stages import tenant_stages

# (deal, contact e-mail or None, stage position, value in euros, closes in days, notes)
DEALS = (
    (
        "Plat dak 400 m², 120 panelen",
        "joris@bakker-timmerwerk.example.com",
        2,
        48_500,
        25,
        "Offerte met omvormer en monitoring.",
    ),
    ("Schuur met 12 panelen", "sanne.vermeulen@example.net", 1, 6_200, 40, ""),
    (
        "Thuisbatterij 10 kWh",
        "sanne.vermeulen@example.net",
        0,
        7_950,
        70,
        "Wil eerst de panelen, daarna de batterij.",
    ),
    ("Dakscan rijtjeshuis", "emma.jansen@example.org", 0, 450, 12, ""),
    ("Laadpaal en 16 panelen", None, 3, 11_800, 18, "Beslist na gesprek met de VvE."),
    ("Kantoorpand Zeist, 60 panelen", None, 4, 27_300, -10, "Getekend; montage in week 14."),
)
STAGES = {
    "joris@bakker-timmerwerk.example.com": ("prospect", ""),
    "sanne.vermeulen@example.net": ("prospect", ""),
}


def seed_pipeline(session: Session) -> None:
    """Deals in several stages and months, owned by the team, so the board and forecast have something."""
    if session.execute(select(Deal.id).limit(1)).first() is not None:
        return
    stages = tenant_stages(session)
    reps = list(
        session.execute(select(User).where(User.role == Role.SALES_REP).order_by(User.email)).scalars()
    )
    owner = session.execute(select(User).where(User.role == Role.OWNER)).scalars().first()
    contacts = {c.email_key: c for c in session.execute(select(Contact)).scalars()}
    company = session.execute(select(Company).where(Company.name == "Bakker Timmerwerk")).scalars().first()
    today = utcnow().date()
    for n, (name, email, position, euros, days, notes) in enumerate(DEALS):
        contact = contacts.get(email) if email else None
        deal_owner = (contact.owner_id if contact and contact.owner_id else None) or (
            reps[n % len(reps)].id if reps else (owner.id if owner else None)
        )
        session.add(
            Deal(
                name=name,
                value_cents=euros * 100,
                stage_id=stages[min(position, len(stages) - 1)].id,
                expected_close_on=today + timedelta(days=days),
                owner_id=deal_owner,
                contact_id=contact.id if contact else None,
                company_id=company.id if company and email and "bakker" in email else None,
                notes=notes,
            )
        )
    for email, (stage, reason) in STAGES.items():
        contact = contacts.get(email)
        if contact is not None:
            change_stage(session, contact, stage, reason, owner)
    session.flush()
