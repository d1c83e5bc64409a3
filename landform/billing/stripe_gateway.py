"""Every call Landform makes to Stripe, through the official SDK, and the one payload of personal data.

The privacy statement lists what Stripe receives: e-mail address, company name, first and last name,
address, postcode, city, province, country and VAT number. `customer_payload` is the only place that
builds customer data for Stripe, and a test asserts its exact keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import stripe

from landform.billing.plans import Plan
from landform.core.settings import StripeSettings

# Tests put a client here that answers Checkout and the portal (which localstripe lacks) from recorded
# responses; None is the SDK's own HTTP client.
HTTP_CLIENT: stripe.HTTPClient | None = None


class BillingUnavailable(Exception):
    """Payments are not configured on this installation, or Stripe could not be reached."""


class BillingRefused(BillingUnavailable):
    """Stripe answered that the request cannot be done (say, the subscription has ended): no retry helps."""


@dataclass(frozen=True)
class BillingDetails:
    """Who pays: the fields of the seed's list, and nothing else."""

    email: str
    company_name: str
    first_name: str
    last_name: str
    address: str
    postcode: str
    city: str
    province: str
    country: str
    vat_number: str


def customer_payload(details: BillingDetails) -> dict[str, Any]:
    """The customer as Stripe receives it: only the fields the privacy statement names."""
    payload: dict[str, Any] = {
        "email": details.email,
        "name": details.company_name,
        "address": {
            "line1": details.address,
            "postal_code": details.postcode,
            "city": details.city,
            "state": details.province,
            "country": details.country,
        },
        # Stripe's customer has one name (the company's); the person's names go in metadata.
        "metadata": {"first_name": details.first_name, "last_name": details.last_name},
    }
    if details.vat_number:
        payload["tax_id_data"] = [{"type": "eu_vat", "value": details.vat_number}]
    return payload


def client(settings: StripeSettings) -> stripe.StripeClient:
    if not settings.configured:
        raise BillingUnavailable("LANDFORM_STRIPE_API_KEY is not set")
    return stripe.StripeClient(
        settings.api_key,
        base_addresses={"api": settings.api_base} if settings.api_base else {},
        http_client=HTTP_CLIENT,
        max_network_retries=2,
    )


def _call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except stripe.InvalidRequestError as error:
        raise BillingRefused(error.user_message or str(error)) from error
    except stripe.StripeError as error:
        raise BillingUnavailable(error.user_message or str(error)) from error


def create_customer(settings: StripeSettings, details: BillingDetails) -> str:
    customer = _call(client(settings).v1.customers.create, params=customer_payload(details))
    return str(customer.id)


def checkout_url(
    settings: StripeSettings,
    *,
    customer_id: str,
    plan: Plan,
    tenant_id: str,
    language: str,
    return_url: str,
) -> str:
    """A Stripe Checkout page where the customer subscribes to `plan`."""
    price = plan.price_id(settings)
    if not price:
        raise BillingUnavailable(f"no Stripe price is configured for the {plan.code} plan")
    session = _call(
        client(settings).v1.checkout.sessions.create,
        params={
            "mode": "subscription",
            "customer": customer_id,
            "client_reference_id": tenant_id,
            "line_items": [{"price": price, "quantity": 1}],
            "locale": language,
            "success_url": f"{return_url}?checkout=done",
            "cancel_url": f"{return_url}?checkout=cancelled",
        },
    )
    return str(session.url)


def portal_url(settings: StripeSettings, *, customer_id: str, language: str, return_url: str) -> str:
    """Stripe's customer portal, where the customer manages cards and downloads invoices."""
    session = _call(
        client(settings).v1.billing_portal.sessions.create,
        params={"customer": customer_id, "locale": language, "return_url": return_url},
    )
    return str(session.url)


def change_plan(settings: StripeSettings, subscription_id: str, plan: Plan) -> dict[str, Any]:
    """Move the subscription to another paid plan now, charging or crediting the rest of the period."""
    price = plan.price_id(settings)
    if not price:
        raise BillingUnavailable(f"no Stripe price is configured for the {plan.code} plan")
    stripe_client = client(settings)
    subscription = _call(stripe_client.v1.subscriptions.retrieve, subscription_id)
    item = subscription["items"]["data"][0]
    updated = _call(
        stripe_client.v1.subscriptions.update,
        subscription_id,
        params={
            "items": [{"id": item["id"], "price": price}],
            "proration_behavior": "create_prorations",
        },
    )
    return dict(updated.to_dict())


def cancel_at_period_end(
    settings: StripeSettings, subscription_id: str, cancel: bool = True
) -> dict[str, Any]:
    """Stop (or, with cancel=False, resume) the subscription at the end of the paid period."""
    updated = _call(
        client(settings).v1.subscriptions.update,
        subscription_id,
        params={"cancel_at_period_end": cancel},
    )
    return dict(updated.to_dict())


def cancel_now(settings: StripeSettings, subscription_id: str) -> dict[str, Any]:
    """End the subscription at once (after the grace period of an unpaid invoice, or a deleted account)."""
    cancelled = _call(client(settings).v1.subscriptions.cancel, subscription_id)
    return dict(cancelled.to_dict())


def verified_event(settings: StripeSettings, payload: bytes, signature: str) -> dict[str, Any]:
    """The event in a webhook request, if Stripe signed it with our secret; raises ValueError otherwise."""
    if not settings.webhook_secret:
        raise BillingUnavailable("LANDFORM_STRIPE_WEBHOOK_SECRET is not set")
    try:
        event = stripe.Webhook.construct_event(payload, signature, settings.webhook_secret)
    except stripe.SignatureVerificationError as error:
        raise ValueError("the Stripe-Signature header does not match this body") from error
    except (ValueError, TypeError, AttributeError, RecursionError) as error:
        # Signed, but not a JSON object (the SDK fails in different ways on each kind of garbage; json.loads
        # gives up on deep nesting with RecursionError).
        raise ValueError("the body is not a Stripe event") from error
    return dict(event.to_dict())
