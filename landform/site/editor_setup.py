"""What the page editor's script starts from: the draft, the blocks' fields and labels, forms and images."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from landform.core.i18n import LANGUAGES, lazy_gettext
from landform.forms.models import Form
from landform.site import blocks as page_blocks
from landform.site import drafts, services
from landform.site.models import Page

FIELD_LABELS: dict[str, Any] = {
    "heading": lazy_gettext("Heading"),
    "subheading": lazy_gettext("Sub-heading"),
    "button_text": lazy_gettext("Button text"),
    "markdown": lazy_gettext("Text"),
    "alt": lazy_gettext("Alt text (what the image shows)"),
    "caption": lazy_gettext("Caption"),
    "quote": lazy_gettext("Quote"),
    "role": lazy_gettext("Role or place (optional)"),
    "text": lazy_gettext("Text"),
    "button_link": lazy_gettext("Button link"),
    "privacy_url": lazy_gettext("Link to your privacy statement"),
    "name": lazy_gettext("Name"),
    "form_id": lazy_gettext("Form"),
    "image_id": lazy_gettext("Image"),
    "consented": lazy_gettext("The person consented to be quoted on this page"),
    "background_image_id": lazy_gettext("Background image"),
    "overlay": lazy_gettext("Overlay"),
    "count": lazy_gettext("Number of columns"),
    "column_1": lazy_gettext("Column 1"),
    "column_2": lazy_gettext("Column 2"),
    "column_3": lazy_gettext("Column 3 (shown with three columns)"),
    "image_side": lazy_gettext("Image position"),
    "image_ids": lazy_gettext("Logos, in this order"),
    "names": lazy_gettext(
        "Company names, one per line, in the order of the logos (read out instead of the logos)"
    ),
    "title": lazy_gettext("Title of the video (for screen readers)"),
    "video_url": lazy_gettext("YouTube or Vimeo address"),
}
ITEMS_LABELS: dict[str, Any] = {
    "features": lazy_gettext('Features, one per line; "Title: explanation" makes the title bold'),
    "faq": lazy_gettext(
        "Questions: the question on the first line, the answer below it, a blank line between questions"
    ),
}


def _label(kind: str, name: str) -> str:
    if name == "items":
        return str(ITEMS_LABELS.get(kind, name))
    return str(FIELD_LABELS.get(name, name.replace("_", " ").capitalize()))


def specs() -> dict[str, Any]:
    """Every kind of block: its label, texts (name, limit, multi-line, label), data (name, kind, label)."""
    return {
        kind: {
            "label": str(spec.label),
            "texts": [[n, limit, n in spec.multiline, _label(kind, n)] for n, limit in spec.texts.items()],
            "data": [[n, data_kind, _label(kind, n)] for n, data_kind in spec.data.items()],
            "choices": {n: [[v, str(label)] for v, label in c.items()] for n, c in spec.choices.items()},
        }
        for kind, spec in page_blocks.BLOCKS.items()
    }


async def publishable(db: AsyncSession, page: Page) -> bool:
    """Whether the Publish button is enabled: the draft differs from what visitors see."""
    live = await services.live_version(db, page)
    return drafts.differs_from_live(page, live.snapshot if live else None, await services.brand_theme(db))


def editor_setup(
    page: Page,
    *,
    publishable: bool,
    forms: list[Form],
    images: dict[str, dict[str, int]],
    tenant_slug: str,
    language: str,
) -> dict[str, Any]:
    return {
        "page": str(page.id),
        "revision": page.draft_revision or 0,
        "blocks": page.blocks or [],
        "theme": {name: (page.theme or {}).get(name, "") for name in drafts.THEME_FIELDS},
        "seo": {
            lang: {name: (page.content or {}).get(lang, {}).get(name, "") for name in drafts.SEARCH_TEXTS}
            for lang in LANGUAGES
        },
        "publishable": publishable,
        "problems": page_blocks.publish_problems(page.blocks or []),
        "languages": list(LANGUAGES),
        "language": language if language in LANGUAGES else LANGUAGES[0],
        "specs": specs(),
        "forms": [[str(f.id), f.name] for f in forms],
        "images": [
            [i, size["width"], size["height"], f"/p/{tenant_slug}/_img/{i}"] for i, size in images.items()
        ],
    }
