"""Pages that span the domains: the public home, the dashboard overview, and the local e-mail outbox."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Response, Template
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.guards import provide_tenant_db
from landform.accounts.models import User
from landform.billing import quotas
from landform.core.db import utcnow
from landform.core.mail import EmailMessage
from landform.crm_sink.models import Contact, Submission
from landform.forms.models import Form
from landform.site.models import Page


class HomeController(Controller):
    """The front door."""

    include_in_schema = False

    @get("/", media_type=MediaType.HTML)
    async def home(self, request: Request[Any, Any, Any]) -> Any:
        """Landform's own welcome page, or the dashboard for someone logged in."""
        if request.session.get("user_id"):
            return Redirect("/app")
        return Template("home.html")


class DashboardController(Controller):
    """The overview a user lands on after logging in."""

    path = "/app"
    include_in_schema = False
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/")
    async def overview(self, request: Request[User, Any, Any], db: AsyncSession) -> Template:
        """Counts, recent leads and the tenant's published pages."""
        since = utcnow() - timedelta(days=7)
        counts = {
            "pages": (await db.execute(select(func.count(Page.id)))).scalar_one(),
            "published": (
                await db.execute(select(func.count(Page.id)).where(Page.published_at.is_not(None)))
            ).scalar_one(),
            "forms": (await db.execute(select(func.count(Form.id)))).scalar_one(),
            "contacts": (await db.execute(select(func.count(Contact.id)))).scalar_one(),
            "week": (
                await db.execute(select(func.count(Submission.id)).where(Submission.created_at >= since))
            ).scalar_one(),
            "waiting": (
                await db.execute(select(func.count(Submission.id)).where(Submission.routed_at.is_(None)))
            ).scalar_one(),
            "held": await db.run_sync(quotas.leads_waiting),
        }
        recent = list(
            (
                await db.execute(
                    select(Contact).order_by(Contact.last_activity_at.desc().nulls_last()).limit(5)
                )
            ).scalars()
        )
        pages = list(
            (
                await db.execute(
                    select(Page)
                    .where(Page.published_at.is_not(None))
                    .order_by(Page.published_at.desc())
                    .limit(5)
                )
            ).scalars()
        )
        return Template(
            "dashboard/overview.html", context={"counts": counts, "recent": recent, "pages": pages}
        )


MAIL_CSP = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; "
    "base-uri 'none'; form-action 'none'"
)


class LocalOutboxController(Controller):
    """The embedded default's mailbox: every e-mail the platform sent, readable in the browser.

    Only there while no SMTP server is configured; with SMTP it answers 404. Never routed in production
    (app.py), where the start-up check demands SMTP anyway: it would show anyone every password-reset link.
    """

    path = "/_outbox"
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        """The newest 100 messages."""
        self._only_without_smtp(request)
        messages = list(
            (
                await db_session.execute(
                    select(EmailMessage).order_by(EmailMessage.created_at.desc()).limit(100)
                )
            ).scalars()
        )
        return Template("outbox/index.html", context={"messages": messages})

    @get("/{message_id:uuid}")
    async def show(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, message_id: UUID
    ) -> Template:
        """One message, as text and as its HTML rendering (sandboxed)."""
        self._only_without_smtp(request)
        message = await db_session.get(EmailMessage, message_id)
        if message is None:
            raise NotFoundException()
        return Template("outbox/show.html", context={"message": message})

    @get("/{message_id:uuid}/html", media_type=MediaType.HTML)
    async def html_part(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, message_id: UUID
    ) -> Response[str]:
        """The message's HTML part on its own, for the frame on its page: no scripts, nothing fetched."""
        self._only_without_smtp(request)
        message = await db_session.get(EmailMessage, message_id)
        if message is None:
            raise NotFoundException()
        # Rendered from templates with escaped values, but shown as the mail client would show it:
        # sandboxed (no scripts, an origin of its own), with only the inline styles and images e-mail uses.
        return Response(
            message.body_html, media_type=MediaType.HTML, headers={"content-security-policy": MAIL_CSP}
        )

    def _only_without_smtp(self, request: Request[Any, Any, Any]) -> None:
        if request.app.state.settings.mail.smtp_url:
            raise NotFoundException()
