"""The demo's paperwork: its owner accepted the current terms and processing agreement, as at sign-up."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from landform.accounts import terms
from landform.accounts.models import Tenant, TermsAcceptance, User
from landform.demo.tenant import LOGIN_EMAIL


def ensure_terms_accepted(session: Session, tenant: Tenant) -> None:
    accepted = session.execute(
        select(TermsAcceptance.id).where(
            TermsAcceptance.tenant_id == tenant.id, TermsAcceptance.version == terms.TERMS_VERSION
        )
    ).first()
    if accepted is None:
        session.flush()
        owner = session.execute(select(User).where(User.email == LOGIN_EMAIL)).scalar_one()
        terms.accept(session, tenant.id, owner)
