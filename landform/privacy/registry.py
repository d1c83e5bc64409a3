"""What the privacy portal promises, kept in code so the page cannot drift from what the software does.

The sub-processors and the data each receives, the retention periods (the same numbers the retention
jobs use), and the security measures. The portal renders these lists in the visitor's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.support import LazyProxy

from landform.consent.minors import HOLD_DAYS
from landform.i18n import lazy_gettext as _l
from landform.ops.retention import DONE_JOBS_KEPT, SENT_EMAILS_KEPT

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


SUBPROCESSORS = (
    SubProcessor(
        name="Stripe",
        purpose=_l("Subscriptions and payments of the companies that use Landform"),
        data=(
            _l("e-mail address"),
            _l("company name"),
            _l("first and last name"),
            _l("address, postcode, city, province and country"),
            _l("VAT number"),
        ),
        where=_l("Ireland and the United States (standard contractual clauses)"),
        platform_only=True,
    ),
    SubProcessor(
        name=_l("The invoicing provider"),
        purpose=_l("Sending invoices to the companies that use Landform"),
        data=(
            _l("company name"),
            _l("first and last name"),
            _l("invoice address"),
            _l("VAT number"),
        ),
        where=_l("the Netherlands"),
        platform_only=True,
    ),
    SubProcessor(
        name=_l("The e-mail provider"),
        purpose=_l("Delivering e-mails: confirmations, parents' consent requests, privacy requests"),
        data=(_l("e-mail address"), _l("the text of the e-mail, which can include your name")),
        where=_l("the European Union"),
    ),
)


def subprocessors(platform: bool) -> list[SubProcessor]:
    """Stripe and the invoicing provider only see the tenants' account data, never their visitors'."""
    return [s for s in SUBPROCESSORS if platform or not s.platform_only]


def retention_periods() -> list[tuple[LazyProxy, str]]:
    return [
        (
            _l("Form answers and contacts"),
            _l(
                "As long as the organisation needs them for the purpose you agreed to, until you ask for "
                "erasure, or until the organisation deletes its account (then everything is anonymized "
                "after a 7-day cooling-off period)"
            ),
        ),
        (
            _l("Consent records"),
            _l(
                "As long as the data they are about, to prove your consent; after erasure only the proof "
                "remains, without your details"
            ),
        ),
        (
            _l("Data of a child under 16 waiting for a parent"),
            _l("At most %(days)d days; deleted at once if the parent refuses") % {"days": HOLD_DAYS},
        ),
        (_l("Submissions refused as spam"), _l("%(days)d days") % {"days": SPAM_DAYS}),
        (_l("Sent e-mails"), _l("%(days)d days") % {"days": SENT_EMAILS_KEPT.days}),
        (_l("Background job records"), _l("%(days)d days") % {"days": DONE_JOBS_KEPT.days}),
        (_l("A copy of your data (download)"), _l("%(days)d days, then deleted") % {"days": EXPORT_DAYS}),
        (
            _l("A privacy request you never confirmed"),
            _l("%(days)d days, then deleted") % {"days": UNVERIFIED_DAYS},
        ),
    ]


SECURITY_MEASURES = (
    _l("Every connection is encrypted (TLS, the padlock in your browser)."),
    _l("Each organisation's data is kept apart from every other organisation's, checked on every query."),
    _l("We never store your IP address: consent records keep only a keyed fingerprint of it."),
    _l("Passwords are stored as Argon2 hashes; every link we e-mail is signed and expires."),
    _l("Daily encrypted backups, kept for 7 days, with restores tested."),
    _l("Logs hold no names, e-mail addresses or form answers."),
)
