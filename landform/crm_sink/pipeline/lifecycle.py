"""A contact's lifecycle stage: lead, prospect, customer, or not a fit / lost with a reason.

Its owner or a manager changes it; each change is an activity on the timeline and a webhook event
(`hooks.contact_stage_changed`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from landform import hooks
from landform.accounts.guards import MANAGERS
from landform.accounts.models import User
from landform.core.db import utcnow
from landform.core.i18n import gettext as _
from landform.core.i18n import lazy_gettext
from landform.crm_sink.assignment.touch import touch
from landform.crm_sink.models import Activity, Contact

STAGES = ("lead", "prospect", "customer", "not_a_fit", "lost")
# Stages that end the relationship for now: the team says why, so the next person knows.
WITH_REASON = ("not_a_fit", "lost")
REASON_MAX = 300


class Invalid(ValueError):
    """What a person entered cannot be saved: a message per field name."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def stage_labels() -> dict[str, Any]:
    return {
        "lead": lazy_gettext("Lead"),
        "prospect": lazy_gettext("Prospect"),
        "customer": lazy_gettext("Customer"),
        "not_a_fit": lazy_gettext("Not a fit"),
        "lost": lazy_gettext("Lost"),
    }


def may_change_stage(user: User, contact: Contact) -> bool:
    """The contact's owner, or a manager (owner or admin of the account)."""
    return user.role in MANAGERS or contact.owner_id == user.id


def clean_stage(stage: str, reason: str) -> tuple[str, str]:
    """The stage and reason as stored, or Invalid naming the field that is wrong."""
    stage, reason = stage.strip(), " ".join(reason.split())
    if stage not in STAGES:
        raise Invalid({"stage": _("Choose one of the stages: %(stages)s.", stages=", ".join(STAGES))})
    if stage in WITH_REASON and not reason:
        raise Invalid({"reason": _("Say why this contact is not a fit or lost.")})
    if len(reason) > REASON_MAX:
        raise Invalid({"reason": _("Keep the reason under %(max)d characters.", max=REASON_MAX)})
    return stage, reason if stage in WITH_REASON else ""


def change_stage(session: Session, contact: Contact, stage: str, reason: str, by: User | None) -> bool:
    """Move the contact to a (cleaned) stage: the timeline and the webhooks hear of it. False: no change."""
    if (contact.stage, contact.stage_reason) == (stage, reason):
        return False
    details = {
        "from": contact.stage,
        "to": stage,
        "by": by.full_name if by else "",
        "by_id": str(by.id) if by else None,
        "reason": reason,
    }
    contact.stage, contact.stage_reason = stage, reason
    now = utcnow()
    contact.last_activity_at = now
    session.add(Activity(contact_id=contact.id, kind="stage_changed", occurred_at=now, details=details))
    # The owner moving their lead on is a touch: it stops the speed-to-lead clock.
    touch(session, contact, by.id if by else None, "stage_changed", at=now)
    session.flush()
    for changed in hooks.contact_stage_changed:
        changed(session, contact, details)
    return True
