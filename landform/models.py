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
    TermsAcceptance,
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
from landform.crm_sink.imports.models import ContactImport, ImportRefusal
from landform.crm_sink.models import Activity, Company, Contact, ContactTag, Submission
from landform.crm_sink.notify.models import RoutedBatch
from landform.crm_sink.pipeline.models import Deal, PipelineStage
from landform.crm_sink.work.models import WorkItem
from landform.forms.intake.resume.models import SavedAnswers
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
from landform.privacy.retention.models import RetentionPolicy
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
    "ContactImport",
    "ContactTag",
    "Deal",
    "Department",
    "DepartmentMember",
    "EmailMessage",
    "EmbedRefusal",
    "FieldMapping",
    "Form",
    "FormVersion",
    "HeldLead",
    "ImportRefusal",
    "Invitation",
    "KnownDevice",
    "OutboxJob",
    "Page",
    "PageRedirect",
    "PageVersion",
    "ParentalConsent",
    "PipelineStage",
    "PrivacyAuditEntry",
    "PrivacyExport",
    "PrivacyRequest",
    "PrivacySettings",
    "Purpose",
    "RecoveryCode",
    "RetentionPolicy",
    "Role",
    "RoutedBatch",
    "RoutingRule",
    "RoutingSettings",
    "SavedAnswers",
    "SiteBrand",
    "SiteImage",
    "SpamSubmission",
    "StripeEvent",
    "Submission",
    "SubmissionFile",
    "Subscription",
    "Tenant",
    "TermsAcceptance",
    "TrafficDay",
    "User",
    "UserSession",
    "Visit",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "WorkItem",
    "metadata",
]
