"""The portal's public side: the page, the request form, verification, and what it never gives away."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from litestar.testing import TestClient
from sqlalchemy import select, update

from landform.app import create_app
from landform.consent.models import ConsentRecord
from landform.core.db import utcnow
from landform.crm_sink.models import Contact
from landform.privacy.models import BreachIncident, PrivacyRequest, RequestKind, RequestStatus
from tests.accounts.helpers import settled
from tests.conftest import make_form, wait_for
from tests.consent.helpers import contact_by_email, submit
from tests.privacy.conftest import code_in, link_in

KNOWN = "bekend@example.org"


def _requests(db):
    db.expire_all()
    return list(db.execute(select(PrivacyRequest).order_by(PrivacyRequest.created_at)).scalars())


def test_it_shows_rights_processors_retention_and_the_authority_in_both_languages(client, owner):
    nl = client.get("/privacy/acme?lang=nl")
    assert nl.status_code == 200
    for text in ("Jouw gegevens bij Acme Zonwering", "Inzage", "Autoriteit Persoonsgegevens", "Hoe lang"):
        assert text in nl.text, text
    en = client.get("/privacy/acme?lang=en")
    for text in ("Your data at Acme Zonwering", "Access", "The e-mail provider", "How long data is kept"):
        assert text in en.text, text
    # Stripe only receives the tenants' own account data: it is listed on the platform's page.
    assert "Stripe" not in en.text
    platform = client.get("/privacy?lang=en")
    assert platform.status_code == 200 and "Stripe" in platform.text and "VAT number" in platform.text
    assert "autoriteitpersoonsgegevens.nl" in en.text
    assert not client.cookies
    assert client.get("/privacy/nobody-here").status_code == 404


def test_it_asks_again_with_clear_errors_for_an_incomplete_request(client, owner):
    response = client.post("/privacy/acme/requests?lang=en", data={"email": "not an address", "kind": "?"})
    assert response.status_code == 422
    assert "valid e-mail address" in response.text and "Choose what you would like" in response.text
    assert 'value="not an address"' in response.text


def test_it_answers_an_unknown_address_exactly_like_a_known_one(client, db, owner, inbox):
    form = make_form(db, owner)
    submit(client, form, {"first_name": "Bekend", "email": KNOWN})
    wait_for(lambda: contact_by_email(db, KNOWN))
    known = client.post("/privacy/acme/requests?lang=en", data={"email": KNOWN, "kind": "erasure"})
    unknown = client.post(
        "/privacy/acme/requests?lang=en", data={"email": "nooit.gezien@example.org", "kind": "erasure"}
    )
    assert (known.status_code, known.text) == (unknown.status_code, unknown.text)
    first = inbox.wait(KNOWN, "Confirm")
    second = inbox.wait("nooit.gezien@example.org", "Confirm")
    assert first["Subject"] == second["Subject"]
    # Confirming an unknown address erases nothing and says the same as for a known one.
    for message, address in ((first, KNOWN), (second, "nooit.gezien@example.org")):
        client.post("/privacy/acme/code?lang=en", data={"email": address, "code": code_in(message)})
        inbox.wait(address, "is done")
    assert db.execute(select(Contact).execution_options(all_tenants=True)).scalar_one().email == ""


def test_opening_the_link_confirms_nothing_and_an_old_link_is_refused(client, db, owner, inbox):
    client.post("/privacy/acme/requests?lang=en", data={"email": KNOWN, "kind": "access"})
    link = link_in(inbox.wait(KNOWN, "Confirm"), "/privacy/acme/verify")
    assert client.get(link).status_code == 200
    assert _requests(db)[0].status == RequestStatus.UNVERIFIED
    db.execute(update(PrivacyRequest).values(created_at=utcnow() - timedelta(hours=25)))
    db.commit()
    token = link.split("token=", 1)[1].split("&", 1)[0]
    for response in (client.get(link), client.post("/privacy/acme/verify", data={"token": token})):
        assert response.status_code == 400 and "expired" in response.text
    assert _requests(db)[0].status == RequestStatus.UNVERIFIED


def test_a_link_for_one_organisation_does_not_work_at_another(client, db, owner, stranger, inbox):
    client.post("/privacy/acme/requests?lang=en", data={"email": KNOWN, "kind": "access"})
    link = link_in(inbox.wait(KNOWN, "Confirm"), "/privacy/acme/verify")
    token = link.split("token=", 1)[1].split("&", 1)[0]
    elsewhere = client.post("/privacy/globex/verify", data={"token": token})
    forged = client.post("/privacy/globex/verify", data={"token": token[:-3] + "abc"})
    assert elsewhere.status_code == forged.status_code == 400
    assert elsewhere.text == forged.text
    assert _requests(db)[0].status == RequestStatus.UNVERIFIED


def test_five_wrong_codes_use_the_code_up(client, db, owner, inbox):
    client.post("/privacy/acme/requests?lang=en", data={"email": KNOWN, "kind": "withdrawal"})
    code = code_in(inbox.wait(KNOWN, "Confirm"))
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _attempt in range(5):
        response = client.post("/privacy/acme/code?lang=en", data={"email": KNOWN, "code": wrong})
        assert response.status_code == 400 and "does not match" in response.text
    assert client.post("/privacy/acme/code?lang=en", data={"email": KNOWN, "code": code}).status_code == 400
    assert _requests(db)[0].status == RequestStatus.UNVERIFIED


def test_a_code_for_another_address_does_not_confirm(client, db, owner, inbox):
    client.post("/privacy/acme/requests?lang=en", data={"email": KNOWN, "kind": "access"})
    code = code_in(inbox.wait(KNOWN, "Confirm"))
    response = client.post("/privacy/acme/code?lang=en", data={"email": "ander@example.org", "code": code})
    assert response.status_code == 400


def test_withdrawal_stops_all_contact_at_once(client, db, owner, inbox):
    form = make_form(db, owner)
    submit(client, form, {"first_name": "Bekend", "email": KNOWN})
    wait_for(lambda: contact_by_email(db, KNOWN))
    client.post("/privacy/acme/requests?lang=en", data={"email": KNOWN, "kind": "objection"})
    code = code_in(inbox.wait(KNOWN, "Confirm"))
    done = client.post("/privacy/acme/code?lang=en", data={"email": KNOWN, "code": code})
    assert "has been carried out" in done.text
    assert contact_by_email(db, KNOWN).do_not_contact
    record = db.execute(select(ConsentRecord).execution_options(all_tenants=True)).scalar_one()
    assert (record.given, record.method) == (False, "portal")
    assert _requests(db)[0].status == RequestStatus.DONE


def test_a_breach_report_starts_a_72_hour_clock_and_alerts_the_owner(client, db, owner, inbox):
    response = client.post(
        "/privacy/acme/breach?lang=en",
        data={"description": "Ik zag een lijst met klantgegevens openbaar op jullie website.", "email": ""},
    )
    assert response.status_code == 200 and "Thank you for your report" in response.text
    incident = db.execute(select(BreachIncident)).scalar_one()
    assert incident.notify_by - incident.reported_at == timedelta(hours=72)
    assert incident.tenant_id == owner.tenant_id
    alert = inbox.wait(owner.email, "data breach")
    assert f"/app/privacy/breaches/{incident.id}" in alert.get_body(("plain",)).get_content()
    assert client.post("/privacy/acme/breach", data={"description": "x"}).status_code == 422


def test_a_request_made_on_the_dutch_page_is_answered_in_dutch(client, owner, inbox):
    page = client.get("/privacy/acme?lang=nl", headers={"Accept-Language": "en"})
    assert 'action="/privacy/acme/requests?lang=nl"' in page.text
    client.post(
        "/privacy/acme/requests?lang=nl",
        data={"email": KNOWN, "kind": "access"},
        headers={"Accept-Language": "en"},
    )
    message = inbox.wait(KNOWN, "Bevestig je privacyverzoek aan Acme Zonwering")
    assert "lang=nl" in link_in(message, "/privacy/acme/verify")


def test_hostile_input_gets_a_clear_answer_never_a_500(client, owner):
    cases = [
        ("post", "/privacy/acme/requests", {"data": {"email": "a" * 5000 + "@x.nl", "kind": "access"}}),
        ("post", "/privacy/acme/requests", {"json": {"email": ["x"], "kind": {"$ne": 1}}}),
        (
            "post",
            "/privacy/acme/requests",
            {"content": b"\x00\xff" * 100, "headers": {"content-type": "x/y"}},
        ),
        ("post", "/privacy/acme/verify", {"data": {"token": "' OR 1=1 --"}}),
        ("get", "/privacy/acme/verify?token=" + "A" * 3000, {}),
        ("post", "/privacy/acme/code", {"data": {"email": "\u0000", "code": "\uff11\uff12\uff13"}}),
        ("get", "/privacy/acme/download?token=abc.def.ghi", {}),
        (
            "post",
            "/privacy/acme/breach",
            {"data": {"description": "<script>alert(1)</script>" * 3, "email": "x"}},
        ),
        ("get", "/privacy/%00", {}),
        ("post", "/privacy/acme/keep-account", {"data": {"token": "x"}}),
    ]
    for method, url, kwargs in cases:
        response = getattr(client, method)(url, **kwargs)
        assert 400 <= response.status_code < 500, (url, response.status_code)
    page = client.post("/privacy/acme/breach", data={"description": "<script>alert(1)</script> lek"})
    assert "<script>alert(1)</script>" not in page.text


def test_it_mails_one_address_once_per_kind_however_many_clients_ask(settings, db, owner, inbox):
    """A flood aimed at one mailbox from many clients sends one e-mail; the answers do not tell."""
    behind_proxy = dataclasses.replace(
        settings, server=dataclasses.replace(settings.server, trusted_proxies=("testclient",))
    )
    with TestClient(create_app(behind_proxy), base_url="http://testserver.local") as client:

        def ask(kind: str, n: int) -> str:
            response = client.post(
                "/privacy/acme/requests?lang=en",
                data={"email": KNOWN, "kind": kind},
                headers={"x-forwarded-for": f"203.0.113.{n}"},
            )
            assert response.status_code == 200
            return response.text

        assert len({ask("access", n) for n in range(4)}) == 1
        ask("erasure", 9)  # another kind of request is another e-mail
        inbox.wait(KNOWN, "Confirm", count=2)
        settled(db)
    assert len(inbox.to(KNOWN, "Confirm")) == 2
    assert sorted(r.kind.value for r in _requests(db)) == ["access", "erasure"]


def test_it_sends_one_address_at_most_ten_e_mails_a_day(settings, db, owner, inbox):
    """Twelve different requests (every kind, at two portals) for one address: ten e-mails, one answer."""
    behind_proxy = dataclasses.replace(
        settings, server=dataclasses.replace(settings.server, trusted_proxies=("testclient",))
    )
    asks = [(slug, kind.value) for slug in ("acme", "_") for kind in RequestKind][:12]
    with TestClient(create_app(behind_proxy), base_url="http://testserver.local") as client:
        answers: dict[str, set[str]] = {"acme": set(), "_": set()}
        for n, (slug, kind) in enumerate(asks):
            response = client.post(
                f"/privacy/{slug}/requests?lang=en",
                data={"email": KNOWN, "kind": kind, "details": "Please look into this."},
                headers={"x-forwarded-for": f"203.0.113.{n}"},
            )
            assert response.status_code == 200
            answers[slug].add(response.text)
        inbox.wait(KNOWN, count=10)
        settled(db)
    assert [len(texts) for texts in answers.values()] == [1, 1]  # limited or not, the same answer
    assert len(inbox.to(KNOWN)) == 10
