"""What the hosted page, the form endpoints and the intake call to be counted."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from uuid import UUID

from litestar.datastructures import Cookie

from landform.analytics import bots
from landform.analytics.counter import Counter, utm_of
from landform.analytics.models import FORM, PAGE

VISITOR_COOKIE = "lf_vid"
VISITOR_MAX_AGE = 13 * 30 * 24 * 3600  # 13 months, the longest analytics cookie regulators accept
_VISITOR_ID = re.compile(r"[0-9a-f]{32}")


def counter(app_state: Any) -> Counter | None:
    found: Counter | None = app_state.get("analytics")
    return found


def page_viewed(
    request: Any,
    tenant_id: UUID,
    page_id: UUID,
    form_id: UUID | None,
    *,
    analytics_allowed: bool,
    secure: bool,
) -> list[Cookie]:
    """Count a hosted page view (and its form's view); with analytics consent, add it to the journey.

    Returns the cookies to set: a visitor id once analytics is allowed, its removal once it is not.
    """
    known = request.cookies.get(VISITOR_COOKIE, "")
    found = counter(request.app.state)
    if found is None or bots.is_bot(request.headers):
        return []
    utm = utm_of(request.query_params)
    found.view(tenant_id, PAGE, page_id, utm)
    if form_id is not None:
        found.view(tenant_id, FORM, form_id, utm)
    if not analytics_allowed:
        # Consent withdrawn (or never given): the id goes, and with it any link to earlier visits.
        return [Cookie(key=VISITOR_COOKIE, value="", max_age=0, path="/", secure=secure)] if known else []
    visitor_id = known if _VISITOR_ID.fullmatch(known) else secrets.token_hex(16)
    referrer = urlsplit(request.headers.get("referer", "")).hostname or ""
    found.visit(tenant_id, visitor_id, page_id, utm, referrer)
    if visitor_id == known:
        return []
    return [
        Cookie(
            key=VISITOR_COOKIE,
            value=visitor_id,
            max_age=VISITOR_MAX_AGE,
            path="/",
            secure=secure,
            httponly=True,
            samesite="lax",
        )
    ]


def form_viewed(request: Any, tenant_id: UUID, form_id: UUID) -> None:
    """Count a view of a form on its own page or through the embed script."""
    found = counter(request.app.state)
    if found is not None and not bots.is_bot(request.headers):
        found.view(tenant_id, FORM, form_id, utm_of(request.query_params))


def submission_utm(
    fields: list[dict[str, Any]], data: Mapping[str, Any], referer: str
) -> tuple[str, str, str]:
    """A submission's campaign: from the form's hidden UTM fields, else from the page it was sent from."""
    carried = {f.get("source", ""): data.get(f["name"], "") for f in fields if f.get("type") == "hidden"}
    utm = utm_of(carried)
    if any(utm):
        return utm
    return utm_of(dict(parse_qsl(urlsplit(referer).query)))


def submitted(
    request: Any,
    tenant_id: UUID,
    form_id: UUID,
    page_id: UUID | None,
    utm: tuple[str, str, str],
) -> None:
    """Count an accepted submission for its form and, when sent from a hosted page, for that page."""
    found = counter(request.app.state)
    if found is None:
        return
    found.submission(tenant_id, FORM, form_id, utm)
    if page_id is not None:
        found.submission(tenant_id, PAGE, page_id, utm)


def visitor_of(request: Any) -> str:
    """The consented visitor id sent with a request from a hosted page ("" when there is none)."""
    value: str = request.cookies.get(VISITOR_COOKIE, "")
    return value if _VISITOR_ID.fullmatch(value) else ""
