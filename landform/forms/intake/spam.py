"""The bot checks (a honeypot field and a signed time-trap token) and keeping what they caught."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy.ext.asyncio import AsyncSession

from landform.core import security
from landform.core.i18n import gettext as _
from landform.core.settings import get_settings
from landform.core.text import normalize_text
from landform.forms import progressive
from landform.forms.fields import SubmissionInvalid
from landform.forms.intake.pipeline import SubmissionContext
from landform.forms.models import Form, SpamSubmission

# A field no person sees or reaches; anything in it was typed by a bot.
HONEYPOT = "homepage_url"
TOKEN_FIELD = "_lf_token"  # noqa: S105  (a field name, not a secret)


class Spam(Exception):
    """A submission a bot sent; answered like a success so the bot learns nothing."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def issue_token(form_key: str, page_id: UUID | None = None, visit: progressive.Visit | None = None) -> str:
    """The time-trap token handed out with the form; it vouches for the page and is single-use.

    From a hosted page it also carries what the page decided about this visitor (fields left out,
    their cookie consent), so the intake checks the form they actually saw.
    """
    payload: list[Any] = [form_key, str(page_id) if page_id else None, secrets.token_hex(8)]
    if visit is not None:
        extras = {
            "s": sorted(visit.skip or ()),
            "k": sorted(visit.known) if visit.functional else [],
            "f": 1 if visit.functional else 0,
            "v": visit.visitor_id,
        }
        payload.append({k: v for k, v in extras.items() if v})
    return security.sign("form", payload)


@dataclass
class TokenFacts:
    page_id: UUID | None
    nonce: str
    visit: progressive.Visit = field(default_factory=progressive.Visit)


def _visit_from_token(extras: Any) -> progressive.Visit:
    if not isinstance(extras, dict):
        return progressive.Visit(skip=frozenset())
    return progressive.Visit(
        functional=bool(extras.get("f")),
        known=frozenset(map(str, extras.get("k", []))),
        visitor_id=str(extras.get("v", ""))[:32],
        skip=frozenset(map(str, extras.get("s", []))),
    )


def check_bot_signals(form: Form, raw: dict[str, Any]) -> TokenFacts:
    """Refuse what a person could not have sent: Spam, or SubmissionInvalid for a form open too long."""
    if normalize_text(raw.get(HONEYPOT)):
        raise Spam("honeypot")
    token = raw.get(TOKEN_FIELD)
    if not isinstance(token, str) or not token:
        raise Spam("no_token")
    settings = get_settings().security
    try:
        payload, age = security.unsign_with_age("form", token, max_age=settings.form_max_age_seconds)
        key, page_id, nonce = payload[:3]
        extras = payload[3] if len(payload) > 3 else None
    except security.TokenExpired as error:
        raise SubmissionInvalid(
            {"_form": _("This form was open for a long time. Please check your answers and send it again.")}
        ) from error
    except (security.TokenInvalid, ValueError, TypeError) as error:
        raise Spam("forged_token") from error
    if key != form.key:
        raise Spam("other_form_token")
    if age < settings.form_min_seconds:
        raise Spam("too_fast")
    try:
        return TokenFacts(
            page_id=UUID(page_id) if page_id else None, nonce=str(nonce)[:32], visit=_visit_from_token(extras)
        )
    except ValueError as error:
        raise Spam("forged_token") from error


_SPAM_KEEP = 40  # answers beyond this many fields are not kept


def keep_spam(
    db: AsyncSession,
    form: Form,
    version_number: int | None,
    raw: dict[str, Any],
    reason: str,
    context: SubmissionContext,
) -> SpamSubmission:
    """Keep what a suspected bot sent, for 30 days, so a person can release a false positive."""
    known = {f["name"] for f in form.fields}
    answers = {
        k: normalize_text(v)[:500]
        for k, v in list(raw.items())[:_SPAM_KEEP]
        if k in known and isinstance(v, str | int | float | bool)
    }
    spam = SpamSubmission(
        id=uuid7(),
        tenant_id=form.tenant_id,
        form_id=form.id,
        form_version=version_number,
        answers=answers,
        context={
            "source": context.source,
            "language": context.language,
            **({"page_id": str(context.page_id)} if context.page_id else {}),
        },
        reason=reason,
        detail="",
    )
    db.add(spam)
    return spam


def token_facts(form: Form, raw: dict[str, Any]) -> TokenFacts | None:
    """What a genuine token says, without the bot checks (a step of a form shows with it; the last one
    is checked in full)."""
    token = raw.get(TOKEN_FIELD)
    if not isinstance(token, str):
        return None
    try:
        key, page_id, nonce, *extras = security.unsign("form", token)
        return TokenFacts(
            page_id=UUID(page_id) if page_id and key == form.key else None,
            nonce=str(nonce)[:32],
            visit=_visit_from_token(extras[0] if extras else None),
        )
    except (security.TokenInvalid, ValueError, TypeError):
        return None
