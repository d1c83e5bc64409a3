"""The plans a tenant can be on, with their limits and features: the one place they are defined."""

from __future__ import annotations

from dataclasses import dataclass

from babel.support import LazyProxy

from landform.core.i18n import gettext as _
from landform.core.settings import StripeSettings

# What a plan limits; the names are also the keys of a tenant's usage.
LIMITS = ("leads_per_month", "pages", "forms", "users")
FEATURES = ("custom_domains", "webhooks", "remove_branding")


@dataclass(frozen=True)
class Plan:
    code: str
    # Monthly price in euro cents, excluding VAT, as shown on the billing page (Stripe bills the price id).
    price_cents: int
    # None: no limit.
    leads_per_month: int | None
    pages: int | None
    forms: int | None
    users: int | None
    features: frozenset[str] = frozenset()
    # Bytes of files visitors sent with forms that the tenant may keep at once (not a count of rows).
    storage_bytes: int = 100 * 1024 * 1024

    @property
    def name(self) -> str:
        return {"free": _("Free"), "pro": _("Pro"), "business": _("Business")}[self.code]

    @property
    def lazy_name(self) -> LazyProxy:
        """The name in the language current when it is shown: an e-mail's is its recipient's."""
        return LazyProxy(lambda: self.name, enable_cache=False)

    def limit(self, kind: str) -> int | None:
        if kind not in LIMITS:
            raise KeyError(kind)
        value: int | None = getattr(self, kind)
        return value

    def has(self, feature: str) -> bool:
        return feature in self.features

    def price_id(self, stripe: StripeSettings) -> str:
        """The Stripe price of this plan ("" for Free, or when the operator has not configured one)."""
        return {"pro": stripe.price_pro, "business": stripe.price_business}.get(self.code, "")


FREE = Plan("free", 0, leads_per_month=100, pages=3, forms=3, users=3)
PRO = Plan(
    "pro",
    4900,
    leads_per_month=2_500,
    pages=25,
    forms=25,
    users=10,
    features=frozenset({"webhooks", "remove_branding"}),
    storage_bytes=5 * 1024**3,
)
# Business has no lead limit: leads are what the customer pays us to bring in.
BUSINESS = Plan(
    "business",
    19900,
    leads_per_month=None,
    pages=None,
    forms=None,
    users=50,
    features=frozenset(FEATURES),
    storage_bytes=50 * 1024**3,
)
PLANS = {plan.code: plan for plan in (FREE, PRO, BUSINESS)}
PAID = (PRO, BUSINESS)


def plan_for_price(price_id: str, stripe: StripeSettings) -> Plan | None:
    """The plan a Stripe price (or legacy plan id, which Stripe accepts as a price) stands for."""
    for plan in PAID:
        if price_id and plan.price_id(stripe) == price_id:
            return plan
    return None


def feature_label(feature: str) -> str:
    return {
        "custom_domains": _("Custom domains"),
        "webhooks": _("Webhooks to your own systems"),
        "remove_branding": _("No Landform branding on pages"),
    }[feature]


def limit_label(kind: str) -> str:
    return {
        "leads_per_month": _("Leads this month"),
        "pages": _("Landing pages"),
        "forms": _("Forms"),
        "users": _("Users"),
    }[kind]
