"""What the privacy portal promises, kept in code so the page cannot drift from what the software does.

The sub-processors and the data each receives, the retention periods (the same numbers the retention
jobs use), and the security measures. The portal renders these lists in the visitor's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.support import LazyProxy

from landform.consent.minors import HOLD_DAYS
from landform.core.i18n import lazy_gettext
from landform.core.retention import DONE_JOBS_KEPT, SENT_EMAILS_KEPT

EXPORT_DAYS = 7
UNVERIFIED_DAYS = 7
SPAM_DAYS = 30
AUTHORITY_URL = "https://autoriteitpersoonsgegevens.nl/nl/contact-met-de-autoriteit-persoonsgegevens/tip-ons"


@dataclass(frozen=True)
class SubProcessor:
    name: str | LazyProxy
    purpose: LazyProxy
    data: tuple[LazyProxy, ...]
    where: LazyProxy
    platform_only: bool = False
    # Landform itself: a processor for each tenant (the footers say it handles the forms), not for itself.
    tenants_only: bool = False


SUBPROCESSORS = (
    SubProcessor(
        name="Landform",
        purpose=lazy_gettext(
            "Runs the organisation's forms, landing pages, CRM and this privacy page, and stores their data"
        ),
        data=(
            lazy_gettext("everything you send through the forms"),
            lazy_gettext("what the organisation's team records about you"),
            lazy_gettext("your consents"),
        ),
        where=lazy_gettext("the European Union"),
        tenants_only=True,
    ),
    SubProcessor(
        name="Stripe",
        purpose=lazy_gettext("Subscriptions and payments of the companies that use Landform"),
        data=(
            lazy_gettext("e-mail address"),
            lazy_gettext("company name"),
            lazy_gettext("first and last name"),
            lazy_gettext("address, postcode, city, province and country"),
            lazy_gettext("VAT number"),
        ),
        where=lazy_gettext("Ireland and the United States (standard contractual clauses)"),
        platform_only=True,
    ),
    SubProcessor(
        name=lazy_gettext("The invoicing provider"),
        purpose=lazy_gettext("Sending invoices to the companies that use Landform"),
        data=(
            lazy_gettext("company name"),
            lazy_gettext("first and last name"),
            lazy_gettext("invoice address"),
            lazy_gettext("VAT number"),
        ),
        where=lazy_gettext("the Netherlands"),
        platform_only=True,
    ),
    SubProcessor(
        name=lazy_gettext("The e-mail provider"),
        purpose=lazy_gettext(
            "Delivering e-mails: confirmations, parents' consent requests, privacy requests"
        ),
        data=(
            lazy_gettext("e-mail address"),
            lazy_gettext("the text of the e-mail, which can include your name"),
        ),
        where=lazy_gettext("the European Union"),
    ),
)


def subprocessors(platform: bool) -> list[SubProcessor]:
    """Stripe and the invoicing provider only see the tenants' account data, never their visitors'; Landform
    is a processor of each tenant, not of itself."""
    return [
        s for s in SUBPROCESSORS if (platform or not s.platform_only) and not (platform and s.tenants_only)
    ]


# A line of the portal's retention list: what, and how long.
Row = tuple[LazyProxy | str, LazyProxy | str]


def retention_periods(own: list[Row] | None = None) -> list[Row]:
    """The portal's retention lines; `own`: a tenant's chosen periods (retention/), which replace the spam
    folder's platform-wide one."""
    spam: Row = (
        lazy_gettext("Submissions refused as spam"),
        lazy_gettext("%(days)d days") % {"days": SPAM_DAYS},
    )
    own_rows: list[Row] = own if own is not None else [spam]
    rows: list[Row] = [
        (
            lazy_gettext("Form answers and contacts"),
            lazy_gettext(
                "As long as the organisation needs them for the purpose you agreed to, until you ask for "
                "erasure, or until the organisation deletes its account (then everything is anonymized "
                "after a 7-day cooling-off period)"
            ),
        ),
        (
            lazy_gettext("Consent records"),
            lazy_gettext(
                "As long as the data they are about, to prove your consent; after erasure only the proof "
                "remains, without your details"
            ),
        ),
        (
            lazy_gettext("Data of a child under 16 waiting for a parent"),
            lazy_gettext("At most %(days)d days; deleted at once if the parent refuses")
            % {"days": HOLD_DAYS},
        ),
        *own_rows,
        (lazy_gettext("Sent e-mails"), lazy_gettext("%(days)d days") % {"days": SENT_EMAILS_KEPT.days}),
        (
            lazy_gettext("Background job records"),
            lazy_gettext("%(days)d days") % {"days": DONE_JOBS_KEPT.days},
        ),
        (
            lazy_gettext("A copy of your data (download)"),
            lazy_gettext("%(days)d days, then deleted") % {"days": EXPORT_DAYS},
        ),
        (
            lazy_gettext("A privacy request you never confirmed"),
            lazy_gettext("%(days)d days, then deleted") % {"days": UNVERIFIED_DAYS},
        ),
    ]
    return rows


SECURITY_MEASURES = (
    lazy_gettext("Every connection is encrypted (TLS, the padlock in your browser)."),
    lazy_gettext(
        "Each organisation's data is kept apart from every other organisation's, checked on every query."
    ),
    lazy_gettext("We never store your IP address: consent records keep only a keyed fingerprint of it."),
    lazy_gettext("Passwords are stored as Argon2 hashes; every link we e-mail is signed and expires."),
    lazy_gettext("Daily backups, each checked by restoring it, kept for 7 days."),
    lazy_gettext("Logs hold no names, e-mail addresses or form answers."),
)
