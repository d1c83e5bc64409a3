"""The worker's job `privacy_fulfil`: a confirmed request's export or erasure, skipped once finished."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.orm import Session

from landform.accounts.models import Tenant
from landform.core.jobs.models import PermanentJobError
from landform.core.jobs.registry import job
from landform.privacy.fulfilment.erase import erase
from landform.privacy.fulfilment.export import deliver_export
from landform.privacy.models import PrivacyRequest, RequestKind, RequestStatus


@job(
    max_retries=10, min_backoff=5_000, max_backoff=10 * 60_000, time_limit=10 * 60_000, max_age=24 * 3600_000
)
def privacy_fulfil(session: Session, request_id: UUID) -> None:
    request = session.get(PrivacyRequest, request_id)
    if request is None:
        raise PermanentJobError(f"privacy request {request_id} no longer exists")
    if request.status != RequestStatus.IN_PROGRESS:
        return
    tenant = session.get(Tenant, request.tenant_id) if request.tenant_id else None
    if request.kind in (RequestKind.ACCESS, RequestKind.PORTABILITY):
        deliver_export(session, request, tenant)
    elif request.kind in (RequestKind.ERASURE, RequestKind.MINOR):
        if tenant is None:
            raise PermanentJobError("the platform's account erasure is account deletion, done by a person")
        erase(session, request, tenant)
