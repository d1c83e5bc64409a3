"""Every model, imported in one place so the metadata is complete for Alembic and the tests."""

from landform.accounts.models import (
    AccountImage,
    ApiKey,
    AuditEvent,
    Invitation,
    RecoveryCode,
    Role,
    Tenant,
    User,
    UserSession,
)
from landform.consent.models import ConsentRecord, ConsentText, ParentalConsent, Purpose
from landform.crm_sink.models import Activity, Contact, Submission
from landform.db import metadata
from landform.forms.models import Form, FormVersion, SpamSubmission
from landform.mail import EmailMessage
from landform.outbox import OutboxJob
from landform.site.models import Page, PageRedirect, PageVersion, SiteBrand, SiteImage

__all__ = [
    "AccountImage",
    "Activity",
    "ApiKey",
    "AuditEvent",
    "ConsentRecord",
    "ConsentText",
    "Contact",
    "EmailMessage",
    "Form",
    "FormVersion",
    "Invitation",
    "OutboxJob",
    "Page",
    "PageRedirect",
    "PageVersion",
    "ParentalConsent",
    "Purpose",
    "RecoveryCode",
    "Role",
    "SiteBrand",
    "SiteImage",
    "SpamSubmission",
    "Submission",
    "Tenant",
    "User",
    "UserSession",
    "metadata",
]
