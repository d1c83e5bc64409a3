"""The generic anonymizer: empties the personal columns of chosen rows, keeping ids, times and counts.

Every model marks the columns that hold personal data of a person with `info={"personal": True}`.
Erasure (privacy portal) and account deletion both call `anonymize(session, table, where)`: strings
become "" (or NULL where allowed), JSON becomes {} (or what `info["erased"]` says), binary becomes b"".
A personal column that must stay unique (a user's e-mail address, a contact's de-duplication key)
gets `erased-<row id>@invalid` instead, so constraints hold and no two rows collide. Rows are kept:
a tenant's counts of submissions, contacts and consent records do not change.

Writes are Core statements on the table: the consent ledger's ORM guard refuses updates (it proves
consent), but emptying its personal fields is exactly what erasure asks (keep the proof, drop the
person). A column holding text, JSON or bytes must be decided one way or the other: it is marked
personal, marked `info={"personal": False}`, or listed in NOT_PERSONAL below with why
(tests/privacy/test_personal_data.py fails on any column without a decision).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    select,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import UniqueConstraint

PERSONAL = "personal"

# Text columns of the models that exist today that hold nothing about a person, and why.
NOT_PERSONAL: dict[str, dict[str, str]] = {
    "tenant": {
        "slug": "the tenant's public address (a company's), kept so old links answer 404 not someone else",
        "default_language": "a setting",
        "country": "a setting",
    },
    "user_account": {
        "language": "a setting",
        "timezone": "a setting",
        "role": "a setting",
    },
    "api_key": {
        "name": "a label the tenant chose",
        "prefix": "a few characters of a random secret",
        "key_hash": "hash of a random secret",
    },
    "submission": {"token_nonce": "a random number from the form token"},
    "contact": {"language": "a language code"},
    "activity": {"kind": "the kind of event"},
    "consent_purpose": {"name": "the tenant's purpose"},
    "consent_text": {"text": "the tenant's consent text"},
    "consent_record": {
        "text_shown": "the tenant's words the person saw (the proof)",
        "language": "a language code",
        "method": "how (form, page, e-mail link)",
        "confirmed_by": "person or parent",
        "embed_host": "the tenant's own website",
    },
    "parental_consent": {
        "status": "pending or given",
        "pending_consents": "which of the tenant's consent texts were ticked",
    },
    "form": {
        "key": "public form key",
        "name": "the tenant's form name",
        "fields": "the form's design",
        "submit_label": "the form's design",
        "thank_you": "the form's design",
        "redirect_url": "the tenant's page",
        "allowed_origins": "the tenant's websites",
    },
    "form_version": {
        "fields": "the form's design",
        "submit_label": "the form's design",
        "thank_you": "the form's design",
        "redirect_url": "the tenant's page",
    },
    "spam_submission": {"reason": "which bot check refused it"},
    "email_message": {"transport": "smtp or outbox"},
    "outbox_job": {"actor_name": "which job"},
    "page": {
        "slug": "the page's address",
        "content": "the tenant's page texts",
        "blocks": "the tenant's page (testimonials are published with recorded consent)",
        "theme": "colours and fonts",
    },
    "page_version": {"snapshot": "a published page (see page.blocks)"},
    "page_redirect": {"old_slug": "a page's old address"},
    "site_image": {"content_type": "image/png and the like"},
    "site_brand": {"theme": "colours and fonts"},
}

_TEXT_TYPES = (String, Text, JSON, LargeBinary)


def holds_text(column: Column[Any]) -> bool:
    """Whether a column can hold free text, structured answers or a file (so it needs a decision)."""
    return isinstance(column.type, _TEXT_TYPES)


def is_personal(column: Column[Any]) -> bool:
    return bool(column.info.get(PERSONAL))


def personal_columns(table: Table) -> list[Column[Any]]:
    return [column for column in table.columns if is_personal(column)]


def undecided_columns(metadata: MetaData) -> list[str]:
    """`table.column` for every text, JSON or binary column nobody decided about."""
    return [
        f"{table.name}.{column.name}"
        for table in metadata.sorted_tables
        for column in table.columns
        if holds_text(column)
        and PERSONAL not in column.info
        and column.name not in NOT_PERSONAL.get(table.name, {})
    ]


def _must_be_unique(table: Table, column: Column[Any]) -> bool:
    if column.unique:
        return True
    constraints = [c.columns for c in table.constraints if isinstance(c, UniqueConstraint)]
    indexes = [i.columns for i in table.indexes if i.unique]
    return any(column.name in columns for columns in [*constraints, *indexes])


def erased_value(column: Column[Any]) -> Any:
    """What a personal column holds once its person is forgotten."""
    if "erased" in column.info:
        return column.info["erased"]
    if isinstance(column.type, JSON):
        return {}
    if isinstance(column.type, LargeBinary):
        return b""
    if column.nullable:
        return None
    return ""


def unique_marker(column: Column[Any], row_id: Any) -> str:
    marker = f"erased-{getattr(row_id, 'hex', str(row_id))}@invalid"
    length = getattr(column.type, "length", None)
    return marker[:length] if length else marker


def is_erased_marker(value: str) -> bool:
    """Whether a unique personal column holds the marker `anonymize` left there (the row was erased)."""
    return value.startswith("erased-") and value.endswith("@invalid")


def anonymize(session: Session, table: Table, where: ColumnElement[bool]) -> int:
    """Empty the personal columns of the rows of `table` matching `where`; how many rows.

    Works in the caller's transaction. The caller scopes `where` to a
    tenant: Core statements on a table are not filtered by the tenant scope.
    """
    columns = personal_columns(table)
    if not columns:
        return 0
    unique = [c for c in columns if _must_be_unique(table, c)]
    plain = {c.name: erased_value(c) for c in columns if c not in unique}
    if not unique:
        result = session.execute(update(table).where(where).values(**plain))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
    ids = list(session.execute(select(table.c.id).where(where)).scalars())
    if not ids:
        return 0
    statement = (
        update(table)
        .where(table.c.id == bindparam("_row_id"))
        .values(**plain, **{c.name: bindparam(f"_erased_{c.name}") for c in unique})
    )
    session.execute(
        statement,
        [
            {"_row_id": row_id, **{f"_erased_{c.name}": unique_marker(c, row_id) for c in unique}}
            for row_id in ids
        ],
    )
    return len(ids)
