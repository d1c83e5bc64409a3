"""How errors answer: a page for people, a problem document (RFC 9457) for the API and scripts."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from landform.billing.quotas import QuotaExceeded
from landform.core import i18n
from landform.core.http import custom_host, language_for
from landform.site.controllers import host_not_found

log = logging.getLogger(__name__)


def _problem(request: Request[Any, Any, Any], status: int, detail: str, extra: Any = None) -> Response[Any]:
    body: dict[str, Any] = {"status": status, "detail": detail}
    if extra:
        body["errors"] = extra
    return Response(body, status_code=status, media_type="application/problem+json")


def _wants_html(request: Request[Any, Any, Any]) -> bool:
    """People get pages; the API and scripts that ask for JSON get problem documents."""
    if request.url.path.startswith("/api/"):
        return False
    accept = request.headers.get("accept", "")
    content_type = request.headers.get("content-type", "")
    asks_json = "application/json" in accept or content_type.startswith("application/json")
    return "text/html" in accept or not asks_json


def _back_to_form(request: Request[Any, Any, Any]) -> str:
    """The dashboard page the refused form was on, for a link back; only ever a path of our own."""
    path = urlsplit(request.headers.get("referer", "")).path
    return path if path.startswith("/app/") else ""


def handle_http_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    """One place that turns every HTTP error into a page for people or a problem document for programs."""
    if not request.url.path.startswith("/api/"):
        # Routing errors (404) happen before the language middleware runs.
        i18n.set_language(language_for(request.scope, request.query_params.get("lang")))
    if (
        isinstance(error, NotAuthorizedException)
        and _wants_html(request)
        and request.url.path.startswith("/app")
    ):
        return Redirect(f"/login?next={request.url.path}")
    headers = dict(error.headers or {})
    origin = request.headers.get("origin")
    if origin and request.url.path.startswith("/f/") and error.status_code != 403:
        # The embed script on another site must be able to read why it was refused (a 429, a 400);
        # nothing private is in these answers and no credentials are sent. A website the form does not
        # allow (403) learns nothing, not even that.
        headers.update({"access-control-allow-origin": origin, "vary": "Origin"})
    if error.status_code == 429:
        # Litestar's rate limiter says when the window resets; Retry-After is what clients read.
        headers["retry-after"] = str(headers.get("RateLimit-Reset", headers.get("ratelimit-reset", "60")))
    if not _wants_html(request):
        response = _problem(request, error.status_code, str(error.detail), getattr(error, "extra", None))
        response.headers.update(headers)
        return response
    here = custom_host(request)
    if here is not None and error.status_code == 404:
        return host_not_found(here)  # a visitor on the tenant's own host: its name, not ours
    return Template(
        "errors/http.html",
        status_code=error.status_code,
        headers=headers,
        context={
            "status": error.status_code,
            "detail": error.detail,
            "csrf": "CSRF" in str(error.detail),
            "dashboard": request.url.path.startswith("/app"),
            "back": _back_to_form(request) if error.status_code == 413 else "",
        },
    )


def handle_quota_exceeded(request: Request[Any, Any, Any], error: QuotaExceeded) -> Response[Any]:
    """Over the plan's limit: 403 saying what is full and how to get room, as a page or a problem document."""
    if not _wants_html(request):
        return _problem(request, 403, str(error))
    return Template(
        "errors/http.html",
        status_code=403,
        context={"status": 403, "detail": str(error), "quota": True, "dashboard": True},
    )


def handle_server_error(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    if not _wants_html(request):
        return _problem(request, 500, "Something went wrong on our side; nothing you sent was the cause.")
    return Template("errors/http.html", status_code=HTTP_500_INTERNAL_SERVER_ERROR, context={"status": 500})
