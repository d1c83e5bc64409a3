"""Page rules: editing content per language, slugs, publishing, and rendering Markdown safely."""

from __future__ import annotations

import re
from functools import cache
from typing import Any
from uuid import UUID

import nh3
from markdown_it import MarkdownIt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.models import Tenant
from landform.db import scope_to_tenant, utcnow
from landform.forms.models import Form
from landform.i18n import LANGUAGES
from landform.i18n import gettext as _
from landform.site.models import Page
from landform.text import normalize_text

CONTENT_FIELDS = {"title": 120, "headline": 160, "subheadline": 300, "body": 20_000, "seo_description": 300}
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
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


class PageInvalid(Exception):
    """Page input that cannot be saved, by field name."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


@cache
def _markdown() -> MarkdownIt:
    # Raw HTML in tenant Markdown is not rendered at all; nh3 then cleans what Markdown produced.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True})


def render_markdown(text: str) -> str:
    html = _markdown().render(text or "")
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )


def apply_edit(page: Page, raw: dict[str, str], forms: list[Form]) -> None:
    """Copy an edit form onto a page, validating slug and lengths; raises PageInvalid."""
    errors: dict[str, str] = {}
    slug = normalize_text(raw.get("slug", "")).lower()
    if not SLUG.match(slug):
        errors["slug"] = _("Use lower-case letters, digits and hyphens, like spring-offer.")
    content: dict[str, dict[str, str]] = {}
    for language in LANGUAGES:
        entry = {}
        for name, limit in CONTENT_FIELDS.items():
            value = (
                normalize_text(raw.get(f"{language}_{name}", ""))
                if name != "body"
                else raw.get(f"{language}_{name}", "").replace("\r\n", "\n").strip()
            )
            if len(value) > limit:
                errors[f"{language}_{name}"] = _("Please use at most %(limit)d characters.", limit=limit)
            entry[name] = value[:limit]
        content[language] = entry
    if not any(content[lang]["title"] for lang in LANGUAGES):
        errors["nl_title"] = _("Give the page a title in at least one language.")
    form_id = raw.get("form_id", "")
    chosen: UUID | None = None
    if form_id:
        chosen = next((f.id for f in forms if str(f.id) == form_id), None)
        if chosen is None:
            errors["form_id"] = _("Choose one of your forms.")
    if errors:
        raise PageInvalid(errors)
    page.slug = slug
    page.content = content
    page.form_id = chosen


async def slug_taken(db: AsyncSession, page: Page) -> bool:
    query = select(Page.id).where(Page.slug == page.slug)
    if page.id is not None:
        query = query.where(Page.id != page.id)
    return (await db.execute(query)).first() is not None


def publish(page: Page) -> None:
    if not any(page.content.get(lang, {}).get("title") for lang in LANGUAGES):
        raise PageInvalid({"nl_title": _("Give the page a title before publishing it.")})
    page.published_at = utcnow()


def unpublish(page: Page) -> None:
    page.published_at = None


async def find_published(db: AsyncSession, tenant_slug: str, page_slug: str) -> tuple[Tenant, Page] | None:
    """A published page by its public address; the session is scoped to its tenant afterwards."""
    tenant = (await db.execute(select(Tenant).where(Tenant.slug == tenant_slug))).scalar_one_or_none()
    if tenant is None:
        return None
    scope_to_tenant(db, tenant.id)
    page = (
        await db.execute(select(Page).where(Page.slug == page_slug, Page.published_at.is_not(None)))
    ).scalar_one_or_none()
    return (tenant, page) if page else None


def page_text(page: Page, language: str, default_language: str) -> dict[str, Any]:
    """The page's content in the visitor's language, falling back field by field."""
    order = [language, default_language, *LANGUAGES]
    text: dict[str, str] = {}
    for name in CONTENT_FIELDS:
        text[name] = next(
            (page.content[lang][name] for lang in order if page.content.get(lang, {}).get(name)), ""
        )
    shown = next((lang for lang in order if page.content.get(lang, {}).get("title")), language)
    return {**text, "language": shown, "body_html": render_markdown(text["body"])}
