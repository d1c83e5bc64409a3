"""Conditional logic and steps (forms/logic.py): what a crafted submission can and cannot do."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landform.forms import logic
from landform.forms.fields import SubmissionInvalid, clean_answers

KINDS = ("text", "number", "select", "checkbox")
OPTIONS = [{"value": v, "label": {"nl": v, "en": v}} for v in ("a", "b", "c")]


def _field(name: str, kind: str, required: bool, show_if: dict[str, Any] | None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "name": name,
        "type": kind,
        "required": required,
        "label": {"nl": name, "en": name},
    }
    if kind == "select":
        item["options"] = OPTIONS
    if show_if:
        item["show_if"] = show_if
    return item


@st.composite
def forms(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Up to 8 fields and step breaks, each field maybe shown only by rules on any field's name."""
    count = draw(st.integers(1, 8))
    names = [f"f{i}" for i in range(count)]
    items: list[dict[str, Any]] = []
    for i, name in enumerate(names):
        if i and draw(st.booleans()) and draw(st.booleans()):
            items.append({"type": "step", "name": f"s{i}", "label": {"nl": "", "en": ""}})
        rules = draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "field": st.sampled_from(names),
                        "op": st.sampled_from(logic.OPERATORS),
                        "value": st.sampled_from(["a", "b", "5", "on", "2000-01-01", "16", ""]),
                    }
                ),
                max_size=3,
            )
        )
        condition = {"match": draw(st.sampled_from(logic.MATCHES)), "rules": rules} if rules else None
        items.append(_field(name, draw(st.sampled_from(KINDS)), draw(st.booleans()), condition))
    return items


answers = st.dictionaries(
    st.sampled_from([f"f{i}" for i in range(8)]),
    st.sampled_from(["", "a", "b", "c", "5", "12", "on", "2000-01-01", "x" * 20]),
)


@settings(max_examples=300, deadline=None)
@given(forms(), answers)
def test_it_never_stores_a_field_the_answers_hide(fields: list[dict[str, Any]], raw: dict[str, str]) -> None:
    shown = logic.shown_fields(fields, raw)
    try:
        values, _contact = clean_answers(shown, raw, "NL")
    except SubmissionInvalid as invalid:
        assert set(invalid.errors) <= {f["name"] for f in shown}
        return
    hidden = {f["name"] for f in logic.answer_fields(fields)} - {f["name"] for f in shown}
    assert not hidden & set(values)


@settings(max_examples=300, deadline=None)
@given(forms(), answers)
def test_it_never_skips_a_required_field_that_is_shown(
    fields: list[dict[str, Any]], raw: dict[str, str]
) -> None:
    shown = logic.shown_fields(fields, raw)
    missing = [
        f["name"]
        for f in shown
        if f["required"] and not (raw.get(f["name"]) or "").strip() and f["type"] != "checkbox"
    ]
    if not missing:
        return
    with pytest.raises(SubmissionInvalid) as invalid:
        clean_answers(shown, raw, "NL")
    assert set(missing) <= set(invalid.value.errors)


@settings(max_examples=200, deadline=None)
@given(forms(), answers, answers)
def test_it_decides_with_shown_answers_only(
    fields: list[dict[str, Any]], raw: dict[str, str], noise: dict[str, str]
) -> None:
    """Whatever a request sends for fields the rules hide, the same fields are shown."""
    shown = logic.shown_fields(fields, raw)
    names = {f["name"] for f in shown}
    crafted = {**raw, **{k: v for k, v in noise.items() if k not in names}}
    assert {f["name"] for f in logic.shown_fields(fields, crafted)} == names


def test_it_compares_like_the_builder_says() -> None:
    answers = {"size": "12", "country": "NL", "day": "31-12-2020", "born": "2015-06-01", "box": ""}
    assert logic.rule_holds({"field": "size", "op": "above", "value": "10"}, answers)
    assert not logic.rule_holds({"field": "size", "op": "below", "value": "10"}, answers)
    assert logic.rule_holds({"field": "country", "op": "equals", "value": "nl"}, answers)
    assert logic.rule_holds({"field": "country", "op": "one_of", "value": ["BE", "NL"]}, answers)
    assert logic.rule_holds({"field": "day", "op": "after", "value": "2020-12-30"}, answers)
    assert logic.rule_holds({"field": "box", "op": "empty"}, answers)
    assert not logic.rule_holds({"field": "box", "op": "filled"}, answers)
    born = {"field": "born", "op": "younger_than", "value": 16}
    assert logic.rule_holds(born, answers, today=date(2026, 12, 7))
    assert not logic.rule_holds(born, answers, today=date(2031, 6, 1))


def test_it_skips_to_a_later_step_and_hides_the_ones_between() -> None:
    about = {"type": "step", "name": "about", "label": {}}
    about["skip_to"] = {"step": "contact", "rules": [{"field": "kind", "op": "equals", "value": "private"}]}
    fields = [
        about,
        _field("kind", "text", True, None),
        {"type": "step", "name": "company", "label": {}},
        _field("company", "text", True, None),
        {"type": "step", "name": "contact", "label": {}},
        _field("email", "text", True, None),
    ]
    private = logic.walk(fields, {"kind": "private", "company": "Acme"})
    assert [s.name for s in private.shown_steps()] == ["about", "contact"]
    assert private.shown_names == {"kind", "email"}
    business = logic.walk(fields, {"kind": "business"})
    assert [s.name for s in business.shown_steps()] == ["about", "company", "contact"]


def test_it_pipes_an_answer_into_a_label() -> None:
    assert logic.pipe("Thanks, {first_name}!", {"first_name": "Anna"}) == "Thanks, Anna!"
    assert logic.pipe("Thanks, {first_name}!", {}) == "Thanks, !"
