"""The blocks a page is built from: their fields, how an edit is validated, and how a visitor sees them.

A block is plain JSON so that a published version can snapshot it as it is:
`{"id": "k3j9x2", "type": "hero", "data": {"button_link": "#form"}, "text": {"nl": {...}, "en": {...}}}`.
`data` holds what is the same in every language (links, the chosen form or images, consent, choices,
a video address); `text` holds what a visitor reads, per language. docs: the data kinds are the contract
the page editor's panel widgets are built from (notes on issue 15).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import nh3
from markdown_it import MarkdownIt

from landform.core.i18n import LANGUAGES, lazy_gettext
from landform.core.i18n import gettext as _
from landform.core.text import normalize_text
from landform.site.video import parse_video


class BlockInvalid(Exception):
    """Block input that cannot be saved, by field name."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class BlockSpec:
    label: Any
    texts: dict[str, int] = field(default_factory=dict)  # name: maximum length
    # name: kind (link, form, image, images, name, consent, choice, video)
    data: dict[str, str] = field(default_factory=dict)
    multiline: frozenset[str] = frozenset()
    # name: {value: label}, for data of kind `choice`; the first value is the default.
    choices: dict[str, dict[str, Any]] = field(default_factory=dict)


# The most images one block shows (a row of logos): more makes a row nobody reads.
MAX_IMAGES = 12
UUID_TEXT = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


BLOCKS: dict[str, BlockSpec] = {
    "hero": BlockSpec(
        lazy_gettext("Hero"),
        {"heading": 160, "subheading": 400, "button_text": 60},
        {"button_link": "link", "background_image_id": "image", "overlay": "choice"},
        frozenset({"subheading"}),
        {
            "overlay": {
                "none": lazy_gettext("No overlay"),
                "light": lazy_gettext("Light overlay, dark text"),
                "dark": lazy_gettext("Dark overlay, light text"),
            }
        },
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
    "columns": BlockSpec(
        lazy_gettext("Columns"),
        {"heading": 160, "column_1": 4000, "column_2": 4000, "column_3": 4000},
        {"count": "choice"},
        frozenset({"column_1", "column_2", "column_3"}),
        {"count": {"2": lazy_gettext("Two columns"), "3": lazy_gettext("Three columns")}},
    ),
    "image_text": BlockSpec(
        lazy_gettext("Image with text"),
        {"heading": 160, "markdown": 4000, "alt": 250, "button_text": 60},
        {"image_id": "image", "image_side": "choice", "button_link": "link"},
        frozenset({"markdown"}),
        {
            "image_side": {
                "left": lazy_gettext("Image on the left"),
                "right": lazy_gettext("Image on the right"),
            }
        },
    ),
    "logos": BlockSpec(
        lazy_gettext("Customer logos"),
        {"heading": 160, "names": 2000},
        {"image_ids": "images"},
        frozenset({"names"}),
    ),
    "video": BlockSpec(
        lazy_gettext("Video (YouTube or Vimeo)"),
        {"heading": 160, "title": 160, "caption": 250},
        {"video_url": "video"},
    ),
    "footer": BlockSpec(lazy_gettext("Footer"), {"text": 400}, {"privacy_url": "link"}, frozenset({"text"})),
}

# A button or footer link: a web address, a place on this page (#form), or a path on this site.
LINK = re.compile(r"^(https?://[^\s<>\"']+|#[A-Za-z][\w-]{0,60}|/[^\s<>\"'/][^\s<>\"']*)$")
_TEXT_TAGS = {"p", "br", "strong", "em", "a", "code"}
_ALLOWED_TAGS = {*_TEXT_TAGS, "ul", "ol", "li", "h2", "h3", "h4", "blockquote", "pre", "hr"}


def new_block(kind: str) -> dict[str, Any]:
    if kind not in BLOCKS:
        raise BlockInvalid({"type": _("Choose a kind of block.")})
    spec = BLOCKS[kind]
    data: dict[str, Any] = {name: _empty(spec, name, k) for name, k in spec.data.items()}
    if kind in ("hero", "cta"):
        data["button_link"] = "#form"
    return {
        "id": secrets.token_hex(4),
        "type": kind,
        "data": data,
        "text": {lang: dict.fromkeys(spec.texts, "") for lang in LANGUAGES},
    }


def _empty(spec: BlockSpec, name: str, kind: str) -> Any:
    if kind == "consent":
        return False
    if kind == "images":
        return []
    return next(iter(spec.choices[name])) if kind == "choice" else ""


def image_list(value: Any) -> list[str]:
    """An `images` value as a list of ids: a list as stored, or the ids in a form field's text."""
    if isinstance(value, list):
        return [str(v) for v in value]
    return UUID_TEXT.findall(str(value or ""))


def data_error(
    spec: BlockSpec, name: str, kind: str, value: str, block_type: str, image_ids: set[str]
) -> str:
    """What is wrong with one data value, in the marketer's words; "" when nothing is."""
    if kind == "link" and value and (len(value) > 2000 or not LINK.match(value)):
        return _("Use a web address (https://...), a path (/...) or a place on the page (#form).")
    if kind == "image" and value and value not in image_ids:
        return _("Choose one of your images, or upload one.")
    if kind == "image" and block_type == "image" and not value:
        return _("Upload an image (PNG, JPEG, WebP or GIF).")
    if kind == "name" and len(value) > 120:
        return _("Please use at most %(limit)d characters.", limit=120)
    if kind == "choice" and value not in spec.choices[name]:
        options = ", ".join(str(label) for label in spec.choices[name].values())
        return _("Choose one of these: %(options)s.", options=options)
    if kind == "video" and value and (len(value) > 500 or parse_video(value) is None):
        return _(
            "Use the address of a video on YouTube or Vimeo, like https://www.youtube.com/watch?v=... "
            "or https://vimeo.com/..."
        )
    return ""


def apply_block_edit(
    block: dict[str, Any], raw: Mapping[str, Any], form_ids: set[str], image_ids: set[str]
) -> dict[str, Any]:
    """A copy of `block` with an edit form's values; raises BlockInvalid with every problem at once."""
    spec = BLOCKS[block["type"]]
    errors: dict[str, str] = {}
    text: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        entry = {}
        for name, limit in spec.texts.items():
            value = str(raw.get(f"{lang}_{name}", ""))
            value = value.replace("\r\n", "\n").strip() if name in spec.multiline else normalize_text(value)
            if len(value) > limit:
                errors[f"{lang}_{name}"] = _("Please use at most %(limit)d characters.", limit=limit)
            entry[name] = value[:limit]
        text[lang] = entry
    data: dict[str, Any] = {}
    for name, kind in spec.data.items():
        if kind == "consent":
            data[name] = raw.get(name) in ("on", "true", "1", True)
            continue
        if kind == "images":
            # One field holding the ids (a list, or text), or numbered fields in order (the no-JS form).
            slots = [raw.get(f"{name}_{n}", "") for n in range(1, MAX_IMAGES + 2)]
            given = raw.get(name) if name in raw else [str(v) for v in slots if v]
            chosen = list(dict.fromkeys(image_list(given)))
            if any(image_id not in image_ids for image_id in chosen):
                errors[name] = _("Choose images from your media library.")
            elif len(chosen) > MAX_IMAGES:
                errors[name] = _("Choose at most %(limit)d images.", limit=MAX_IMAGES)
            data[name] = [image_id for image_id in chosen if image_id in image_ids][:MAX_IMAGES]
            continue
        value = normalize_text(str(raw.get(name, "")))
        if kind == "choice" and not value:
            value = _empty(spec, name, kind)
        if kind == "form" and value not in form_ids:
            errors[name] = _("Choose one of your forms.")
        elif problem := data_error(spec, name, kind, value, block["type"], image_ids):
            errors[name] = problem
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
        if block["type"] in ("image", "image_text") and not block["data"].get("image_id"):
            problems[block["id"]] = _("Upload an image (PNG, JPEG, WebP or GIF).")
        if block["type"] == "video" and parse_video(str(block["data"].get("video_url") or "")) is None:
            problems[block["id"]] = _("Paste the address of the video on YouTube or Vimeo.")
        if block["type"] == "logos" and _unnamed_logos(block):
            problems[block["id"]] = _(
                "Name every logo: one company name per line, in the order of the logos. "
                "The names are what people who cannot see the logos hear."
            )
    if len(forms) > 1:
        problems[forms[1]["id"]] = _("A page shows one form; remove the others.")
    return problems


def _unnamed_logos(block: dict[str, Any]) -> bool:
    count = len(image_list(block["data"].get("image_ids")))
    names = [len(_lines(str(entry.get("names", "")))) for entry in block.get("text", {}).values()]
    return not count or not any(n >= count for n in names)


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


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _choice(block: dict[str, Any], name: str) -> str:
    value = str(block.get("data", {}).get(name) or "")
    options = BLOCKS[block["type"]].choices[name]
    return value if value in options else next(iter(options))


def _shown_extras(block: dict[str, Any], texts: dict[str, str]) -> dict[str, Any] | None:
    """What the template needs beyond the texts for the newer blocks; None hides the block."""
    kind, data = block["type"], block.get("data", {})
    if kind == "hero":
        return {"overlay": _choice(block, "overlay")}
    if kind == "columns":
        count = int(_choice(block, "count"))
        columns = [render_markdown(texts[f"column_{n}"]) for n in range(1, count + 1)]
        return {"count": count, "columns": columns} if any(columns) else None
    if kind == "image_text":
        return {"html": render_markdown(texts["markdown"]), "image_side": _choice(block, "image_side")}
    if kind == "logos":
        names = _lines(texts["names"])
        ids = image_list(data.get("image_ids"))
        logos = [
            {"id": image_id, "name": names[i] if i < len(names) else ""} for i, image_id in enumerate(ids)
        ]
        return {"logos": logos} if logos else None
    if kind == "video":
        video = parse_video(str(data.get("video_url") or ""))
        return {"video": video} if video is not None else None
    return {}


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
        extras = _shown_extras(block, texts)
        if extras is None:
            continue
        shown.append({**item, **extras})
    return shown
