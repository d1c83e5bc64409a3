"""Which other websites may show and send a form: the Origin check and the CORS headers."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar import Request
from litestar.exceptions import PermissionDeniedException

from landform.core.http import TenantHosts
from landform.core.i18n import gettext as _
from landform.forms.models import Form


def _own_origins(request: Request[Any, Any, Any]) -> set[str]:
    base = urlsplit(request.app.state.settings.server.base_url)
    return {f"{request.url.scheme}://{request.url.netloc}", f"{base.scheme}://{base.netloc}"}


def _tenant_host_origin(request: Request[Any, Any, Any], form: Form, origin: str) -> bool:
    """Whether `origin` is one of the form's tenant's verified custom hosts (its pages live there)."""
    hosts: TenantHosts | None = request.app.state.get("site_hosts")
    parts = urlsplit(origin)
    secure = request.app.state.settings.server.secure_cookies
    if hosts is None or parts.scheme not in (("https",) if secure else ("https", "http")):
        return False
    return parts.port is None and parts.hostname in hosts.hosts_of(form.tenant_id)


class OriginRefused(PermissionDeniedException):
    """A website the form does not allow; the embed's definition records it and explains why."""

    def __init__(self, origin: str) -> None:
        super().__init__(
            detail=_("This form does not accept submissions from %(origin)s.", origin=origin[:200])
        )
        self.origin = origin[:200]


def embedding_origin(request: Request[Any, Any, Any], form: Form) -> str | None:
    """The other website this request comes from, if any; 403 unless the form allows that website.

    The tenant's own verified hosts count as allowed: its hosted pages and embeds live there.
    """
    origin = request.headers.get("origin")
    if not origin or origin == "null" or origin in _own_origins(request):
        return None
    if origin not in form.allowed_origins and not _tenant_host_origin(request, form, origin):
        raise OriginRefused(origin)
    return origin


def cors_headers(origin: str | None) -> dict[str, str]:
    if origin is None:
        return {}
    return {"access-control-allow-origin": origin, "vary": "Origin"}
