"""A stepped form without JavaScript: the answers of earlier steps travel with each step, signed.

The hosted form shows one step per request. What the visitor answered on the steps before comes back
in a hidden field, signed so it cannot be altered on the way (the server re-applies the form's rules on
the last step all the same). It is the visitor's own answers, returned only to them, for a day at most.
"""

from __future__ import annotations

from typing import Any

from landform.core import security

CARRY_FIELD = "_carry"
STEP_FIELD = "_step"
NAV_FIELD = "_nav"
_PURPOSE = "form-steps"
_MAX_AGE = 24 * 3600


def sign_answers(answers: dict[str, str]) -> str:
    return security.sign(_PURPOSE, answers)


def read_carried(raw: dict[str, Any]) -> dict[str, str]:
    """The earlier steps' answers carried by a step's request ({} when missing, altered or too old)."""
    token = raw.get(CARRY_FIELD)
    if not isinstance(token, str) or not token:
        return {}
    try:
        answers = security.unsign(_PURPOSE, token, max_age=_MAX_AGE)
    except security.TokenInvalid:
        return {}
    if not isinstance(answers, dict):
        return {}
    return {str(k): v for k, v in answers.items() if isinstance(v, str)}
