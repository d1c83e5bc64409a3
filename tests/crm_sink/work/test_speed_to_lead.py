"""Speed to lead: an untouched lead passes on after the department's working hours, both reps are told;
the clock counts the tenant's working week across weekends and daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from landform.accounts.models import Role, Tenant
from landform.core.db import scope_to_tenant
from landform.crm_sink.assignment.hours import WorkingWeek
from landform.crm_sink.assignment.models import Department, DepartmentMember
from landform.crm_sink.assignment.speed import reassign_untouched
from landform.crm_sink.models import Activity, Contact
from tests.conftest import log_in, make_user, post_form
from tests.crm_sink.helpers import make_contact


def _department(db, owner, sales_rep, minutes=120):
    ruben = make_user(
        db, db.get_one(Tenant, owner.tenant_id), "ruben@acme.example.com", Role.SALES_REP, first_name="Ruben"
    )
    scope_to_tenant(db, owner.tenant_id)
    sales = Department(tenant_id=owner.tenant_id, name="Sales", touch_within_minutes=minutes)
    db.add(sales)
    db.flush()
    for persona in (sales_rep, ruben):
        db.add(
            DepartmentMember(
                tenant_id=owner.tenant_id, department_id=sales.id, user_id=persona.user_id, rank=1
            )
        )
    db.commit()
    return sales, ruben


def _lead(db, owner, sales, rep, at, email="lead@example.com"):
    return make_contact(
        db, owner, email, first_name="Lea", department_id=sales.id, owner_id=rep.user_id, owner_assigned_at=at
    )


def _owner_of(db, contact):
    db.expire_all()
    return db.get_one(Contact, contact.id).owner_id


def test_working_time_skips_nights_and_weekends_in_the_tenants_zone():
    week = WorkingWeek.of("Europe/Amsterdam", "12345", "09:00", "17:00")
    friday = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)  # 16:00 in Amsterdam
    assert week.add(friday, 120) == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # Monday 10:00
    saturday = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    assert week.add(saturday, 30) == datetime(2026, 12, 7, 8, 30, tzinfo=UTC)
    assert week.between(friday, datetime(2026, 12, 7, 9, 0, tzinfo=UTC)) == timedelta(hours=2)


def test_an_untouched_lead_passes_on_after_a_weekend_and_both_reps_are_told(
    client, db, owner, sales_rep, inbox, settings
):
    sales, ruben = _department(db, owner, sales_rep)
    lea = _lead(db, owner, sales, sales_rep, datetime(2026, 12, 4, 15, 0, tzinfo=UTC))  # Friday 16:00
    touched = _lead(db, owner, sales, sales_rep, datetime(2026, 12, 4, 15, 0, tzinfo=UTC), "seen@example.com")
    touched.first_touched_at = datetime(2026, 12, 4, 15, 30, tzinfo=UTC)
    db.add(touched)
    db.commit()

    with time_machine.travel(datetime(2026, 12, 5, 20, 0, tzinfo=UTC), tick=False):
        assert reassign_untouched(settings) == 0  # Saturday: only an hour of working time has passed
    with time_machine.travel(datetime(2026, 12, 7, 8, 59, tzinfo=UTC), tick=False):
        assert reassign_untouched(settings) == 0  # Monday 09:59
    with time_machine.travel(datetime(2026, 12, 7, 9, 1, tzinfo=UTC), tick=False):
        assert reassign_untouched(settings) == 1
        assert reassign_untouched(settings) == 0  # a second run hands nothing on twice
    assert _owner_of(db, lea) == ruben.user_id
    assert _owner_of(db, touched) == sales_rep.user_id
    [activity] = db.execute(select(Activity).where(Activity.contact_id == lea.id)).scalars()
    assert activity.kind == "reassigned" and activity.details["to"] == "Ruben User"

    to_ruben = inbox.wait(ruben.email)
    assert (
        "Lea" in str(to_ruben["Subject"])
        and f"/app/contacts/{lea.id}" in to_ruben.get_body(("plain",)).get_content()
    )
    to_sam = inbox.wait(sales_rep.email)
    assert "Ruben User" in str(to_sam["Subject"])

    log_in(client, owner)
    page = client.get(f"/app/contacts/{lea.id}").text
    assert "Passed from Sam User to Ruben User: not touched in time" in page


def test_the_clock_counts_working_hours_across_the_spring_dst_change(db, owner, sales_rep, settings):
    sales, ruben = _department(db, owner, sales_rep, minutes=60)
    # Friday 27 March 2026, 16:30 CET; on Sunday the clocks go forward. Due: Monday 09:30 CEST = 07:30 UTC.
    lea = _lead(db, owner, sales, sales_rep, datetime(2026, 3, 27, 15, 30, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 3, 30, 7, 29, tzinfo=UTC), tick=False):
        assert reassign_untouched(settings) == 0
    with time_machine.travel(datetime(2026, 3, 30, 7, 31, tzinfo=UTC), tick=False):
        assert reassign_untouched(settings) == 1
    assert _owner_of(db, lea) == ruben.user_id


def test_the_clock_counts_working_hours_across_the_autumn_dst_change(db, owner, sales_rep, settings):
    sales, ruben = _department(db, owner, sales_rep, minutes=60)
    # Friday 23 October 2026, 16:30 CEST; on Sunday the clocks go back. Due: Monday 09:30 CET = 08:30 UTC.
    lea = _lead(db, owner, sales, sales_rep, datetime(2026, 10, 23, 14, 30, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 10, 26, 8, 29, tzinfo=UTC), tick=False):
        assert reassign_untouched(settings) == 0
    with time_machine.travel(datetime(2026, 10, 26, 8, 31, tzinfo=UTC), tick=False):
        assert reassign_untouched(settings) == 1
    assert _owner_of(db, lea) == ruben.user_id


def test_the_owner_opening_the_lead_stops_the_clock(client, db, owner, sales_rep, settings):
    sales, _ruben = _department(db, owner, sales_rep)
    lea = _lead(db, owner, sales, sales_rep, datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    log_in(client, owner)
    client.get(f"/app/contacts/{lea.id}")  # a manager looking is not the owner's touch
    db.expire_all()
    assert db.get_one(Contact, lea.id).first_touched_at is None
    client.cookies.clear()
    log_in(client, sales_rep)
    client.get(f"/app/contacts/{lea.id}")
    db.expire_all()
    assert db.get_one(Contact, lea.id).first_touched_at is not None
    with time_machine.travel(datetime(2026, 12, 9, 9, 0, tzinfo=UTC), tick=False):
        assert reassign_untouched(settings) == 0
    assert _owner_of(db, lea) == sales_rep.user_id


def test_a_manager_sets_the_working_week_and_each_departments_time(client, db, owner, sales_rep):
    sales, _ruben = _department(db, owner, sales_rep, minutes=None)
    log_in(client, owner)
    page = post_form(client, f"/app/routing/speed/departments/{sales.id}", {"hours": "1,5"})
    assert "Saved for Sales." in page.text
    refused = post_form(client, f"/app/routing/speed/departments/{sales.id}", {"hours": "soon"})
    assert refused.status_code == 422 and "number of working hours" in refused.text
    week = post_form(
        client,
        "/app/routing/speed/week",
        {
            "timezone": "Europe/London",
            "work_days": ["1", "2", "3", "4"],
            "work_start": "08:30",
            "work_end": "16:00",
        },
    )
    assert "Working week saved." in week.text
    bad = post_form(
        client,
        "/app/routing/speed/week",
        {"timezone": "Europe/London", "work_start": "09:00", "work_end": "17:00"},
    )
    assert bad.status_code == 422 and "Tick at least one working day." in bad.text
    db.expire_all()
    assert db.get_one(Department, sales.id).touch_within_minutes == 90
    client.cookies.clear()
    log_in(client, sales_rep)
    assert client.get("/app/routing/speed/").status_code == 403


def test_the_report_shows_time_to_first_touch_per_rep_in_working_hours(client, db, owner, sales_rep):
    sales, _ruben = _department(db, owner, sales_rep)
    for n, minutes in enumerate((30, 60, 90, 600)):
        contact = _lead(
            db, owner, sales, sales_rep, datetime(2026, 12, 1, 8, 0, tzinfo=UTC), f"l{n}@example.com"
        )
        contact.created_at = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # Tuesday 09:00 in Amsterdam
        contact.first_touched_at = contact.created_at + timedelta(minutes=minutes)
        db.add(contact)
    db.commit()
    log_in(client, owner)
    with time_machine.travel(datetime(2026, 12, 7, 12, 0, tzinfo=UTC), tick=False):
        html = client.get("/app/routing/speed/").text
    row = html.split("Sam User", 1)[1].split("</tr>", 1)[0]
    # 0.5, 1, 1.5 and 8 working hours (10 clock hours, but the working day ends at 17:00): median 1.25.
    assert ">4<" in row and "1.2 h" in row


def test_the_owner_moving_the_lead_to_another_stage_stops_the_clock(client, db, owner, sales_rep, settings):
    sales, _ruben = _department(db, owner, sales_rep)
    lea = _lead(db, owner, sales, sales_rep, datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    log_in(client, owner)
    post_form(client, f"/app/contacts/{lea.id}/stage", {"stage": "prospect"})  # a manager's move is no touch
    db.expire_all()
    assert db.get_one(Contact, lea.id).first_touched_at is None
    client.cookies.clear()
    log_in(client, sales_rep)
    # not following the redirect: opening the page would be a touch of its own
    moved = post_form(client, f"/app/contacts/{lea.id}/stage", {"stage": "customer"}, follow_redirects=False)
    assert moved.status_code in (302, 303)
    db.expire_all()
    assert db.get_one(Contact, lea.id).first_touched_at is not None
    with time_machine.travel(datetime(2026, 12, 9, 9, 0, tzinfo=UTC), tick=False):
        assert reassign_untouched(settings) == 0
    assert _owner_of(db, lea) == sales_rep.user_id
