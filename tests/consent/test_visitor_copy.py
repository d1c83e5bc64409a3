"""The visitor's confirmation: a copy of what they sent, with the withdrawal link, once, and only when due."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from landform.consent.visitor_copy import send_visitor_copy
from landform.core.db import sync_session
from landform.core.mail import EmailMessage
from landform.core.settings import get_settings
from landform.crm_sink.models import Submission
from landform.forms.models import Form
from tests.conftest import form_token, log_in, make_form, post_form, republish, wait_for
from tests.consent.helpers import consent_form, contact_by_email, make_purpose, submit

ANNA = "anna@example.com"


def _mails_to(db, address: str) -> list[EmailMessage]:
    db.expire_all()
    return list(
        db.execute(
            select(EmailMessage).where(EmailMessage.recipient == address).execution_options(all_tenants=True)
        ).scalars()
    )


def _copies(db, address: str) -> list[EmailMessage]:
    return [m for m in _mails_to(db, address) if "Acme Zonwering" in m.subject and "onfirm" not in m.subject]


def _confirming_form(db, owner, **settings) -> Form:
    form = make_form(db, owner)
    form.fields = [
        *form.fields,
        {
            "name": "size",
            "type": "select",
            "required": False,
            "label": {"nl": "Hoe groot is uw bedrijf?", "en": "How large is your company?"},
            "options": [
                {"value": "f_1_10", "label": {"nl": "1 tot 10", "en": "1 to 10"}},
                {"value": "f_11_50", "label": {"nl": "11 tot 50", "en": "11 to 50"}},
            ],
        },
        {"name": "utm_campaign", "type": "hidden", "source": "utm_campaign", "label": {"nl": "c", "en": "c"}},
    ]
    form.confirmation_email = True
    for name, value in settings.items():
        setattr(form, name, value)
    republish(db, form)
    return form


def test_it_sends_the_visitor_a_copy_with_the_withdrawal_link_once(client, db, owner, inbox):
    form = _confirming_form(db, owner)
    answers = {"first_name": "Anna", "email": ANNA, "size": "f_11_50", "utm_campaign": "secret-campaign"}
    assert submit(client, form, answers, **{"Accept-Language": "en"}).status_code == 201

    message = inbox.wait(ANNA, "We received your message")
    assert "Acme Zonwering" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "How large is your company?: 11 to 50" in text  # the label the visitor saw, not "f_11_50"
    assert "f_11_50" not in text and "secret-campaign" not in text + html  # hidden fields stay inside
    assert re.search(r"http://testserver\.local/consent/withdraw\?token=[\w.\-]+", text)
    assert "/privacy/acme" in text and "Acme Zonwering" in html
    assert message["List-Unsubscribe"]

    # The job run again (a redelivery) sends nothing more.
    submission = db.execute(select(Submission).execution_options(all_tenants=True)).scalar_one()
    with sync_session(get_settings().database.sync_url, owner.tenant_id) as session:
        send_visitor_copy(session, submission.id)
        session.commit()
    assert len(_copies(db, ANNA)) == 1


def test_it_writes_the_copy_in_the_visitors_language(client, db, owner, inbox):
    form = _confirming_form(db, owner)
    submit(client, form, {"first_name": "Anna", "email": ANNA, "size": "f_1_10"}, **{"Accept-Language": "nl"})
    message = inbox.wait(ANNA, "Acme Zonwering")
    assert "We hebben je bericht ontvangen" in message["Subject"]
    assert "Hoe groot is uw bedrijf?: 1 tot 10" in message.get_body(("plain",)).get_content()


def test_it_sends_nothing_for_spam_or_for_a_form_without_the_setting(client, db, owner, inbox):
    form = _confirming_form(db, owner)
    token = form_token(client, f"/f/{form.key}")
    spam = client.post(f"/f/{form.key}", json={"email": ANNA, "homepage_url": "x", "_lf_token": token})
    assert spam.status_code < 300  # answered like a success
    plain = make_form(db, owner, "Plain")
    submit(client, plain, {"first_name": "Bo", "email": "bo@example.com"})
    wait_for(lambda: contact_by_email(db, "bo@example.com"))
    assert _copies(db, ANNA) == [] and _copies(db, "bo@example.com") == []


def test_a_minors_copy_waits_for_the_parent(client, db, owner, inbox):
    purpose, text = make_purpose(db, owner)
    form = consent_form(db, owner, purpose, text, requires_age_check=True, confirmation_email=True)
    form.fields = [
        *form.fields,
        {
            "name": "date_of_birth",
            "type": "date_of_birth",
            "required": True,
            "label": {"nl": "Geb.", "en": "Born"},
        },
    ]
    republish(db, form)
    child, parent = "kind@example.com", "ouder@example.org"
    born = date.today().replace(year=date.today().year - 13).isoformat()
    token = form_token(client, f"/f/{form.key}")
    held = client.post(
        f"/f/{form.key}",
        data={
            "email": child,
            "first_name": "Pip",
            "date_of_birth": born,
            "parent_email": parent,
            "_lf_token": token,
        },
        headers={"Accept": "application/json"},
    )
    assert held.status_code < 300, held.text
    ask = inbox.wait(parent)
    assert _copies(db, child) == []  # held: nothing to the child yet

    body = ask.get_body(("plain",)).get_content()
    parent_token = re.search(r"/consent/parent\?token=([\w.\-]+)", body).group(1)
    assert (
        client.post("/consent/parent", data={"token": parent_token, "decision": "consent"}).status_code == 200
    )
    assert inbox.wait(child, "Acme Zonwering")


def test_a_double_opt_in_copy_goes_out_once_the_person_confirms(client, db, owner, inbox):
    purpose, text = make_purpose(db, owner)
    purpose.double_opt_in = True
    db.commit()
    form = consent_form(db, owner, purpose, text, confirmation_email=True)
    submit(client, form, {"first_name": "Anna", "email": ANNA, "newsletter": "on"})
    ask = inbox.wait(ANNA, "onfirm")
    wait_for(lambda: contact_by_email(db, ANNA))
    link = re.search(r"/consent/confirm\?token=([\w.\-]+)", ask.get_body(("plain",)).get_content())
    assert _copies(db, ANNA) == []
    done = client.post("/consent/confirm/", data={"token": link.group(1)}, headers={"Accept-Language": "en"})
    assert done.status_code == 200
    copy = inbox.wait(ANNA, "We received your message")
    assert "/consent/withdraw?token=" in copy.get_body(("plain",)).get_content()
    client.post("/consent/confirm/", data={"token": link.group(1)})  # confirming twice sends once
    assert len(_copies(db, ANNA)) == 1


def test_a_marketer_switches_the_confirmation_on_in_the_forms_settings(client, db, owner, marketer):
    form = make_form(db, owner)
    log_in(client, marketer)
    assert 'name="confirmation_email"' in client.get(f"/app/forms/{form.id}").text
    settings = {
        "name": "Brochure",
        "submit_nl": "Stuur",
        "submit_en": "Send",
        "thank_you_nl": "",
        "thank_you_en": "",
    }
    saved = post_form(client, f"/app/forms/{form.id}/settings", {**settings, "confirmation_email": "on"})
    assert saved.status_code < 400
    db.expire_all()
    assert db.get(Form, form.id).confirmation_email is True
    post_form(client, f"/app/forms/{form.id}/settings", settings)
    db.expire_all()
    assert db.get(Form, form.id).confirmation_email is False
