"""The app factory: wires settings, database, sessions, CSRF, templates, the broker and every domain."""

from __future__ import annotations

import hashlib
import logging
import warnings
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from advanced_alchemy.extensions.litestar import (
    AsyncSessionConfig,
    SQLAlchemyAsyncConfig,
    SQLAlchemyInitPlugin,
)
from click import Group
from litestar import Litestar, Request, Response, Router, get
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.datastructures import CacheControlHeader, MutableScopeHeaders, State
from litestar.di import Provide
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.middleware.session.server_side import ServerSideSessionBackend
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.flash import FlashConfig, FlashPlugin
from litestar.plugins.htmx import HTMXPlugin
from litestar.response import Redirect, Template
from litestar.security.session_auth import SessionAuth
from litestar.static_files import create_static_files_router
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.stores.memory import MemoryStore
from litestar.stores.registry import StoreRegistry
from litestar.template.config import TemplateConfig
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.controllers import (
    MAILING_PATHS,
    MAILS_PER_MINUTE,
    ApiKeyController,
    AuthController,
    PreferencesController,
)
from landform.accounts.guards import api_key_identifier, provide_api_db
from landform.accounts.models import User
from landform.accounts.profile_controllers import ProfileController, SecurityController
from landform.accounts.sessions import user_for_session
from landform.accounts.team_controllers import (
    AccountImageController,
    CompanyController,
    InvitationController,
    TeamController,
)
from landform.analytics.controllers import AnalyticsController
from landform.analytics.counter import Counter
from landform.billing.controllers import BillingController, stripe_webhook
from landform.billing.quotas import QuotaExceeded
from landform.consent.controllers import CookieChoiceController, PublicConsentController, PurposesController
from landform.consent.cookie_policy import CookiePolicyController
from landform.consent.double_opt_in import ConfirmConsentController
from landform.consent.evidence import EvidenceController
from landform.consent.site_banner import SiteBannerController, serve_choices_script
from landform.core import i18n, memo
from landform.core.db import create_app_engine
from landform.core.heap import freeze_startup_heap
from landform.core.http import (
    PUBLIC_PATHS,
    CountingRedisStore,
    LanguageMiddleware,
    RotatingSessionConfig,
    client_ip,
    commit_if_used,
    custom_host,
    language_for,
    security_headers,
)
from landform.core.jobs.handoff import start_handoff, stop_handoff
from landform.core.logs import RequestLog, configure_logging
from landform.core.migrate import ensure_current
from landform.core.ratelimit import FailOpenRateLimit
from landform.core.settings import Settings, get_settings
from landform.core.templating import environment
from landform.crm_sink.api import CompaniesApi, ContactsApi, CrmRecordsApi
from landform.crm_sink.assignment.controllers import RoutingController
from landform.crm_sink.controllers import CompaniesController, ContactsController
from landform.dashboard import DashboardController, HomeController, LocalOutboxController
from landform.forms.builder.controllers import FormBuilderController
from landform.forms.intake.api import SubmissionsApi
from landform.forms.intake.controllers import intake_router
from landform.forms.spam_folder.controllers import SpamFolderController
from landform.ops.dead_letters import DeadLettersController
from landform.ops.endpoints import metrics_endpoint, readyz
from landform.ops.production import check_production
from landform.privacy.deletion_controllers import AccountDeletionController, MyUserDeletionController
from landform.privacy.portal.pages import portal_router
from landform.privacy.queue import PrivacyQueueController
from landform.site.controllers import (
    HostedPageController,
    PageEditorController,
    host_not_found,
)
from landform.site.domain_controllers import DomainsController, domain_allowed
from landform.site.hosts import CustomHostRouter, SiteHosts
from landform.webhooks.controllers import WebhooksController
from landform.wiring import wire
from landform.worker import EmbeddedWorker, setup_broker

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).parent / "static"


@cache
def static_url(path: str) -> str:
    """A static file's URL with a content hash, so it can be cached for a year."""
    digest = hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:10]
    return f"/static/{path}?v={digest}"


# Without the file's current version in its URL, a browser asks again (and gets a 304 while it is unchanged).
STATIC_REVALIDATE = CacheControlHeader(public=True, no_cache=True)
STATIC_IMMUTABLE = CacheControlHeader(public=True, max_age=365 * 24 * 3600, immutable=True).to_header()


def cache_versioned_static(app: ASGIApp) -> ASGIApp:
    """Static files asked for at their current version (static_url) are cached for a year.

    Only at the version the file has now: an old or made-up `?v=` must not pin a stale or wrong answer
    in browsers and proxies for a year. The version is the content hash, so it changes with the file.
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("v")
        path = scope["path"].removeprefix("/static/")

        async def send_cached(message: Message) -> None:
            # A 200 or 304 of the static router: the file exists, so it has a version to compare with.
            if (
                message["type"] == "http.response.start"
                and message["status"] in (200, 304)
                and asked == [static_url(path).rpartition("?v=")[2]]
            ):
                MutableScopeHeaders.from_message(message)["cache-control"] = STATIC_IMMUTABLE
            await send(message)

        await app(scope, receive, send_cached if asked else send)

    return middleware


@get("/healthz", include_in_schema=False, cache=False)
async def healthz(db_session: AsyncSession) -> Response[dict[str, str]]:
    """200 when the database answers."""
    try:
        await db_session.execute(text("SELECT 1"))
    except Exception:
        return Response({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return Response({"status": "ok", "database": "ok"})


ROBOTS = "User-agent: *\nDisallow: /app/\nDisallow: /api/\n"


@get(
    "/robots.txt",
    include_in_schema=False,
    media_type="text/plain",
    cache_control=CacheControlHeader(max_age=86400),
)
async def robots_txt() -> str:
    """Crawlers may read the public pages (a page that should stay out says noindex), not the dashboard."""
    return ROBOTS


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


class DatabasePlugin(SQLAlchemyInitPlugin):
    """advanced-alchemy's session handling, without its `database` CLI group: ours is `landform db`."""

    def on_cli_init(self, cli: Group) -> None:
        return None


warnings.filterwarnings(
    "ignore", message=r"Middleware 'SessionAuthMiddleware' exclude pattern", module="litestar"
)


def account_router(settings: Settings) -> Router:
    """Sign-up, log-in and reset, with a per-client limit on the forms that e-mail a typed address.

    The log-in has its own throttle (accounts/throttle.py); the mailbox behind an address is guarded per
    address (`mail_limits`) whichever client asks.
    """
    proxies = settings.server.trusted_proxies

    async def sends_mail(request: Request[Any, Any, Any]) -> bool:
        return request.method == "POST" and request.url.path in MAILING_PATHS

    per_ip = RateLimitConfig(
        rate_limit=("minute", MAILS_PER_MINUTE),
        store="rate_limit_accounts",
        identifier_for_request=lambda request: "accounts:" + client_ip(request, proxies),
        check_throttle_handler=sends_mail,
        middleware_class=FailOpenRateLimit,
    )
    return Router(path="/", route_handlers=[AuthController], middleware=[per_ip.middleware])


def create_app(settings: Settings | None = None) -> Litestar:
    """The Landform web app for these settings (default: from the environment)."""
    settings = settings or get_settings()
    check_production(settings)
    wire()
    configure_logging(settings)
    memo.set_seconds(settings.server.cache_seconds)
    broker = setup_broker(settings)
    embedded_worker = EmbeddedWorker(settings, broker) if not settings.queue.redis_url else None

    engine = create_app_engine(settings.database.async_url)
    analytics = Counter(engine)
    site_hosts = SiteHosts(engine, settings.domains.cache_seconds)
    alchemy = SQLAlchemyAsyncConfig(
        engine_instance=engine,
        session_config=AsyncSessionConfig(expire_on_commit=False),
        create_all=False,
    )
    alchemy.before_send_handler = commit_if_used(alchemy.session_scope_key)

    async def retrieve_user(
        session: dict[str, Any], connection: ASGIConnection[Any, Any, Any, Any]
    ) -> User | None:
        if not session.get("user_id"):
            return None
        db = alchemy.provide_session(connection.app.state, connection.scope)
        user = await user_for_session(db, str(session.get("user_id")), str(session.get("sid")))
        if user is None:
            # Signed out from another device (or a password change): forget this browser's session.
            connection.clear_session()
        return user

    session_auth = SessionAuth[User, ServerSideSessionBackend](
        retrieve_user_handler=retrieve_user,
        session_backend_config=RotatingSessionConfig(
            key="landform_session",
            store="sessions",
            secure=settings.server.secure_cookies,
            httponly=True,
            samesite="lax",
            max_age=14 * 24 * 3600,
            exclude=PUBLIC_PATHS,
        ),
        # Only the dashboard needs a user. Litestar warns that this pattern "matches all paths"
        # (it tests it against "/"); it does not: /app/... is authenticated, as the tests show.
        exclude=[r"^(?!/app)"],
    )

    if settings.queue.redis_url:
        redis_store = CountingRedisStore.with_client(
            url=settings.queue.redis_url, namespace=settings.queue.namespace
        )
        store_factory: Any = redis_store.with_namespace
    else:

        def store_factory(name: str) -> Store:
            if name.startswith("rate_limit"):
                return MemoryStore()  # one process on the embedded default: counting in memory is exact
            # FileStore only creates its directory when used as a context manager, which the registry is not.
            path = settings.data_dir / "stores" / name
            path.mkdir(parents=True, exist_ok=True)
            return FileStore(path)

    template_config = TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment()))
    environment().globals["static_url"] = static_url

    def on_startup(app: Litestar) -> None:
        ensure_current(settings)
        if embedded_worker:
            embedded_worker.start()
        else:
            # Redis is a network round trip away: requests hand their jobs to a thread that sends them.
            start_handoff()
        freeze_startup_heap()

    def on_shutdown(app: Litestar) -> None:
        if embedded_worker:
            embedded_worker.stop()
        else:
            stop_handoff()

    async def start_counting(app: Litestar) -> None:
        await analytics.start()

    async def stop_counting(app: Litestar) -> None:
        await analytics.stop()  # writes the last counts before the engine is disposed

    per_key = RateLimitConfig(
        rate_limit=("minute", settings.security.api_limit_per_key),
        store="rate_limit_api",
        identifier_for_request=api_key_identifier,
        exclude=[r"^/api/v1/schema"],
        middleware_class=FailOpenRateLimit,
    )
    api = Router(
        path="/api/v1",
        route_handlers=[ContactsApi, CompaniesApi, CrmRecordsApi, SubmissionsApi],
        dependencies={"db": Provide(provide_api_db)},
        middleware=[per_key.middleware],
        # The API takes a key, never the dashboard's session cookie (whose scheme SessionAuth puts at the
        # top of the schema); an operation's own security replaces the document's.
        security=[{"apiKey": []}],
    )

    app = Litestar(
        route_handlers=[
            HomeController,
            account_router(settings),
            PreferencesController,
            DashboardController,
            ApiKeyController,
            TeamController,
            InvitationController,
            CompanyController,
            AccountImageController,
            ProfileController,
            SecurityController,
            DomainsController,
            PageEditorController,
            HostedPageController,
            domain_allowed,
            FormBuilderController,
            SpamFolderController,
            intake_router(settings),
            ContactsController,
            AnalyticsController,
            RoutingController,
            CompaniesController,
            WebhooksController,
            DeadLettersController,
            PurposesController,
            EvidenceController,
            CookiePolicyController,
            SiteBannerController,
            ConfirmConsentController,
            serve_choices_script,
            PublicConsentController,
            CookieChoiceController,
            portal_router(settings),
            PrivacyQueueController,
            AccountDeletionController,
            MyUserDeletionController,
            # The outbox shows every e-mail (reset links too) to anyone: a development tool, absent in
            # production whatever the settings (the start-up check also demands SMTP there).
            *([] if settings.ops.is_production else [LocalOutboxController]),
            BillingController,
            stripe_webhook,
            api,
            healthz,
            robots_txt,
            readyz,
            metrics_endpoint,
            create_static_files_router(
                path="/static",
                directories=[STATIC_DIR],
                include_in_schema=False,
                cache_control=STATIC_REVALIDATE,
                middleware=[cache_versioned_static],
                send_as_attachment=False,
            ),
        ],
        plugins=[
            DatabasePlugin(config=alchemy),
            HTMXPlugin(),
            FlashPlugin(config=FlashConfig(template_config=template_config)),
        ],
        on_app_init=[session_auth.on_app_init],
        middleware=[LanguageMiddleware()],
        before_send=[security_headers],
        csrf_config=CSRFConfig(
            secret=settings.security.secret_keys[0],
            cookie_name="landform_csrf",
            cookie_secure=settings.server.secure_cookies,
            cookie_httponly=True,
            exclude=PUBLIC_PATHS,
        ),
        stores=StoreRegistry(default_factory=store_factory),
        template_config=template_config,
        openapi_config=OpenAPIConfig(
            title="Landform API",
            version="1.0.0",
            path="/api/v1/schema",
            render_plugins=[JsonRenderPlugin()],
            components=Components(
                security_schemes={
                    "apiKey": SecurityScheme(
                        type="http", scheme="bearer", description="An API key from Settings, API keys"
                    )
                }
            ),
            description=(
                "Contacts, companies, submissions and activities of the tenant owning the API key "
                "(Authorization: Bearer). Lists page by cursor; each key may make a limited number of "
                "requests a minute (RateLimit-* headers; 429 with Retry-After beyond it)."
            ),
        ),
        exception_handlers={
            HTTPException: handle_http_error,
            QuotaExceeded: handle_quota_exceeded,
            Exception: handle_server_error,
        },
        on_startup=[on_startup, start_counting],
        on_shutdown=[stop_counting, on_shutdown],
        state=State(
            {
                "settings": settings,
                "analytics": analytics,
                # Verified custom hosts: routing (site/hosts.py), the intake's origin check, canonical URLs.
                "site_hosts": site_hosts,
                # Sessions for handlers that open their own (the intake: forms/intake/controllers.py).
                "db_sessions": alchemy.create_session_maker(),
            }
        ),
        request_max_body_size=1024 * 1024,
        # Logging is landform/core/logs.py's: Litestar's default would replace its handler on the root logger.
        logging_config=None,
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024, gzip_compress_level=6),
    )
    # A tenant's verified host is mapped onto its pages before Litestar routes the request (routing
    # reads the path first, so an app middleware would be too late).
    app.asgi_handler = RequestLog(
        CustomHostRouter(app.asgi_handler, site_hosts, https=settings.server.secure_cookies)
    )
    return app
