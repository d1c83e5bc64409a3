"""Consent rules: purposes and their text versions, the ledger (recording only), withdrawal, the timeline."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, attributes

from landform import hooks
from landform.consent.models import ConsentRecord, ConsentText, Purpose
from landform.core import security
from landform.core.db import utcnow
from landform.core.i18n import LANGUAGES, pick
from landform.core.i18n import gettext as _
from landform.core.mail import WITHDRAW_PURPOSE
from landform.core.settings import get_settings
from landform.core.text import normalize_text
from landform.crm_sink.models import Contact, Submission
from landform.webhooks import notices

NAME_LIMIT = 120
TEXT_LIMIT = 1000


class ConsentInvalid(Exception):
    """A purpose or text that cannot be saved, with the reason to show."""


class LinkInvalid(Exception):
    """A withdrawal or parent's link that is forged, mangled, expired or used up."""


@dataclass(frozen=True)
class PurposeChoice:
    """A purpose as the form builder offers it: its current text version."""

    id: UUID
    name: dict[str, str]
    text_id: UUID
    version: int
    text: dict[str, str]


@dataclass(frozen=True)
class ConsentHow:
    """How a consent arrived, as the ledger keeps it (never the raw address)."""

    method: str  # form, page, embed, api, email, portal
    form_id: UUID | None = None
    form_version: int | None = None
    page_id: UUID | None = None
    embed_host: str = ""
    ip_hash: str = ""
    user_agent_family: str = ""


def ip_hash(ip: str) -> str:
    """A keyed hash of an address: the same address gives the same hash, the hash gives no address."""
    if not ip:
        return ""
    key = get_settings().security.secret_keys[0].encode()
    return hmac.new(key, b"consent-ip:" + ip.encode(), hashlib.sha256).hexdigest()[:32]


# Order matters: Edge and Opera also say Chrome, Chrome also says Safari.
_BROWSERS = (
    (re.compile(r"bot|crawl|spider|slurp", re.IGNORECASE), "Bot"),
    (re.compile(r"Edg(e|A|iOS)?/"), "Edge"),
    (re.compile(r"OPR/|Opera"), "Opera"),
    (re.compile(r"SamsungBrowser/"), "Samsung Internet"),
    (re.compile(r"Firefox/|FxiOS/"), "Firefox"),
    (re.compile(r"Chrome/|CriOS/|Chromium/"), "Chrome"),
    (re.compile(r"Safari/"), "Safari"),
    (re.compile(r"^curl/"), "curl"),
    (re.compile(r"^python-|httpx|requests", re.IGNORECASE), "Script"),
)


def browser_family(user_agent: str) -> str:
    """Only the browser family of a User-Agent: enough to describe how, too little to single anyone out."""
    for pattern, family in _BROWSERS:
        if pattern.search(user_agent or ""):
            return family
    return "Other" if user_agent else ""


def _texts(nl: str, en: str, limit: int) -> dict[str, str]:
    texts = {"nl": normalize_text(nl)[:limit], "en": normalize_text(en)[:limit]}
    return {lang: texts[lang] or texts["en" if lang == "nl" else "nl"] for lang in LANGUAGES}


def new_purpose(session: Session, data: dict[str, str]) -> Purpose:
    """A purpose with its first text version, added to the session; ConsentInvalid when incomplete."""
    name = _texts(data.get("name_nl", ""), data.get("name_en", ""), NAME_LIMIT)
    text = _texts(data.get("text_nl", ""), data.get("text_en", ""), TEXT_LIMIT)
    if not name["nl"]:
        raise ConsentInvalid(_("Give the purpose a name in at least one language."))
    if not text["nl"]:
        raise ConsentInvalid(_("Write the consent text in at least one language."))
    purpose = Purpose(
        id=uuid7(), name=name, current_version=1, double_opt_in=data.get("double_opt_in") == "on"
    )
    session.add(purpose)
    session.add(ConsentText(id=uuid7(), purpose_id=purpose.id, version=1, text=text))
    return purpose


def edit_purpose(session: Session, purpose: Purpose, current: ConsentText, data: dict[str, str]) -> bool:
    """Rename in place; a changed text becomes a new version (records keep citing the old one).

    Returns whether a new version was made.
    """
    name = _texts(data.get("name_nl", ""), data.get("name_en", ""), NAME_LIMIT)
    text = _texts(data.get("text_nl", ""), data.get("text_en", ""), TEXT_LIMIT)
    if not name["nl"]:
        raise ConsentInvalid(_("Give the purpose a name in at least one language."))
    if not text["nl"]:
        raise ConsentInvalid(_("Write the consent text in at least one language."))
    purpose.name = name
    purpose.double_opt_in = data.get("double_opt_in") == "on"
    if text == current.text:
        return False
    purpose.current_version = current.version + 1
    session.add(
        ConsentText(
            id=uuid7(),
            tenant_id=purpose.tenant_id,
            purpose_id=purpose.id,
            version=purpose.current_version,
            text=text,
        )
    )
    return True


async def purposes(db: AsyncSession) -> list[PurposeChoice]:
    """The tenant's purposes with their current texts, by name."""
    rows = (
        await db.execute(
            select(Purpose, ConsentText).join(
                ConsentText,
                (ConsentText.purpose_id == Purpose.id) & (ConsentText.version == Purpose.current_version),
            )
        )
    ).all()
    choices = [
        PurposeChoice(id=p.id, name=p.name, text_id=t.id, version=t.version, text=t.text) for p, t in rows
    ]
    return sorted(choices, key=lambda c: pick(c.name).casefold())


async def purpose_choice(db: AsyncSession, purpose_id: str) -> PurposeChoice | None:
    """One of the tenant's purposes by the id a form sent, or None."""
    try:
        wanted = UUID(purpose_id)
    except ValueError:
        return None
    return next((choice for choice in await purposes(db) if choice.id == wanted), None)


async def purpose_with_versions(
    db: AsyncSession, purpose_id: UUID
) -> tuple[Purpose, list[ConsentText]] | None:
    purpose = (await db.execute(select(Purpose).where(Purpose.id == purpose_id))).scalar_one_or_none()
    if purpose is None:
        return None
    versions = (
        await db.execute(
            select(ConsentText)
            .where(ConsentText.purpose_id == purpose.id)
            .order_by(ConsentText.version.desc())
        )
    ).scalars()
    return purpose, list(versions)


def ticked_consents(
    fields: list[dict[str, Any]], values: dict[str, Any], language: str
) -> list[dict[str, Any]]:
    """The purpose-linked consent boxes a person ticked, with the words they saw."""
    return [
        {
            "purpose_id": field["purpose_id"],
            "text_id": field.get("consent_text_id"),
            "text": pick(field.get("label"), language),
            "language": language,
            "field": field["name"],
        }
        for field in fields
        if field["type"] == "consent" and field.get("purpose_id") and values.get(field["name"])
    ]


def new_record(
    *,
    tenant_id: UUID,
    purpose_id: UUID | None,
    text_id: UUID | None,
    text_shown: str,
    language: str,
    given: bool,
    how: ConsentHow,
    contact_id: UUID | None = None,
    submission_id: UUID | None = None,
    confirmed_by: str = "person",
    evidence: dict[str, Any] | None = None,
) -> ConsentRecord:
    """One record for the ledger, for the caller to add to its transaction. The only way records are made."""
    return ConsentRecord(
        id=uuid7(),
        tenant_id=tenant_id,
        contact_id=contact_id,
        submission_id=submission_id,
        purpose_id=purpose_id,
        text_id=text_id,
        text_shown=text_shown[:TEXT_LIMIT],
        language=language,
        given=given,
        occurred_at=utcnow(),
        method=how.method,
        confirmed_by=confirmed_by,
        form_id=how.form_id,
        form_version=how.form_version,
        page_id=how.page_id,
        embed_host=how.embed_host[:300],
        ip_hash=how.ip_hash,
        user_agent_family=how.user_agent_family,
        evidence=evidence or {},
    )


def ticked_records(
    submission: Submission,
    consents: list[dict[str, Any]],
    how: ConsentHow,
    *,
    confirmed_by: str = "person",
    evidence: dict[str, Any] | None = None,
) -> list[ConsentRecord]:
    """A record per ticked box, for the caller to add to its transaction; routing fills in the contact."""
    return [
        new_record(
            tenant_id=submission.tenant_id,
            purpose_id=UUID(str(item["purpose_id"])),
            text_id=UUID(str(item["text_id"])) if item.get("text_id") else None,
            text_shown=item["text"],
            language=item["language"],
            given=True,
            how=how,
            submission_id=submission.id,
            confirmed_by=confirmed_by,
            evidence=evidence,
        )
        for item in consents
    ]


def _link_records(session: Session, routed: list[tuple[UUID, UUID]]) -> None:
    """Once routing gives submissions their contacts, the records made at intake learn who they are about.

    This lives here, not in crm_sink, because the CRM knows nothing of consent (see STYLE.md).
    """
    if not routed:
        return
    # A Core statement on the table: the ORM's append-only guard is for records, not for this.
    # One statement for a whole batch of routed submissions (executemany).
    table = ConsentRecord.__table__
    session.connection().execute(
        update(table)  # type: ignore[arg-type]
        .where(table.c.submission_id == bindparam("routed_submission"), table.c.contact_id.is_(None))
        .values(contact_id=bindparam("routed_contact")),
        [{"routed_submission": sid, "routed_contact": cid} for sid, cid in routed],
    )


def fill_in_contacts(session: Session, _context: Any) -> None:
    """A submission given its contact through the ORM (rather than by the batch router)."""
    _link_records(
        session,
        [
            (obj.id, obj.contact_id)
            for obj in session.dirty
            if isinstance(obj, Submission)
            and obj.contact_id is not None
            and attributes.get_history(obj, "contact_id").added
        ],
    )


def link_routed(session: Session, _tenant_id: UUID, routed: list[tuple[UUID, UUID]]) -> None:
    _link_records(session, routed)


def read_withdraw_token(token: str) -> tuple[UUID, UUID]:
    """(tenant id, contact id) of a withdrawal link; LinkInvalid otherwise. It does not expire."""
    try:
        tenant_id, contact_id = security.unsign(WITHDRAW_PURPOSE, token)
        return UUID(tenant_id), UUID(contact_id)
    except (security.TokenInvalid, ValueError, TypeError) as error:
        raise LinkInvalid(str(error)) from error


async def given_purposes(db: AsyncSession, contact_id: UUID) -> list[ConsentRecord]:
    """The newest record per purpose for a contact, where that record is a consent still standing."""
    records = (
        await db.execute(
            select(ConsentRecord)
            .where(ConsentRecord.contact_id == contact_id)
            .order_by(ConsentRecord.occurred_at, ConsentRecord.id)
        )
    ).scalars()
    newest: dict[UUID | None, ConsentRecord] = {}
    for record in records:
        if record.purpose_id is None and not record.given:
            newest = {}  # a withdrawal of everything ends every consent before it
            continue
        newest[record.purpose_id] = record
    return [record for record in newest.values() if record.given]


async def withdraw_all(
    db: AsyncSession, contact: Contact, how: ConsentHow, *, request_id: UUID | None = None
) -> list[ConsentRecord]:
    """Withdraw every consent the contact gave and mark them do-not-contact; a record per purpose.

    The tenant's other systems subscribed to it hear of both (`consent.withdrawn`, and
    `contact.do_not_contact` the first time); `request_id` is the privacy request that asked, if one did.
    """
    standing = await given_purposes(db, contact.id)
    records = [
        new_record(
            tenant_id=contact.tenant_id,
            purpose_id=given.purpose_id,
            text_id=given.text_id,
            text_shown=given.text_shown,
            language=given.language,
            given=False,
            how=how,
            contact_id=contact.id,
        )
        for given in standing
    ]
    if not records:
        # Nothing given through a purpose: the wish still stands, as a withdrawal of every purpose.
        records.append(
            new_record(
                tenant_id=contact.tenant_id,
                purpose_id=None,
                text_id=None,
                text_shown="",
                language=contact.language or "nl",
                given=False,
                how=how,
                contact_id=contact.id,
            )
        )
    db.add_all(records)
    newly = not contact.do_not_contact
    contact.do_not_contact = True
    purposes = sorted({str(r.purpose_id) if r.purpose_id else "all" for r in records})

    def tell(session: Session) -> None:
        ids, key = [contact.id], contact.email_key
        extra = {"purposes": purposes}
        notices.tell(session, "consent.withdrawn", ids, key, request_id=request_id, extra=extra)
        if newly:
            notices.tell(session, "contact.do_not_contact", ids, key, request_id=request_id)

    await db.run_sync(tell)
    return records


async def contact_section(db: AsyncSession, contact: hooks.ContactRef) -> tuple[str, dict[str, Any]]:
    """The consent part of a contact's page (`hooks.contact_sections`; the CRM does not know consent)."""
    records = (
        await db.execute(
            select(ConsentRecord, Purpose, ConsentText)
            .outerjoin(Purpose, Purpose.id == ConsentRecord.purpose_id)
            .outerjoin(ConsentText, ConsentText.id == ConsentRecord.text_id)
            .where(ConsentRecord.contact_id == contact.id)
            .order_by(ConsentRecord.occurred_at.desc(), ConsentRecord.id.desc())
        )
    ).all()
    return "consent/_contact_consents.html", {"consent_records": records}
