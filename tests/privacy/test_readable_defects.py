"""What people read around a privacy request: the parent's page in the tenant's brand, the code link, the
processors list naming Landform, erased e-mails in the local outbox."""

from __future__ import annotations

import re

from landform.core.db import scope_to_tenant
from landform.core.mail import EmailMessage
from landform.privacy.fulfilment.erase import erase_person
from tests.conftest import wait_for
from tests.consent.test_minors import PARENT, _hold_for_child, _parent_link, age_form  # noqa: F401
from tests.privacy.conftest import text_of


def test_it_shows_the_parent_the_tenants_name_and_brand_not_ours(client, db, age_form, inbox):  # noqa: F811
    _hold_for_child(client, age_form)
    message = wait_for(lambda: inbox.messages and inbox.messages[0])
    html = message.get_body(("html",)).get_content()
    assert re.search(r'<p style="font-weight:700[^>]*>Acme Zonwering</p>', html)
    assert "Landform verwerkt het formulier namens hen" in html
    page = client.get(_parent_link(message))
    assert page.status_code == 200
    assert 'href="/p/acme/_brand.css"' in page.text
    assert '<span class="site-name">Acme Zonwering</span>' in page.text
    assert 'class="brand"' not in page.text  # no Landform header
    assert 'href="/privacy/acme"' in page.text


def test_it_puts_the_code_link_alone_on_its_line(client, db, owner, inbox):
    client.post("/privacy/acme/requests?lang=en", data={"email": "iemand@example.org", "kind": "access"})
    text = text_of(inbox.wait("iemand@example.org", "Confirm"))
    assert re.search(r"^http://testserver\.local/privacy/acme/code\?lang=en\r?$", text, re.M), text
    assert not re.search(r"/code\?lang=\w+:", text)


def test_it_names_landform_as_a_processor_of_each_tenant_but_not_of_itself(client, db, owner):
    assert "<tr><td>Landform</td>" in client.get("/privacy/acme?lang=en").text
    assert "<tr><td>Landform</td>" not in client.get("/privacy/?lang=en").text


def test_it_shows_an_erased_persons_e_mails_as_erased_in_the_local_outbox(client, db, owner):
    scope_to_tenant(db, owner.tenant_id)
    message = EmailMessage(
        tenant_id=owner.tenant_id,
        recipient="weg@example.org",
        subject="Bedankt voor je aanvraag",
        body_text="Hallo weg@example.org",
        body_html="<p>Hallo</p>",
    )
    db.add(message)
    db.commit()
    erase_person(db, owner.tenant_id, "weg@example.org")
    db.commit()
    outbox = client.get("/_outbox/?lang=en")
    assert "Erased" in outbox.text and f'href="/_outbox/{message.id}">An erased e-mail' in outbox.text
    opened = client.get(f"/_outbox/{message.id}?lang=en")
    assert opened.status_code == 200 and "were erased with the person's data" in opened.text
