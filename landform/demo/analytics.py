"""A month of plausible traffic for the demo's landing page and form, for the analytics screen."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from landform.accounts.models import Tenant
from landform.analytics.models import FORM, PAGE, TrafficDay
from landform.core.db import utcnow
from landform.forms.models import Form
from landform.site.models import Page

DEMO_CAMPAIGNS = (
    (("", "", ""), 40, 0.030),
    (("google", "cpc", "zonnepanelen-najaar"), 55, 0.045),
    (("nieuwsbrief", "email", "november"), 18, 0.090),
    (("facebook", "social", "buurtactie-houten"), 25, 0.020),
)


def seed_traffic(session: Session, tenant: Tenant, form: Form) -> None:
    """A month of plausible counts for the welcome page, so the analytics screen has something to show."""
    page = session.execute(select(Page).where(Page.slug == "welcome")).scalar_one()
    rng = random.Random(2026)
    today = utcnow().date()
    for back in range(30, 0, -1):
        day = today - timedelta(days=back)
        weekday_factor = 0.6 if day.weekday() >= 5 else 1.0
        for (source, medium, campaign), base, rate in DEMO_CAMPAIGNS:
            views = int(base * weekday_factor * rng.uniform(0.6, 1.4))
            answered = sum(rng.random() < rate for _ in range(views))
            for kind, subject in ((PAGE, page.id), (FORM, form.id)):
                session.add(
                    TrafficDay(
                        tenant_id=tenant.id,
                        day=day,
                        kind=kind,
                        subject_id=subject,
                        source=source,
                        medium=medium,
                        campaign=campaign,
                        views=views,
                        submissions=answered,
                    )
                )
