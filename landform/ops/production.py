"""The production start-up check: with LANDFORM_ENV=production, refuse settings that are unsafe there.

Development and tests never see it: every check is off unless the operator says "production".
"""

from __future__ import annotations

import multiprocessing
import os

from email_validator import EmailNotValidError, validate_email

from landform.core.settings import DEVELOPMENT_SECRET, Settings

MIN_SECRET_LENGTH = 32
ENVIRONMENTS = ("development", "production")


class ProductionMisconfigured(RuntimeError):
    """Settings that must not be used in production; the message lists each problem and its fix."""


def _several_processes(settings: Settings, *, worker: bool) -> bool:
    if worker or settings.queue.redis_url:
        return True  # `landform worker` is always a process of its own beside the app
    concurrency = os.environ.get("WEB_CONCURRENCY") or os.environ.get("LITESTAR_WEB_CONCURRENCY") or "1"
    # uvicorn starts each of several app processes as a child of its supervisor.
    return int(concurrency) > 1 or multiprocessing.parent_process() is not None


def production_problems(settings: Settings, *, worker: bool = False) -> list[str]:
    """What is wrong with these settings for production (nothing, outside production)."""
    if not settings.ops.is_production:
        return []
    problems = []
    keys = settings.security.secret_keys
    if DEVELOPMENT_SECRET in keys:
        problems.append(
            "LANDFORM_SECRET_KEY is the development key, which is public: anyone could sign "
            "log-in links and tokens. Set a long random key, e.g. from "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'."
        )
    elif len(keys[0]) < MIN_SECRET_LENGTH:
        problems.append(
            f"LANDFORM_SECRET_KEY's signing key (the first) is shorter than {MIN_SECRET_LENGTH} characters."
        )
    if not settings.server.secure_cookies:
        problems.append(
            f"LANDFORM_BASE_URL is {settings.server.base_url}: session and CSRF cookies would travel "
            "without TLS. Serve Landform over https:// (TLS at the proxy) and set the https:// address."
        )
    if settings.domains.verify != "dns":
        problems.append(
            "LANDFORM_DOMAIN_VERIFY is not dns: the http check is for tests and development, where a "
            "request to a tenant's host is safe to make. Production proves a custom domain by DNS."
        )
    if not settings.privacy.email:
        problems.append(
            "LANDFORM_PRIVACY_EMAIL is not set: nobody would be told when someone asks Landform itself "
            "about their data (one month to answer) or reports a data breach to it (72 hours to notify the "
            "authority) through /privacy. Set the address of whoever answers them, e.g. privacy@example.com."
        )
    else:
        try:
            validate_email(settings.privacy.email, check_deliverability=False)
        except EmailNotValidError:
            problems.append(
                "LANDFORM_PRIVACY_EMAIL is not an e-mail address. Set the plain address (no name, no "
                "angle brackets) of whoever answers privacy requests, e.g. privacy@example.com."
            )
    if not settings.mail.smtp_url:
        problems.append(
            "LANDFORM_SMTP_URL is not set: e-mails (password resets, invitations, privacy requests) would "
            "only land in the local outbox, which production never shows. Set your mail provider's SMTP "
            "server, e.g. smtp+starttls://user:password@smtp.example.com:587."
        )
    if settings.webhooks.allow_private_targets:
        problems.append(
            "LANDFORM_WEBHOOK_ALLOW_PRIVATE is on: tenants could make the server send webhooks to http:// "
            "and to its own network (databases, cloud metadata). It is for development and tests; unset it."
        )
    for variable in ("LITESTAR_DEBUG", "LITESTAR_PDB"):
        if os.environ.get(variable) == "1":
            problems.append(
                f"{variable} is on (or `landform run --debug/--pdb`): debug logging writes requests' "
                "personal data to the logs, and the debugger stops a process on its first error. Unset it."
            )
    if settings.database.is_sqlite and _several_processes(settings, worker=worker):
        problems.append(
            "LANDFORM_DATABASE_URL is SQLite, shared by several processes (app workers, `landform worker`): "
            "writers would queue on one file lock. Use PostgreSQL (postgresql://user@host:5432/db)."
        )
    return problems


def check_production(settings: Settings, *, worker: bool = False) -> None:
    """Refuse to start in production with unsafe settings, listing every problem at once."""
    if settings.ops.environment not in ENVIRONMENTS:
        # A typo ("prod") must not quietly switch the checks off.
        raise ProductionMisconfigured(
            f"LANDFORM_ENV must be one of {', '.join(ENVIRONMENTS)}, not {settings.ops.environment!r}"
        )
    problems = production_problems(settings, worker=worker)
    if problems:
        raise ProductionMisconfigured(
            "LANDFORM_ENV=production, but:\n" + "\n".join(f"- {problem}" for problem in problems)
        )
