"""page blocks, versions, redirects, brand, images

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 21:10:00.000000

Existing pages keep working: their headline and sub-headline become a hero block, their body a
text block, their form a form block, and a published page gets version 1 holding exactly that.
"""

import secrets
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

import advanced_alchemy.types

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GUID = advanced_alchemy.types.guid.GUID(length=16)
STAMP = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)
LANGUAGES = ("nl", "en")


def _audit() -> list[sa.Column[Any]]:
    return [
        sa.Column('tenant_id', GUID, nullable=False),
        sa.Column('sa_orm_sentinel', sa.Integer(), nullable=True),
        sa.Column('created_at', STAMP, nullable=False),
        sa.Column('updated_at', STAMP, nullable=False),
    ]


def _block(kind: str, data: dict[str, Any], texts: dict[str, dict[str, str]]) -> dict[str, Any]:
    return {"id": secrets.token_hex(4), "type": kind, "data": data, "text": texts}


def _blocks_from(content: dict[str, dict[str, str]], form_id: Any) -> list[dict[str, Any]]:
    get = lambda lang, name: (content.get(lang) or {}).get(name, "")  # noqa: E731
    blocks = [
        _block(
            "hero",
            {"button_link": ""},
            {
                lang: {
                    "heading": get(lang, "headline") or get(lang, "title"),
                    "subheading": get(lang, "subheadline"),
                    "button_text": "",
                }
                for lang in LANGUAGES
            },
        )
    ]
    if form_id is not None:
        blocks.append(_block("form", {"form_id": str(form_id)}, {lang: {"heading": ""} for lang in LANGUAGES}))
    if any(get(lang, "body") for lang in LANGUAGES):
        blocks.append(_block("text", {}, {lang: {"markdown": get(lang, "body")} for lang in LANGUAGES}))
    blocks.append(_block("footer", {"privacy_url": ""}, {lang: {"text": ""} for lang in LANGUAGES}))
    return blocks


def upgrade() -> None:
    # Added with defaults, never by recreating the table: on SQLite a recreate would drop `page`, and
    # the drop would cascade into every row that refers to a page.
    with op.batch_alter_table('page', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blocks', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('theme', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        batch_op.add_column(sa.Column('noindex', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('published_version', sa.Integer(), nullable=True))

    op.create_table('page_version',
    sa.Column('id', GUID, nullable=False),
    sa.Column('page_id', GUID, nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('published_by_id', GUID, nullable=True),
    *_audit(),
    sa.ForeignKeyConstraint(['page_id'], ['page.id'], name=op.f('fk_page_version_page_id_page'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], name=op.f('fk_page_version_published_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_page_version_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_page_version')),
    sa.UniqueConstraint('page_id', 'number', name=op.f('uq_page_version_page_id')),
    )
    with op.batch_alter_table('page_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_page_version_page_id'), ['page_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_page_version_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('page_redirect',
    sa.Column('id', GUID, nullable=False),
    sa.Column('old_slug', sa.String(length=80), nullable=False),
    sa.Column('page_id', GUID, nullable=False),
    *_audit(),
    sa.ForeignKeyConstraint(['page_id'], ['page.id'], name=op.f('fk_page_redirect_page_id_page'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_page_redirect_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_page_redirect')),
    sa.UniqueConstraint('tenant_id', 'old_slug', name=op.f('uq_page_redirect_tenant_id')),
    )
    with op.batch_alter_table('page_redirect', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_page_redirect_page_id'), ['page_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_page_redirect_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('site_image',
    sa.Column('id', GUID, nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    *_audit(),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_site_image_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site_image')),
    )
    with op.batch_alter_table('site_image', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_site_image_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('site_brand',
    sa.Column('id', GUID, nullable=False),
    sa.Column('theme', sa.JSON(), nullable=False),
    *_audit(),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_site_brand_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site_brand')),
    sa.UniqueConstraint('tenant_id', name=op.f('uq_site_brand_tenant_id')),
    )
    with op.batch_alter_table('site_brand', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_site_brand_tenant_id'), ['tenant_id'], unique=False)

    _convert_pages()


def _convert_pages() -> None:
    page = sa.table(
        'page',
        sa.column('id', GUID),
        sa.column('tenant_id', GUID),
        sa.column('content', sa.JSON()),
        sa.column('form_id', GUID),
        sa.column('published_at', STAMP),
        sa.column('blocks', sa.JSON()),
        sa.column('theme', sa.JSON()),
        sa.column('published_version', sa.Integer()),
    )
    version = sa.table(
        'page_version',
        sa.column('id', GUID),
        sa.column('tenant_id', GUID),
        sa.column('page_id', GUID),
        sa.column('number', sa.Integer()),
        sa.column('snapshot', sa.JSON()),
        sa.column('created_at', STAMP),
        sa.column('updated_at', STAMP),
    )
    connection = op.get_bind()
    now = datetime.now(UTC)
    for row in connection.execute(sa.select(page)).all():
        content = row.content or {}
        blocks = _blocks_from(content, row.form_id)
        seo = {
            lang: {"title": (content.get(lang) or {}).get("title", ""),
                   "seo_description": (content.get(lang) or {}).get("seo_description", "")}
            for lang in LANGUAGES
        }
        published = row.published_at is not None
        connection.execute(
            page.update().where(page.c.id == row.id).values(
                blocks=blocks, theme={}, content=seo, published_version=1 if published else None
            )
        )
        if published:
            connection.execute(
                version.insert().values(
                    id=uuid.uuid4(), tenant_id=row.tenant_id, page_id=row.id, number=1,
                    snapshot={"blocks": blocks, "theme": {}, "seo": seo, "noindex": False},
                    created_at=now, updated_at=now,
                )
            )


def downgrade() -> None:
    with op.batch_alter_table('site_brand', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_site_brand_tenant_id'))
    op.drop_table('site_brand')
    with op.batch_alter_table('site_image', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_site_image_tenant_id'))
    op.drop_table('site_image')
    with op.batch_alter_table('page_redirect', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_page_redirect_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_page_redirect_page_id'))
    op.drop_table('page_redirect')
    with op.batch_alter_table('page_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_page_version_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_page_version_page_id'))
    op.drop_table('page_version')
    with op.batch_alter_table('page', schema=None) as batch_op:
        batch_op.drop_column('published_version')
        batch_op.drop_column('noindex')
        batch_op.drop_column('theme')
        batch_op.drop_column('blocks')
