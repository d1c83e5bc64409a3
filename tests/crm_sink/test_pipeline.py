"""Lifecycle stages and deals in the dashboard: who changes a stage, the filter, the board, the forecast."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from landform.crm_sink.models import Activity, Contact
from landform.crm_sink.pipeline.models import Deal, PipelineStage
from tests.conftest import log_in, post_form
from tests.crm_sink.helpers import make_company, make_contact


def _rows(db, model, **where):
    db.expire_all()
    query = select(model).execution_options(all_tenants=True)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return list(db.execute(query).scalars())


def _stage_ids(db, persona) -> dict[str, str]:
    stages = _rows(db, PipelineStage, tenant_id=persona.tenant_id)
    return {stage.name: str(stage.id) for stage in sorted(stages, key=lambda s: s.position)}


def test_it_lets_the_owner_of_a_contact_and_managers_change_its_stage(client, db, owner, sales_rep, marketer):
    mine = make_contact(db, sales_rep, "mine@example.com", owner_id=sales_rep.user_id)
    theirs = make_contact(db, owner, "theirs@example.com", owner_id=owner.user_id)
    log_in(client, sales_rep)
    response = post_form(client, f"/app/contacts/{mine.id}/stage", {"stage": "prospect"})
    assert response.status_code == 200
    assert "Stage changed" in client.get(f"/app/contacts/{mine.id}?lang=en").text
    assert post_form(client, f"/app/contacts/{theirs.id}/stage", {"stage": "customer"}).status_code == 403
    client.cookies.clear()
    log_in(client, marketer)
    assert post_form(client, f"/app/contacts/{theirs.id}/stage", {"stage": "customer"}).status_code == 403
    client.cookies.clear()
    log_in(client, owner)
    post_form(client, f"/app/contacts/{mine.id}/stage", {"stage": "lost", "reason": "Chose a competitor"})
    stored = _rows(db, Contact, id=mine.id)[0]
    assert (stored.stage, stored.stage_reason) == ("lost", "Chose a competitor")
    kinds = [
        (a.kind, a.details.get("from"), a.details.get("to")) for a in _rows(db, Activity, contact_id=mine.id)
    ]
    assert ("stage_changed", "lead", "prospect") in kinds and ("stage_changed", "prospect", "lost") in kinds
    page = client.get(f"/app/contacts/{mine.id}?lang=en").text
    assert "Stage changed from Prospect to Lost" in page and "Chose a competitor" in page


def test_it_asks_why_a_contact_is_lost_and_refuses_unknown_stages(client, db, owner):
    contact = make_contact(db, owner, "ada@example.com", owner_id=owner.user_id)
    log_in(client, owner)
    page = post_form(client, f"/app/contacts/{contact.id}/stage?lang=en", {"stage": "not_a_fit"}).text
    assert "Say why this contact is not a fit or lost." in page
    post_form(client, f"/app/contacts/{contact.id}/stage", {"stage": "vip"})
    assert _rows(db, Contact, id=contact.id)[0].stage == "lead"
    assert not _rows(db, Activity, contact_id=contact.id)


def test_it_filters_the_contacts_list_by_stage(client, db, owner):
    make_contact(db, owner, "lead@example.com", first_name="Leontien")
    make_contact(db, owner, "customer@example.com", first_name="Cas", stage="customer")
    log_in(client, owner)
    page = client.get("/app/contacts/?stage=customer&lang=en").text
    assert "Cas" in page and "Leontien" not in page
    assert '<option value="customer" selected>Customer</option>' in page
    assert "Leontien" in client.get("/app/contacts/?stage=lead").text


def test_it_creates_shows_edits_and_deletes_a_deal_with_euros_per_language(client, db, owner):
    company = make_company(db, owner, "Bakker Timmerwerk")
    contact = make_contact(db, owner, "joris@example.com", first_name="Joris", company_id=company.id)
    log_in(client, owner)
    new = client.get(f"/app/deals/new?contact={contact.id}&lang=nl")
    assert (new.status_code == 200 and "Bakker" not in new.text) or "joris@example.com" in new.text
    stages = _stage_ids(db, owner)
    assert list(stages) == [
        "Nieuw",
        "Gekwalificeerd",
        "Offerte verstuurd",
        "Onderhandeling",
        "Gewonnen",
        "Verloren",
    ]
    values = {
        "name": "Dak 40 panelen",
        "value_cents": "12.500,50",
        "stage_id": stages["Nieuw"],
        "expected_close_on": "2027-03-15",
        "owner_id": str(owner.user_id),
        "contact_id": str(contact.id),
        "notes": "Wil voor de zomer",
    }
    response = post_form(client, "/app/deals/new?lang=nl", values)
    assert response.status_code == 200, response.text
    deal = _rows(db, Deal)[0]
    assert (deal.value_cents, deal.company_id, deal.expected_close_on) == (
        1250050,
        company.id,
        date(2027, 3, 15),
    )
    assert "€\xa012.500,50" in client.get(f"/app/deals/{deal.id}?lang=nl").text
    assert "€12,500.50" in client.get(f"/app/deals/{deal.id}?lang=en").text
    assert "Dak 40 panelen" in client.get(f"/app/contacts/{contact.id}").text
    assert "Dak 40 panelen" in client.get(f"/app/companies/{company.id}").text
    bad = post_form(client, f"/app/deals/{deal.id}?lang=en", {**values, "value_cents": "lots", "name": ""})
    assert bad.status_code == 422
    assert "Give the deal a name." in bad.text and "Write the value as an amount in euros" in bad.text
    post_form(client, f"/app/deals/{deal.id}?lang=en", {**values, "value_cents": "9,999.99"})
    assert _rows(db, Deal)[0].value_cents == 999999
    post_form(client, f"/app/deals/{deal.id}/delete")
    assert not _rows(db, Deal)


def test_it_moves_a_deal_on_the_board_with_the_select_and_keeps_reps_to_their_own(
    client, db, owner, sales_rep
):
    log_in(client, owner)
    client.get("/app/deals/")
    stages = _stage_ids(db, owner)
    post_form(
        client,
        "/app/deals/new",
        {"name": "Owner's deal", "stage_id": stages["Nieuw"], "owner_id": str(owner.user_id)},
    )
    deal = _rows(db, Deal)[0]
    moved = post_form(
        client, f"/app/deals/{deal.id}/stage", {"stage_id": stages["Onderhandeling"]}, follow_redirects=False
    )
    assert moved.status_code in (302, 303) and moved.headers["location"] == "/app/deals/"
    assert str(_rows(db, Deal)[0].stage_id) == stages["Onderhandeling"]
    board = client.get("/app/deals/?lang=en").text
    assert "Owner&#39;s deal" in board and 'action="/app/deals/' in board
    client.cookies.clear()
    log_in(client, sales_rep)
    assert post_form(client, f"/app/deals/{deal.id}/stage", {"stage_id": stages["Nieuw"]}).status_code == 403
    assert f"move-{deal.id}" not in client.get("/app/deals/").text
    # A rep's new deal is theirs, whoever the form names.
    post_form(client, "/app/deals/new", {"name": "Rep's deal", "stage_id": stages["Nieuw"]})
    assert _rows(db, Deal, name="Rep's deal")[0].owner_id == sales_rep.user_id


def test_it_edits_the_pipeline_stages_and_moves_deals_off_a_removed_stage(client, db, owner, marketer):
    log_in(client, owner)
    client.get("/app/deals/")
    stages = _stage_ids(db, owner)
    post_form(
        client, "/app/deals/new", {"name": "Roof", "stage_id": stages["Gekwalificeerd"], "value_cents": "100"}
    )
    post_form(client, "/app/deals/stages", {"name": "Demo gegeven", "outcome": "open"})
    post_form(client, f"/app/deals/stages/{stages['Nieuw']}", {"name": "Binnengekomen", "outcome": "open"})
    post_form(client, f"/app/deals/stages/{stages['Gekwalificeerd']}/move", {"direction": "up"})
    names = list(_stage_ids(db, owner))
    assert names[:2] == ["Gekwalificeerd", "Binnengekomen"] and names[-1] == "Demo gegeven"
    duplicate = post_form(client, "/app/deals/stages?lang=en", {"name": "demo GEGEVEN", "outcome": "open"})
    assert duplicate.status_code == 422 and "There is already a stage called" in duplicate.text
    refused = post_form(client, f"/app/deals/stages/{stages['Gekwalificeerd']}/remove?lang=en", {})
    assert refused.status_code == 422 and "Choose another stage for the deals" in refused.text
    post_form(
        client,
        f"/app/deals/stages/{stages['Gekwalificeerd']}/remove",
        {"move_to": stages["Offerte verstuurd"]},
    )
    assert "Gekwalificeerd" not in _stage_ids(db, owner)
    assert str(_rows(db, Deal)[0].stage_id) == stages["Offerte verstuurd"]
    client.cookies.clear()
    log_in(client, marketer)
    assert client.get("/app/deals/stages").status_code == 403


def test_it_sums_the_forecast_per_stage_and_month(client, db, owner):
    log_in(client, owner)
    client.get("/app/deals/")
    stages = _stage_ids(db, owner)
    today = date.today()
    month = today.replace(day=1)
    for name, stage, value in (
        ("A", "Nieuw", "1.000"),
        ("B", "Nieuw", "2.000,50"),
        ("C", "Gewonnen", "500"),
        ("D", "Verloren", "7.000"),
    ):
        post_form(
            client,
            "/app/deals/new?lang=nl",
            {
                "name": name,
                "stage_id": stages[stage],
                "value_cents": value,
                "expected_close_on": month.isoformat(),
            },
        )
    post_form(
        client, "/app/deals/new?lang=nl", {"name": "E", "stage_id": stages["Nieuw"], "value_cents": "40"}
    )
    page = client.get("/app/deals/forecast?lang=nl").text
    assert "€\xa03.000,50" in page  # A + B in Nieuw this month
    assert "€\xa03.500,50" in page  # expected this month: open and won, not lost
    assert "€\xa03.040,50" in page  # Nieuw's total, with the undated deal
    assert "€\xa07.000,00" in page  # the lost deal in its own row
