"""The daily re-check of verified custom hosts, and the e-mail to the owners when one stops serving.

A record that disappears (the tenant moved DNS providers, a colleague cleaned up) must not leave
pages served on a host the tenant no longer controls; a flaky name server must not take them
offline either. So a failed re-check only counts (site/domains.py `record_check`), and the owners
hear about it once, the day the host stops serving.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from landform.accounts.models import Role, Tenant
from landform.accounts.notices import tell_team
from landform.core.db import sync_session, utcnow
from landform.core.settings import Settings
from landform.site import domains
from landform.site.models import SiteDomain

log = logging.getLogger(__name__)

# Checked at most this often by the job, so a tick delivered twice is not two failures.
RECHECK_EVERY = timedelta(hours=20)


def recheck_verified(settings: Settings) -> int:
    """The periodic job: check every verified host not checked today; how many stopped serving."""
    now = utcnow()
    stale = or_(SiteDomain.checked_at.is_(None), SiteDomain.checked_at < now - RECHECK_EVERY)
    with sync_session(settings.database.sync_url) as session:
        hosts = session.execute(
            select(SiteDomain.id, SiteDomain.tenant_id)
            .where(SiteDomain.status == "verified", stale)
            .execution_options(all_tenants=True)
        ).all()
    stopped = 0
    for domain_id, tenant_id in hosts:
        with sync_session(settings.database.sync_url, tenant_id) as session:
            # Claimed first (another worker running the same job skips it), then checked outside any
            # transaction: a slow name server must not hold a row lock.
            claimed = session.execute(
                update(SiteDomain)
                .where(SiteDomain.id == domain_id, SiteDomain.status == "verified", stale)
                .values(checked_at=now)
                .execution_options(synchronize_session=False)
            )
            session.commit()
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                continue
            domain = session.execute(select(SiteDomain).where(SiteDomain.id == domain_id)).scalar_one()
            host, token = domain.host, domain.token
            session.rollback()
            failure = asyncio.run(domains.prove(host, token, settings))
            current = session.execute(
                select(SiteDomain).where(SiteDomain.id == domain_id).with_for_update()
            ).scalar_one_or_none()
            if current is None or current.status != "verified":
                continue  # removed or re-checked by the marketer meanwhile
            if not domains.record_check(current, failure, now):
                _tell_owners(session, tenant_id, current.host, current.failing_since or now)
                stopped += 1
            session.commit()
    return stopped


def _tell_owners(session: Session, tenant_id: UUID, host: str, since: datetime) -> None:
    tenant = session.get_one(Tenant, tenant_id)
    tell_team(
        session, tenant_id, (Role.OWNER,), "domain_failed", host=host, since=since, organisation=tenant.name
    )
