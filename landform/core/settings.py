"""Settings: one small dataclass per concern, read once from LANDFORM_* variables (and `.env`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from dotenv import load_dotenv

DEVELOPMENT_SECRET = "landform-development-secret-do-not-use-in-production"  # noqa: S105


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"LANDFORM_{name}", default)


def _env_float(name: str, default: float) -> float:
    raw = _env(name)
    return float(raw) if raw else default


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    base_url: str = "http://127.0.0.1:8000"
    # Proxies whose X-Forwarded-For we believe; anyone else's header is ignored.
    trusted_proxies: tuple[str, ...] = ()
    # How long a process may answer from its memory of published forms and pages and of plans without a
    # lead limit before it reads them again: a change made on another app server shows within this time.
    cache_seconds: float = 10.0

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = "sqlite:///var/landform.sqlite3"

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def async_url(self) -> str:
        """The URL with the async driver this app uses for requests."""
        return _with_driver(self.url, sqlite="sqlite+aiosqlite", postgresql="postgresql+asyncpg")

    @property
    def sync_url(self) -> str:
        """The URL with the sync driver the worker, migrations and CLI use."""
        return _with_driver(self.url, sqlite="sqlite+pysqlite", postgresql="postgresql+psycopg")


def _with_driver(url: str, *, sqlite: str, postgresql: str) -> str:
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError(f"LANDFORM_DATABASE_URL is not a URL: {url!r}")
    base = scheme.split("+", 1)[0]
    if base == "sqlite":
        return f"{sqlite}://{rest}"
    if base in {"postgresql", "postgres"}:
        return f"{postgresql}://{rest}"
    raise ValueError(f"LANDFORM_DATABASE_URL must be postgresql:// or sqlite://, not {scheme}://")


@dataclass(frozen=True)
class QueueSettings:
    # Unset: an in-process dramatiq worker (the embedded default).
    redis_url: str = ""
    # A job not done this long after it was written is sent to the broker again.
    redispatch_after_seconds: float = 60.0
    sweep_interval_seconds: float = 15.0
    namespace: str = "landform"


@dataclass(frozen=True)
class MailSettings:
    # Unset: messages land in the local outbox, readable at /_outbox.
    smtp_url: str = ""
    sender: str = "Landform <no-reply@landform.localhost>"


@dataclass(frozen=True)
class PrivacyContactSettings:
    """The operator's own privacy contact: who answers requests and breach reports sent to Landform itself."""

    # Told when a request to the platform (/privacy) is confirmed or a breach is reported there, and
    # reminded of due dates. Empty (refused in production): nobody is told, only the CLI lists them.
    email: str = ""


@dataclass(frozen=True)
class SecuritySettings:
    # The first key signs; all of them verify, so a key can be rotated out gently.
    secret_keys: tuple[str, ...] = (DEVELOPMENT_SECRET,)
    # A person needs at least this long to fill in a form; faster is a bot.
    form_min_seconds: float = 2.0
    form_max_age_seconds: int = 24 * 3600
    # Submissions a minute to /f/{key}: from one address, and to one form from everywhere.
    intake_limit_per_ip: int = 20
    intake_limit_per_form: int = 600
    # Submissions a minute from one network (/24, /48) before each must carry a proof of work (ALTCHA).
    proof_of_work_after: int = 10
    # JSON API requests a minute per API key.
    api_limit_per_key: int = 600


@dataclass(frozen=True)
class StripeSettings:
    api_key: str = ""
    webhook_secret: str = ""
    # Where the SDK sends its requests: unset is Stripe itself; a local double (localstripe) in tests.
    api_base: str = ""
    # The Stripe price of each paid plan (price_...); a plan without one cannot be bought.
    price_pro: str = ""
    price_business: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.api_key)


@dataclass(frozen=True)
class OperationsSettings:
    # "production" turns on the start-up checks of landform/ops/production.py and leaves out the
    # development-only local outbox (/_outbox); nothing else changes.
    environment: str = "development"
    backup_dir: Path = Path("var/backups")
    # PostgreSQL: the schema owner's URL for `landform backup`/`restore` and the daily backup job, since
    # pg_dump must see every row and the workers connect as the application's role, which row-level
    # security limits. Empty: LANDFORM_DATABASE_URL.
    backup_database_url: str = ""
    # When set, GET /metrics wants `Authorization: Bearer <token>`.
    metrics_token: str = ""
    # "json" (one object a line, for a log shipper) or "console" (for people); empty: json in production.
    log_format: str = ""

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def json_logs(self) -> bool:
        return self.log_format == "json" or (not self.log_format and self.is_production)


@dataclass(frozen=True)
class WebhookSettings:
    # Development and tests only: allow http:// and endpoints on loopback or private addresses.
    allow_private_targets: bool = False
    # The first retry waits about this long; each further one twice as long (with jitter), up to 6 hours.
    retry_base_seconds: float = 30.0
    max_attempts: int = 12
    # An endpoint is switched off after this many failed attempts in a row, or failing for this long.
    disable_after_failures: int = 50
    disable_after_seconds: float = 3 * 24 * 3600.0
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class DomainSettings:
    """Tenants' own host names for their pages (site/domains.py)."""

    # How ownership is proven: "dns" (a TXT record; production) or "http" (a file on the host; tests).
    verify: str = "dns"
    # The http check only: connect here ("127.0.0.1:8081") instead of to the host, sending its Host header.
    http_connect: str = ""
    # How long a process trusts its copy of the verified hosts before reading them again.
    cache_seconds: float = 30.0


@dataclass(frozen=True)
class Settings:
    server: ServerSettings = field(default_factory=ServerSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    queue: QueueSettings = field(default_factory=QueueSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    privacy: PrivacyContactSettings = field(default_factory=PrivacyContactSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    stripe: StripeSettings = field(default_factory=StripeSettings)
    ops: OperationsSettings = field(default_factory=OperationsSettings)
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)
    domains: DomainSettings = field(default_factory=DomainSettings)
    data_dir: Path = Path("var")
    # Files visitors upload with a form: outside the web root, served only through the app's checks.
    files_dir: Path = Path("var/files")

    @classmethod
    def from_env(cls) -> Settings:
        load_dotenv(override=False)
        host = _env("HOST", "127.0.0.1")
        port = int(_env("PORT", "8000"))
        data_dir = Path(_env("DATA_DIR", "var"))
        secrets = tuple(k.strip() for k in _env("SECRET_KEY", DEVELOPMENT_SECRET).split(",") if k.strip())
        proxies = tuple(p.strip() for p in _env("TRUSTED_PROXIES").split(",") if p.strip())
        return cls(
            server=ServerSettings(
                host=host,
                port=port,
                base_url=_env("BASE_URL", f"http://{host}:{port}").rstrip("/"),
                trusted_proxies=proxies,
                cache_seconds=_env_float("CACHE_SECONDS", 10.0),
            ),
            database=DatabaseSettings(url=_env("DATABASE_URL", f"sqlite:///{data_dir}/landform.sqlite3")),
            queue=QueueSettings(
                redis_url=_env("REDIS_URL"),
                redispatch_after_seconds=_env_float("OUTBOX_REDISPATCH_SECONDS", 60.0),
                sweep_interval_seconds=_env_float("OUTBOX_SWEEP_SECONDS", 15.0),
                namespace=_env("QUEUE_NAMESPACE", "landform"),
            ),
            mail=MailSettings(
                smtp_url=_env("SMTP_URL"),
                sender=_env("MAIL_FROM", MailSettings.sender),
            ),
            privacy=PrivacyContactSettings(email=_env("PRIVACY_EMAIL").strip()),
            security=SecuritySettings(
                secret_keys=secrets or (DEVELOPMENT_SECRET,),
                form_min_seconds=_env_float("FORM_MIN_SECONDS", 2.0),
                intake_limit_per_ip=int(_env("INTAKE_LIMIT_PER_IP", "20")),
                intake_limit_per_form=int(_env("INTAKE_LIMIT_PER_FORM", "600")),
                proof_of_work_after=int(_env("PROOF_OF_WORK_AFTER", "10")),
                api_limit_per_key=int(_env("API_LIMIT_PER_KEY", "600")),
            ),
            stripe=StripeSettings(
                api_key=_env("STRIPE_API_KEY") or _env("STRIPE_SECRET_KEY"),
                webhook_secret=_env("STRIPE_WEBHOOK_SECRET"),
                api_base=_env("STRIPE_API_BASE").rstrip("/"),
                price_pro=_env("STRIPE_PRICE_PRO"),
                price_business=_env("STRIPE_PRICE_BUSINESS"),
            ),
            ops=OperationsSettings(
                environment=_env("ENV", "development").strip().lower(),
                backup_dir=Path(_env("BACKUP_DIR", str(data_dir / "backups"))),
                backup_database_url=_env("BACKUP_DATABASE_URL"),
                metrics_token=_env("METRICS_TOKEN"),
                log_format=_env("LOG_FORMAT").strip().lower(),
            ),
            webhooks=WebhookSettings(
                allow_private_targets=_env("WEBHOOK_ALLOW_PRIVATE").lower() in {"1", "true", "yes"},
                retry_base_seconds=_env_float("WEBHOOK_RETRY_BASE_SECONDS", 30.0),
                max_attempts=int(_env("WEBHOOK_MAX_ATTEMPTS", "12")),
                disable_after_failures=int(_env("WEBHOOK_DISABLE_AFTER_FAILURES", "50")),
                disable_after_seconds=_env_float("WEBHOOK_DISABLE_AFTER_SECONDS", 3 * 24 * 3600.0),
                timeout_seconds=_env_float("WEBHOOK_TIMEOUT_SECONDS", 10.0),
            ),
            domains=DomainSettings(
                verify=_env("DOMAIN_VERIFY", "dns").strip().lower(),
                http_connect=_env("DOMAIN_VERIFY_HTTP_CONNECT").strip(),
                cache_seconds=_env_float("DOMAIN_CACHE_SECONDS", 30.0),
            ),
            data_dir=data_dir,
            files_dir=Path(_env("FILES_DIR", str(data_dir / "files"))),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings.from_env()
