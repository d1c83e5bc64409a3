"""Conditional logic and steps: which of a form's fields a visitor is shown, given their answers so far.

A form's field list may hold step breaks (`{"type": "step", "name": ..., "label": ...}`): the fields after
one, up to the next, are that step; fields before the first break are the first step. A field or a step
may carry `show_if`, a condition on earlier answers; a step may carry `skip_to`, a step to jump to after
it when a condition holds (the steps in between are not shown). Conditions name fields by their stable
`name`, so they survive reordering and are kept with each published version (`FormVersion.fields`).

The browser runs the same rules (static/forms/logic-1.js, static/embed-steps.js); the server has the final
word: a field the rules hide is neither required nor stored, whatever the request carries. Fields are
walked in order and a rule sees only the answers of shown fields before it, so the result never depends on
what a hidden field was sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from landform.core.text import normalize_text

STEP = "step"
MATCHES = ("all", "any")
# An operator and whether it takes a value (the builder offers those that suit the field's kind).
OPERATORS = ("equals", "one_of", "filled", "empty", "above", "below", "before", "after", "younger_than")
MAX_RULES = 10
_TRUE = {"on", "true", "1", "yes", "ja"}
_PIPE = re.compile(r"\{([a-z][a-z0-9_]{0,59})\}")
_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")


def is_step(item: Mapping[str, Any]) -> bool:
    return item.get("type") == STEP


def answer_fields(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The fields that take an answer (step breaks left out)."""
    return [f for f in fields if not is_step(f)]


def has_steps(fields: list[dict[str, Any]]) -> bool:
    return any(is_step(f) for f in fields)


def uses_logic(fields: list[dict[str, Any]]) -> bool:
    return any(is_step(f) or f.get("show_if") for f in fields)


def answer_text(item: Mapping[str, Any], raw: Any) -> str:
    """An answer as rules compare it: trimmed text; a ticked box is "on", an unticked one ""."""
    if item.get("type") in {"checkbox", "consent"}:
        return "on" if raw is True or normalize_text(raw).casefold() in _TRUE else ""
    return normalize_text(raw)[:500]


def _number(text: str) -> float | None:
    try:
        number = float(text.replace(",", ".").replace(" ", ""))
    except ValueError:
        return None
    return number if number == number and abs(number) < 1e15 else None


def _day(text: str) -> date | None:
    match = _DAY.fullmatch(text.strip())
    if match is None:
        return None
    y, m, d = (match.group(1), match.group(2), match.group(3)) if match.group(1) else match.group(6, 5, 4)
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def rule_holds(rule: Mapping[str, Any], answers: Mapping[str, str], today: date | None = None) -> bool:
    """One rule against the answers so far (a field not shown, or not answered, is empty)."""
    answer = answers.get(str(rule.get("field", "")), "")
    op, value = rule.get("op"), rule.get("value", "")
    if op == "filled":
        return answer != ""
    if op == "empty":
        return answer == ""
    if answer == "":
        return False
    if op == "equals":
        return answer.casefold() == str(value).strip().casefold()
    if op == "one_of":
        options = value if isinstance(value, list) else [value]
        return answer.casefold() in {str(v).strip().casefold() for v in options}
    if op in {"above", "below"}:
        mine, theirs = _number(answer), _number(str(value))
        if mine is None or theirs is None:
            return False
        return mine > theirs if op == "above" else mine < theirs
    if op in {"before", "after"}:
        mine_day, their_day = _day(answer), _day(str(value))
        if mine_day is None or their_day is None:
            return False
        return mine_day < their_day if op == "before" else mine_day > their_day
    if op == "younger_than":
        born, years = _day(answer), _number(str(value))
        return born is not None and years is not None and _age(born, today or date.today()) < years
    return False


def condition_holds(
    condition: Mapping[str, Any] | None, answers: Mapping[str, str], today: date | None = None
) -> bool:
    """A field's or step's `show_if`: no condition (or no rules) always holds."""
    if not condition or not condition.get("rules"):
        return True
    results = (rule_holds(rule, answers, today) for rule in condition["rules"])
    return any(results) if condition.get("match") == "any" else all(results)


@dataclass
class Step:
    """One step of a form as a visitor goes through it."""

    name: str
    item: dict[str, Any] | None  # the step break (None for the first step without one)
    fields: list[dict[str, Any]] = field(default_factory=list)
    shown: bool = True


@dataclass
class Walk:
    """The form walked with a visitor's answers: its steps, and which fields they were shown."""

    steps: list[Step]
    shown: list[dict[str, Any]]  # the answer fields shown, in order
    answers: dict[str, str]  # the shown fields' answers as rules see them

    @property
    def shown_names(self) -> set[str]:
        return {f["name"] for f in self.shown}

    def shown_steps(self) -> list[Step]:
        return [s for s in self.steps if s.shown]


def split_steps(fields: list[dict[str, Any]]) -> list[Step]:
    """The form's steps in order; a form without breaks is one step."""
    steps = [Step(name="", item=None)]
    for item in fields:
        if is_step(item):
            steps.append(Step(name=item["name"], item=item))
        else:
            steps[-1].fields.append(item)
    if len(steps) > 1 and not steps[0].fields:
        steps.pop(0)  # the form starts with a break: that break is the first step
    return steps


def walk(fields: list[dict[str, Any]], raw: Mapping[str, Any], today: date | None = None) -> Walk:
    """Which steps and fields the rules show for these answers (the server's and the browser's rule)."""
    steps = split_steps(fields)
    answers: dict[str, str] = {}
    shown: list[dict[str, Any]] = []
    skipping_to: str | None = None
    for step in steps:
        if skipping_to is not None and step.name != skipping_to:
            step.shown = False
            continue
        skipping_to = None
        step.shown = condition_holds((step.item or {}).get("show_if"), answers, today)
        if not step.shown:
            continue
        for item in step.fields:
            if condition_holds(item.get("show_if"), answers, today):
                shown.append(item)
                answers[item["name"]] = answer_text(item, raw.get(item["name"]))
        jump = (step.item or {}).get("skip_to")
        if jump and jump.get("step") and condition_holds(jump, answers, today):
            later = [s.name for s in steps[steps.index(step) + 1 :]]
            if jump["step"] in later:
                skipping_to = jump["step"]
    return Walk(steps=steps, shown=shown, answers=answers)


def shown_fields(fields: list[dict[str, Any]], raw: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The answer fields a visitor with these answers was shown: the only ones validated and stored."""
    if not uses_logic(fields):
        return fields
    return walk(fields, raw).shown


def pointing_at(fields: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """The fields and steps whose rules name this field (the builder warns before it is removed)."""
    found = []
    for item in fields:
        conditions = [item.get("show_if") or {}, item.get("skip_to") or {}]
        if any(rule.get("field") == name for c in conditions for rule in c.get("rules", [])):
            found.append(item)
    return found


def drop_rules_on(fields: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """The fields with every rule that names `name` taken out (the field is being removed)."""
    result = []
    for item in fields:
        changed = dict(item)
        for key in ("show_if", "skip_to"):
            condition = item.get(key)
            if not condition:
                continue
            rules = [r for r in condition.get("rules", []) if r.get("field") != name]
            if rules:
                changed[key] = {**condition, "rules": rules}
            else:
                changed.pop(key)
        result.append(changed)
    return result


def pipe(text: str, answers: Mapping[str, Any]) -> str:
    """A label with `{field_name}` replaced by that earlier answer (escaped by the template that shows it)."""
    if "{" not in text:
        return text
    return _PIPE.sub(lambda m: normalize_text(answers.get(m.group(1), ""))[:100], text)


def read_condition(raw: Any, names: set[str], *, with_step: bool = False) -> dict[str, Any] | None:
    """A condition as the builder sent it, shaped as stored; rules on unknown fields are left out.

    `with_step`: a step's `skip_to`, which also names the step to go to. None when nothing is left.
    """
    if not isinstance(raw, dict) or not isinstance(raw.get("rules"), list):
        return None
    rules = []
    for rule in raw["rules"][:MAX_RULES]:
        if not isinstance(rule, dict) or rule.get("field") not in names or rule.get("op") not in OPERATORS:
            continue
        value = rule.get("value", "")
        if isinstance(value, list):
            value = [normalize_text(v)[:200] for v in value[:50] if isinstance(v, str | int | float)]
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            value = normalize_text(value)[:200]
        else:
            value = ""
        rules.append({"field": rule["field"], "op": rule["op"], "value": value})
    if not rules:
        return None
    condition: dict[str, Any] = {"match": "any" if raw.get("match") == "any" else "all", "rules": rules}
    if with_step:
        if not isinstance(raw.get("step"), str) or not raw["step"]:
            return None
        condition["step"] = raw["step"][:64]
    return condition


def unpiped(text: str) -> str:
    """A label with its `{field_name}` placeholders shown as an ellipsis (where no answer is known)."""
    return _PIPE.sub("…", text)
