"""A submission's answers as the visitor saw them: each field's label, and a chosen option's label.

The answers store an option's key ("f_11_50"); the intake keeps the labels the visitor was shown in the
submission's context (`labels`, `choices`), so the timeline, the export and the e-mails read the same words.
Hidden fields (UTM data, the page address) are the form's own bookkeeping and are never listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Hidden answers the intake records of every form; they are shown as where the lead came from instead.
TRACKING = frozenset({"page_url", "referrer", "utm_source", "utm_medium", "utm_campaign"})


def shown_answers(data: Mapping[str, Any], context: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(label, answer) for every field the visitor filled in and saw, in the form's order.

    An answer is a string, or a bool for a checkbox (the reader says yes or no in its own language).
    """
    labels: Mapping[str, Any] = context.get("labels") or {}
    choices: Mapping[str, Any] = context.get("choices") or {}
    names = [name for name in labels if name in data] if labels else list(data)
    shown: list[tuple[str, Any]] = []
    for name in names:
        if name in TRACKING or name.startswith("utm_"):
            continue
        value = data[name]
        if value is None or value == "":
            continue
        label = str(labels.get(name) or name)
        shown.append((label, value if isinstance(value, bool) else str(choices.get(name, value))))
    return shown


def answers_text(data: Mapping[str, Any], context: Mapping[str, Any], yes: str, no: str) -> str:
    """The answers on one line each ("Label: answer"), for a CSV cell or a chat message."""
    return "\n".join(
        f"{label}: {(yes if value else no) if isinstance(value, bool) else value}"
        for label, value in shown_answers(data, context)
    )
