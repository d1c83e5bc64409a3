"""Screening a submission for bots: the honeypot and time trap, and a proof of work where it looks risky."""

from __future__ import annotations

from typing import Any

from litestar.stores.registry import StoreRegistry

from landform.core.settings import get_settings
from landform.forms.guard import proof
from landform.forms.intake import spam
from landform.forms.models import Form

# What the time trap says of a submission a person may well have sent (autofill, a lost page): these
# get a challenge; a filled honeypot or a forged token is still kept as spam without a word.
RISKY = frozenset({"no_token", "too_fast"})


async def screen(form: Form, raw: dict[str, Any], address: str, stores: StoreRegistry) -> spam.TokenFacts:
    """The bot checks of a submission, with a proof of work where it looks risky or the form asks always.

    Raises `spam.Spam` (kept aside, answered like a success) or `proof.ProofNeeded` (answered with a
    challenge).
    """
    risk = ""
    facts: spam.TokenFacts | None = None
    try:
        facts = spam.check_bot_signals(form, raw)
    except spam.Spam as suspected:
        if suspected.reason not in RISKY:
            raise
        risk = suspected.reason
    if proof.bursts.count(address) > get_settings().security.proof_of_work_after:
        risk = risk or "burst"
    if not risk and not form.proof_of_work_always:
        return facts  # type: ignore[return-value]  # no risk: the token was checked
    solution = raw.get(proof.FIELD)
    if not isinstance(solution, str) or not solution:
        raise proof.ProofNeeded(proof.REQUIRED)
    challenge = await proof.verify(stores.get(proof.STORE), solution, form.key)
    # Without a token, the solved challenge is the submission's nonce: sending it twice is one lead.
    return facts or spam.TokenFacts(page_id=None, nonce=challenge[:32])
