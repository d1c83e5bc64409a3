"""The page editor's HTTP side: autosaved drafts (with the version check), the canvas, image uploads."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.guards import BUILDERS, provide_tenant_db, requires_role
from landform.accounts.models import User
from landform.core import i18n
from landform.core.drafts import DraftConflict, DraftInvalid, check_revision, record_save, sent_revision
from landform.core.http import hosted_csp, read_upload
from landform.core.i18n import gettext as _
from landform.core.images import UPLOAD_BODY, ImageRefused
from landform.forms.intake.view import form_view
from landform.forms.models import Form
from landform.site import blocks as page_blocks
from landform.site import drafts, services, themes
from landform.site.editor import page_or_404, tenant_forms
from landform.site.editor_setup import publishable
from landform.site.views import page_context

# The canvas is framed by the editor (same origin only) and runs nothing but the editor's canvas script.
CANVAS_HEADERS = {
    "content-security-policy": hosted_csp(scripts=True),
    "x-frame-options": "SAMEORIGIN",
    "cache-control": "no-store",
}


async def _saved_by(db: AsyncSession, user_id: UUID | None) -> str:
    user = (
        (await db.execute(select(User).where(User.id == user_id))).scalar_one_or_none() if user_id else None
    )
    return user.full_name if user is not None else _("someone")


def _json(body: dict[str, Any], status_code: int = 200) -> Response[dict[str, Any]]:
    return Response(
        body, status_code=status_code, media_type=MediaType.JSON, headers={"cache-control": "no-store"}
    )


class PageDraftController(Controller):
    """The editor's autosave, its canvas and its image uploads; the no-JS forms stay in editor.py."""

    path = "/app/pages"
    include_in_schema = False
    guards = [requires_role(*BUILDERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    @post("/{page_id:uuid}/draft", status_code=200)
    async def save_draft(
        self, request: Request[User, Any, Any], db: AsyncSession, page_id: UUID
    ) -> Response[dict[str, Any]]:
        """Save the draft (blocks, theme, search texts) unless saved since `revision` (409 with theirs)."""
        page = await page_or_404(db, page_id)
        try:
            body = json.loads(await request.body())
            revision = sent_revision(body)
            check_revision(page, revision)
            forms = {str(f.id) for f in await tenant_forms(db)}
            blocks, errors = drafts.clean_blocks(
                body.get("blocks"), page.blocks or [], forms, set(await services.images(db))
            )
            theme, theme_errors = (
                drafts.clean_theme(body["theme"], page.theme or {}) if "theme" in body else (page.theme, {})
            )
            content, seo_errors = (
                drafts.clean_search_texts(body["seo"], page.content or {})
                if "seo" in body
                else (page.content, {})
            )
        except (ValueError, UnicodeDecodeError):
            return _json({"errors": {"body": _("Send the draft as JSON.")}}, 400)
        except DraftInvalid as invalid:
            return _json({"errors": invalid.errors}, 400)
        except DraftConflict as conflict:
            return _json(
                {
                    "revision": conflict.revision,
                    "saved_by": await _saved_by(db, conflict.saved_by_id),
                    "saved_at": i18n.format_datetime(conflict.saved_at, request.user.timezone)
                    if conflict.saved_at
                    else "",
                    "blocks": page.blocks,
                    "theme": page.theme or {},
                    "seo": page.content or {},
                },
                409,
            )
        services.set_blocks(page, blocks)
        page.theme, page.content = theme, content
        record_save(page, request.user.id)
        await db.flush()
        answer = {
            "revision": page.draft_revision,
            "publishable": await publishable(db, page),
            "problems": page_blocks.publish_problems(page.blocks),
            "errors": errors,
            # The page settings' fields, by the settings forms' field names (nl_title, primary...).
            "settings_errors": {**seo_errors, **theme_errors},
        }
        await db.commit()  # before answering: "Saved" must mean saved
        return _json(answer, 422 if errors or seo_errors or theme_errors else 200)

    @get("/{page_id:uuid}/canvas")
    async def canvas(self, request: Request[User, Any, Any], db: AsyncSession, page_id: UUID) -> Template:
        """The draft drawn by the hosted page's own template, in the language asked (?lang=)."""
        page = await page_or_404(db, page_id)
        language = i18n.get_language()
        content = dict(page.content or {})
        if not content.get(language, {}).get("title"):
            # The page's title picks the language a visitor sees; the editor shows the one it edits.
            title = next((str(e["title"]) for e in content.values() if e.get("title")), page.slug)
            content[language] = {**content.get(language, {}), "title": title}
        snapshot = {
            "blocks": page.blocks,
            "theme": themes.resolve(await services.brand_theme(db), page.theme or {}),
            "seo": content,
            "noindex": True,
            "social_image": None,
        }
        form = None
        form_id = page_blocks.form_id_of(page.blocks)
        if form_id:
            record = (await db.execute(select(Form).where(Form.id == UUID(form_id)))).scalar_one_or_none()
            if record is not None:
                form = form_view(record.key, record, language=language, page_id=page.id)
        context = await page_context(
            db, request.user.tenant, page, snapshot, form=form, theme_url=f"/app/pages/{page.id}/theme.css"
        )
        empty = {
            kind: _("%(block)s: nothing to show yet. Fill it in on the side panel.", block=spec.label)
            for kind, spec in page_blocks.BLOCKS.items()
        }
        # A block the hosted page leaves out (a testimonial without consent, columns without text...) keeps
        # its place on the canvas as a placeholder saying why, so a block just added never seems lost.
        shown = {b["id"]: b for b in context["blocks"]}
        why = _("Testimonial: shown once the person has agreed to be quoted (tick it in the side panel).")
        left_out = {
            b["id"]: why if b["type"] == "testimonial" else empty.get(b["type"], "")
            for b in page.blocks
            if b["id"] not in shown and b["type"] in empty and b["type"] != "footer"
        }
        context["blocks"] = [
            shown.get(b["id"]) or {"id": b["id"], "type": b["type"]}
            for b in page.blocks
            if b["id"] in shown or b["id"] in left_out
        ]
        context["editing"] = {"empty": empty, "left_out": left_out}
        return Template("site/hosted_page.html", context=context, headers=CANVAS_HEADERS)

    @post("/{page_id:uuid}/images", status_code=201, request_max_body_size=UPLOAD_BODY)
    async def upload_image(
        self, request: Request[User, Any, Any], db: AsyncSession, page_id: UUID
    ) -> Response[dict[str, Any]]:
        """Keep an uploaded image for this page's blocks; its id, size and address."""
        await page_or_404(db, page_id)  # another tenant's page (or none): 404, nothing stored
        data = await read_upload(await request.form(), "image")
        if data is None:
            return _json({"errors": {"image": _("Choose an image to upload.")}}, 422)
        try:
            image = await services.store_image(db, data)
        except ImageRefused as refused:
            return _json({"errors": {"image": str(refused)}}, 422)
        await db.commit()
        url = f"/p/{request.user.tenant.slug}/_img/{image.id}"
        return _json(
            {
                "id": str(image.id),
                "width": image.width,
                "height": image.height,
                "url": url,
            },
            201,
        )
