"""E-mails to the operator's privacy contact (LANDFORM_PRIVACY_EMAIL) about the platform's own cases."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from landform.core import i18n
from landform.core.db import utcnow
from landform.core.mail import queue_email
from landform.core.settings import get_settings
from landform.privacy.labels import lazy_kind_label
from landform.privacy.models import PrivacyRequest

# The operator's privacy contact (LANDFORM_PRIVACY_EMAIL) is written to in English: there is no operator
# user whose language could say otherwise.
OPERATOR_LANGUAGE = i18n.DEFAULT_LANGUAGE


def mail_privacy_contact(db: Session, template: str, **context: Any) -> bool:
    """Queue an e-mail to the operator's privacy contact (LANDFORM_PRIVACY_EMAIL); False if none is set.

    These e-mails name what waits and by when, never who asked or what they wrote: that stays in the
    database, for `landform privacy show <id>`.
    """
    address = get_settings().privacy.email
    if not address:
        return False
    queue_email(db, to=address, template=template, language=OPERATOR_LANGUAGE, **context)
    return True


def tell_privacy_contact(db: Session, request: PrivacyRequest, *, days: int | None = None) -> bool:
    """E-mail the operator's privacy contact about one of the platform's own requests; False if none is set.

    `days` None: the request has just started to wait for them; else a reminder that it is due in `days`.
    """
    if request.tenant_id is not None or request.due_at is None:
        raise ValueError("only a confirmed request to the platform itself goes to its privacy contact")
    return mail_privacy_contact(
        db,
        "privacy_operator_request",
        kind_label=lazy_kind_label(request.kind),
        due_at=request.due_at,
        days=days,
        overdue=request.due_at < utcnow(),
        request_id=str(request.id),
    )
