"""What the portal, dashboard, e-mails and CLI call request kinds, states, audit steps and fields."""

from __future__ import annotations

from babel.support import LazyProxy

from landform.core.i18n import gettext as _
from landform.privacy.models import RequestKind, RequestStatus


def kind_labels() -> dict[str, str]:
    return {
        RequestKind.ACCESS: _("A copy of my data (access)"),
        RequestKind.RECTIFICATION: _("Correct my data (rectification)"),
        RequestKind.ERASURE: _("Delete my data (erasure)"),
        RequestKind.PORTABILITY: _("My data in a machine-readable file, for me or another organisation"),
        RequestKind.WITHDRAWAL: _("Withdraw my consent"),
        RequestKind.OBJECTION: _("Object to the use of my data"),
        RequestKind.RESTRICTION: _("Limit the use of my data (restriction)"),
        RequestKind.MINOR: _("Report a child's data collected without a parent's consent"),
    }


def lazy_kind_label(kind: RequestKind) -> LazyProxy:
    """The kind's label, rendered in the language of the e-mail it is put in (not the caller's)."""
    return LazyProxy(lambda: kind_labels()[kind], enable_cache=False)


def status_labels() -> dict[str, str]:
    return {
        RequestStatus.UNVERIFIED: _("Address not confirmed yet"),
        RequestStatus.AWAITING_APPROVAL: _("Waiting for your approval"),
        RequestStatus.IN_PROGRESS: _("In progress"),
        RequestStatus.DONE: _("Done"),
        RequestStatus.REJECTED: _("Refused"),
    }


def action_labels() -> dict[str, str]:
    """The audit trail's steps, as the dashboard shows them."""
    return {
        "requested": _("Request received"),
        "verified": _("Address confirmed"),
        "awaiting_approval": _("Waiting for approval"),
        "queued_for_tenant": _("Waiting for the team"),
        "approved": _("Approved"),
        "fulfilment_started": _("Being carried out"),
        "export_sent": _("Copy sent to the person"),
        "export_sent_to_organisation": _("Copy sent to the organisation they named"),
        "erased": _("Data erased; the person was told"),
        "consent_withdrawn": _("Consent withdrawn; do not contact"),
        "corrections_accepted": _("Corrections applied"),
        "completed": _("Marked as done"),
        "extended": _("Deadline extended by two months"),
        "rejected": _("Refused"),
        "reminder_7_days": _("Reminder: due in 7 days"),
        "reminder_2_days": _("Reminder: due in 2 days"),
        "downstream_told": _("Your other systems were told through webhooks"),
    }


def field_labels() -> dict[str, str]:
    return {
        "first_name": _("First name"),
        "last_name": _("Last name"),
        "email": _("E-mail address"),
        "phone": _("Phone"),
        "company_name": _("Company"),
        "job_title": _("Job title"),
    }
