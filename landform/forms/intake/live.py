"""The process's memory of published forms: the intake reads a form, its live version and its tenant once.

Every submission and every view of a form needs the same three rows, which change only when a marketer
publishes or saves settings. They are kept by the form's public key for at most `SECONDS` (see
`landform/core/memo.py`: a change made in this process applies at once, one made in another within
`SECONDS`). Only found and published forms are kept: an unknown key is looked up every time.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import NotFoundException
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from landform.accounts.models import Tenant
from landform.core.db import scope_to_tenant
from landform.core.http import custom_host
from landform.core.i18n import gettext as _
from landform.core.memo import Memo
from landform.forms.models import Form, FormVersion

SECONDS = 10.0

LiveForm = tuple[Form, FormVersion, Tenant]

forms: Memo[LiveForm] = Memo(
    seconds=SECONDS,
    watch={Form: lambda form: form.id, FormVersion: lambda version: version.form_id, Tenant: lambda t: t.id},
)


def get(key: str) -> LiveForm | None:
    return forms.get(key)


def keep(key: str, live: LiveForm) -> None:
    form, _version, tenant = live
    forms.keep(key, live, depends_on=(form.id, tenant.id))


async def live_form(
    request: Request[Any, Any, Any], db: AsyncSession, form_key: str
) -> tuple[Form, FormVersion, Tenant]:
    """The form, its published version and its tenant: from the process's memory, else in one query.

    The rows are shared with other requests (see above): read them, never change them. On a
    tenant's custom host only that tenant's forms exist: go.bakkerij.nl never serves another's.
    """
    key = form_key[:32]
    found = get(key)
    if found is None:
        found = await _load_live_form(db, key)
        for row in found:
            db.expunge(row)
        keep(key, found)
    here = custom_host(request)
    if here is not None and here.tenant_id != found[0].tenant_id:
        raise NotFoundException(detail=_("There is no form with this key."))
    scope_to_tenant(db.sync_session, found[0].tenant_id)
    return found


_LIVE_VERSION = aliased(FormVersion)  # one alias for every lookup, so the compiled query is reused


async def _load_live_form(db: AsyncSession, form_key: str) -> tuple[Form, FormVersion, Tenant]:
    form_version = _LIVE_VERSION
    row = (
        await db.execute(
            select(Form, form_version, Tenant)
            .join(Tenant, Tenant.id == Form.tenant_id)
            .outerjoin(
                form_version,
                (form_version.form_id == Form.id) & (form_version.number == Form.published_version),
            )
            .where(Form.key == form_key)
            .execution_options(all_tenants=True)
        )
    ).first()
    if row is None:
        raise NotFoundException(detail=_("There is no form with this key."))
    form, version, tenant = row
    if version is None:
        raise NotFoundException(detail=_("This form is not published yet."))
    if form.archived_at is not None:
        raise NotFoundException(detail=_("This form is closed."))
    return form, version, tenant
