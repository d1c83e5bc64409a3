"""Progressive forms: a returning visitor is not asked again what the tenant already knows.

Like HubSpot's progressive profiling, but only with the visitor's functional-cookie consent. After a
submission from a hosted page, a signed first-party cookie (scoped to the tenant's pages) remembers
*which* CRM fields the visitor has answered, never the answers. On their next visit the form leaves
those fields out and asks the marketer's queued "progressive" questions instead. E-mail (how the CRM
knows them), consent boxes (asked per form, by law) and date of birth (the age check) are always asked.

The form token carries what the page decided (fields left out, the visitor's consent), signed, so the
intake validates exactly the form the visitor saw.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from landform.core import security
from landform.crm_sink.fields import LEAD_FIELDS
from landform.forms.fields import TYPE_TARGETS

COOKIE_PREFIX = "lf_known_"
MAX_AGE = 365 * 24 * 3600
# Asked every time: the identity, consent per form, and the age check.
ALWAYS_ASKED = {"email", "consent", "date_of_birth", "hidden"}


@dataclass(frozen=True)
class Visit:
    """What a hosted page knows about the visitor when it hands out a form (all of it from their cookies)."""

    functional: bool = False  # functional cookies allowed: progressive forms may remember
    known: frozenset[str] = frozenset()  # CRM fields answered before
    visitor_id: str = ""  # analytics visitor id, only with analytics consent
    skip: frozenset[str] | None = None  # fields left out of this form; None: not decided yet


def cookie_name(tenant_id: UUID) -> str:
    """One cookie per tenant, so one organisation's pages never see what a visitor told another."""
    return COOKIE_PREFIX + hashlib.sha256(tenant_id.bytes).hexdigest()[:12]


def read_known(value: str | None, tenant_id: UUID) -> frozenset[str]:
    if not value:
        return frozenset()
    try:
        tenant, known = security.unsign("known", value, max_age=MAX_AGE)
    except (security.TokenInvalid, security.TokenExpired, ValueError, TypeError):
        return frozenset()
    if tenant != tenant_id.hex or not isinstance(known, list):
        return frozenset()
    return frozenset(str(k) for k in known if k in _TARGETS)


def known_cookie_value(tenant_id: UUID, known: frozenset[str]) -> str:
    return security.sign("known", [tenant_id.hex, sorted(k for k in known if k in _TARGETS)])


def target_of(item: dict[str, Any]) -> str:
    """The CRM field a form field fills ("" when none)."""
    return TYPE_TARGETS.get(item["type"]) or (item.get("maps_to") or "" if item["type"] == "text" else "")


# The CRM fields a form can fill: the e-mail address and what the CRM takes of a lead.
_TARGETS = {"email", *LEAD_FIELDS}


def plan(fields: list[dict[str, Any]], known: frozenset[str]) -> frozenset[str]:
    """The names of the fields to leave out: those already known, and queued questions not yet due.

    Each known field left out makes room for one queued progressive question, in the builder's order.
    """
    leave_out = {
        f["name"]
        for f in fields
        if not f.get("progressive") and f["type"] not in ALWAYS_ASKED and target_of(f) in known
    }
    room = len(leave_out)
    for item in fields:
        if item.get("progressive"):
            if room > 0:
                room -= 1
            else:
                leave_out.add(item["name"])
    return frozenset(leave_out)


def answered(contact_fields: dict[str, str]) -> frozenset[str]:
    """The CRM fields a submission filled, to remember (not their values)."""
    return frozenset(k for k, v in contact_fields.items() if v and k in _TARGETS and k != "email")
