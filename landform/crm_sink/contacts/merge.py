"""Merging two contacts that are one person: the chosen values kept, every reference moved to the survivor."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from landform.core.db import metadata, utcnow
from landform.core.i18n import gettext as _
from landform.crm_sink.contacts.edit import RecordInvalid
from landform.crm_sink.fields import CONTACT_FIELDS
from landform.crm_sink.models import Activity, Contact, ContactDuplicateDismissal, ContactTag

# A merge chooses, field by field, between the two contacts' values of every field.
MERGE_FIELDS = tuple(CONTACT_FIELDS)


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
