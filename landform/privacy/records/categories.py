"""Categories of personal data, generated from the models' `info={"personal": True}` column marks.

A table listed here gets its category's name; a new table with personal columns (another domain's notes,
deals, uploads) still appears, under its own name, so the record never misses one.
"""

from __future__ import annotations

from babel.support import LazyProxy

from landform.core.db import metadata
from landform.core.i18n import lazy_gettext
from landform.core.personal_data import personal_columns

# The platform's own bookkeeping, not a processing of the tenant's: its account's company profile,
# uploads of the tenant's images, tokens, job errors, exports on their way to a person.
PLATFORM_TABLES = frozenset(
    {
        "tenant",
        "account_image",
        "site_image",
        "password_reset_request",
        "outbox_job",
        "privacy_export",
        "privacy_settings",
        "recovery_code",
        "terms_acceptance",
        "webhook_attempt",
        "breach_incident",
        "breach_log_entry",
    }
)

TABLES: dict[str, LazyProxy] = {
    "contact": lazy_gettext("Contacts in the CRM"),
    "company": lazy_gettext("Companies in the CRM (a sole trader's are personal data)"),
    "submission": lazy_gettext("Form answers"),
    "activity": lazy_gettext("A contact's timeline"),
    "consent_record": lazy_gettext("Proof of consent"),
    "parental_consent": lazy_gettext("Parents' consent for children under 16"),
    "spam_submission": lazy_gettext("Submissions held as suspected spam"),
    "email_message": lazy_gettext("E-mails sent"),
    "privacy_request": lazy_gettext("Privacy requests"),
    "analytics_visit": lazy_gettext("Visits (only with analytics consent)"),
    "webhook_event": lazy_gettext("Data sent to your own systems (webhooks)"),
    "user_account": lazy_gettext("Your team's user accounts"),
    "invitation": lazy_gettext("Invitations to your team"),
    "user_session": lazy_gettext("Your team's log-in sessions"),
    "known_device": lazy_gettext("Your team's known devices"),
    "audit_event": lazy_gettext("Your account's security log"),
}

# Columns that repeat another one in another form (a search key, a mail header) are not listed twice.
DERIVED = frozenset({"email_key", "contact_fields", "list_unsubscribe", "body_html"})

COLUMNS: dict[str, LazyProxy] = {
    "email": lazy_gettext("e-mail address"),
    "first_name": lazy_gettext("first name"),
    "last_name": lazy_gettext("last name"),
    "phone": lazy_gettext("phone number"),
    "company_name": lazy_gettext("company name"),
    "job_title": lazy_gettext("job title"),
    "gender": lazy_gettext("gender"),
    "linkedin": lazy_gettext("social media profiles"),
    "facebook": lazy_gettext("social media profiles"),
    "twitter": lazy_gettext("social media profiles"),
    "description": lazy_gettext("description"),
    "photo_image_id": lazy_gettext("profile photo"),
    "name": lazy_gettext("name"),
    "address": lazy_gettext("address"),
    "postcode": lazy_gettext("postcode"),
    "city": lazy_gettext("city"),
    "country": lazy_gettext("country"),
    "vat_number": lazy_gettext("VAT number"),
    "kvk_number": lazy_gettext("KvK number"),
    "rsin": lazy_gettext("RSIN"),
    "visiting_address": lazy_gettext("visiting address"),
    "invoice_address": lazy_gettext("invoice address"),
    "website": lazy_gettext("website"),
    "domain": lazy_gettext("website"),
    "data": lazy_gettext("the answers to the form's fields"),
    "context": lazy_gettext("where the form was filled in (page, campaign, language)"),
    "details": lazy_gettext("details"),
    "ip_hash": lazy_gettext("a keyed fingerprint of the internet address (never the address)"),
    "user_agent_family": lazy_gettext("browser family"),
    "evidence": lazy_gettext("the evidence of the consent"),
    "parent_email": lazy_gettext("the parent's e-mail address"),
    "how": lazy_gettext("how the parent consented"),
    "answers": lazy_gettext("the answers"),
    "detail": lazy_gettext("why it was held"),
    "recipient": lazy_gettext("recipient's address"),
    "subject": lazy_gettext("subject"),
    "body_text": lazy_gettext("the message"),
    "target_organisation": lazy_gettext("the organisation to send a copy to"),
    "target_email": lazy_gettext("its e-mail address"),
    "corrections": lazy_gettext("corrections asked for"),
    "extension_reason": lazy_gettext("reason for more time"),
    "outcome": lazy_gettext("the answer"),
    "visitor_id": lazy_gettext("a random visitor number"),
    "utm": lazy_gettext("campaign"),
    "referrer_host": lazy_gettext("referring website"),
    "payload": lazy_gettext("the contact and answers sent"),
    "password_hash": lazy_gettext("password (as an Argon2 hash)"),
    "totp_secret": lazy_gettext("two-step verification secret"),
    "ip_prefix": lazy_gettext("shortened internet address"),
    "fingerprint": lazy_gettext("a fingerprint of the device"),
    "subject_label": lazy_gettext("whom an event was about"),
}


def data_categories() -> list[tuple[str, list[str]]]:
    """(category, the kinds of data in it) for every table of the tenant's processing with personal data."""
    found: list[tuple[str, list[str]]] = []
    for table in metadata.sorted_tables:
        if table.name in PLATFORM_TABLES:
            continue
        columns = [c.name for c in personal_columns(table) if c.name not in DERIVED]
        if not columns:
            continue
        kinds: list[str] = []
        for name in columns:
            label = str(COLUMNS.get(name) or name.replace("_", " "))
            if label not in kinds:
                kinds.append(label)
        title = str(TABLES.get(table.name) or table.name.replace("_", " ").capitalize())
        found.append((title, kinds))
    order = [str(title) for title in TABLES.values()]
    return sorted(found, key=lambda item: order.index(item[0]) if item[0] in order else len(order))
