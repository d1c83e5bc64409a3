"""The owner hears of a new lead: an e-mail at once in their own language, or a digest at their pace."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select, update

from landform.accounts.models import Role, Tenant, User
from landform.core.db import scope_to_tenant, sync_session, utcnow
from landform.core.mail import EmailMessage
from landform.crm_sink.assignment.models import RoutingSettings
from landform.crm_sink.models import Activity, Contact, Submission
from landform.crm_sink.notify.owner_mail import BURST, notify_lead_owners, send_digests
from tests.conftest import log_in, make_form, make_user, post_form, republish, wait_for
from tests.consent.helpers import contact_by_email, submit


def _rep(db, owner, *, language="nl", notifications="immediately"):
    rep = make_user(
        db, db.get_one(Tenant, owner.tenant_id), "ruben@acme.example.com", Role.SALES_REP, first_name="Ruben"
    )
    db.execute(
        update(User)
        .where(User.id == rep.user_id)
        .values(language=language, lead_notifications=notifications)
        .execution_options(all_tenants=True)
    )
    scope_to_tenant(db, owner.tenant_id)
    db.add(RoutingSettings(tenant_id=owner.tenant_id, fallback_owner_id=rep.user_id))
    db.commit()
    return rep


def _form(db, owner):
    form = make_form(db, owner)
    form.fields = [
        *form.fields,
        {
            "name": "season",
            "type": "radio",
            "required": False,
            "label": {"nl": "Wanneer wilt u zonwering?", "en": "When would you like awnings?"},
            "options": [
                {"value": "autumn", "label": {"nl": "In de herfst", "en": "In the autumn"}},
                {"value": "spring", "label": {"nl": "In het voorjaar", "en": "In the spring"}},
            ],
        },
    ]
    republish(db, form)
    return form


def _mails_to(db, address):
    db.expire_all()
    return list(
        db.execute(
            select(EmailMessage)
            .where(EmailMessage.recipient == address)
            .order_by(EmailMessage.created_at, EmailMessage.id)
            .execution_options(all_tenants=True)
        ).scalars()
    )


def test_the_owner_gets_an_email_at_once_in_their_own_language(client, db, owner, inbox):
    rep = _rep(db, owner, language="nl")
    form = _form(db, owner)
    answers = {"first_name": "Anna", "last_name": "Smit", "email": "anna@example.com", "season": "autumn"}
    started = utcnow()
    assert submit(client, form, answers, **{"Accept-Language": "en"}).status_code == 201

    message = inbox.wait(rep.email)
    assert (utcnow() - started).total_seconds() < 60
    assert message["Subject"] == "Nieuwe lead: Anna Smit (Brochure request)"
    text = message.get_body(("plain",)).get_content()
    assert "Hallo Ruben," in text and "anna@example.com" in text
    # The answer as the visitor saw it (they read the form in English), never the stored key.
    assert "When would you like awnings?: In the autumn" in text and "autumn\n" not in text
    contact = contact_by_email(db, "anna@example.com")
    assert f"http://testserver.local/app/contacts/{contact.id}" in text
    assert "List-Unsubscribe" not in message  # to a colleague, not to a contact
    assert inbox.to(owner.email) == []  # the lead is the rep's


def test_an_owner_who_chose_never_or_a_digest_gets_no_mail_per_lead(client, db, owner, inbox):
    rep = _rep(db, owner, notifications="hourly")
    submit(client, _form(db, owner), {"first_name": "Bo", "email": "bo@example.com"})
    wait_for(lambda: (c := contact_by_email(db, "bo@example.com")) and c.owner_id == rep.user_id)
    wait_for(lambda: not _pending_jobs(db))
    assert _mails_to(db, rep.email) == []


def test_a_few_leads_at_once_each_get_their_own_email(client, db, owner, settings, inbox):
    rep = _rep(db, owner, language="nl")
    form = _form(db, owner)
    for name in ("Anna", "Bram"):
        submit(
            client, form, {"first_name": name, "last_name": "Smit", "email": f"{name.lower()}@example.com"}
        )
    wait_for(lambda: all(contact_by_email(db, f"{n}@example.com") for n in ("anna", "bram")))
    wait_for(lambda: not _pending_jobs(db))
    before = len(_mails_to(db, rep.email))
    submission_ids = list(
        db.scalars(
            select(Submission.id).where(Submission.form_id == form.id).execution_options(all_tenants=True)
        )
    )
    with sync_session(settings.database.sync_url) as session:
        notify_lead_owners(session, submission_ids)
        session.commit()
    subjects = sorted(mail.subject for mail in _mails_to(db, rep.email)[before:])
    assert subjects == [
        "Nieuwe lead: Anna Smit (Brochure request)",
        "Nieuwe lead: Bram Smit (Brochure request)",
    ]


def test_a_burst_of_leads_for_one_owner_is_one_email_listing_them(client, db, owner, settings, inbox):
    rep = _rep(db, owner, language="nl")
    form = _form(db, owner)
    people = ("Anna", "Bram", "Cor", "Daan", "Eva", "Fem", "Gijs", "Hans", "Ilse", "Jan", "Kees")
    emails = [f"{name.lower()}@example.com" for name in people]
    for name, email in zip(people, emails, strict=True):
        submit(client, form, {"first_name": name, "last_name": "Smit", "email": email})
    wait_for(lambda: all((c := contact_by_email(db, email)) and c.owner_id for email in emails))
    wait_for(lambda: not _pending_jobs(db))
    before = len(_mails_to(db, rep.email))
    submission_ids = list(
        db.scalars(
            select(Submission.id).where(Submission.form_id == form.id).execution_options(all_tenants=True)
        )
    )
    assert len(submission_ids) == 11 > BURST

    # Eleven routed in one batch (an import, a campaign's first minute): one e-mail, not eleven.
    with sync_session(settings.database.sync_url) as session:
        assert notify_lead_owners(session, submission_ids) == {}
        session.commit()
    mails = _mails_to(db, rep.email)
    assert len(mails) == before + 1
    burst = mails[-1]
    assert burst.subject == "11 nieuwe leads voor je"
    assert "Zojuist zijn 11 leads aan jou toegewezen:" in burst.body_text
    for name in people:
        contact = contact_by_email(db, f"{name.lower()}@example.com")
        assert f"{name} Smit" in burst.body_text and f"/app/contacts/{contact.id}" in burst.body_text


def _pending_jobs(db):
    from landform.core.jobs.models import OutboxJob

    db.expire_all()
    return db.execute(
        select(OutboxJob).where(OutboxJob.done_at.is_(None), OutboxJob.failed_at.is_(None))
    ).all()


def test_the_digest_comes_at_the_frequency_the_owner_chose(client, db, owner, settings):
    rep = _rep(db, owner, notifications="hourly")
    form = _form(db, owner)
    submit(client, form, {"first_name": "Bo", "email": "bo@example.com", "season": "spring"})
    wait_for(lambda: contact_by_email(db, "bo@example.com"))
    now = utcnow()

    with time_machine.travel(now + timedelta(minutes=2), tick=False):
        assert send_digests(settings) == 1
    [digest] = _mails_to(db, rep.email)
    assert digest.subject == "1 nieuwe lead voor je"
    assert "Bo" in digest.body_text and form.name in digest.body_text

    submit(client, form, {"first_name": "Cas", "email": "cas@example.com"})
    cas = wait_for(lambda: contact_by_email(db, "cas@example.com"))
    # Routed a while after the first digest, as seen from the travelled clock.
    db.execute(
        update(Activity)
        .where(Activity.contact_id == cas.id)
        .values(created_at=now + timedelta(minutes=40))
        .execution_options(all_tenants=True)
    )
    db.commit()
    with time_machine.travel(now + timedelta(minutes=45), tick=False):
        assert send_digests(settings) == 0  # not an hour since the last one
    with time_machine.travel(now + timedelta(minutes=63), tick=False):
        assert send_digests(settings) == 1
        assert send_digests(settings) == 0  # a second worker's run sends nothing more
    latest = _mails_to(db, rep.email)[-1]
    assert "Cas" in latest.body_text and "Bo" not in latest.body_text

    # Daily: nothing after an hour, the day's leads after a day.
    db.execute(
        update(User)
        .where(User.id == rep.user_id)
        .values(lead_notifications="daily")
        .execution_options(all_tenants=True)
    )
    db.commit()
    db.execute(
        update(Activity)
        .where(Activity.contact_id == cas.id)
        .values(created_at=now + timedelta(hours=5))
        .execution_options(all_tenants=True)
    )
    db.commit()
    with time_machine.travel(now + timedelta(hours=6), tick=False):
        assert send_digests(settings) == 0
    with time_machine.travel(now + timedelta(hours=25, minutes=3), tick=False):
        assert send_digests(settings) == 1
    assert len(_mails_to(db, rep.email)) == 3


def test_a_user_chooses_how_often_on_their_profile(client, db, owner):
    log_in(client, owner)
    page = client.get("/app/me/")
    assert 'name="lead_notifications" value="daily"' in page.text
    profile = {"first_name": "Olga", "last_name": "User", "language": "en", "timezone": "Europe/Amsterdam"}
    wrong = post_form(client, "/app/me/", {**profile, "lead_notifications": "weekly"})
    assert wrong.status_code == 422 and "how often you hear of new leads" in wrong.text
    post_form(client, "/app/me/", {**profile, "lead_notifications": "daily"})
    db.expire_all()
    scope_to_tenant(db, owner.tenant_id)
    assert db.get(User, owner.user_id).lead_notifications == "daily"
    assert 'value="daily" checked' in client.get("/app/me/").text


def test_a_new_accounts_owner_gets_the_leads_no_rule_places(client, db):
    response = post_form(
        client,
        "/signup",
        {
            "company": "Eenmanszaak Jansen",
            "first_name": "Jan",
            "last_name": "Jansen",
            "email": "jan@jansen.example.com",
            "password": "een lang en sterk wachtwoord 42",
            "language": "nl",
        },
        follow_redirects=False,
    )
    assert response.status_code < 400, response.text
    user = db.execute(
        select(User).where(User.email == "jan@jansen.example.com").execution_options(all_tenants=True)
    ).scalar_one()
    settings = db.execute(
        select(RoutingSettings)
        .where(RoutingSettings.tenant_id == user.tenant_id)
        .execution_options(all_tenants=True)
    ).scalar_one()
    assert settings.fallback_owner_id == user.id
    form = make_form(db, type("P", (), {"tenant_id": user.tenant_id})())
    submit(client, form, {"first_name": "Kees", "email": "kees@example.com"})
    contact = wait_for(lambda: contact_by_email(db, "kees@example.com"))
    assert contact.owner_id == user.id
    assert db.get(Contact, contact.id).owner_id == user.id


def test_the_owners_email_about_a_person_goes_with_their_erasure(client, db, owner, inbox):
    from landform.privacy.fulfilment.erase import erase_person

    rep = _rep(db, owner)
    submit(client, _form(db, owner), {"first_name": "Anna", "last_name": "Smit", "email": "anna@example.com"})
    inbox.wait(rep.email)
    [mail] = wait_for(lambda: [m for m in _mails_to(db, rep.email) if m.sent_at])
    assert "anna@example.com" in mail.body_text
    scope_to_tenant(db, owner.tenant_id)
    erase_person(db, owner.tenant_id, "anna@example.com")
    db.commit()
    db.expire_all()
    mail = db.get_one(EmailMessage, mail.id)
    assert "anna" not in (mail.recipient + mail.subject + mail.body_text + mail.body_html).casefold()
