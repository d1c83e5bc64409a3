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
from landform.analytics.models import FORM, FORM_START, FORM_STEP, PAGE, step_subject

VISITOR_COOKIE = "lf_vid"
VISITOR_MAX_AGE = 13 * 30 * 24 * 3600  # 13 months, the longest analytics cookie regulators accept
_VISITOR_ID = re.compile(r"[0-9a-f]{32}")


def counter(app_state: Any) -> Counter | None:
    found: Counter | None = app_state.get("analytics")
    return found


def visitor(request: Any, *, analytics_allowed: bool, secure: bool) -> tuple[str, list[Cookie]]:
    """The visitor id of someone who allowed analytics ("" otherwise), and the cookie to set for it.

    Without analytics consent (never given, or withdrawn) an old id is removed with its cookie.
    """
    known = request.cookies.get(VISITOR_COOKIE, "")
    if not analytics_allowed:
        gone = [Cookie(key=VISITOR_COOKIE, value="", max_age=0, path="/", secure=secure)] if known else []
        return "", gone
    if bots.is_bot(request.headers):
        return "", []
    if _VISITOR_ID.fullmatch(known):
        return known, []
    new = secrets.token_hex(16)
    cookie = Cookie(
        key=VISITOR_COOKIE,
        value=new,
        max_age=VISITOR_MAX_AGE,
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )
    return new, [cookie]


def page_viewed(request: Any, tenant_id: UUID, page_id: UUID, form_id: UUID | None, visitor_id: str) -> None:
    """Count a hosted page view (and its form's); with a consented visitor id, add it to their journey."""
    found = counter(request.app.state)
    if found is None or bots.is_bot(request.headers):
        return
    utm = utm_of(request.query_params)
    found.view(tenant_id, PAGE, page_id, utm)
    if form_id is not None:
        found.view(tenant_id, FORM, form_id, utm)
    if visitor_id:
        referrer = urlsplit(request.headers.get("referer", "")).hostname or ""
        found.visit(tenant_id, visitor_id, page_id, utm, referrer)


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


def form_started(request: Any, tenant_id: UUID, form_id: UUID) -> None:
    """Count a visitor beginning to fill in a form (the browser says so once; nothing identifies them)."""
    found = counter(request.app.state)
    if found is not None and not bots.is_bot(request.headers):
        found.view(tenant_id, FORM_START, form_id, ("", "", ""))


def step_completed(request: Any, tenant_id: UUID, form_id: UUID, step: str) -> None:
    """Count a step of a form answered and accepted, for the drop-off funnel."""
    found = counter(request.app.state)
    if found is not None and not bots.is_bot(request.headers):
        found.view(tenant_id, FORM_STEP, step_subject(form_id, step), ("", "", ""))
