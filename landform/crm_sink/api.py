"""The contacts part of the JSON API (`/api/v1/contacts`)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec
from litestar import Controller, get
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.crm_sink import services
from landform.crm_sink.models import Contact


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

    @classmethod
    def of(cls, contact: Contact) -> ContactOut:
        return cls(**{name: getattr(contact, name) for name in cls.__struct_fields__})


class ContactPage(msgspec.Struct):
    data: list[ContactOut]
    total: int
    limit: int
    offset: int


class ContactsApi(Controller):
    """Contacts of the API key's tenant."""

    path = "/contacts"
    tags = ["contacts"]

    @get("/")
    async def list_contacts(
        self,
        db: AsyncSession,
        email: str | None = Parameter(default=None, max_length=320, description="Exact address (any case)"),
        q: str = Parameter(default="", max_length=200, description="Search in name, e-mail and company"),
        limit: int = Parameter(default=50, ge=1, le=500),
        offset: int = Parameter(default=0, ge=0, le=1_000_000),
    ) -> ContactPage:
        """Find contacts: `email=` for one address, or `q=` to search."""
        query = services.contacts_query(q)
        if email is not None:
            query = query.where(Contact.email_key == services.email_key(email))

        total = (
            await db.execute(select(func.count()).select_from(query.order_by(None).subquery()))
        ).scalar_one()
        contacts = (await db.execute(query.limit(limit).offset(offset))).scalars()
        return ContactPage(data=[ContactOut.of(c) for c in contacts], total=total, limit=limit, offset=offset)

    @get("/{contact_id:uuid}")
    async def get_contact(self, db: AsyncSession, contact_id: UUID) -> ContactOut:
        """One contact."""
        contact = (await db.execute(select(Contact).where(Contact.id == contact_id))).scalar_one_or_none()
        if contact is None:
            raise NotFoundException(detail="No contact with this id.")
        return ContactOut.of(contact)
