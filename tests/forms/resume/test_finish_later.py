"""Save and resume: only with the visitor's tick, a signed link by e-mail, never a lead until sent."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from landform.accounts.models import Tenant
from landform.consent.models import ConsentRecord
from landform.core.db import scope_to_tenant
from landform.core.jobs.models import OutboxJob
from landform.core.mail import EmailMessage
from landform.crm_sink.models import Submission
from landform.forms.intake.resume.models import SavedAnswers
from landform.forms.intake.resume.services import count_due, purge_due
from landform.forms.models import Form
from landform.privacy.fulfilment.erase import erase_person
from landform.privacy.fulfilment.export import collect
from tests.conftest import form_token, log_in, make_form, make_page, post_form, republish

EMAIL = "sanne@example.org"


def _label(text: str) -> dict[str, str]:
    return {"nl": text, "en": text}


def _stepped(db, owner, *, allow: bool = True) -> Form:
    """Step 1: name; step 2: e-mail and a question, on a form that allows finishing later."""
    form = make_form(db, owner, "Offerte aanvragen")
    form.fields = [
        {
            "name": "first_name",
            "type": "text",
            "required": True,
            "maps_to": "first_name",
            "label": _label("First name"),
        },
        {"name": "contact", "type": "step", "label": _label("Contact")},
        {"name": "email", "type": "email", "required": True, "label": _label("E-mail")},
        {"name": "question", "type": "textarea", "required": False, "label": _label("Question")},
    ]
    form.allow_resume = allow
    republish(db, form)
    return form


def _count(db, model) -> int:
    db.expire_all()
    return db.execute(
        select(func.count()).select_from(model).execution_options(all_tenants=True)
    ).scalar_one()


def _to_later_step(client, form: Form, url: str | None = None) -> str:
    """Answer step 1, go to step 2, and press Finish later there: the finish-later step's signed state."""
    token = form_token(client, url or f"/f/{form.key}")
    step_two = client.post(f"/f/{form.key}", data={"first_name": "Sanne", "_step": "", "_lf_token": token})
    assert step_two.status_code == 200, step_two.text
    assert f'formaction="/f/{form.key}/later"' in step_two.text
    carry = re.search(r'name="_carry" value="([^"]+)"', step_two.text).group(1)
    step_name = re.search(r'name="_step" value="([^"]+)"', step_two.text).group(1)
    later = client.post(
        f"/f/{form.key}/later",
        data={"question": "Kan het in mei?", "_step": step_name, "_carry": carry, "_lf_token": token},
    )
    assert later.status_code == 200, later.text
    assert 'name="_later_keep"' in later.text and "checked" not in later.text
    return re.search(r'name="_later" value="([^"]+)"', later.text).group(1)


def _link(db) -> str:
    """The path of the resume link in the e-mail (the latest one)."""
    db.expire_all()
    message = (
        db.execute(
            select(EmailMessage)
            .where(EmailMessage.recipient == EMAIL)
            .order_by(EmailMessage.created_at.desc())
            .execution_options(all_tenants=True)
        )
        .scalars()
        .first()
    )
    return re.search(r"https?://[^/\s]+(/f/[^\s]+/resume\?token=[^\s]+)", message.body_text).group(1)


def _save(client, form: Form, url: str | None = None) -> None:
    state = _to_later_step(client, form, url)
    response = client.post(
        f"/f/{form.key}/later", data={"_later": state, "_later_email": EMAIL, "_later_keep": "on"}
    )
    assert response.status_code == 200, response.text


def test_it_keeps_nothing_without_the_tick_and_names_the_box(client, db, owner):
    form = _stepped(db, owner)
    state = _to_later_step(client, form)
    response = client.post(f"/f/{form.key}/later", data={"_later": state, "_later_email": EMAIL})
    assert response.status_code == 422
    assert "Tick “Keep my answers for 30 days so I can finish later”" in response.text
    assert _count(db, SavedAnswers) == 0
    assert _count(db, ConsentRecord) == 0
    assert _count(db, EmailMessage) == 0


def test_it_offers_no_finish_later_on_a_form_that_does_not_allow_it(client, db, owner):
    form = _stepped(db, owner, allow=False)
    assert "/later" not in client.get(f"/f/{form.key}").text
    assert client.post(f"/f/{form.key}/later", data={"first_name": "Sanne"}).status_code == 404


def test_it_keeps_the_answers_with_the_consent_and_emails_a_link_that_restores_them(client, db, owner):
    form = _stepped(db, owner)
    state = _to_later_step(client, form)
    response = client.post(
        f"/f/{form.key}/later", data={"_later": state, "_later_email": EMAIL, "_later_keep": "on"}
    )
    assert response.status_code == 200, response.text
    assert f"We have e-mailed a link to {EMAIL}" in response.text

    db.expire_all()
    [saved] = db.execute(select(SavedAnswers).execution_options(all_tenants=True)).scalars().all()
    assert saved.answers == {"first_name": "Sanne", "question": "Kan het in mei?"}
    assert saved.email == EMAIL and saved.step == "contact"
    record = db.execute(select(ConsentRecord).execution_options(all_tenants=True)).scalar_one()
    assert record.id == saved.consent_record_id and record.given
    assert record.text_shown == "Keep my answers for 30 days so I can finish later"
    assert record.evidence["purpose"] == "finish_later" and record.evidence["text_version"] == 1
    assert record.form_id == form.id
    message = db.execute(select(EmailMessage).execution_options(all_tenants=True)).scalar_one()
    tenant = db.get_one(Tenant, owner.tenant_id)
    assert tenant.name in message.subject
    # Never a lead: no submission and no routing job.
    assert _count(db, Submission) == 0
    assert (
        db.execute(
            select(func.count()).select_from(OutboxJob).where(OutboxJob.actor_name != "deliver_email")
        ).scalar_one()
        == 0
    )

    page = client.get(_link(db))
    assert page.status_code == 200, page.text
    assert "Step 2 of 2" in page.text
    assert "Kan het in mei?" in page.text  # the answer of the step they were on
    assert 'name="_carry"' in page.text  # the earlier step's answers travel along, signed


def test_it_makes_one_lead_when_sent_through_the_link_and_deletes_the_saved_answers(client, db, owner):
    form = _stepped(db, owner)
    _save(client, form)
    page = client.get(_link(db)).text
    fields = dict(re.findall(r'<input type="hidden" name="(_[a-z_]+)" value="([^"]*)"', page))
    assert fields["_resume"]
    response = client.post(
        f"/f/{form.key}",
        data={**fields, "email": EMAIL, "question": "Kan het in mei?"},
        follow_redirects=False,
    )
    assert response.status_code == 200, response.text
    [lead] = db.execute(select(Submission).execution_options(all_tenants=True)).scalars().all()
    assert lead.data["first_name"] == "Sanne" and lead.data["question"] == "Kan het in mei?"
    assert _count(db, SavedAnswers) == 0
    # The link is used up: a clear page, not the form.
    again = client.get(_link(db))
    assert again.status_code == 410
    assert "This link does not work" in again.text


def test_it_answers_a_tampered_or_expired_link_with_a_clear_page(client, db, owner):
    form = _stepped(db, owner)
    _save(client, form)
    path = _link(db)
    tampered = client.get(path[:-3] + "abc")
    assert tampered.status_code == 410 and "This link does not work" in tampered.text
    with time_machine.travel(datetime.now(UTC) + timedelta(days=31)):
        expired = client.get(path)
    assert expired.status_code == 410 and "Fill in the form again" in expired.text


def test_it_restores_the_answers_on_the_landing_page_the_form_was_on(client, db, owner):
    form = _stepped(db, owner)
    make_page(db, owner, form)
    tenant = db.get_one(Tenant, owner.tenant_id)
    _save(client, form, f"/p/{tenant.slug}/offer")
    page = client.get(_link(db))
    assert page.status_code == 200
    assert "Our offer" in page.text and "Kan het in mei?" in page.text


def test_it_purges_saved_answers_after_the_period_and_they_join_export_and_erasure(client, db, owner):
    form = _stepped(db, owner)
    _save(client, form)
    scope_to_tenant(db, owner.tenant_id)
    tenant = db.get_one(Tenant, owner.tenant_id)
    sections = collect(db, tenant, EMAIL)
    [row] = sections["unfinished_answers"]
    assert row["answers"]["first_name"] == "Sanne"
    assert row["consent"] == "Keep my answers for 30 days so I can finish later"

    now = datetime.now(UTC)
    assert count_due(db, owner.tenant_id, now - timedelta(days=30)) == 0
    assert purge_due(db, owner.tenant_id, now - timedelta(days=30)) == 0
    assert count_due(db, owner.tenant_id, now + timedelta(minutes=1)) == 1
    with time_machine.travel(now + timedelta(days=31)):
        # A tenant's longer period (up to 90 days) never keeps them past the 30 days agreed to.
        assert purge_due(db, owner.tenant_id, now - timedelta(days=60)) == 1
    db.rollback()

    erase_person(db, owner.tenant_id, EMAIL)
    db.commit()
    assert _count(db, SavedAnswers) == 0
    record = db.execute(select(ConsentRecord).execution_options(all_tenants=True)).scalar_one()
    assert record.ip_hash == "" and record.text_shown  # the proof stays, without who


def test_the_daily_retention_job_deletes_them_after_30_days(client, db, owner, settings):
    from landform.privacy.retention.services import run_daily

    form = _stepped(db, owner)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        state = _to_later_step(client, form)
        client.post(
            f"/f/{form.key}/later", data={"_later": state, "_later_email": EMAIL, "_later_keep": "on"}
        )
    with time_machine.travel(start + timedelta(days=29), tick=False):
        run_daily(settings)
    assert _count(db, SavedAnswers) == 1
    with time_machine.travel(start + timedelta(days=31), tick=False):
        run_daily(settings)
    assert _count(db, SavedAnswers) == 0


def test_a_stranger_tenant_cannot_read_them(client, db, owner, stranger):
    form = _stepped(db, owner)
    _save(client, form)
    path = _link(db)
    db.expire_all()
    db.info.pop("tenant_id", None)
    scope_to_tenant(db, stranger.tenant_id)
    assert db.execute(select(SavedAnswers)).scalars().all() == []
    strangers = db.get_one(Tenant, stranger.tenant_id)
    assert collect(db, strangers, EMAIL).get("unfinished_answers") == []
    # Nor through another form's address with this link.
    other = make_form(db, stranger, "Other")
    other.allow_resume = True
    republish(db, other)
    stolen = client.get(path.replace(form.key, other.key))
    assert stolen.status_code == 410


def test_it_emails_the_link_in_the_visitors_language_with_the_organisations_name(client, db, owner, inbox):
    form = _stepped(db, owner)
    client.headers["Accept-Language"] = "nl"
    state = _to_later_step(client, form)
    response = client.post(
        f"/f/{form.key}/later", data={"_later": state, "_later_email": EMAIL, "_later_keep": "on"}
    )
    assert "We hebben een link gemaild naar" in response.text
    tenant = db.get_one(Tenant, owner.tenant_id)
    mail = inbox.wait(EMAIL)
    assert str(mail["Subject"]) == f"Maak je formulier voor {tenant.name} af"
    text = mail.get_body(("plain",)).get_content()
    assert "Offerte aanvragen" in text
    path = re.search(r"https?://[^/\s]+(/f/[^\s]+/resume\?token=[^\s]+)", text).group(1)
    assert "Sanne" in client.get(path).text


def test_it_sends_one_link_to_an_address_asked_twice_within_minutes(client, db, owner):
    form = _stepped(db, owner)
    _save(client, form)
    _save(client, form)
    assert _count(db, EmailMessage) == 1
    assert _count(db, SavedAnswers) == 1  # the first link still opens the answers


def test_it_is_a_form_setting_off_by_default(client, db, owner):
    form = make_form(db, owner)
    assert not form.allow_resume
    assert "/later" not in client.get(f"/f/{form.key}").text
    form.allow_resume = True
    republish(db, form)
    assert f'formaction="/f/{form.key}/later"' in client.get(f"/f/{form.key}").text


def test_a_marketer_turns_it_on_in_the_forms_settings(client, db, owner):
    form = make_form(db, owner)
    log_in(client, owner)
    assert "Visitors may save and finish later" in client.get(f"/app/forms/{form.id}").text
    settings = {
        "name": form.name,
        "submit_nl": form.submit_label.get("nl", ""),
        "submit_en": form.submit_label.get("en", ""),
        "thank_you_nl": form.thank_you.get("nl", ""),
        "thank_you_en": form.thank_you.get("en", ""),
        "allow_resume": "on",
    }
    response = post_form(client, f"/app/forms/{form.id}/settings", settings)
    assert response.status_code < 400, response.text
    db.expire_all()
    assert db.get_one(Form, form.id).allow_resume
    assert f'formaction="/f/{form.key}/later"' in client.get(f"/f/{form.key}").text
