"""The review queue of likely duplicates: pairs that are probably one person, and pairs a person dismissed."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from landform.crm_sink.models import Contact, ContactDuplicateDismissal


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
