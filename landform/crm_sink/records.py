"""Working the CRM by hand: finding contacts (filters, keyset pages), editing contacts and companies,
merging two contacts, the review queue of likely duplicates, and the CSV export.

Routing (services.py) writes the CRM; this module is what people do with it afterwards.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit
from uuid import UUID

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Select,
    String,
    and_,
    delete,
    exists,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased

from landform.core.csvfile import csv_text
from landform.core.db import TenantScopeMissing, metadata, utcnow
from landform.core.i18n import gettext as _
from landform.crm_sink import normalize
from landform.crm_sink.models import Activity, Company, Contact, ContactDuplicateDismissal, ContactTag

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
GENDERS = ("female", "male", "other")


class RecordInvalid(ValueError):
    """What the user typed cannot be saved; `errors` by field name."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


# --- finding contacts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactFilter:
    q: str = ""
    owner: str = ""  # a user id, "none" (unassigned) or ""
    tag: str = ""
    consent: str = ""  # "ok", "dnc" (do not contact) or ""
    source: str = ""
    # Set by the export: contacts who asked not to be contacted never leave in a file.
    without_do_not_contact: bool = False

    @classmethod
    def of(cls, params: Any) -> ContactFilter:
        def value(name: str, limit: int) -> str:
            return str(params.get(name) or "").strip()[:limit]

        consent = value("consent", 8)
        source = value("source", 16)
        return cls(
            q=value("q", 200),
            owner=value("owner", 36),
            tag=value("tag", 64),
            consent=consent if consent in {"ok", "dnc"} else "",
            source=source if source in SOURCES else "",
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


# --- validation ------------------------------------------------------------------------------------


def clean_email(text: str) -> str:
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValueError(_("Please enter a valid e-mail address, like name@example.com.")) from error


CONTACT_TEXT = {
    "first_name": 100,
    "last_name": 100,
    "job_title": 200,
    "company_name": 200,
    "description": 4000,
}
CONTACT_URLS = ("linkedin", "facebook", "twitter")


def _clean(form: Any, limits: dict[str, int], errors: dict[str, str]) -> dict[str, str]:
    values = {}
    for name, limit in limits.items():
        value = str(form.get(name) or "").strip()
        if len(value) > limit:
            errors[name] = _("At most %(count)d characters.", count=limit)
        values[name] = value
    return values


def clean_contact(form: Any, region: str, owners: set[UUID]) -> dict[str, Any]:
    """The validated values of the contact form (RecordInvalid lists what is wrong)."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = _clean(form, CONTACT_TEXT, errors)
    checks = {"email": clean_email, "phone": lambda text: normalize.checked_phone(text, region)}
    checks.update({name: normalize.checked_website for name in CONTACT_URLS})
    for name, check in checks.items():
        text = str(form.get(name) or "").strip()[:320]
        try:
            values[name] = check(text) if text else ""
        except ValueError as error:
            errors[name] = str(error)
    if not values.get("email") and "email" not in errors:
        errors["email"] = _("Please enter a valid e-mail address, like name@example.com.")
    gender = str(form.get("gender") or "")
    values["gender"] = gender if gender in GENDERS else ""
    language = str(form.get("language") or "")
    values["language"] = language if language in {"nl", "en"} else ""
    owner = str(form.get("owner_id") or "")
    try:
        values["owner_id"] = UUID(owner) if owner else None
    except ValueError:
        values["owner_id"] = None
    if values["owner_id"] is not None and values["owner_id"] not in owners:
        errors["owner_id"] = _("Choose a user of your team.")
    values["tags"] = sorted(
        {tag.strip().casefold()[:64] for tag in str(form.get("tags") or "").split(",") if tag.strip()}
    )[:50]
    if errors:
        raise RecordInvalid(errors)
    return values


def save_contact(session: Session, contact: Contact, values: dict[str, Any]) -> None:
    """Apply the cleaned form; a changed address must not be another contact's (merge them instead)."""
    key = values["email"].strip().casefold()
    if key != contact.email_key:
        taken = session.execute(select(Contact.id).where(Contact.email_key == key, Contact.id != contact.id))
        if taken.first() is not None:
            raise RecordInvalid(
                {"email": _("Another contact has this e-mail address. Merge the two contacts instead.")}
            )
    for name, value in values.items():
        if name != "tags":
            setattr(contact, name, value)
    contact.email_key = key
    set_tags(session, contact, values["tags"])


def set_tags(session: Session, contact: Contact, tags: list[str]) -> None:
    mine = ContactTag.contact_id == contact.id
    current = set(session.execute(select(ContactTag.tag).where(mine)).scalars())
    wanted = set(tags)
    if current - wanted:
        session.execute(delete(ContactTag).where(mine, ContactTag.tag.in_(current - wanted)))
    for tag in sorted(wanted - current):
        session.add(ContactTag(contact_id=contact.id, tag=tag, tenant_id=contact.tenant_id))


COMPANY_TEXT = {
    "name": 200,
    "address": 200,
    "city": 100,
    "visiting_address": 300,
    "invoice_address": 300,
    "description": 4000,
}
# What the company form edits: the model's attributes, not its table's columns (those include
# advanced-alchemy's `sa_orm_sentinel`, which has no attribute of that name on the object).
COMPANY_FIELDS = (
    *COMPANY_TEXT,
    "postcode",
    "country",
    "phone",
    "vat_number",
    "kvk_number",
    "rsin",
    "website",
    "linkedin",
    "facebook",
    "twitter",
    "size",
)


def clean_company(form: Any, region: str) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = _clean(form, COMPANY_TEXT, errors)
    if not values["name"]:
        errors["name"] = _("Enter the company's name.")
    country = str(form.get("country") or region or "NL").strip().upper()[:2]
    values["country"] = country if re.fullmatch(r"[A-Z]{2}", country) else ""
    checks = {
        "postcode": lambda text: normalize.checked_postcode(text, values["country"]),
        "phone": lambda text: normalize.checked_phone(text, region),
        "vat_number": lambda text: normalize.vat_number(text, region),
        "kvk_number": normalize.kvk_number,
        "rsin": normalize.rsin,
        "website": normalize.checked_website,
        "linkedin": normalize.checked_website,
        "facebook": normalize.checked_website,
        "twitter": normalize.checked_website,
    }
    for name, check in checks.items():
        text = str(form.get(name) or "").strip()[:300]
        try:
            values[name] = check(text) if text else ""
        except ValueError as error:
            errors[name] = str(error)
    size = str(form.get("size") or "").strip()
    values["size"] = int(size) if size.isdigit() and len(size) < 8 else None
    if size and values["size"] is None:
        errors["size"] = _("Enter the number of employees, like 25.")
    if errors:
        raise RecordInvalid(errors)
    host = (urlsplit(values["website"]).hostname or "").lower() if values["website"] else ""
    values["domain"] = host.removeprefix("www.")
    return values


# --- merging ---------------------------------------------------------------------------------------

MERGE_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "phone",
    "company_name",
    "company_id",
    "job_title",
    "gender",
    "language",
    "linkedin",
    "facebook",
    "twitter",
    "description",
    "owner_id",
)


def _contact_references() -> list[Any]:
    """Every column of every table that points at a contact, whichever domain owns it.

    Merging moves them all to the survivor: activities, submissions, tags, consent records, webhook
    events, and whatever a later domain adds, without the CRM importing those domains.
    """
    columns = []
    for table in metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "contact" and fk.column.name == "id" and table.name != "contact":
                columns.append(fk.parent)
    return columns


def merge_contacts(
    session: Session, survivor: Contact, other: Contact, take_from_other: set[str], merged_by: str
) -> None:
    """Fold `other` into `survivor` and delete it; `take_from_other` names the fields whose value wins."""
    if survivor.id == other.id:
        raise RecordInvalid({"_form": _("Choose two different contacts.")})
    chosen = {name: getattr(other, name) for name in MERGE_FIELDS if name in take_from_other}
    # A value only the other contact has is kept rather than lost.
    for name in MERGE_FIELDS:
        if name not in chosen and not getattr(survivor, name) and getattr(other, name):
            chosen[name] = getattr(other, name)
    # The survivor's tags win a clash; the rest move over with every other reference.
    survivor_tags = select(ContactTag.tag).where(ContactTag.contact_id == survivor.id).scalar_subquery()
    session.execute(
        delete(ContactTag).where(ContactTag.contact_id == other.id, ContactTag.tag.in_(survivor_tags))
    )
    # Dismissed pairs with the other contact no longer mean anything: it is about to be gone.
    session.execute(
        delete(ContactDuplicateDismissal).where(
            or_(
                ContactDuplicateDismissal.contact_a_id == other.id,
                ContactDuplicateDismissal.contact_b_id == other.id,
            )
        )
    )
    for column in _contact_references():
        if column.table.name == ContactDuplicateDismissal.__tablename__:
            continue
        session.execute(update(column.table).where(column == other.id).values({column.name: survivor.id}))
    do_not_contact = survivor.do_not_contact or other.do_not_contact
    latest = max((m for m in (survivor.last_activity_at, other.last_activity_at) if m), default=None)
    session.delete(other)
    session.flush()  # the other address is free before the survivor may take it
    for name, value in chosen.items():
        setattr(survivor, name, value)
    survivor.email_key = survivor.email.strip().casefold()
    # Someone who asked not to be contacted under either record stays asked.
    survivor.do_not_contact = do_not_contact
    survivor.last_activity_at = latest
    session.add(
        Activity(
            contact_id=survivor.id,
            tenant_id=survivor.tenant_id,
            kind="merged",
            occurred_at=utcnow(),
            details={"merged_contact_id": str(other.id), "by": merged_by},
        )
    )


# --- likely duplicates -----------------------------------------------------------------------------


def duplicate_pairs(session: Session, limit: int = 50) -> list[tuple[Contact, Contact, str]]:
    """Pairs that are probably one person: the same phone number, or the same name at the same company.

    Pairs a person dismissed are not offered again.
    """
    a, b = aliased(Contact), aliased(Contact)
    same_phone = and_(a.phone != "", a.phone == b.phone)
    same_company = or_(
        and_(a.company_id.is_not(None), a.company_id == b.company_id),
        and_(a.company_name != "", func.lower(a.company_name) == func.lower(b.company_name)),
    )
    same_name = and_(
        a.last_name != "",
        func.lower(a.first_name) == func.lower(b.first_name),
        func.lower(a.last_name) == func.lower(b.last_name),
        same_company,
    )
    dismissed = exists().where(
        ContactDuplicateDismissal.contact_a_id == a.id, ContactDuplicateDismissal.contact_b_id == b.id
    )
    rows = session.execute(
        select(a, b, same_phone)
        .join(b, and_(a.tenant_id == b.tenant_id, a.id < b.id, or_(same_phone, same_name)))
        .where(~dismissed)
        .order_by(b.created_at.desc())
        .limit(limit)
    ).all()
    return [(first, second, "phone" if phone else "name") for first, second, phone in rows]


def dismiss_pair(session: Session, first: UUID, second: UUID, user_id: UUID) -> None:
    low, high = sorted((first, second))
    known = session.execute(
        select(ContactDuplicateDismissal.id).where(
            ContactDuplicateDismissal.contact_a_id == low, ContactDuplicateDismissal.contact_b_id == high
        )
    ).first()
    if known is None:
        session.add(ContactDuplicateDismissal(contact_a_id=low, contact_b_id=high, dismissed_by_id=user_id))


# --- export ----------------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "id",
    "email",
    "first_name",
    "last_name",
    "phone",
    "company_name",
    "job_title",
    "language",
    "source",
    "created_at",
    "last_activity_at",
)


def csv_rows(contacts: list[Contact], header: bool) -> str:
    rows = ({name: getattr(contact, name) for name in EXPORT_COLUMNS} for contact in contacts)
    return csv_text(EXPORT_COLUMNS, rows, header=header)
