"""Every model, imported in one place so the metadata is complete for Alembic and the tests."""

from landform.accounts.models import (
    AccountImage,
    ApiKey,
    AuditEvent,
    Invitation,
    KnownDevice,
    RecoveryCode,
    Role,
    Tenant,
    User,
    UserSession,
)
from landform.analytics.models import TrafficDay, Visit
from landform.billing.models import HeldLead, StripeEvent, Subscription
from landform.consent.models import ConsentRecord, ConsentText, ParentalConsent, Purpose
from landform.core.db import metadata
from landform.core.jobs.models import OutboxJob
from landform.core.mail import EmailMessage
from landform.crm_sink.assignment.models import (
    Department,
    DepartmentMember,
    FieldMapping,
    RoutingRule,
    RoutingSettings,
)
from landform.crm_sink.models import Activity, Company, Contact, ContactTag, Submission
from landform.forms.models import EmbedRefusal, Form, FormVersion, SpamSubmission
from landform.forms.uploads.models import SubmissionFile
from landform.privacy.models import (
    AccountDeletion,
    BreachIncident,
    BreachLogEntry,
    PrivacyAuditEntry,
    PrivacyExport,
    PrivacyRequest,
    PrivacySettings,
)
from landform.site.models import Page, PageRedirect, PageVersion, SiteBrand, SiteImage
from landform.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

__all__ = [
    "AccountDeletion",
    "AccountImage",
    "Activity",
    "ApiKey",
    "AuditEvent",
    "BreachIncident",
    "BreachLogEntry",
    "Company",
    "ConsentRecord",
    "ConsentText",
    "Contact",
    "ContactTag",
    "Department",
    "DepartmentMember",
    "EmailMessage",
    "EmbedRefusal",
    "FieldMapping",
    "Form",
    "FormVersion",
    "HeldLead",
    "Invitation",
    "KnownDevice",
    "OutboxJob",
    "Page",
    "PageRedirect",
    "PageVersion",
    "ParentalConsent",
    "PrivacyAuditEntry",
    "PrivacyExport",
    "PrivacyRequest",
    "PrivacySettings",
    "Purpose",
    "RecoveryCode",
    "Role",
    "RoutingRule",
    "RoutingSettings",
    "SiteBrand",
    "SiteImage",
    "SpamSubmission",
    "StripeEvent",
    "Submission",
    "SubmissionFile",
    "Subscription",
    "Tenant",
    "TrafficDay",
    "User",
    "UserSession",
    "Visit",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "metadata",
]
