"""An erased contact in the dashboard: shown as erased, with its date and forms, and closed to changes."""

from __future__ import annotations

from datetime import UTC, datetime

from landform.core.db import scope_to_tenant
from landform.privacy.fulfilment.erase import erase_person
from tests.conftest import log_in, make_form, post_form
from tests.privacy.conftest import make_lead


def _erased(db, owner, email: str = "weg@example.org"):
    form = make_form(db, owner, "Offerte aanvragen")
    contact = make_lead(db, owner, form, email, datetime(2026, 11, 2, 10, tzinfo=UTC))
    scope_to_tenant(db, owner.tenant_id)
    erase_person(db, owner.tenant_id, email)
    db.commit()
    return contact


def test_it_shows_an_erased_contact_as_erased_with_its_date_and_form(client, db, owner):
    contact = _erased(db, owner)
    log_in(client, owner)
    page = client.get(f"/app/contacts/{contact.id}?lang=nl")
    assert page.status_code == 200
    assert "Gewist contact" in page.text
    assert "gewist op" in page.text
    assert "Offerte aanvragen" in page.text  # the tenant's form name, not the person's data
    assert "“?”" not in page.text and "<h1></h1>" not in page.text
    assert f"/app/contacts/{contact.id}/edit" not in page.text
    assert f"/app/contacts/{contact.id}/merge" not in page.text
    listing = client.get("/app/contacts/?lang=en")
    assert "Erased contact" in listing.text


def test_it_refuses_to_edit_or_merge_an_erased_contact(client, db, owner):
    contact = _erased(db, owner)
    form = make_form(db, owner, "Nieuwsbrief")
    other = make_lead(db, owner, form, "er@example.org", datetime(2026, 11, 3, tzinfo=UTC))
    log_in(client, owner)
    assert client.get(f"/app/contacts/{contact.id}/edit").status_code == 409
    assert post_form(client, f"/app/contacts/{contact.id}/edit", {"first_name": "X"}).status_code == 409
    merged = post_form(client, f"/app/contacts/{other.id}/merge", {"other_id": str(contact.id)})
    assert merged.status_code == 409
    assert "nothing left to edit or merge" in merged.text
