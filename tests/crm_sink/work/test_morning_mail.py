"""The morning e-mail of the day's tasks: for users who want it, at about 07:00 their time, once a day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import update

from landform.accounts.models import User
from landform.core.db import scope_to_tenant
from landform.crm_sink.work.models import WorkItem
from landform.crm_sink.work.morning import send_task_mails
from tests.conftest import log_in, post_form
from tests.crm_sink.helpers import make_contact


def _task(db, persona, contact, body, due, done=False):
    db.add(
        WorkItem(
            tenant_id=persona.tenant_id,
            kind="task",
            contact_id=contact.id,
            body=body,
            due_on=due,
            assignee_id=persona.user_id,
            done_at=datetime(2026, 12, 6, tzinfo=UTC) if done else None,
        )
    )
    db.commit()


def test_a_user_asks_for_the_morning_email_on_their_profile(client, db, owner):
    scope_to_tenant(db, owner.tenant_id)
    log_in(client, owner)
    values = {
        "first_name": "Olga",
        "last_name": "User",
        "language": "en",
        "timezone": "Europe/Amsterdam",
        "lead_notifications": "immediately",
        "task_mail_shown": "1",
    }
    post_form(client, "/app/me/", {**values, "task_mail": "1"})
    db.expire_all()
    assert db.get_one(User, owner.user_id).task_mail is True
    post_form(client, "/app/me/", values)
    db.expire_all()
    assert db.get_one(User, owner.user_id).task_mail is False


def test_the_morning_email_lists_todays_and_overdue_tasks_in_the_users_language(
    client, db, owner, sales_rep, inbox, settings
):
    db.execute(
        update(User)
        .where(User.id == owner.user_id)
        .values(task_mail=True, language="nl", timezone="Europe/Amsterdam")
        .execution_options(all_tenants=True)
    )
    db.commit()
    ada = make_contact(db, owner, "ada@example.com", first_name="Ada")
    _task(db, owner, ada, "Offerte sturen", date(2026, 12, 8))
    _task(db, owner, ada, "Terugbellen", date(2026, 12, 4))
    _task(db, owner, ada, "Volgende week", date(2026, 12, 15))
    _task(db, owner, ada, "Al gedaan", date(2026, 12, 8), done=True)
    _task(db, sales_rep, ada, "Niet van Olga", date(2026, 12, 8))

    with time_machine.travel(datetime(2026, 12, 8, 5, 50, tzinfo=UTC), tick=False):
        assert send_task_mails(settings) == 0  # 06:50 in Amsterdam: not yet
    with time_machine.travel(datetime(2026, 12, 8, 6, 5, tzinfo=UTC), tick=False):
        assert send_task_mails(settings) == 1
        assert send_task_mails(settings) == 0  # once a day, however often the job runs
    message = inbox.wait(owner.email)
    assert message["Subject"] == "2 taken voor vandaag"
    text = message.get_body(("plain",)).get_content()
    assert "Offerte sturen" in text and "Terugbellen" in text and "achterstallig" in text
    assert "Volgende week" not in text and "Al gedaan" not in text and "Niet van Olga" not in text
    assert f"/app/contacts/{ada.id}" in text
    # The sales rep did not ask for it.
    assert inbox.to(sales_rep.email) == []

    with time_machine.travel(datetime(2026, 12, 9, 12, 5, tzinfo=UTC), tick=False):
        assert send_task_mails(settings) == 0  # 13:05 the next day: no morning e-mail in the afternoon
    with time_machine.travel(datetime(2026, 12, 10, 6, 5, tzinfo=UTC), tick=False):
        assert send_task_mails(settings) == 1  # the morning after
