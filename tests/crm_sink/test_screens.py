"""The CRM screens: the contacts list (filters, keyset pages), contact and company pages, edit, merge."""

from __future__ import annotations

import re

from sqlalchemy import select

from landform.consent.models import ConsentRecord
from landform.core.db import utcnow
from landform.crm_sink.models import Activity, Contact, ContactDuplicateDismissal, ContactTag, Submission
from tests.conftest import log_in, post_form
from tests.crm_sink.helpers import make_company, make_contact, make_many


def _names(html: str) -> list[str]:
    return re.findall(r'<a href="/app/contacts/[0-9a-f-]{36}">([^<]*)</a>', html)


def test_it_walks_every_contact_once_through_keyset_pages(client, db, owner):
    make_many(db, owner, 130)
    log_in(client, owner)
    seen: list[str] = []
    url = "/app/contacts/"
    for _page in range(5):
        html = client.get(url).text
        seen += _names(html)
        match = re.search(r'href="(/app/contacts/\?[^"]*cursor=[^"]+)"', html)
        if not match:
            break
        url = match.group(1).replace("&amp;", "&")
    assert len(seen) == 130 and len(set(seen)) == 130
    assert "130 contacts" in client.get("/app/contacts/").text


def test_it_filters_by_owner_tag_consent_and_source(client, db, owner, sales_rep):
    make_contact(db, owner, "ada@example.com", first_name="Ada", owner_id=sales_rep.user_id, tags=("fair",))
    make_contact(db, owner, "bea@example.com", first_name="Bea", do_not_contact=True, source="api")
    make_contact(db, owner, "cor@example.com", first_name="Cor", source="embed")
    log_in(client, sales_rep)
    assert _names(client.get(f"/app/contacts/?owner={sales_rep.user_id}").text) == ["Ada"]
    assert sorted(_names(client.get("/app/contacts/?owner=none").text)) == ["Bea", "Cor"]
    assert _names(client.get("/app/contacts/?tag=fair").text) == ["Ada"]
    assert _names(client.get("/app/contacts/?consent=dnc").text) == ["Bea"]
    assert sorted(_names(client.get("/app/contacts/?consent=ok").text)) == ["Ada", "Cor"]
    assert _names(client.get("/app/contacts/?source=embed&q=cor").text) == ["Cor"]
    fragment = client.get(
        "/app/contacts/?tag=nothing", headers={"HX-Request": "true", "HX-Target": "contact-results"}
    )
    assert "No contact matches these filters." in fragment.text and "<html" not in fragment.text
    assert client.get("/app/contacts/?owner=garbage&cursor=%%%").status_code == 200


def test_it_pages_and_searches_companies_by_name_with_a_count(client, db, owner, stranger, monkeypatch):
    from landform.crm_sink import controllers
    from landform.crm_sink.contacts import search

    for n in range(7):
        make_company(db, owner, f"Bakkerij {n}")
    make_company(db, owner, "Zonnig BV")
    make_company(db, stranger, "Bakkerij Elders")
    monkeypatch.setattr(controllers, "PAGE_SIZE", 3)
    log_in(client, owner)
    seen: list[str] = []
    url = "/app/companies/?q=BAKKERIJ"
    for _page in range(4):
        html = client.get(url).text
        assert "7 companies" in html  # not the other tenant's
        seen += re.findall(r'<a href="/app/companies/[0-9a-f-]{36}">([^<]*)</a>', html)
        match = re.search(r'href="(/app/companies/\?[^"]*after=[^"]+)"', html)
        if not match:
            break
        url = match.group(1).replace("&amp;", "&")
    assert seen == [f"Bakkerij {n}" for n in range(7)]
    monkeypatch.setattr(search, "COUNT_CAP", 5)
    assert "More than 5 companies" in client.get("/app/companies/").text


def test_it_shows_company_owner_and_tags_on_the_contact_page(client, db, owner, sales_rep):
    company = make_company(db, owner, "Zonnig BV", city="Utrecht")
    ada = make_contact(
        db,
        owner,
        "ada@example.com",
        first_name="Ada",
        company_id=company.id,
        company_name="Zonnig BV",
        owner_id=sales_rep.user_id,
        tags=("brochure",),
    )
    log_in(client, owner)
    page = client.get(f"/app/contacts/{ada.id}").text
    assert f'href="/app/companies/{company.id}"' in page
    assert "Sam User" in page and "brochure" in page
    company_page = client.get(f"/app/companies/{company.id}").text
    assert "Ada" in company_page and "Utrecht" in company_page
    assert "Zonnig BV" in client.get("/app/companies/").text


def test_it_validates_and_saves_a_contact(client, db, owner):
    ada = make_contact(db, owner, "ada@example.com", first_name="Ada")
    make_contact(db, owner, "taken@example.com")
    log_in(client, owner)
    bad = post_form(
        client, f"/app/contacts/{ada.id}/edit", {"email": "nope", "phone": "12", "linkedin": "x y"}
    )
    assert bad.status_code == 422
    assert "valid e-mail address" in bad.text and "valid phone number" in bad.text
    taken = post_form(client, f"/app/contacts/{ada.id}/edit", {"email": "Taken@example.com"})
    assert taken.status_code == 422 and "Merge the two contacts" in taken.text
    saved = post_form(
        client,
        f"/app/contacts/{ada.id}/edit",
        {"email": "ada@example.org", "first_name": "Ada", "phone": "06 12345678", "tags": "Fair, vip"},
    )
    assert saved.status_code == 200
    db.expire_all()
    contact = db.get(Contact, ada.id)
    assert contact.phone == "+31612345678" and contact.email_key == "ada@example.org"
    tags = db.execute(select(ContactTag.tag).where(ContactTag.contact_id == ada.id)).scalars()
    assert sorted(tags) == ["fair", "vip"]


def test_it_lets_a_sales_rep_edit_only_their_own_contacts(client, db, owner, sales_rep):
    mine = make_contact(db, owner, "mine@example.com", owner_id=sales_rep.user_id)
    other = make_contact(db, owner, "other@example.com")
    log_in(client, sales_rep)
    assert client.get(f"/app/contacts/{other.id}/edit").status_code == 403
    assert post_form(client, f"/app/contacts/{other.id}/edit", {"email": "x@example.com"}).status_code == 403
    assert client.get(f"/app/contacts/{mine.id}/edit").status_code == 200
    assert client.get(f"/app/contacts/{mine.id}/merge").status_code == 403


def test_it_merges_two_contacts_keeping_everything_of_both(client, db, owner):
    keep = make_contact(db, owner, "ada@work.example", first_name="Ada", last_name="", tags=("fair",))
    other = make_contact(
        db,
        owner,
        "ada@home.example",
        first_name="Adaline",
        last_name="Lovelace",
        phone="+31612345678",
        do_not_contact=True,
        tags=("fair", "vip"),
    )
    submission = Submission(tenant_id=owner.tenant_id, data={}, contact_fields={}, contact_id=other.id)
    db.add(submission)
    db.flush()
    db.add(
        Activity(
            tenant_id=owner.tenant_id,
            contact_id=other.id,
            kind="form_submission",
            submission_id=submission.id,
            occurred_at=utcnow(),
        )
    )
    low, high = sorted((keep.id, other.id))
    db.add(ContactDuplicateDismissal(tenant_id=owner.tenant_id, contact_a_id=low, contact_b_id=high))
    db.add(
        ConsentRecord(
            tenant_id=owner.tenant_id,
            contact_id=other.id,
            language="en",
            given=True,
            occurred_at=utcnow(),
            method="form",
        )
    )
    db.commit()
    other_id, keep_id = other.id, keep.id
    log_in(client, owner)
    form = client.get(f"/app/contacts/{keep.id}/merge?other={other.id}").text
    assert "Adaline" in form
    response = post_form(
        client, f"/app/contacts/{keep.id}/merge", {"other_id": str(other.id), "take_email": "other"}
    )
    assert response.status_code == 200
    db.expire_all()
    assert db.get(Contact, other_id) is None
    merged = db.get(Contact, keep_id)
    assert merged.email == "ada@home.example" and merged.first_name == "Ada"
    assert merged.last_name == "Lovelace" and merged.phone == "+31612345678"  # only the other had them
    assert merged.do_not_contact
    assert db.execute(select(Submission.contact_id)).scalar_one() == keep_id
    assert db.execute(select(ConsentRecord.contact_id)).scalar_one() == keep_id
    kinds = sorted(db.execute(select(Activity.kind).where(Activity.contact_id == keep_id)).scalars())
    assert kinds == ["form_submission", "merged"]
    tags = db.execute(select(ContactTag.tag).where(ContactTag.contact_id == keep_id)).scalars()
    assert sorted(tags) == ["fair", "vip"]


def test_it_offers_likely_duplicates_and_remembers_a_dismissal(client, db, owner):
    company = make_company(db, owner, "Zonnig BV")
    a = make_contact(db, owner, "a@example.com", first_name="Jan", last_name="Smit", phone="+31612345678")
    b = make_contact(db, owner, "b@example.com", first_name="Piet", phone="+31612345678")
    make_contact(db, owner, "c@example.com", first_name="Kees", last_name="Bos", company_id=company.id)
    make_contact(db, owner, "d@example.com", first_name="kees", last_name="bos", company_id=company.id)
    make_contact(db, owner, "e@example.com", first_name="Kees", last_name="Bos")  # no company: not offered
    log_in(client, owner)
    page = client.get("/app/contacts/duplicates").text
    assert "Same phone +31612345678" in page and "Same name at" in page
    assert page.count("Not the same") == 2
    post_form(client, "/app/contacts/duplicates/dismiss", {"a": str(b.id), "b": str(a.id)})
    page = client.get("/app/contacts/duplicates").text
    assert "Same phone" not in page and page.count("Not the same") == 1


def test_it_lets_a_marketer_open_and_save_their_companys_edit_form(client, db, marketer):
    company = make_company(db, marketer, "Acme BV", city="Utrecht", kvk_number="12345678")
    log_in(client, marketer)
    form = client.get(f"/app/companies/{company.id}/edit")
    assert form.status_code == 200, form.text
    assert 'value="Acme BV"' in form.text and 'value="Utrecht"' in form.text
    saved = post_form(
        client,
        f"/app/companies/{company.id}/edit",
        {"name": "Acme Zonwering BV", "city": "Amersfoort", "country": "NL", "size": "25"},
    )
    assert saved.status_code == 200 and "Acme Zonwering BV" in saved.text
    db.expire_all()
    assert (company.name, company.city, company.size) == ("Acme Zonwering BV", "Amersfoort", 25)
