"""The purpose a consent box records, as the builder's field panel chooses it or creates it on the spot."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from landform.consent import services as consent
from landform.forms.builder.services import FormInvalid

NEW = "new"


async def field_purpose(
    db: AsyncSession, data: dict[str, str], current: dict[str, Any] | None = None
) -> consent.PurposeChoice | None:
    """The purpose named by the panel: a new one (`purpose_id=new`), an existing one, or the field's own.

    A new purpose takes the box's label as its consent text, so what the visitor sees is what the
    ledger records; it is added to the caller's transaction, which a refused field rolls back.
    """
    chosen = data.get("purpose_id", "")
    if chosen == NEW:
        try:
            purpose = await db.run_sync(
                consent.new_purpose,
                {
                    "name_nl": data.get("new_purpose_nl", ""),
                    "name_en": data.get("new_purpose_en", ""),
                    "text_nl": data.get("label_nl", ""),
                    "text_en": data.get("label_en", ""),
                },
            )
        except consent.ConsentInvalid as invalid:
            raise FormInvalid(str(invalid)) from invalid
        await db.flush()
        chosen = str(purpose.id)
    elif not chosen and current is not None:
        chosen = str(current.get("purpose_id") or "")
    return await consent.purpose_choice(db, chosen) if chosen else None


async def new_purposes(db: AsyncSession, payload: Any) -> dict[str, str]:
    """Consent boxes of an autosaved draft that ask for a new purpose (`purpose_id=new`) get it.

    The box's label becomes the purpose's consent text; a box without a name for it keeps `new`, which the
    builder's rules then refuse with the reason. Returns the new purposes' ids by the browser's field key.
    """
    created: dict[str, str] = {}
    items = payload.get("fields") if isinstance(payload, dict) else None
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or item.get("type") != "consent" or item.get("purpose_id") != NEW:
            continue
        raw_label = item.get("label")
        label: dict[str, Any] = raw_label if isinstance(raw_label, dict) else {}
        name = str(item.get("new_purpose") or "")
        data = {
            "purpose_id": NEW,
            "new_purpose_nl": name,
            "new_purpose_en": name,
            "label_nl": str(label.get("nl") or ""),
            "label_en": str(label.get("en") or ""),
        }
        try:
            chosen = await field_purpose(db, data)
        except FormInvalid:
            continue
        if chosen is not None:
            item["purpose_id"] = created[str(item.get("key") or item.get("name"))] = str(chosen.id)
    return created
