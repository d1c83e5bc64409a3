"""The app factory: wires settings, database, sessions, CSRF, templates, the broker and every domain."""

from __future__ import annotations

from typing import Any

from advanced_alchemy.extensions.litestar import (
    AsyncSessionConfig,
    SQLAlchemyAsyncConfig,
    SQLAlchemyInitPlugin,
)
from click import Group
from litestar import Litestar, Request, Response, Router, get
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.datastructures import CacheControlHeader, State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.flash import FlashConfig, FlashPlugin
from litestar.plugins.htmx import HTMXPlugin
from litestar.stores.registry import StoreRegistry
from litestar.template.config import TemplateConfig
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
from landform.accounts.profile_controllers import ProfileController, SecurityController
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
from landform.consent.site_banner import SiteBannerController, gpc_json, serve_choices_script
from landform.core import memo
from landform.core.db import create_app_engine
from landform.core.heap import freeze_startup_heap
from landform.core.http import (
    PUBLIC_PATHS,
    JsonSafeRequest,
    LanguageMiddleware,
    client_ip,
    commit_if_used,
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
from landform.crm_sink.assignment.speed_controllers import SpeedToLeadController
from landform.crm_sink.controllers import CompaniesController, ContactsController
from landform.crm_sink.imports.controllers import ImportsController
from landform.crm_sink.pipeline.controllers import ContactStageController, DealsController, DealWorkController
from landform.crm_sink.pipeline.stage_controllers import ForecastController, StagesController
from landform.crm_sink.pipeline_api import DealsApi, PipelineStagesApi, StageApi
from landform.crm_sink.work.controllers import CompanyWorkController, ContactWorkController, TasksController
from landform.dashboard import DashboardController, HomeController, LocalOutboxController
from landform.forms.builder.controllers import FormBuilderController
from landform.forms.builder.draft_controllers import FormDraftController
from landform.forms.builder.listing import FormListController
from landform.forms.builder.starter_screens import FormStarterController
from landform.forms.intake.api import SubmissionsApi
from landform.forms.intake.controllers import intake_router
from landform.forms.spam_folder.controllers import SpamFolderController
from landform.forms.uploads.controllers import ContactFilesController
from landform.ops.dead_letters import DeadLettersController
from landform.ops.endpoints import metrics_endpoint, readyz
from landform.ops.production import check_production
from landform.privacy.deletion_controllers import AccountDeletionController, MyUserDeletionController
from landform.privacy.portal.pages import portal_router
from landform.privacy.queue import PrivacyQueueController
from landform.privacy.records.controllers import RecordController, TermsAcceptanceController, TermsController
from landform.privacy.retention.controllers import RetentionController
from landform.site.block_editor import PageBlocksController
from landform.site.controllers import HostedPageController
from landform.site.domain_controllers import DomainsController, domain_allowed
from landform.site.draft_editor import PageDraftController
from landform.site.editor import PageEditorController
from landform.site.hosts import CustomHostRouter, SiteHosts
from landform.site.listing import PageListController
from landform.site.media_controllers import MediaController
from landform.site.starters import catalog as page_starters
from landform.site.starters.controllers import PageStarterController
from landform.static_files import static_router, static_url
from landform.web_errors import handle_http_error, handle_quota_exceeded, handle_server_error
from landform.web_sessions import session_auth, store_factory
from landform.webhooks.controllers import WebhooksController, acknowledge
from landform.wiring import wire
from landform.worker import EmbeddedWorker, setup_broker


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


class DatabasePlugin(SQLAlchemyInitPlugin):
    """advanced-alchemy's session handling, without its `database` CLI group: ours is `landform db`."""

    def on_cli_init(self, cli: Group) -> None:
        return None


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

    sign_in = session_auth(settings, alchemy)

    template_config = TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment()))
    environment().globals["static_url"] = static_url
    environment().globals["page_starters"] = page_starters.gallery  # the "new page" screen's gallery

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
        route_handlers=[
            ContactsApi,
            CompaniesApi,
            CrmRecordsApi,
            SubmissionsApi,
            StageApi,
            DealsApi,
            PipelineStagesApi,
        ],
        dependencies={"db": Provide(provide_api_db)},
        middleware=[per_key.middleware],
        # The API takes a key, never the dashboard's session cookie (whose scheme SessionAuth puts at the
        # top of the schema); an operation's own security replaces the document's.
        security=[{"apiKey": []}],
    )

    app = Litestar(
        request_class=JsonSafeRequest,
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
            PageListController,
            PageEditorController,
            PageStarterController,
            MediaController,
            PageBlocksController,
            PageDraftController,
            HostedPageController,
            domain_allowed,
            FormListController,
            FormBuilderController,
            FormStarterController,
            FormDraftController,
            SpamFolderController,
            intake_router(settings),
            ContactsController,
            ContactStageController,
            DealsController,
            DealWorkController,
            ForecastController,
            StagesController,
            ContactWorkController,
            CompanyWorkController,
            TasksController,
            ImportsController,
            ContactFilesController,
            AnalyticsController,
            RoutingController,
            SpeedToLeadController,
            CompaniesController,
            WebhooksController,
            acknowledge,
            DeadLettersController,
            PurposesController,
            EvidenceController,
            CookiePolicyController,
            SiteBannerController,
            ConfirmConsentController,
            serve_choices_script,
            gpc_json,
            PublicConsentController,
            CookieChoiceController,
            portal_router(settings),
            PrivacyQueueController,
            RetentionController,
            RecordController,
            TermsController,
            TermsAcceptanceController,
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
            static_router(),
        ],
        plugins=[
            DatabasePlugin(config=alchemy),
            HTMXPlugin(),
            FlashPlugin(config=FlashConfig(template_config=template_config)),
        ],
        on_app_init=[sign_in.on_app_init],
        middleware=[LanguageMiddleware()],
        before_send=[security_headers],
        csrf_config=CSRFConfig(
            secret=settings.security.secret_keys[0],
            cookie_name="landform_csrf",
            cookie_secure=settings.server.secure_cookies,
            cookie_httponly=True,
            exclude=PUBLIC_PATHS,
        ),
        stores=StoreRegistry(default_factory=store_factory(settings)),
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
