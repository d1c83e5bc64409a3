"""Cookies on hosted pages: the registry of every cookie Landform can set, and the visitor's choice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from landform.consent.services import ConsentHow, new_record
from landform.core.i18n import gettext as _
from landform.core.i18n import pick

COOKIE_NAME = "lf_consent"
CHOICE_MAX_AGE = 183 * 24 * 3600  # six months: long enough not to nag, short enough to ask again
# The order the banner and the policy page show them in. Necessary cookies need no consent.
CATEGORIES = ("necessary", "functional", "analytics", "marketing")
OPTIONAL = CATEGORIES[1:]
# What Global Privacy Control (Sec-GPC: 1, navigator.globalPrivacyControl) refuses on the visitor's behalf.
GPC_REFUSES = frozenset({"analytics", "marketing"})


@dataclass(frozen=True)
class CookieSpec:
    """One cookie a hosted page can set, as the cookie policy page lists it."""

    name: str
    category: str
    purpose: dict[str, str]
    lifetime: dict[str, str]


REGISTRY: tuple[CookieSpec, ...] = (
    CookieSpec(
        name=COOKIE_NAME,
        category="necessary",
        purpose={
            "nl": "Onthoudt uw cookiekeuze en de versie van het cookiebeleid waarvoor u koos. Niets anders.",
            "en": "Remembers your cookie choice and the cookie policy version you chose for. Nothing else.",
        },
        lifetime={"nl": "6 maanden", "en": "6 months"},
    ),
    CookieSpec(
        name="lf_known_…",
        category="functional",
        purpose={
            "nl": "Onthoudt welke vragen u al beantwoordde (niet uw antwoorden), zodat een formulier u die"
            " niet opnieuw stelt.",
            "en": "Remembers which questions you already answered (not your answers), so a form does not"
            " ask them again.",
        },
        lifetime={"nl": "1 jaar", "en": "1 year"},
    ),
    CookieSpec(
        name="lf_vid",
        category="analytics",
        purpose={
            "nl": "Een willekeurig bezoekersnummer, zodat de organisatie ziet welke pagina's u bekeek"
            " voordat u zich aanmeldde. Alleen met uw toestemming; zonder dit cookie tellen we anoniem.",
            "en": "A random visitor number, so the organisation sees which pages you viewed before"
            " signing up. Only with your consent; without it we only count anonymously.",
        },
        lifetime={"nl": "13 maanden", "en": "13 months"},
    ),
)


def category_name(category: str) -> str:
    names = {
        "necessary": _("Necessary"),
        "functional": _("Functional"),
        "analytics": _("Analytics"),
        "marketing": _("Marketing and social media"),
    }
    return names[category]


def category_description(category: str) -> str:
    descriptions = {
        "necessary": _("Needed for the page to work, such as remembering this choice. Always on."),
        "functional": _("Remember settings you make on the page, such as your language."),
        "analytics": _("Count visits per visitor to learn how the page is used."),
        "marketing": _("Sharing buttons and content from social networks, which may follow you."),
    }
    return descriptions[category]


@dataclass(frozen=True)
class CookieChoice:
    """What a visitor allowed, under which version of the tenant's cookie policy."""

    version: int
    granted: frozenset[str]

    def cookie_value(self) -> str:
        # Only characters a cookie value may hold unquoted, so cookies.js can read it back as is.
        return f"{self.version}.{'-'.join(c for c in OPTIONAL if c in self.granted) or 'none'}"


def read_choice(value: str | None, policy_version: int) -> CookieChoice | None:
    """The choice in an `lf_consent` cookie; None when absent, mangled or made under another version."""
    version, _sep, granted = (value or "").partition(".")
    if not version.isdigit() or int(version) != policy_version:
        return None
    categories = frozenset(granted.split("-")) if granted != "none" else frozenset()
    if not categories <= set(OPTIONAL):
        return None
    return CookieChoice(policy_version, categories)


def choose(answer: str, ticked: list[str], policy_version: int, *, gpc: bool) -> CookieChoice:
    """The choice a banner answer makes: all, none, or the ticked categories; GPC refuses what it refuses."""
    if answer == "all":
        granted = set(OPTIONAL)
    elif answer == "none":
        granted = set()
    else:
        granted = {c for c in ticked if c in OPTIONAL}
    if gpc:
        granted -= GPC_REFUSES
    return CookieChoice(policy_version, frozenset(granted))


def global_privacy_control(sec_gpc: str | None) -> bool:
    """Whether a `Sec-GPC` header asks sites not to track the visitor (refusing analytics and marketing)."""
    return (sec_gpc or "").strip() == "1"


def allowed(choice: CookieChoice | None, *, gpc: bool) -> frozenset[str]:
    """The categories a page may use now: necessary always, the rest only once granted."""
    granted = choice.granted if choice else frozenset()
    if gpc:
        granted -= GPC_REFUSES
    return frozenset({"necessary"}) | granted


def record_choice(
    session: AsyncSession, *, tenant_id: UUID, choice: CookieChoice, language: str, how: ConsentHow, gpc: bool
) -> None:
    """A ledger record per optional category, given or refused, without a contact (a visitor is anonymous)."""
    for category in OPTIONAL:
        session.add(
            new_record(
                tenant_id=tenant_id,
                purpose_id=None,
                text_id=None,
                text_shown=f"{category_name(category)}: {category_description(category)}",
                language=language,
                given=category in choice.granted,
                how=how,
                evidence={"cookie_category": category, "cookie_policy_version": choice.version, "gpc": gpc},
            )
        )


def policy_rows(language: str) -> list[dict[str, str]]:
    """The registry as the cookie policy page shows it, in the visitor's language."""
    return [
        {
            "name": spec.name,
            "category": category_name(spec.category),
            "purpose": pick(spec.purpose, language),
            "lifetime": pick(spec.lifetime, language),
        }
        for spec in REGISTRY
    ]


def banner(
    tenant_slug: str,
    policy_version: int,
    cookie_value: str | None,
    *,
    gpc: bool,
    back: str,
    page_id: str = "",
    live: bool = True,
    prefix: str | None = None,
) -> dict[str, Any]:
    """What the banner, the preferences dialog and consent-gated blocks of a hosted page need.

    Not `live` (a preview, a form re-shown with errors): no banner and no script, consent-bound parts inert.
    `prefix` is where the tenant's pages live for this request: "" on its custom host, else /p/{slug}.
    """
    choice = read_choice(cookie_value, policy_version)
    prefix = f"/p/{tenant_slug}" if prefix is None else prefix
    return {
        "scripted": live,
        "action": f"{prefix}/_cookies",
        "version": policy_version,
        "path": cookie_path(prefix),
        "ask": live and choice is None,
        "granted": choice.granted if choice else frozenset(),
        "allowed": allowed(choice, gpc=gpc),
        "gpc": gpc,
        "back": back,
        "page_id": page_id,
        "categories": [
            {"key": c, "name": category_name(c), "description": category_description(c)} for c in CATEGORIES
        ],
    }


def cookie_path(prefix: str) -> str:
    """The Path of the tenant's page cookies: its pages' folder on our host, the whole custom host."""
    return prefix or "/"


def safe_back(tenant_slug: str, back: str, prefix: str | None = None) -> str:
    """Where to send a visitor after choosing: a page of the same tenant, never another site."""
    prefix = f"/p/{tenant_slug}" if prefix is None else prefix
    if back.startswith(f"{prefix}/") and "//" not in back and "\\" not in back:
        return back
    return f"{prefix}/_cookies"
