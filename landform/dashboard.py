"""Pages that span the domains: the public home, the dashboard overview, and the local e-mail outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.plugins.flash import flash
from litestar.response import Redirect, Response, Template
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts import terms
from landform.accounts.guards import BUILDERS, MANAGERS, provide_tenant_db
from landform.accounts.models import Invitation, Tenant, User
from landform.billing import quotas
from landform.core.db import utcnow
from landform.core.i18n import gettext as _
from landform.core.mail import EmailMessage
from landform.crm_sink.assignment.models import RoutingSettings
from landform.crm_sink.models import Contact, Submission
from landform.forms.models import Form
from landform.site.models import Page
from landform.site.starters import catalog as page_starters


@dataclass(frozen=True)
class Step:
    """One step of getting started: done or not, read from what the tenant has, and where it is done."""

    title: str
    detail: str
    done: bool
    href: str  # empty: this user's role cannot do it (an owner or admin can)


async def _building_counts(db: AsyncSession) -> dict[str, int]:
    published = select(func.count(Page.id)).where(Page.published_at.is_not(None))
    return {
        "pages": (await db.execute(select(func.count(Page.id)))).scalar_one(),
        "published": (await db.execute(published)).scalar_one(),
        "forms": (await db.execute(select(func.count(Form.id)))).scalar_one(),
    }


async def _exists(db: AsyncSession, query: Any) -> bool:
    return (await db.execute(query.limit(1))).first() is not None


async def getting_started(db: AsyncSession, user: User, counts: dict[str, int]) -> list[Step]:
    """The new account's checklist; each step ticks itself off from the stored state, never by a click."""
    forms = (await db.execute(select(Form.id, Form.allowed_origins).order_by(Form.created_at))).all()
    # Embedded: a website is allowed to show a form, or a lead already arrived through the embed script.
    embedded = any(row.allowed_origins for row in forms) or await _exists(
        db, select(Contact.id).where(Contact.source == "embed")
    )
    latest = (await db.execute(select(Page.id).order_by(Page.created_at.desc()).limit(1))).scalar()
    team = await _exists(db, select(User.id).where(User.id != user.id)) or await _exists(
        db, select(Invitation.id)
    )
    owner_set = await _exists(
        db, select(RoutingSettings.id).where(RoutingSettings.fallback_owner_id.is_not(None))
    )
    manager = user.role in MANAGERS
    return [
        Step(
            _("Create a form"),
            _("Start from a template, or build one field by field."),
            counts["forms"] > 0,
            "/app/forms/new",
        ),
        Step(
            _("Create a page"),
            _("Pick a template: it brings its own form and illustration."),
            counts["pages"] > 0,
            "/app/pages/new",
        ),
        Step(
            _("Publish a page"),
            _("Put it live at its own address and share the link."),
            counts["published"] > 0,
            f"/app/pages/{latest}" if latest else "/app/pages/new",
        ),
        Step(
            _("Embed a form on your website"),
            _("Allow your website in the form's settings and paste the snippet there."),
            embedded,
            f"/app/forms/{forms[0].id}#embed" if forms else "/app/forms/new",  # the snippet, not the builder
        ),
        Step(
            _("Invite your team"),
            _("Colleagues in marketing and sales, each with their own role."),
            team,
            "/app/team/" if manager else "",
        ),
        Step(
            _("Choose who gets unmatched leads"),
            _("The owner of every lead that no routing rule places."),
            owner_set,
            "/app/routing/#fallback" if manager else "",
        ),
    ]


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
            **await _building_counts(db),
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
        context: dict[str, Any] = {"counts": counts, "recent": recent, "pages": pages, "steps": []}
        # Owners and admins are asked here to accept a new version of the terms; nobody is blocked.
        context.update(terms_ask=await terms.must_ask(db, request.user), terms_date=terms.TERMS_DATE)
        tenant = await db.get_one(Tenant, request.user.tenant_id)
        if request.user.role in BUILDERS and tenant.getting_started_hidden_at is None:
            context["steps"] = await getting_started(db, request.user, counts)
            context["starters"] = page_starters.gallery()[:4] if not counts["pages"] else []
        return Template("dashboard/overview.html", context=context)

    @post("/getting-started/hide")
    async def hide_getting_started(self, request: Request[User, Any, Any], db: AsyncSession) -> Redirect:
        """Hide the checklist for the whole team, once every step is done; before that it stays."""
        counts = await _building_counts(db)
        if request.user.role not in BUILDERS or not all(
            step.done for step in await getting_started(db, request.user, counts)
        ):
            flash(request, _("The checklist can be hidden once every step is done."), category="error")
            return Redirect("/app")
        tenant = await db.get_one(Tenant, request.user.tenant_id)
        tenant.getting_started_hidden_at = utcnow()
        await db.commit()
        return Redirect("/app")


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
