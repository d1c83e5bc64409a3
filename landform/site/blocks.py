"""The blocks a page is built from: their fields, how an edit is validated, and how a visitor sees them.

A block is plain JSON so that a published version can snapshot it as it is:
`{"id": "k3j9x2", "type": "hero", "data": {"button_link": "#form"}, "text": {"nl": {...}, "en": {...}}}`.
`data` holds what is the same in every language (links, the chosen form or image, consent);
`text` holds what a visitor reads, per language.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import nh3
from markdown_it import MarkdownIt

from landform.core.i18n import LANGUAGES, lazy_gettext
from landform.core.i18n import gettext as _
from landform.core.text import normalize_text


class BlockInvalid(Exception):
    """Block input that cannot be saved, by field name."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class BlockSpec:
    label: Any
    texts: dict[str, int] = field(default_factory=dict)  # name: maximum length
    data: dict[str, str] = field(default_factory=dict)  # name: kind (link, form, image, name, consent)
    multiline: frozenset[str] = frozenset()
    # For `choice` data: name -> {value: label}; the first value is the default.
    choices: dict[str, dict[str, Any]] = field(default_factory=dict)


BLOCKS: dict[str, BlockSpec] = {
    "hero": BlockSpec(
        lazy_gettext("Hero"),
        {"heading": 160, "subheading": 400, "button_text": 60},
        {"button_link": "link"},
        frozenset({"subheading"}),
    ),
    "text": BlockSpec(lazy_gettext("Text (Markdown)"), {"markdown": 20_000}, {}, frozenset({"markdown"})),
    "image": BlockSpec(lazy_gettext("Image"), {"alt": 250, "caption": 250}, {"image_id": "image"}),
    "form": BlockSpec(lazy_gettext("Form"), {"heading": 160}, {"form_id": "form"}),
    "testimonial": BlockSpec(
        lazy_gettext("Testimonial"),
        {"quote": 600, "role": 120},
        {"name": "name", "consented": "consent"},
        frozenset({"quote"}),
    ),
    "cta": BlockSpec(
        lazy_gettext("Call to action"),
        {"heading": 160, "text": 400, "button_text": 60},
        {"button_link": "link"},
        frozenset({"text"}),
    ),
    "features": BlockSpec(
        lazy_gettext("Feature list"), {"heading": 160, "items": 4000}, {}, frozenset({"items"})
    ),
    "faq": BlockSpec(lazy_gettext("FAQ"), {"heading": 160, "items": 8000}, {}, frozenset({"items"})),
    "share": BlockSpec(lazy_gettext("Social share"), {"heading": 160}),
    "footer": BlockSpec(lazy_gettext("Footer"), {"text": 400}, {"privacy_url": "link"}, frozenset({"text"})),
}

# A button or footer link: a web address, a place on this page (#form), or a path on this site.
LINK = re.compile(r"^(https?://[^\s<>\"']+|#[A-Za-z][\w-]{0,60}|/[^\s<>\"'/][^\s<>\"']*)$")
_ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "a",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "code",
    "pre",
    "hr",
}


def new_block(kind: str) -> dict[str, Any]:
    if kind not in BLOCKS:
        raise BlockInvalid({"type": _("Choose a kind of block.")})
    spec = BLOCKS[kind]
    data: dict[str, Any] = {name: (False if k == "consent" else "") for name, k in spec.data.items()}
    if kind in ("hero", "cta"):
        data["button_link"] = "#form"
    return {
        "id": secrets.token_hex(4),
        "type": kind,
        "data": data,
        "text": {lang: dict.fromkeys(spec.texts, "") for lang in LANGUAGES},
    }


def apply_block_edit(
    block: dict[str, Any], raw: dict[str, str], form_ids: set[str], image_ids: set[str]
) -> dict[str, Any]:
    """A copy of `block` with an edit form's values; raises BlockInvalid with every problem at once."""
    spec = BLOCKS[block["type"]]
    errors: dict[str, str] = {}
    text: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        entry = {}
        for name, limit in spec.texts.items():
            value = raw.get(f"{lang}_{name}", "")
            value = value.replace("\r\n", "\n").strip() if name in spec.multiline else normalize_text(value)
            if len(value) > limit:
                errors[f"{lang}_{name}"] = _("Please use at most %(limit)d characters.", limit=limit)
            entry[name] = value[:limit]
        text[lang] = entry
    data: dict[str, Any] = {}
    for name, kind in spec.data.items():
        value = normalize_text(raw.get(name, ""))
        if kind == "consent":
            data[name] = raw.get(name) in ("on", "true", "1")
            continue
        if kind == "link" and value and (len(value) > 2000 or not LINK.match(value)):
            errors[name] = _("Use a web address (https://...), a path (/...) or a place on the page (#form).")
        elif kind == "form" and value not in form_ids:
            errors[name] = _("Choose one of your forms.")
        elif kind == "image" and value not in image_ids:
            errors[name] = _("Upload an image (PNG, JPEG, WebP or GIF).")
        elif kind == "name" and len(value) > 120:
            errors[name] = _("Please use at most %(limit)d characters.", limit=120)
        data[name] = value
    if block["type"] == "image" and not any(text[lang]["alt"] for lang in LANGUAGES):
        errors[f"{LANGUAGES[0]}_alt"] = _("Describe the image for people who cannot see it.")
    if errors:
        raise BlockInvalid(errors)
    return {**block, "data": data, "text": text}


def publish_problems(blocks: list[dict[str, Any]]) -> dict[str, str]:
    """Why these blocks cannot go live yet, by block id (empty when they can)."""
    problems: dict[str, str] = {}
    forms = [b for b in blocks if b["type"] == "form"]
    for block in blocks:
        if block["type"] == "testimonial" and not block["data"].get("consented"):
            problems[block["id"]] = _(
                "A testimonial is only published once the person consented to be quoted."
            )
        if block["type"] == "image" and not block["data"].get("image_id"):
            problems[block["id"]] = _("Upload an image (PNG, JPEG, WebP or GIF).")
    if len(forms) > 1:
        problems[forms[1]["id"]] = _("A page shows one form; remove the others.")
    return problems


def insert(blocks: list[dict[str, Any]], block: dict[str, Any]) -> list[dict[str, Any]]:
    """A new block goes last, but above the footer: the footer closes the page."""
    if blocks and blocks[-1]["type"] == "footer" and block["type"] != "footer":
        return [*blocks[:-1], block, blocks[-1]]
    return [*blocks, block]


def move(blocks: list[dict[str, Any]], block_id: str, step: int) -> list[dict[str, Any]]:
    index = next((i for i, b in enumerate(blocks) if b["id"] == block_id), None)
    if index is None:
        return blocks
    target = max(0, min(len(blocks) - 1, index + step))
    reordered = [b for b in blocks if b["id"] != block_id]
    reordered.insert(target, blocks[index])
    return reordered


def form_id_of(blocks: list[dict[str, Any]]) -> str | None:
    return next((b["data"].get("form_id") or None for b in blocks if b["type"] == "form"), None)


@cache
def _markdown() -> MarkdownIt:
    # Raw HTML in tenant Markdown is not rendered at all; nh3 then cleans what Markdown produced.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True})


def render_markdown(text: str) -> str:
    return nh3.clean(
        _markdown().render(text or ""),
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )


def _pick(block: dict[str, Any], name: str, order: list[str]) -> str:
    texts = block.get("text", {})
    return next((str(texts[lang][name]) for lang in order if texts.get(lang, {}).get(name)), "")


def _features(items: str) -> list[dict[str, str]]:
    """One feature a line; "Title: explanation" gives the title weight."""
    features = []
    for line in items.splitlines():
        line = line.strip().lstrip("-*• ").strip()
        if line:
            title, sep, detail = line.partition(": ")
            features.append({"title": title, "detail": detail} if sep else {"title": line, "detail": ""})
    return features


def _questions(items: str) -> list[dict[str, str]]:
    """Questions separated by a blank line: the first line asks, the rest answers (Markdown)."""
    questions = []
    for chunk in re.split(r"\n\s*\n", items.strip()):
        question, _sep, answer = chunk.strip().partition("\n")
        if question.strip():
            questions.append({"question": question.strip(), "answer_html": render_markdown(answer.strip())})
    return questions


def view(blocks: list[dict[str, Any]], order: list[str]) -> list[dict[str, Any]]:
    """What the hosted page template shows: each block's texts in the visitor's language, made safe."""
    shown = []
    for block in blocks:
        spec = BLOCKS.get(block.get("type", ""))
        if spec is None:
            continue
        texts = {name: _pick(block, name, order) for name in spec.texts}
        item: dict[str, Any] = {"id": block["id"], "type": block["type"], **block.get("data", {}), **texts}
        for name, kind in spec.data.items():
            # Links were checked when saved; checking again keeps any stored snapshot from linking to script.
            if kind == "link" and not LINK.match(str(item.get(name) or "")):
                item[name] = ""
        if block["type"] == "text":
            item["html"] = render_markdown(texts["markdown"])
        elif block["type"] == "features":
            item["features"] = _features(texts["items"])
        elif block["type"] == "faq":
            item["questions"] = _questions(texts["items"])
        elif block["type"] == "testimonial" and not block["data"].get("consented"):
            continue  # never shown without the person's consent, whatever a snapshot holds
        shown.append(item)
    return shown
