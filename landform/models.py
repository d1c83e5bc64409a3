"""Every model, imported in one place so the metadata is complete for Alembic and the tests."""

from landform.accounts.models import ApiKey, Role, Tenant, User
from landform.consent.models import ConsentRecord, ConsentText, ParentalConsent, Purpose
from landform.crm_sink.models import Activity, Contact, Submission
from landform.db import metadata
from landform.forms.models import Form, FormVersion, SpamSubmission
from landform.mail import EmailMessage
from landform.outbox import OutboxJob
from landform.site.models import Page, PageRedirect, PageVersion, SiteBrand, SiteImage
from landform.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

__all__ = [
    "Activity",
    "ApiKey",
    "ConsentRecord",
    "ConsentText",
    "Contact",
    "EmailMessage",
    "Form",
    "FormVersion",
    "OutboxJob",
    "Page",
    "PageRedirect",
    "PageVersion",
    "ParentalConsent",
    "Purpose",
    "Role",
    "SiteBrand",
    "SiteImage",
    "SpamSubmission",
    "Submission",
    "Tenant",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "metadata",
]
