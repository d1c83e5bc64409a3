"""Form templates: ready-made forms for the campaigns tenants run, built through the builder's own rules.

The templates are data (`starters.json` beside this module): each field is what the builder's "add a field"
form would post, so `services.add_field` checks it exactly as it checks a marketer's field. A consent box
names a purpose; the tenant's purpose of that name is used, or made from the template's texts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import select
from sqlalchemy.orm import Session

from landform.consent import services as consent
from landform.consent.models import ConsentText, Purpose
from landform.core.i18n import get_language
from landform.forms.builder import services
from landform.forms.models import Form

DATA = Path(__file__).with_name("starters.json")


@dataclass(frozen=True)
class FormStarter:
    """One form template as the "new form" screen offers it."""

    key: str
    name: dict[str, str]
    summary: dict[str, str]
    spec: dict[str, Any]

    @property
    def title(self) -> str:
        return self.name.get(get_language()) or self.name["en"]

    @property
    def description(self) -> str:
        return self.summary.get(get_language()) or self.summary["en"]

    @property
    def age_check(self) -> bool:
        return bool(self.spec.get("age_check"))

    @property
    def questions(self) -> list[str]:
        """What the form asks in the reader's language, a preview of its fields (consent by purpose)."""
        language = "nl" if get_language() == "nl" else "en"
        purposes = _data()["purposes"]
        return [
            purposes[f["purpose"]][f"name_{language}"] if f.get("purpose") else f[f"label_{language}"]
            for f in self.spec["fields"]
            if f["type"] != "hidden"
        ]


@cache
def _data() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return loaded


def catalogue() -> list[FormStarter]:
    """Every form template, in the order the screen shows them."""
    return [
        FormStarter(
            key=spec["key"],
            name={"nl": spec["name_nl"], "en": spec["name_en"]},
            summary={"nl": spec["summary_nl"], "en": spec["summary_en"]},
            spec=spec,
        )
        for spec in _data()["forms"]
    ]


def find(key: str) -> FormStarter | None:
    return next((starter for starter in catalogue() if starter.key == key), None)


def _purpose(session: Session, key: str, made: dict[str, consent.PurposeChoice]) -> consent.PurposeChoice:
    """The tenant's purpose with the template purpose's name (in either language), or a new one."""
    if key in made:
        return made[key]
    texts = _data()["purposes"][key]
    names = {texts["name_nl"].casefold(), texts["name_en"].casefold()}
    rows = session.execute(
        select(Purpose, ConsentText).join(
            ConsentText,
            (ConsentText.purpose_id == Purpose.id) & (ConsentText.version == Purpose.current_version),
        )
    ).all()
    found = next(
        (
            (purpose, text)
            for purpose, text in rows
            if any(str(name).casefold() in names for name in purpose.name.values())
        ),
        None,
    )
    if found is None:
        purpose = consent.new_purpose(session, texts)
        session.flush()
        text = session.execute(select(ConsentText).where(ConsentText.purpose_id == purpose.id)).scalar_one()
        found = (purpose, text)
    purpose, text = found
    made[key] = consent.PurposeChoice(
        id=purpose.id, name=purpose.name, text_id=text.id, version=text.version, text=text.text
    )
    return made[key]


def build(session: Session, starter: FormStarter, name: str = "") -> Form:
    """A new draft form from a template, added to the session (scoped to the tenant); nothing published.

    Raises services.FormInvalid if a template field breaks a builder rule (a test keeps them all valid).
    """
    spec = starter.spec
    form = services.new_form(name or starter.title)
    form.id = uuid7()
    form.fields = []
    made: dict[str, consent.PurposeChoice] = {}
    for field in spec["fields"]:
        data = {k: v for k, v in field.items() if k != "purpose"}
        purpose = None
        if field.get("purpose"):
            purpose = _purpose(session, field["purpose"], made)
            data["purpose_id"] = str(purpose.id)
        services.add_field(form, data, purpose)
    form.submit_label = {"nl": spec["submit_nl"], "en": spec["submit_en"]}
    form.thank_you = {"nl": spec["thank_you_nl"], "en": spec["thank_you_en"]}
    form.crm_tags = [spec["tags"]] if spec.get("tags") else []
    form.requires_age_check = starter.age_check
    session.add(form)
    return form
