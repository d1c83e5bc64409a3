"""A report of a child's data collected without consent deletes it; the platform answers for its own users."""

from __future__ import annotations

import io
import json
import zipfile

from tests.consent.test_minors import CHILD, PARENT, _hold_for_child, _submissions, age_form  # noqa: F401
from tests.privacy.conftest import code_in, link_in, rows_mentioning


def test_a_report_about_a_childs_data_deletes_what_is_held(client, db, age_form, inbox):  # noqa: F811
    _hold_for_child(client, age_form)
    inbox.wait(PARENT, "")
    assert _submissions(db)
    client.post(
        "/privacy/acme/requests?lang=en",
        data={"email": PARENT, "kind": "minor", "details": "Mijn dochter van 13 heeft dit ingevuld."},
    )
    code = code_in(inbox.wait(PARENT, "Confirm"))
    assert client.post("/privacy/acme/code", data={"email": PARENT, "code": code}).status_code == 200
    inbox.wait(PARENT, "is done")
    assert _submissions(db) == []
    assert rows_mentioning(db, CHILD["email"], CHILD["first_name"]) == []


def test_the_platform_portal_gives_a_dashboard_user_a_copy_of_their_account(client, db, owner, inbox):
    response = client.post("/privacy/_/requests?lang=en", data={"email": owner.email, "kind": "access"})
    assert response.status_code == 200
    message = inbox.wait(owner.email, "Confirm your privacy request to Landform")
    link = link_in(message, "/privacy/_/verify")
    token = link.split("token=", 1)[1].split("&", 1)[0]
    assert client.post("/privacy/_/verify", data={"token": token}).status_code == 200
    ready = inbox.wait(owner.email, "Your data from Landform is ready")
    download = client.get(link_in(ready, "/privacy/_/download"))
    data = json.loads(zipfile.ZipFile(io.BytesIO(download.content)).read("data.json"))
    (account,) = data["accounts"]
    assert (account["first_name"], account["organisation"], account["role"]) == (
        "Olga",
        "Acme Zonwering",
        "owner",
    )
    # A tenant's link does not open the platform's download, nor the other way round.
    assert client.get(link_in(ready, "/privacy/_/download").replace("/_/", "/acme/")).status_code == 400


def test_the_platform_copy_of_an_owner_lists_what_stripe_holds(db, owner, marketer):
    from landform.billing.models import Subscription
    from landform.privacy.fulfilment.export import collect

    db.add(Subscription(tenant_id=owner.tenant_id, plan="pro", status="active", stripe_customer_id="cus_123"))
    db.commit()
    sections = collect(db, None, owner.email.casefold())
    [billing] = sections["billing"]
    assert billing["stripe_customer"] == "cus_123" and billing["plan"] == "pro"
    assert billing["sent_to_stripe"]["email"] == owner.email
    assert set(billing["sent_to_stripe"]) == {
        "email",
        "first_name",
        "last_name",
        "company_name",
        "address",
        "postcode",
        "city",
        "province",
        "country",
        "vat_number",
    }
    assert collect(db, None, marketer.email.casefold())["billing"] == [], "a marketer is not the customer"
