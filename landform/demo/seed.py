"""`landform demo`: the demo tenant, a solar-panel installer with a bilingual landing page, forms, leads.

Idempotent: a second run finds everything in place and prints the same object. Names are invented.
"""

from __future__ import annotations

from sqlalchemy import select

from landform.accounts.models import ApiKey
from landform.core import security
from landform.core.db import sync_session
from landform.core.settings import Settings
from landform.demo.analytics import seed_traffic
from landform.demo.crm import ensure_sales_team, seed_leads
from landform.demo.forms import ensure_age_form, ensure_form
from landform.demo.pages import AGE_PAGE_SLUG, ensure_age_page, ensure_page
from landform.demo.pipeline import seed_pipeline
from landform.demo.records import ensure_terms_accepted
from landform.demo.showcase import SHOWCASE_PAGE_SLUG, ensure_showcase
from landform.demo.tenant import (
    LOGIN_EMAIL,
    LOGIN_PASSWORD,
    TENANT_SLUG,
    demo_api_key,
    ensure_owner,
    ensure_plan,
    ensure_tenant,
)
from landform.demo.work import seed_work


def seed_demo(settings: Settings) -> dict[str, str]:
    with sync_session(settings.database.sync_url) as session:
        tenant = ensure_tenant(session)
        ensure_owner(session, tenant)
        ensure_plan(session, tenant)
        ensure_terms_accepted(session, tenant)
        form, created = ensure_form(session)
        ensure_page(session, form)
        if created:
            ensure_sales_team(session, tenant, form)
            seed_leads(session, tenant, form)
            seed_traffic(session, tenant, form)
        seed_pipeline(session)
        seed_work(session)
        age_form = ensure_age_form(session)
        ensure_age_page(session, age_form)
        showcase_form, _showcase_page = ensure_showcase(session)
        secret = demo_api_key(settings)
        key_hash = security.hash_api_key(secret)
        if session.execute(select(ApiKey).where(ApiKey.key_hash == key_hash)).scalar_one_or_none() is None:
            session.add(ApiKey(name="Demo", prefix=secret[:10], key_hash=key_hash))
        session.commit()
        base = settings.server.base_url
        return {
            "tenant_slug": TENANT_SLUG,
            "page_url": f"{base}/p/{TENANT_SLUG}/welcome",
            "form_key": form.key,
            "api_key": secret,
            "login_email": LOGIN_EMAIL,
            "login_password": LOGIN_PASSWORD,
            "age_page_url": f"{base}/p/{TENANT_SLUG}/{AGE_PAGE_SLUG}",
            "age_form_key": age_form.key,
            "showcase_page_url": f"{base}/p/{TENANT_SLUG}/{SHOWCASE_PAGE_SLUG}",
            "showcase_form_key": showcase_form.key,
        }
