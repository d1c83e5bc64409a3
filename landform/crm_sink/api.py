"""The CRM part of the JSON API: contacts, companies, submissions and activities of the API key's tenant.

Lists are newest first and paged by cursor: pass a response's `next_cursor` as `cursor` to get the
next page (stable while rows are added, and as fast on page 1,000 as on page 1). `/api/v1/contacts`
also keeps its original `offset` paging (to offset 10,000) and a `total` that is counted up to 10,000:
beyond that `total_capped` says "more" rather than counting a million rows on every page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, get
from litestar.exceptions import NotFoundException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.crm_sink import services
from landform.crm_sink.contacts import search
from landform.crm_sink.contacts.search import ContactFilter, Cursor
from landform.crm_sink.models import Activity, Company, Contact, ContactTag, Submission

CURSOR = Parameter(default="", max_length=200, description="`next_cursor` of the previous page")


class Problem(msgspec.Struct):
    """Every error of the API (application/problem+json), as the app's exception handlers write it."""

    status: int
    detail: str
    errors: list[dict[str, Any]] | None = None


PROBLEMS = {
    400: "A parameter or the body could not be read",
    401: "No API key, or one that is not valid or revoked",
    403: "The plan's limit is reached",
    404: "No such object in the API key's account",
    413: "The body is too large",
    415: "The body is neither form data nor JSON",
    429: "Too many requests with this key this minute (see Retry-After)",
}


def problems(*codes: int) -> dict[int, ResponseSpec]:
    """The error answers an operation really gives, so that clients (and schemathesis) know them."""
    return {
        code: ResponseSpec(
            data_container=Problem,
            description=PROBLEMS[code],
            media_type="application/problem+json",
            generate_examples=False,
        )
        for code in codes
    }


# Every operation: a key may be missing or refused, a parameter unreadable, the key over its rate limit.
READ_PROBLEMS = problems(400, 401, 429)
ONE_PROBLEMS = problems(400, 401, 404, 429)


class ContactOut(msgspec.Struct):
    id: UUID
    email: str
    first_name: str
    last_name: str
    phone: str
    company_name: str
    job_title: str
    language: str
    created_at: datetime
    updated_at: datetime
    last_activity_at: datetime | None
    do_not_contact: bool
    company_id: UUID | None = None
    owner_id: UUID | None = None
    source: str = ""
    gender: str = ""
    linkedin: str = ""
    facebook: str = ""
    twitter: str = ""
    description: str = ""
    stage: Annotated[str, msgspec.Meta(description="lead, prospect, customer, not_a_fit or lost")] = "lead"
    stage_reason: str = ""
    tags: list[str] = []

    @classmethod
    def of(cls, contact: Contact, tags: list[str] | None = None) -> ContactOut:
        values = {name: getattr(contact, name) for name in cls.__struct_fields__ if name != "tags"}
        return cls(**values, tags=tags or [])


class ContactPage(msgspec.Struct):
    data: list[ContactOut]
    total: Annotated[
        int,
        msgspec.Meta(
            description=f"How many contacts match, counted up to {search.COUNT_CAP:,}: when more match, "
            f"this is {search.COUNT_CAP:,} and `total_capped` is true"
        ),
    ]
    limit: int
    offset: int
    next_cursor: Annotated[
        str | None, msgspec.Meta(description="Pass as `cursor` for the next page; null on the last page")
    ] = None
    total_capped: Annotated[
        bool,
        msgspec.Meta(description=f"More than {search.COUNT_CAP:,} contacts match (`total` stops there)"),
    ] = False


class CompanyOut(msgspec.Struct):
    id: UUID
    name: str
    address: str
    postcode: str
    city: str
    country: str
    phone: str
    vat_number: str
    kvk_number: str
    rsin: str
    visiting_address: str
    invoice_address: str
    website: str
    domain: str
    linkedin: str
    facebook: str
    twitter: str
    description: str
    size: int | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, company: Company) -> CompanyOut:
        return cls(**{name: getattr(company, name) for name in cls.__struct_fields__})


class SubmissionOut(msgspec.Struct):
    id: UUID
    form_id: UUID | None
    form_version: int | None
    contact_id: UUID | None
    data: dict[str, Any]
    context: dict[str, Any]
    created_at: datetime
    routed_at: datetime | None

    @classmethod
    def of(cls, submission: Submission) -> SubmissionOut:
        return cls(**{name: getattr(submission, name) for name in cls.__struct_fields__})


class ActivityOut(msgspec.Struct):
    id: UUID
    contact_id: UUID
    kind: str
    submission_id: UUID | None
    occurred_at: datetime
    details: dict[str, Any]

    @classmethod
    def of(cls, activity: Activity) -> ActivityOut:
        return cls(**{name: getattr(activity, name) for name in cls.__struct_fields__})


class CompanyPage(msgspec.Struct):
    data: list[CompanyOut]
    next_cursor: str | None


class SubmissionPage(msgspec.Struct):
    data: list[SubmissionOut]
    next_cursor: str | None


class ActivityPage(msgspec.Struct):
    data: list[ActivityOut]
    next_cursor: str | None


def _id_cursor(text: str) -> UUID | None:
    if not text:
        return None
    try:
        return UUID(text)
    except ValueError:
        raise ValidationException(detail="cursor is not one this API gave out") from None


async def _newest_first(db: AsyncSession, query: Select[Any], model: Any, cursor: str, limit: int) -> Any:
    """A page by id (ids are time-ordered UUIDv7), newest first, and the next page's cursor."""
    after = _id_cursor(cursor)
    if after is not None:
        query = query.where(model.id < after)
    rows = list((await db.execute(query.order_by(model.id.desc()).limit(limit + 1))).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (str(rows[-1].id) if more else None)


async def _tags(db: AsyncSession, contact_ids: list[UUID]) -> dict[UUID, list[str]]:
    tags: dict[UUID, list[str]] = {}
    if contact_ids:
        found = await db.execute(
            select(ContactTag.contact_id, ContactTag.tag)
            .where(ContactTag.contact_id.in_(contact_ids))
            .order_by(ContactTag.tag)
        )
        for contact_id, tag in found.all():
            tags.setdefault(contact_id, []).append(tag)
    return tags


class ContactsApi(Controller):
    """Contacts of the API key's tenant."""

    path = "/contacts"
    tags = ["contacts"]

    @get("/", responses=READ_PROBLEMS)
    async def list_contacts(
        self,
        db: AsyncSession,
        email: str | None = Parameter(default=None, max_length=320, description="Exact address (any case)"),
        q: str = Parameter(default="", max_length=200, description="Search in name, e-mail and company"),
        owner: str = Parameter(default="", max_length=36, description="Owner's user id, or `none`"),
        tag: str = Parameter(default="", max_length=64),
        consent: str = Parameter(default="", pattern="^(|ok|dnc)$", description="ok, or dnc: do not contact"),
        source: str = Parameter(default="", max_length=16, description="page, embed, api or import"),
        stage: str = Parameter(
            default="",
            pattern="^(|lead|prospect|customer|not_a_fit|lost)$",
            description="Lifecycle stage: lead, prospect, customer, not_a_fit or lost",
        ),
        cursor: str = CURSOR,
        limit: int = Parameter(default=50, ge=1, le=500),
        offset: int = Parameter(
            default=0,
            ge=0,
            le=search.COUNT_CAP,
            description="Older paging, up to 10,000; use `cursor` beyond",
        ),
    ) -> ContactPage:
        """Find contacts, most recently active first: `email=` for one address, or search and filter."""
        filters = ContactFilter(
            q=q, owner=owner, tag=tag.casefold(), consent=consent, source=source, stage=stage
        )
        if cursor and Cursor.decode(cursor) is None:
            raise ValidationException(detail="cursor is not one this API gave out")
        conditions = filters.where()
        if email is not None:
            conditions.append(Contact.email_key == services.email_key(email))
        query = select(Contact).where(*conditions)
        counted = await db.run_sync(search.count_up_to, Contact, conditions)
        next_cursor = None
        if offset and not cursor:
            contacts = await db.run_sync(search.contact_offset_page, conditions, offset, limit)
        elif email is not None:
            contacts = list((await db.execute(query.limit(limit))).scalars())  # one address: one contact
        else:
            position = Cursor.decode(cursor)
            contacts, position = await db.run_sync(search.contact_page, filters, position, limit)
            next_cursor = position.encode() if position else None
        tags = await _tags(db, [c.id for c in contacts])
        return ContactPage(
            data=[ContactOut.of(c, tags.get(c.id)) for c in contacts],
            total=min(counted, search.COUNT_CAP),
            total_capped=counted > search.COUNT_CAP,
            limit=limit,
            offset=offset,
            next_cursor=next_cursor,
        )

    @get("/{contact_id:uuid}", responses=ONE_PROBLEMS)
    async def get_contact(self, db: AsyncSession, contact_id: UUID) -> ContactOut:
        """One contact."""
        contact = (await db.execute(select(Contact).where(Contact.id == contact_id))).scalar_one_or_none()
        if contact is None:
            raise NotFoundException(detail="No contact with this id.")
        return ContactOut.of(contact, (await _tags(db, [contact.id])).get(contact.id))

    @get("/{contact_id:uuid}/activities", responses=ONE_PROBLEMS)
    async def contact_activities(
        self,
        db: AsyncSession,
        contact_id: UUID,
        cursor: str = CURSOR,
        limit: int = Parameter(default=50, ge=1, le=500),
    ) -> ActivityPage:
        """A contact's timeline, newest first."""
        found = (await db.execute(select(Contact.id).where(Contact.id == contact_id))).first()
        if found is None:
            raise NotFoundException(detail="No contact with this id.")
        query = select(Activity).where(Activity.contact_id == contact_id)
        rows, next_cursor = await _newest_first(db, query, Activity, cursor, limit)
        return ActivityPage(data=[ActivityOut.of(a) for a in rows], next_cursor=next_cursor)


class CompaniesApi(Controller):
    """Companies of the API key's tenant."""

    path = "/companies"
    tags = ["companies"]

    @get("/", responses=READ_PROBLEMS)
    async def list_companies(
        self,
        db: AsyncSession,
        q: str = Parameter(default="", max_length=200, description="Search in the name"),
        kvk_number: str = Parameter(default="", max_length=8),
        vat_number: str = Parameter(default="", max_length=20),
        domain: str = Parameter(default="", max_length=255),
        cursor: str = CURSOR,
        limit: int = Parameter(default=50, ge=1, le=500),
    ) -> CompanyPage:
        """Companies, newest first, optionally by name, KvK number, VAT number or web domain."""
        query = select(Company)
        if q:
            query = query.where(search.company_search(q))
        if kvk_number:
            query = query.where(Company.kvk_number == kvk_number)
        if vat_number:
            query = query.where(Company.vat_number == vat_number.replace(" ", "").upper())
        if domain:
            query = query.where(Company.domain == domain.lower().removeprefix("www."))
        rows, next_cursor = await _newest_first(db, query, Company, cursor, limit)
        return CompanyPage(data=[CompanyOut.of(c) for c in rows], next_cursor=next_cursor)

    @get("/{company_id:uuid}", responses=ONE_PROBLEMS)
    async def get_company(self, db: AsyncSession, company_id: UUID) -> CompanyOut:
        """One company."""
        company = (await db.execute(select(Company).where(Company.id == company_id))).scalar_one_or_none()
        if company is None:
            raise NotFoundException(detail="No company with this id.")
        return CompanyOut.of(company)


class CrmRecordsApi(Controller):
    """Submissions as received and every activity, for syncing into another system."""

    path = "/"

    @get("/submissions", tags=["submissions"], responses=READ_PROBLEMS)
    async def list_submissions(
        self,
        db: AsyncSession,
        form_id: UUID | None = None,
        contact_id: UUID | None = None,
        cursor: str = CURSOR,
        limit: int = Parameter(default=50, ge=1, le=500),
    ) -> SubmissionPage:
        """Submissions, newest first, optionally of one form or one contact."""
        query = select(Submission)
        if form_id is not None:
            query = query.where(Submission.form_id == form_id)
        if contact_id is not None:
            query = query.where(Submission.contact_id == contact_id)
        rows, next_cursor = await _newest_first(db, query, Submission, cursor, limit)
        return SubmissionPage(data=[SubmissionOut.of(s) for s in rows], next_cursor=next_cursor)

    @get("/submissions/{submission_id:uuid}", tags=["submissions"], responses=ONE_PROBLEMS)
    async def get_submission(self, db: AsyncSession, submission_id: UUID) -> SubmissionOut:
        """One submission."""
        found = await db.execute(select(Submission).where(Submission.id == submission_id))
        submission = found.scalar_one_or_none()
        if submission is None:
            raise NotFoundException(detail="No submission with this id.")
        return SubmissionOut.of(submission)

    @get("/activities", tags=["activities"], responses=READ_PROBLEMS)
    async def list_activities(
        self,
        db: AsyncSession,
        kind: str = Parameter(default="", max_length=32),
        cursor: str = CURSOR,
        limit: int = Parameter(default=50, ge=1, le=500),
    ) -> ActivityPage:
        """Every contact's activities, newest first."""
        query = select(Activity)
        if kind:
            query = query.where(Activity.kind == kind)
        rows, next_cursor = await _newest_first(db, query, Activity, cursor, limit)
        return ActivityPage(data=[ActivityOut.of(a) for a in rows], next_cursor=next_cursor)
