"""Notes, calls and tasks on a contact's page, "My tasks", and what the data subject's rights do to them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import select, update

from landform.accounts.models import Tenant, User
from landform.crm_sink.models import Activity, Contact
from landform.crm_sink.work.models import WorkItem
from landform.privacy.fulfilment.erase import erase_person
from landform.privacy.fulfilment.export import collect
from tests.conftest import log_in, post_form
from tests.crm_sink.helpers import make_company, make_contact


def _items(db, kind):
    db.expire_all()
    return list(db.execute(select(WorkItem).where(WorkItem.kind == kind)).scalars())


def test_it_saves_a_note_as_sanitized_markdown_on_the_timeline(client, db, owner):
    ada = make_contact(db, owner, "ada@example.com", first_name="Ada")
    log_in(client, owner)
    body = "Wants **three** awnings.\n\n<script>alert('x')</script>\n\n[site](javascript:alert(1))"
    response = post_form(client, f"/app/contacts/{ada.id}/work/note", {"body": body})
    assert response.status_code == 200
    assert "Note saved." in response.text
    assert "<strong>three</strong>" in response.text
    assert "<script>alert" not in response.text
    assert 'href="javascript' not in response.text
    assert "Note by Olga User" in response.text
    [note] = _items(db, "note")
    assert note.contact_id == ada.id and note.body == body


def test_it_refuses_an_empty_note_and_names_the_field(client, db, owner):
    ada = make_contact(db, owner, "ada@example.com")
    log_in(client, owner)
    response = post_form(client, f"/app/contacts/{ada.id}/work/note", {"body": "  "})
    assert "Write something first." in response.text
    assert _items(db, "note") == []


def test_it_logs_a_call_with_its_outcome(client, db, owner):
    ada = make_contact(db, owner, "ada@example.com")
    log_in(client, owner)
    response = post_form(
        client, f"/app/contacts/{ada.id}/work/call", {"outcome": "voicemail", "body": "Left a message"}
    )
    assert "Call logged." in response.text and "Voicemail" in response.text
    [call] = _items(db, "call")
    assert call.outcome == "voicemail"
    refused = post_form(client, f"/app/contacts/{ada.id}/work/call", {"outcome": "maybe"})
    assert "Choose how the call went." in refused.text
    assert len(_items(db, "call")) == 1


def test_it_adds_a_task_for_a_colleague_who_ticks_it_off(client, db, owner, sales_rep):
    ada = make_contact(db, owner, "ada@example.com", first_name="Ada", owner_id=sales_rep.user_id)
    log_in(client, owner)
    response = post_form(
        client,
        f"/app/contacts/{ada.id}/work/task",
        {"body": "Send the quote", "due_on": "2026-12-08", "assignee_id": str(sales_rep.user_id)},
    )
    assert "Task added." in response.text and "Send the quote" in response.text
    refused = post_form(
        client, f"/app/contacts/{ada.id}/work/task", {"body": "x", "due_on": "soon", "assignee_id": "nobody"}
    )
    assert "Give the due date as a date (YYYY-MM-DD)." in refused.text
    assert "Choose someone of your team." in refused.text
    [task] = _items(db, "task")

    client.cookies.clear()
    log_in(client, sales_rep)
    with time_machine.travel(datetime(2026, 12, 8, 9, 0, tzinfo=UTC), tick=False):
        assert "Send the quote" in client.get("/app/tasks/").text
        done = post_form(client, f"/app/tasks/{task.id}/done", {"next": f"/app/contacts/{ada.id}"})
    assert "Task done by Sam User" in done.text
    assert _items(db, "task")[0].done_at is not None
    # Ticking the owner's own task off is a touch: the speed-to-lead clock stops.
    assert db.get_one(Contact, ada.id).first_touched_at is not None


def test_my_tasks_are_overdue_or_today_as_the_users_own_clock_says(client, db, owner):
    ada = make_contact(db, owner, "ada@example.com", first_name="Ada")
    db.execute(update(User).where(User.id == owner.user_id).values(timezone="Pacific/Auckland"))
    db.commit()
    for body, due in (
        ("Call back", date(2026, 12, 7)),
        ("Old one", date(2026, 12, 6)),
        ("Later", date(2026, 12, 20)),
    ):
        db.add(
            WorkItem(
                tenant_id=owner.tenant_id,
                kind="task",
                contact_id=ada.id,
                body=body,
                due_on=due,
                assignee_id=owner.user_id,
            )
        )
    db.commit()
    log_in(client, owner)
    # 11:30 UTC on the 6th is already 00:30 on the 7th in Auckland.
    with time_machine.travel(datetime(2026, 12, 6, 11, 30, tzinfo=UTC), tick=False):
        html = client.get("/app/tasks/").text
    overdue, _sep, rest = html.partition("Today")
    today, _sep, upcoming = rest.partition("Upcoming")
    assert "Old one" in overdue and "Call back" in today and "Later" in upcoming
    with time_machine.travel(datetime(2026, 12, 6, 10, 30, tzinfo=UTC), tick=False):
        html = client.get("/app/tasks/").text
    assert "Overdue" not in html.split("<main")[1]
    assert html.index("Old one") < html.index("Upcoming") < html.index("Call back")


def test_a_stranger_gets_404_for_another_tenants_contact_and_task(client, db, owner, stranger):
    ada = make_contact(db, owner, "ada@example.com")
    db.add(
        WorkItem(
            tenant_id=owner.tenant_id,
            kind="task",
            contact_id=ada.id,
            body="Secret",
            assignee_id=owner.user_id,
        )
    )
    db.commit()
    [task] = _items(db, "task")
    log_in(client, stranger)
    assert post_form(client, f"/app/contacts/{ada.id}/work/note", {"body": "hi"}).status_code == 404
    assert post_form(client, f"/app/tasks/{task.id}/done").status_code == 404
    assert "Secret" not in client.get("/app/tasks/").text
    assert _items(db, "note") == [] and _items(db, "task")[0].done_at is None


def test_a_sales_rep_works_only_on_their_own_leads(client, db, owner, sales_rep):
    ada = make_contact(db, owner, "ada@example.com", owner_id=owner.user_id)
    log_in(client, sales_rep)
    assert post_form(client, f"/app/contacts/{ada.id}/work/note", {"body": "hi"}).status_code == 403


def test_notes_calls_and_tasks_are_in_the_export_and_erased_with_the_contact(client, db, owner):
    ada = make_contact(db, owner, "ada@example.com", first_name="Ada")
    log_in(client, owner)
    post_form(client, f"/app/contacts/{ada.id}/work/note", {"body": "Ada likes green"})
    post_form(
        client, f"/app/contacts/{ada.id}/work/call", {"outcome": "reached", "body": "Talked about prices"}
    )
    # Through privacy's own export and erasure, which the wiring joins them to.
    rows = collect(db, db.get_one(Tenant, owner.tenant_id), "ada@example.com")["notes_calls_tasks"]
    assert [(r["kind"], r["text"], r["outcome"]) for r in rows] == [
        ("note", "Ada likes green", ""),
        ("call", "Talked about prices", "reached"),
    ]
    assert erase_person(db, owner.tenant_id, "ada@example.com")["erase_work"] == 2
    db.commit()
    assert all(
        "Ada" not in item.body and "prices" not in item.body
        for item in _items(db, "note") + _items(db, "call")
    )
    # The timeline keeps that something happened, not what.
    kinds = set(db.execute(select(Activity.kind).where(Activity.contact_id == ada.id)).scalars())
    assert {"note", "call"} <= kinds


def test_notes_and_tasks_about_a_company_are_on_its_page(client, db, owner, stranger):
    bakker = make_company(db, owner, "Bakker Timmerwerk")
    log_in(client, owner)
    page = post_form(client, f"/app/companies/{bakker.id}/work/note", {"body": "Flat roof, *400 m²*"})
    assert "Note saved." in page.text and "<em>400 m²</em>" in page.text
    post_form(
        client,
        f"/app/companies/{bakker.id}/work/task",
        {"body": "Visit the roof", "due_on": "2026-12-09", "assignee_id": str(owner.user_id)},
    )
    with time_machine.travel(datetime(2026, 12, 8, 9, 0, tzinfo=UTC), tick=False):
        tasks = client.get("/app/tasks/").text
    assert "Visit the roof" in tasks and "Bakker Timmerwerk" in tasks
    client.cookies.clear()
    log_in(client, stranger)
    assert post_form(client, f"/app/companies/{bakker.id}/work/note", {"body": "x"}).status_code == 404


def test_notes_calls_and_tasks_about_a_deal_are_on_its_page_and_its_contacts_timeline(
    client, db, owner, sales_rep, stranger
):
    from landform.crm_sink.pipeline.models import Deal

    ada = make_contact(db, owner, "ada@example.com", first_name="Ada")
    log_in(client, owner)
    client.get("/app/deals/")  # the account's default stages
    new = client.get(f"/app/deals/new?contact={ada.id}&lang=en").text
    stage = new.split('name="stage_id"')[1].split('<option value="')[1].split('"')[0]
    post_form(client, "/app/deals/new", {"name": "Awnings", "stage_id": stage, "contact_id": str(ada.id)})
    db.expire_all()
    deal = db.execute(select(Deal)).scalar_one()
    page = post_form(client, f"/app/deals/{deal.id}/work/note?lang=en", {"body": "Sent the **quote**"})
    assert "Note saved." in page.text and "<strong>quote</strong>" in page.text
    post_form(
        client,
        f"/app/deals/{deal.id}/work/task?lang=en",
        {"body": "Call about the quote", "due_on": "2026-12-20", "assignee_id": str(owner.user_id)},
    )
    deal_page = client.get(f"/app/deals/{deal.id}?lang=en").text
    assert "Call about the quote" in deal_page
    assert {item.deal_id for item in _items(db, "note") + _items(db, "task")} == {deal.id}
    assert "Sent the" in client.get(f"/app/contacts/{ada.id}?lang=en").text  # the contact's timeline too
    empty = post_form(client, f"/app/deals/{deal.id}/work/note?lang=en", {"body": " "})
    assert "Write something first." in empty.text
    client.cookies.clear()
    log_in(client, sales_rep)  # not the deal's owner
    assert post_form(client, f"/app/deals/{deal.id}/work/note", {"body": "x"}).status_code == 403
    client.cookies.clear()
    log_in(client, stranger)
    assert post_form(client, f"/app/deals/{deal.id}/work/note", {"body": "x"}).status_code == 404
    assert len(_items(db, "note")) == 1
