"""E-mails to a tenant's own team about its account: a failed payment, a webhook switched off, a breach."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from landform.accounts.models import Role, User
from landform.core.mail import queue_email


def tell_team(
    session: Session, tenant_id: UUID, roles: Iterable[Role], template: str, **context: Any
) -> None:
    """Queue `emails/{template}` to each of the tenant's users with one of `roles`, in their own language.

    Each e-mail also gets its recipient's `first_name` and `timezone`. A value that must read in the
    recipient's language (a plan's name) is passed lazily: it is rendered in that language. An async
    caller runs this through `AsyncSession.run_sync`.
    """
    users = session.execute(
        select(User).where(User.tenant_id == tenant_id, User.role.in_(tuple(roles))).order_by(User.email)
    ).scalars()
    for user in list(users):
        queue_email(
            session,
            to=user.email,
            template=template,
            language=user.language,
            tenant_id=tenant_id,
            first_name=user.first_name,
            timezone=user.timezone,
            **context,
        )
