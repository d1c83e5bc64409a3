"""The process's memory of published forms: the intake reads a form, its live version and its tenant once.

Every submission and every view of a form needs the same three rows, which change only when a marketer
publishes or saves settings. They are kept by the form's public key for at most `SECONDS` (see
`landform/core/memo.py`: a change made in this process applies at once, one made in another within
`SECONDS`). Only found and published forms are kept: an unknown key is looked up every time.
"""

from __future__ import annotations

from landform.accounts.models import Tenant
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
