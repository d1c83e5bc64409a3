"""The page editor's draft: blocks as the editor sends them, checked field by field; does it differ from live.

A field that cannot be saved (a link that is not one) keeps its last saved value and is reported by block
and field, so one bad field never costs the other changes of the same save.
"""

from __future__ import annotations

import re
from typing import Any

from landform.core.drafts import DraftInvalid
from landform.core.i18n import LANGUAGES
from landform.core.i18n import gettext as _
from landform.core.text import normalize_text
from landform.site import blocks as page_blocks
from landform.site import themes
from landform.site.models import Page
from landform.site.services import SEO_FIELDS

MAX_BLOCKS = 60
BLOCK_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
Errors = dict[str, dict[str, str]]


def _structure(sent: Any) -> list[dict[str, Any]]:
    """The sent blocks, or DraftInvalid saying where the shape is wrong."""
    if not isinstance(sent, list):
        raise DraftInvalid({"blocks": "blocks: a list of blocks"})
    if len(sent) > MAX_BLOCKS:
        raise DraftInvalid({"blocks": f"blocks: at most {MAX_BLOCKS} blocks"})
    seen: set[str] = set()
    for index, block in enumerate(sent):
        where = f"blocks[{index}]"
        if not isinstance(block, dict):
            raise DraftInvalid({where: f"{where}: a block object"})
        if not isinstance(block.get("id"), str) or not BLOCK_ID.match(block["id"]) or block["id"] in seen:
            raise DraftInvalid({f"{where}.id": f"{where}.id: a unique id of letters and digits"})
        seen.add(block["id"])
        if block.get("type") not in page_blocks.BLOCKS:
            raise DraftInvalid({f"{where}.type": f"{where}.type: one of {', '.join(page_blocks.BLOCKS)}"})
        if not isinstance(block.get("data", {}), dict) or not isinstance(block.get("text", {}), dict):
            raise DraftInvalid({where: f"{where}: data and text are objects"})
        for lang, entry in block.get("text", {}).items():
            if lang not in LANGUAGES or not isinstance(entry, dict):
                raise DraftInvalid(
                    {f"{where}.text": f"{where}.text: texts by language ({', '.join(LANGUAGES)})"}
                )
            if not all(isinstance(value, str) for value in entry.values()):
                raise DraftInvalid({f"{where}.text.{lang}": f"{where}.text.{lang}: texts are strings"})
    return sent


def _data_value(
    kind: str, name: str, value: Any, spec: page_blocks.BlockSpec, form_ids: set[str], image_ids: set[str]
) -> tuple[Any, str]:
    """The value to keep and, when it cannot be kept, why (in the marketer's language).

    The block rules' own checks, except that a draft may lack what publishing needs (an image block's image).
    """
    if kind == "consent":
        return value is True or value in ("on", "true", "1"), ""
    if kind == "images":
        chosen = list(dict.fromkeys(page_blocks.image_list(value)))
        if any(image_id not in image_ids for image_id in chosen):
            return None, _("Choose images from your media library.")
        if len(chosen) > page_blocks.MAX_IMAGES:
            return None, _("Choose at most %(limit)d images.", limit=page_blocks.MAX_IMAGES)
        return chosen, ""
    text = normalize_text(value if isinstance(value, str) else "")
    if kind == "choice" and not text and spec.choices.get(name):
        text = next(iter(spec.choices[name]))
    if kind == "form" and text and text not in form_ids:
        return None, _("Choose one of your forms.")
    problem = page_blocks.data_error(spec, name, kind, text, "", image_ids)
    return (None, problem) if problem else (text, "")


def _clean_block(
    block: dict[str, Any], old: dict[str, Any], form_ids: set[str], image_ids: set[str]
) -> tuple[dict[str, Any], dict[str, str]]:
    spec = page_blocks.BLOCKS[block["type"]]
    errors: dict[str, str] = {}
    text: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        sent = block.get("text", {}).get(lang, {})
        kept = old.get("text", {}).get(lang, {})
        entry = {}
        for name, limit in spec.texts.items():
            raw = str(sent.get(name, ""))
            value = raw.replace("\r\n", "\n").strip() if name in spec.multiline else normalize_text(raw)
            if len(value) > limit:
                errors[f"{lang}_{name}"] = _("Please use at most %(limit)d characters.", limit=limit)
                value = str(kept.get(name, ""))
            entry[name] = value
        text[lang] = entry
    data: dict[str, Any] = {}
    for name, kind in spec.data.items():
        value, problem = _data_value(kind, name, block.get("data", {}).get(name), spec, form_ids, image_ids)
        if problem:
            errors[name] = problem
            value = old.get("data", {}).get(name)
        data[name] = value
    return {"id": block["id"], "type": block["type"], "data": data, "text": text}, errors


def clean_blocks(
    sent: Any, stored: list[dict[str, Any]], form_ids: set[str], image_ids: set[str]
) -> tuple[list[dict[str, Any]], Errors]:
    """The blocks to keep, and field errors by block id; DraftInvalid when `sent` is not blocks at all."""
    before = {b["id"]: b for b in stored}
    blocks, errors = [], {}
    for block in _structure(sent):
        old = before.get(block["id"]) if before.get(block["id"], {}).get("type") == block["type"] else None
        cleaned, problems = _clean_block(
            block, old or page_blocks.new_block(block["type"]), form_ids, image_ids
        )
        blocks.append(cleaned)
        if problems:
            errors[block["id"]] = problems
    return blocks, errors


# The page settings the draft autosaves; the address, social image and schedule keep their own buttons.
THEME_FIELDS = (*themes.COLOURS, "font", "buttons")
SEARCH_TEXTS = ("title", "seo_description")


def clean_theme(sent: Any, stored: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The page's theme with the sent fields (themes.py's rules, empty follows the brand) and errors by field.

    A refused field keeps its saved value; the logo is not sent (it is uploaded with the theme form).
    """
    if not isinstance(sent, dict) or not all(isinstance(v, str) for v in sent.values()):
        raise DraftInvalid({"theme": "theme: an object of texts by field"})
    theme = {name: value for name, value in stored.items() if name not in THEME_FIELDS}
    errors: dict[str, str] = {}
    for name in THEME_FIELDS:
        try:
            cleaned = themes.clean_theme({name: sent.get(name, "")}, allow_empty=True, image_ids=set())
        except themes.ThemeInvalid as invalid:
            errors[name] = invalid.errors[name]
            cleaned = {name: stored[name]} if stored.get(name) else {}
        theme.update(cleaned)
    return theme, errors


def clean_search_texts(
    sent: Any, stored: dict[str, dict[str, str]]
) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """The page's titles and search descriptions as sent (the settings form's rules), errors by field name."""
    if not isinstance(sent, dict) or not all(
        lang in LANGUAGES and isinstance(entry, dict) and all(isinstance(v, str) for v in entry.values())
        for lang, entry in sent.items()
    ):
        raise DraftInvalid({"seo": f"seo: texts by language ({', '.join(LANGUAGES)})"})
    content = {lang: dict(stored.get(lang, {})) for lang in LANGUAGES}
    errors: dict[str, str] = {}
    for lang in LANGUAGES:
        for name in SEARCH_TEXTS:
            value, limit = normalize_text(sent.get(lang, {}).get(name, "")), SEO_FIELDS[name]
            if len(value) > limit:
                errors[f"{lang}_{name}"] = _("Please use at most %(limit)d characters.", limit=limit)
            elif value or name in content[lang]:  # no empty key added: it would read as a change to publish
                content[lang][name] = value
    if not any(content[lang].get("title") for lang in LANGUAGES):
        errors[f"{LANGUAGES[0]}_title"] = _("Give the page a title in at least one language.")
        for lang in LANGUAGES:
            content[lang]["title"] = stored.get(lang, {}).get("title", "")
    return content, errors


def differs_from_live(page: Page, live: dict[str, Any] | None, brand: dict[str, str]) -> bool:
    """Whether publishing would change what visitors see (always, while nothing is live)."""
    if live is None:
        return True
    social = live.get("social_image") or {}
    return (
        live.get("blocks") != (page.blocks or [])
        or live.get("seo") != (page.content or {})
        or bool(live.get("noindex")) != bool(page.noindex)
        or social.get("id") != (str(page.social_image_id) if page.social_image_id else None)
        or live.get("theme") != themes.resolve(brand, page.theme or {})
    )
