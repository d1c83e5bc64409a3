"""Going through a form with steps: checking one step's answers and deciding which step comes next.

The browser (hosted page, embed) sends each step to the intake with the step's name in `_step`; the
intake checks only that step's shown fields and answers with the next step, or with the step's errors.
Nothing is stored until the last step, which is an ordinary submission of all the answers: one token,
one lead. Without JavaScript the earlier steps' answers travel along signed (`steps_carry`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from landform.consent import minors as consent_minors
from landform.forms import logic
from landform.forms.fields import SubmissionInvalid, clean_answers
from landform.forms.intake.steps_carry import CARRY_FIELD, NAV_FIELD, STEP_FIELD, read_carried


@dataclass
class Move:
    """Where a step's request leads: to another step to show, or (`final`) to the submission itself."""

    answers: dict[str, Any]  # every answer so far: carried ones with this step's
    final: bool = False
    step: str = ""  # the step to show next (or again, with `errors`)
    completed: str | None = None  # the step whose answers were just accepted
    errors: dict[str, str] = field(default_factory=dict)


def take_step(
    fields: list[dict[str, Any]],
    raw: dict[str, Any],
    country: str,
    *,
    age_check: bool = False,
    block_disposable: bool = False,
) -> Move:
    """The move a request makes; a request without `_step` (or on the last step) is the submission."""
    sent = {k: v for k, v in raw.items() if k not in (CARRY_FIELD, STEP_FIELD, NAV_FIELD)}
    name = raw.get(STEP_FIELD)
    if not isinstance(name, str) or not logic.has_steps(fields):
        return Move(answers=sent, final=True)
    steps = logic.split_steps(fields)
    this = next((s for s in steps if s.name == name), steps[0])
    # This step's boxes are sent only when ticked: its carried answers give way to what was sent now.
    own = {f["name"] for f in this.fields} | {consent_minors.PARENT_EMAIL_FIELD}
    answers = {k: v for k, v in read_carried(raw).items() if k not in own} | sent
    shown = logic.walk(fields, answers).shown_steps()
    names = [s.name for s in shown]
    index = names.index(this.name) if this.name in names else 0
    if raw.get(NAV_FIELD) == "back":
        return Move(answers=answers, step=names[max(0, index - 1)])
    if index == len(shown) - 1:
        return Move(answers=answers, final=True)
    visible = [f for f in shown[index].fields if f in logic.walk(fields, answers).shown]
    try:
        values, _contact = clean_answers(visible, answers, country, block_disposable=block_disposable)
        consent_minors.parent_needed(age_check, visible, values, answers)
    except SubmissionInvalid as invalid:
        return Move(answers=answers, step=names[index], errors=invalid.errors)
    except consent_minors.ParentEmailNeeded as needed:
        return Move(
            answers=answers, step=names[index], errors={consent_minors.PARENT_EMAIL_FIELD: str(needed)}
        )
    return Move(answers=answers, step=names[index + 1], completed=names[index])
