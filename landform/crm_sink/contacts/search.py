"""Finding contacts: the list's filters, keyset pages that stay index scans, capped counts and the search."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Select,
    String,
    exists,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    tuple_,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased

from landform.core.db import TenantScopeMissing
from landform.crm_sink.models import Company, Contact, ContactTag
from landform.crm_sink.pipeline.lifecycle import STAGES

PAGE_SIZE = 50
# Lists say "more than 10000" instead of counting a million rows on every page.
COUNT_CAP = 10_000
# What the contact search looks in, as one lower-case text: e-mail, "first last" and company name.
# Migration 0108 builds a trigram index (pg_trgm) on exactly this expression on PostgreSQL; keep the
# two the same. The separators are literal SQL, not parameters, so that the expression is the indexed one.
_SPACE = literal_column("' '", String)


def _searched(contact: Any) -> ColumnElement[str]:
    """CONTACT_SEARCH of `contact`: the Contact model, or an alias of it (the walk's subquery)."""
    return func.lower(
        contact.email_key
        + _SPACE
        + contact.first_name
        + _SPACE
        + contact.last_name
        + _SPACE
        + contact.company_name
    )


CONTACT_SEARCH = _searched(Contact)
# A search walks at most this many contacts of the list's order (newest activity first), testing each,
# before it asks the trigram index instead: a term in at least one in forty contacts (PAGE_SIZE + 1 in
# SEARCH_WALK) fills its page from the walk. When the walk found some matches but not a page, and at
# that rate SEARCH_WALK_FAR contacts would hold a page, it walks that far. See _search_page.
SEARCH_WALK = 2_000
SEARCH_WALK_FAR = 20_000


class _Search(ColumnElement[bool]):
    """A search condition that can use its trigram index under row-level security.

    On PostgreSQL a table's policy is applied before any condition whose operator is not leakproof,
    LIKE among them, so a plain LIKE never reaches the index there. Migration 0108 adds a SECURITY
    DEFINER function per search that applies the tenant rule itself and returns the ids that match;
    the list keeps `id IN (those ids)`, an indexed lookup under the policy. Elsewhere: the plain LIKE.
    """

    type = Boolean()
    inherit_cache = False

    def __init__(self, ids: Any, function: str, pattern: str, fallback: ColumnElement[bool]) -> None:
        self.ids = ids
        self.function = function
        self.pattern = pattern
        self.fallback = fallback


@compiles(_Search)
def _search_elsewhere(element: _Search, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.fallback, **kw))


@compiles(_Search, "postgresql")
def _search_on_postgresql(element: _Search, compiler: Any, **kw: Any) -> str:
    matching = select(getattr(func, element.function)(literal(element.pattern, String)))
    return str(compiler.process(element.ids.in_(matching), **kw))


SOURCES = ("page", "embed", "api", "import")


@dataclass(frozen=True)
class ContactFilter:
    q: str = ""
    owner: str = ""  # a user id, "none" (unassigned) or ""
    tag: str = ""
    consent: str = ""  # "ok", "dnc" (do not contact) or ""
    source: str = ""
    stage: str = ""  # a lifecycle stage (pipeline/lifecycle.py) or ""
    # Set by the export: contacts who asked not to be contacted never leave in a file.
    without_do_not_contact: bool = False

    @classmethod
    def of(cls, params: Any) -> ContactFilter:
        def value(name: str, limit: int) -> str:
            return str(params.get(name) or "").strip()[:limit]

        consent = value("consent", 8)
        source = value("source", 16)
        stage = value("stage", 16)
        return cls(
            q=value("q", 200),
            owner=value("owner", 36),
            tag=value("tag", 64),
            consent=consent if consent in {"ok", "dnc"} else "",
            source=source if source in SOURCES else "",
            stage=stage if stage in STAGES else "",
        )

    def query_string(self, **changes: str) -> str:
        values = {**self.__dict__, **changes}
        values.pop("without_do_not_contact")
        return urlencode({k: v for k, v in values.items() if v})

    @property
    def pattern(self) -> str:
        """The search as a LIKE pattern on CONTACT_SEARCH; "" without a search."""
        term = _like_escaped(self.q.casefold())
        return f"%{term}%" if term else ""

    def where(self, search: bool = True) -> list[ColumnElement[bool]]:
        """The conditions, with the search among them unless `search` is False (the walk tests it itself)."""
        conditions: list[ColumnElement[bool]] = []
        pattern = self.pattern
        if pattern and search:
            conditions.append(
                _Search(Contact.id, "landform_contact_search", pattern, CONTACT_SEARCH.like(pattern))
            )
        if self.owner == "none":
            conditions.append(Contact.owner_id.is_(None))
        elif self.owner:
            try:
                conditions.append(Contact.owner_id == UUID(self.owner))
            except ValueError:
                conditions.append(Contact.id.is_(None))  # an owner that cannot exist: nothing matches
        if self.tag:
            conditions.append(
                exists().where(ContactTag.contact_id == Contact.id, ContactTag.tag == self.tag.casefold())
            )
        # Written as the partial index ix_contact_tenant_dnc_activity's predicate is (`do_not_contact`; on
        # SQLite `= 1`): PostgreSQL does not see that `IS true` implies it.
        refused = Contact.do_not_contact.expression
        if self.consent == "dnc":
            conditions.append(refused)
        elif self.consent == "ok":
            conditions.append(not_(refused))
        if self.source:
            conditions.append(Contact.source == self.source)
        if self.stage:
            conditions.append(Contact.stage == self.stage)
        if self.without_do_not_contact:
            conditions.append(not_(refused))
        return conditions


@dataclass(frozen=True)
class Cursor:
    """Where a page of contacts ends: the last row's (last_activity_at, id)."""

    last_activity_at: datetime | None
    id: UUID

    def encode(self) -> str:
        moment = self.last_activity_at.isoformat() if self.last_activity_at else ""
        return base64.urlsafe_b64encode(f"{moment}|{self.id}".encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor | None:
        """None for a missing or garbled cursor: the first page."""
        if not text:
            return None
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            moment, _sep, ident = raw.partition("|")
            return cls(datetime.fromisoformat(moment) if moment else None, UUID(ident))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None


def _active_order(contact: Any) -> list[ColumnElement[Any]]:
    return [contact.last_activity_at.desc(), contact.id.desc()]


def _idle_order(contact: Any) -> list[ColumnElement[Any]]:
    return [contact.id.desc()]


def _keyset(base: Select[Any], cursor: Cursor | None, limit: int) -> tuple[Select[Any], Select[Any] | None]:
    """The statements for one page, most recently active first, that stay index scans at any depth.

    Contacts with an activity come first, in (last_activity_at, id) order read backwards from
    ix_contact_tenant_activity; the few without one follow, by id. Written as two statements because
    the databases disagree where NULLs sort, and either way would need a sort of every row.
    """
    active = base.where(Contact.last_activity_at.is_not(None)).order_by(*_active_order(Contact))
    idle = base.where(Contact.last_activity_at.is_(None)).order_by(*_idle_order(Contact))
    if cursor is None:
        return active.limit(limit), idle.limit(limit)
    if cursor.last_activity_at is None:
        return idle.where(Contact.id < cursor.id).limit(limit), None
    return active.where(_after(cursor)).limit(limit), idle.limit(limit)


def _after(cursor: Cursor) -> ColumnElement[bool]:
    """Active contacts after the cursor's (last_activity_at, id) in the list's order."""
    # Typed parameters: an untyped UUID would be compared as text with SQLite's binary ids.
    return tuple_(Contact.last_activity_at, Contact.id) < tuple_(
        literal(cursor.last_activity_at, Contact.last_activity_at.type), literal(cursor.id, Contact.id.type)
    )


def contact_page(
    session: Session, filters: ContactFilter, cursor: Cursor | None, limit: int = PAGE_SIZE
) -> tuple[list[Contact], Cursor | None]:
    """One page of contacts and the cursor of the next page (None: this is the last)."""
    first, then = _keyset(select(Contact).where(*filters.where(search=False)), cursor, limit + 1)
    if filters.pattern:
        rows, _way = _search_page(session, filters, first, cursor, limit + 1)
    else:
        rows = list(session.execute(first).scalars())
        if len(rows) <= limit and then is not None:
            rows += list(session.execute(then.limit(limit + 1 - len(rows))).scalars())
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, Cursor(rows[-1].last_activity_at, rows[-1].id)


def _search_page(
    session: Session, filters: ContactFilter, first: Select[Any], cursor: Cursor | None, limit: int
) -> tuple[list[Contact], str]:
    """The first `limit` contacts after `cursor` that match the search, and how they were found: "walk",
    "far walk" or "index". `first` is the list's first statement after the cursor, without the search.

    A common term ("de vries", one in nine contacts) is fastest found by walking the list's own index,
    newest first, testing each contact and stopping when the page is full: about PAGE_SIZE * 9 rows,
    however large the tenant. A rare one (one person's address) would walk the whole tenant that way; the
    trigram index answers it in milliseconds, but it hands over every match, which must all be read and
    sorted before the first `limit` are known (every "de vries" of a million contacts). So the walk goes
    first, bounded to SEARCH_WALK contacts: if it fills the page, those are exactly the first `limit`
    matches in the list's order (any earlier match would be among the contacts it walked); if not, the
    term is rare there and the trigram index gives the page. The result is the same either way.

    A term in between (a company's name, 0.7% of the contacts) costs the index most: at a million
    contacts it hands over 7,000 matches, which took 380 ms. The short walk saw its rate, though (a few
    matches in 2,000), and a walk of the 7,000 contacts that hold a page at that rate costs far less; so
    when SEARCH_WALK_FAR contacts would do at the rate seen, the walk goes that far before the index.
    """
    pattern = filters.pattern
    order = _idle_order if cursor is not None and cursor.last_activity_at is None else _active_order

    def walk(contacts: int) -> list[Contact]:
        walked = aliased(Contact, first.limit(contacts).subquery())
        page = select(walked).where(_searched(walked).like(pattern)).order_by(*order(walked))
        return list(session.execute(page.limit(limit)).scalars())

    if SEARCH_WALK > 0:
        rows = walk(SEARCH_WALK)
        if len(rows) == limit:
            return rows, "walk"
        if rows and limit * SEARCH_WALK / len(rows) <= SEARCH_WALK_FAR:
            rows = walk(SEARCH_WALK_FAR)
            if len(rows) == limit:
                return rows, "far walk"
    # The matches are few and are sorted anyway: the active and the idle ones in one statement.
    matching = select(Contact).where(*filters.where())
    if order is _idle_order and cursor is not None:
        matching = matching.where(Contact.last_activity_at.is_(None), Contact.id < cursor.id)
    elif cursor is not None:
        matching = matching.where(or_(_after(cursor), Contact.last_activity_at.is_(None)))
    ordered = matching.order_by(Contact.last_activity_at.desc().nulls_last(), Contact.id.desc())
    return list(session.execute(ordered.limit(limit)).scalars()), "index"


def _like_escaped(term: str) -> str:
    # LIKE's wildcards in what a person typed are dropped rather than escaped: nobody searches for them.
    return term.replace("%", "").replace("_", "")


def contact_offset_page(
    session: Session, conditions: list[ColumnElement[bool]], offset: int, limit: int
) -> list[Contact]:
    """A page by offset in the list's order (the API's older paging), as the same two index scans as
    contact_page: one ORDER BY with NULLS LAST would sort every contact of the tenant first."""
    active, idle = _keyset(select(Contact).where(*conditions), None, limit)
    rows = list(session.execute(active.offset(offset)).scalars())
    if len(rows) < limit and idle is not None:
        if rows:
            active_total = offset + len(rows)
        else:
            with_activity = [*conditions, Contact.last_activity_at.is_not(None)]
            active_total = count_up_to(session, Contact, with_activity, cap=offset)
        rest = idle.offset(max(0, offset - active_total)).limit(limit - len(rows))
        rows += session.execute(rest).scalars()
    return rows


def capped_count(session: Session, filters: ContactFilter) -> int:
    """How many contacts match, counted up to COUNT_CAP + 1 (shown as "more than COUNT_CAP")."""
    if (
        filters.pattern
        and not filters.where(search=False)
        and session.get_bind().dialect.name == "postgresql"
    ):
        # The search alone: its function stops at COUNT_CAP + 1 matches (migration 0110), where the
        # search among other filters must hand over every match to be joined with them.
        if session.info.get("tenant_id") is None:
            raise TenantScopeMissing("counting tenant-owned rows without a tenant in scope")
        found = func.landform_contact_search(literal(filters.pattern, String), COUNT_CAP + 1)
        return int(session.execute(select(func.count()).select_from(found)).scalar_one())
    return count_up_to(session, Contact, filters.where())


def count_up_to(
    session: Session, model: Any, conditions: list[ColumnElement[bool]], cap: int | None = None
) -> int:
    """How many of the session's tenant's rows match, counting no further than `cap` + 1 (default
    COUNT_CAP + 1). The tenant is named here: the ORM's tenant filter does not reach into a subquery."""
    tenant_id = session.info.get("tenant_id")
    if tenant_id is None:
        raise TenantScopeMissing("counting tenant-owned rows without a tenant in scope")
    matching = select(model.id).where(model.tenant_id == tenant_id, *conditions)
    capped = matching.limit((COUNT_CAP if cap is None else cap) + 1).subquery()
    return int(session.execute(select(func.count()).select_from(capped)).scalar_one())


def company_search(term: str) -> ColumnElement[bool]:
    """Companies whose name holds the term, any case (a trigram index serves it on PostgreSQL)."""
    pattern = f"%{_like_escaped(term)}%"
    return _Search(Company.id, "landform_company_search", pattern, Company.name.ilike(pattern))


def all_tags(session: Session) -> list[str]:
    tags = select(ContactTag.tag).distinct().order_by(ContactTag.tag).limit(500)
    return list(session.execute(tags).scalars())
