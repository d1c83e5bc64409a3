"""The page templates as data: `pages.json` (copy in Dutch and English) and the illustrations in `images/`.

A template's blocks are built through `blocks.apply_block_edit`, the editor's own validation, so a template
can never hold what a marketer could not have typed. `tools/starter_illustrations.py` draws the images.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from landform.core.i18n import LANGUAGES, get_language
from landform.forms.builder import starters as form_starters
from landform.site import blocks as page_blocks

HERE = Path(__file__).parent
IMAGES = HERE / "images"
# Placeholders in the data, replaced by the ids of what creating the page makes.
FORM = "form"
ILLUSTRATION = "illustration"


@dataclass(frozen=True)
class PageStarter:
    """One page template as the gallery shows it."""

    key: str
    form_key: str
    spec: dict[str, Any]

    def _text(self, name: str) -> str:
        texts: dict[str, str] = self.spec[name]
        return texts.get(get_language()) or texts["en"]

    @property
    def title(self) -> str:
        return self._text("name")

    @property
    def description(self) -> str:
        return self._text("summary")

    @property
    def form(self) -> form_starters.FormStarter:
        found = form_starters.find(self.form_key)
        if found is None:
            raise LookupError(f"page template {self.key} names an unknown form template {self.form_key}")
        return found

    @property
    def thumbnail(self) -> str:
        """The gallery's preview: a static file (static/starters/), drawn with the illustration."""
        return f"starters/{self.key}.webp"

    @property
    def age_check(self) -> bool:
        return self.form.age_check

    def slug(self, language: str) -> str:
        slugs: dict[str, str] = self.spec["slug"]
        return slugs.get(language) or slugs["en"]


@cache
def gallery() -> list[PageStarter]:
    """Every page template, in the order the gallery shows them."""
    specs = json.loads((HERE / "pages.json").read_text(encoding="utf-8"))
    return [PageStarter(key=spec["key"], form_key=spec["form"], spec=spec) for spec in specs]


def find(key: str) -> PageStarter | None:
    return next((starter for starter in gallery() if starter.key == key), None)


def illustration(starter: PageStarter) -> bytes:
    return (IMAGES / f"{starter.key}.webp").read_bytes()


def settings(starter: PageStarter, image_id: str) -> dict[str, str]:
    """The page settings form's values: titles, search texts and the illustration as the social image."""
    raw = {"social_image_id": image_id}
    for lang in LANGUAGES:
        raw[f"{lang}_title"] = starter.spec["title"][lang]
        raw[f"{lang}_seo_description"] = starter.spec["seo_description"][lang]
        raw[f"{lang}_social_image_alt"] = starter.spec["image_alt"][lang]
    return raw


def blocks(starter: PageStarter, form_id: str, image_id: str) -> list[dict[str, Any]]:
    """The template's blocks, each as the editor would save it; raises BlockInvalid if one is not valid."""
    built = []
    for spec in starter.spec["blocks"]:
        block = page_blocks.new_block(spec["type"])
        # A new block's own defaults first (as the editor posts them back), so data the template does not
        # name keeps the value a marketer's new block would have.
        raw = {name: ("on" if value is True else str(value or "")) for name, value in block["data"].items()}
        for name, value in spec.get("data", {}).items():
            raw[name] = {FORM: form_id, ILLUSTRATION: image_id}.get(value, value)
        for lang in LANGUAGES:
            for name, value in spec[lang].items():
                raw[f"{lang}_{name}"] = value
        built.append(page_blocks.apply_block_edit(block, raw, {form_id}, {image_id}))
    return built
