"""The Billing page (plan, usage, held leads, Stripe Checkout and portal) and Stripe's webhook."""

from __future__ import annotations

import logging
import time
from typing import Any

import anyio
from babel.numbers import format_decimal
from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.exceptions import ClientException, HTTPException
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from stdnum.eu import vat

from landform.accounts.guards import MANAGERS, provide_tenant_db, requires_role
from landform.accounts.models import User
from landform.billing import quotas, services, stripe_gateway
from landform.billing.models import Subscription
from landform.billing.plans import FEATURES, LIMITS, PAID, PLANS, feature_label, limit_label
from landform.core.db import utcnow
from landform.core.i18n import get_language
from landform.core.i18n import gettext as _
from landform.core.settings import Settings
from landform.core.text import normalize_text

log = logging.getLogger(__name__)

DETAIL_FIELDS = (
    "company_name",
    "first_name",
    "last_name",
    "email",
    "address",
    "postcode",
    "city",
    "province",
    "country",
    "vat_number",
)
OPTIONAL = {"province", "vat_number"}


def _settings(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _return_url(request: Request[Any, Any, Any]) -> str:
    return f"{_settings(request).server.base_url}/app/billing/"


def billing_details(raw: dict[str, str]) -> tuple[stripe_gateway.BillingDetails | None, dict[str, str]]:
    """The payer's details from the subscribe form, or the errors to show beside its fields."""
    values = {name: normalize_text(raw.get(name, ""))[:200] for name in DETAIL_FIELDS}
    errors = {name: _("Fill this in.") for name in DETAIL_FIELDS if name not in OPTIONAL and not values[name]}
    values["country"] = values["country"].upper()
    if values["country"] and (len(values["country"]) != 2 or not values["country"].isalpha()):
        errors["country"] = _("Give the country as its two-letter code, for example NL or BE.")
    if values["email"] and "@" not in values["email"]:
        errors["email"] = _("Give an e-mail address where invoices can go.")
    if values["vat_number"]:
        number = vat.compact(values["vat_number"])
        if not vat.is_valid(number):
            errors["vat_number"] = _("This is not a valid EU VAT number (for example NL123456782B01).")
        values["vat_number"] = number
    if errors:
        return None, errors
    return stripe_gateway.BillingDetails(**values), {}


class BillingController(Controller):
    """What the tenant pays for and uses; owners and admins subscribe, change and cancel."""

    path = "/app/billing"
    include_in_schema = False
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/", media_type=MediaType.HTML)
    async def show(self, request: Request[User, Any, Any], db: AsyncSession) -> Template:
        """Plan, usage against its limits, held leads, and the plans to choose from."""
        return await self._page(request, db)

    async def _page(
        self,
        request: Request[User, Any, Any],
        db: AsyncSession,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        user = request.user
        subscription, used, waiting = await db.run_sync(
            lambda s: (quotas.subscription_of(s), quotas.usage(s), quotas.leads_waiting(s))
        )
        plan = quotas.plan_of(subscription)
        now = utcnow()
        meters = [
            {
                "kind": kind,
                "label": limit_label(kind),
                "used": used[kind],
                "limit": plan.limit(kind),
                "full": plan.limit(kind) is not None and used[kind] >= (plan.limit(kind) or 0),
            }
            for kind in LIMITS
        ]
        prefill = {
            "company_name": user.tenant.name,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "country": user.tenant.country,
            **(values or {}),
        }
        stripe = _settings(request).stripe
        return Template(
            "billing/billing.html",
            status_code=status_code,
            context={
                "plan": plan,
                "subscription": subscription,
                "meters": meters,
                "waiting": waiting,
                "month_turns": quotas.next_month_start(now),
                "plans": list(PLANS.values()),
                "paid_plans": [p for p in PAID if p.price_id(stripe)],
                "features": [(f, feature_label(f)) for f in FEATURES],
                "limit_label": limit_label,
                "number": lambda n: format_decimal(n, locale=get_language()),
                "can_manage": user.role in MANAGERS,
                "payments_ready": stripe.configured,
                "values": prefill,
                "errors": errors or {},
                "checkout": request.query_params.get("checkout", ""),
            },
        )

    @post("/checkout", guards=[requires_role(*MANAGERS)], media_type=MediaType.HTML)
    async def checkout(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """Send the customer to Stripe Checkout for the chosen plan, with only the seed's fields."""
        raw = {k: str(v) for k, v in (await request.form()).items()}
        plan = PLANS.get(raw.get("plan", ""))
        if plan is None or plan not in PAID:
            raise ClientException(_("Choose the Pro or the Business plan."))
        details, errors = billing_details(raw)
        if details is None:
            return await self._page(request, db, values=raw, errors=errors, status_code=422)
        stripe = _settings(request).stripe
        tenant_id = request.user.tenant_id
        row = await db.run_sync(lambda s: services.subscription_row(s, tenant_id))
        if row.plan != "free" and row.status not in services.ENDED:
            flash(request, _("You already have a subscription: change its plan below."), category="error")
            return Redirect("/app/billing/")
        try:
            if not row.stripe_customer_id:
                row.stripe_customer_id = await anyio.to_thread.run_sync(
                    stripe_gateway.create_customer, stripe, details
                )
                await db.commit()  # one customer per tenant, even if Checkout is abandoned
            customer_id = row.stripe_customer_id
            url = await anyio.to_thread.run_sync(
                lambda: stripe_gateway.checkout_url(
                    stripe,
                    customer_id=customer_id,
                    plan=plan,
                    tenant_id=str(tenant_id),
                    language=get_language(),
                    return_url=_return_url(request),
                )
            )
        except stripe_gateway.BillingUnavailable as error:
            return self._unavailable(request, error)
        return Redirect(url, status_code=303)

    @post("/portal", guards=[requires_role(*MANAGERS)])
    async def portal(self, request: Request[User, Any, Any], db: AsyncSession) -> Redirect:
        """Stripe's portal: cards, invoices and billing address."""
        subscription = await db.run_sync(quotas.subscription_of)
        if subscription is None or not subscription.stripe_customer_id:
            flash(request, _("Subscribe to a plan first; then your invoices appear here."), category="error")
            return Redirect("/app/billing/")
        customer_id = subscription.stripe_customer_id
        try:
            url = await anyio.to_thread.run_sync(
                lambda: stripe_gateway.portal_url(
                    _settings(request).stripe,
                    customer_id=customer_id,
                    language=get_language(),
                    return_url=_return_url(request),
                )
            )
        except stripe_gateway.BillingUnavailable as error:
            return self._unavailable(request, error)
        return Redirect(url, status_code=303)

    @post("/change", guards=[requires_role(*MANAGERS)])
    async def change(self, request: Request[User, Any, Any], db: AsyncSession) -> Redirect:
        """Switch between paid plans now; Stripe charges or credits the rest of the period."""
        plan = PLANS.get(str((await request.form()).get("plan", "")))
        if plan is None or plan not in PAID:
            raise ClientException(_("Choose the Pro or the Business plan."))
        row = await self._current(db)
        if row is None:
            flash(request, _("You have no subscription to change yet."), category="error")
            return Redirect("/app/billing/")
        if row.plan == plan.code:
            flash(request, _("You are on that plan already."), category="error")
            return Redirect("/app/billing/")
        stripe = _settings(request).stripe
        subscription_id = str(row.stripe_subscription_id)
        try:
            updated = await anyio.to_thread.run_sync(
                stripe_gateway.change_plan, stripe, subscription_id, plan
            )
        except stripe_gateway.BillingUnavailable as error:
            return self._unavailable(request, error)
        await self._apply(request, db, row, updated)
        flash(request, _("You are now on %(plan)s.", plan=plan.name), category="success")
        return Redirect("/app/billing/")

    @post("/cancel", guards=[requires_role(*MANAGERS)])
    async def cancel(self, request: Request[User, Any, Any], db: AsyncSession) -> Redirect:
        """Stop at the end of the paid period (or undo that, with resume=1)."""
        resume = (await request.form()).get("resume") == "1"
        row = await self._current(db)
        if row is None:
            flash(request, _("You have no subscription to cancel."), category="error")
            return Redirect("/app/billing/")
        subscription_id = str(row.stripe_subscription_id)
        try:
            updated = await anyio.to_thread.run_sync(
                stripe_gateway.cancel_at_period_end, _settings(request).stripe, subscription_id, not resume
            )
        except stripe_gateway.BillingUnavailable as error:
            return self._unavailable(request, error)
        await self._apply(request, db, row, updated)
        if resume:
            flash(request, _("Your subscription continues."), category="success")
        else:
            flash(
                request,
                _("Your subscription ends at the end of the paid period; then you are on Free."),
                category="success",
            )
        return Redirect("/app/billing/")

    async def _current(self, db: AsyncSession) -> Subscription | None:
        row = await db.run_sync(quotas.subscription_of)
        if row is None or not row.stripe_subscription_id or row.plan == "free":
            return None
        return row

    async def _apply(
        self,
        request: Request[User, Any, Any],
        db: AsyncSession,
        row: Subscription,
        subscription: dict[str, Any],
    ) -> None:
        stripe = _settings(request).stripe
        await db.run_sync(lambda s: services.apply_subscription(s, row, subscription, stripe))
        # Its webhook follows; an event from before this change must not undo it.
        row.subscription_event_at = max(row.subscription_event_at, int(time.time()))
        await db.commit()

    def _unavailable(self, request: Request[User, Any, Any], error: Exception) -> Redirect:
        log.warning("billing: Stripe unavailable: %s", error)
        flash(
            request,
            _("Payments could not be reached just now; nothing was changed. Please try again later."),
            category="error",
        )
        return Redirect("/app/billing/")


@post("/webhooks/stripe", include_in_schema=False, media_type=MediaType.JSON)
async def stripe_webhook(
    request: Request[Any, Any, Any], db_session: AsyncSession
) -> Response[dict[str, Any]]:
    """Stripe's events: verified on the raw body, each applied once, late ones not undoing newer ones."""
    settings = _settings(request)
    body = await request.body()
    try:
        event = stripe_gateway.verified_event(
            settings.stripe, body, request.headers.get("stripe-signature", "")
        )
    except stripe_gateway.BillingUnavailable as error:
        raise HTTPException(status_code=503, detail="Stripe webhooks are not configured here.") from error
    except ValueError as error:
        raise ClientException(f"Refused: {error}.") from error
    try:
        applied = await db_session.run_sync(lambda s: services.apply_event(s, event, settings.stripe))
        await db_session.commit()
    except ValueError as error:
        await db_session.rollback()
        raise ClientException("This is not a Stripe event.") from error
    except IntegrityError:
        await db_session.rollback()  # the same event, applied by a concurrent delivery
        applied = False
    return Response({"received": True, "applied": applied}, status_code=200)
