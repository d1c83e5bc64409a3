"""What a sales team notices of routing: the right company, the right owner in turn, tags, mapped fields."""

from __future__ import annotations

from sqlalchemy import func, select

from landform.accounts.models import Role, Tenant
from landform.core.db import scope_to_tenant
from landform.crm_sink.assignment.models import (
    Department,
    DepartmentMember,
    FieldMapping,
    RoutingRule,
    RoutingSettings,
)
from landform.crm_sink.leads.writing import route_submissions
from landform.crm_sink.models import Activity, Company, Contact, ContactTag, Submission
from tests.conftest import form_token, make_form, make_user, republish, wait_for
from tests.consent.helpers import make_purpose

EXTRA_FIELDS = [
    {"name": "company", "type": "company_name", "label": {"nl": "Bedrijf", "en": "Company"}},
    {"name": "kvk", "type": "kvk_number", "label": {"nl": "KvK", "en": "KvK"}},
    {"name": "vat", "type": "vat_number", "label": {"nl": "Btw", "en": "VAT"}},
    {"name": "website", "type": "website", "label": {"nl": "Website", "en": "Website"}},
    {"name": "phone", "type": "phone", "label": {"nl": "Telefoon", "en": "Phone"}},
    {"name": "role", "type": "text", "label": {"nl": "Functie", "en": "Role"}},
    {"name": "city", "type": "text", "label": {"nl": "Plaats", "en": "City"}},
    {"name": "employees", "type": "number", "label": {"nl": "Medewerkers", "en": "Employees"}},
    {"name": "utm_campaign", "type": "hidden", "label": {"nl": "", "en": ""}},
    {"name": "consent", "type": "consent", "label": {"nl": "Ik wil de nieuwsbrief", "en": "Newsletter"}},
]


def _form(db, persona, name="Brochure request", tags=()):
    form = make_form(db, persona, name)
    purpose, text = make_purpose(db, persona)  # a consent box always names its purpose
    consent = {**EXTRA_FIELDS[-1], "purpose_id": str(purpose.id), "consent_text_id": str(text.id)}
    form.fields = [*form.fields, *EXTRA_FIELDS[:-1], consent]
    form.crm_tags = list(tags)
    republish(db, form)
    return form


def _submit(client, form, email, **answers):
    token = form_token(client, f"/f/{form.key}")
    body = {"first_name": "Lead", "email": email, "_lf_token": token, **answers}
    response = client.post(f"/f/{form.key}", json=body)
    assert response.status_code == 201, response.text


def _routed(db, count):
    def done():
        db.expire_all()
        return (
            db.execute(
                select(func.count(Submission.id))
                .where(Submission.routed_at.is_not(None))
                .execution_options(all_tenants=True)
            ).scalar_one()
            == count
        )

    wait_for(done)


def _contact(db, email):
    db.expire_all()
    return db.execute(
        select(Contact).where(Contact.email_key == email.casefold()).execution_options(all_tenants=True)
    ).scalar_one()


def _company(db, persona, name, **fields):
    company = Company(tenant_id=persona.tenant_id, name=name, **fields)
    db.add(company)
    db.commit()
    return company


def _department(db, persona, name, *members):
    scope_to_tenant(db, persona.tenant_id)
    department = Department(tenant_id=persona.tenant_id, name=name)
    db.add(department)
    db.flush()
    for user_id, rank in members:
        db.add(
            DepartmentMember(
                tenant_id=persona.tenant_id, department_id=department.id, user_id=user_id, rank=rank
            )
        )
    db.commit()
    return department


def _rule(db, persona, department, position, **conditions):
    db.add(
        RoutingRule(tenant_id=persona.tenant_id, department_id=department.id, position=position, **conditions)
    )
    db.commit()


def _reps(db, owner, *names):
    tenant = db.get_one(Tenant, owner.tenant_id)
    return [
        make_user(db, tenant, f"{name.lower()}@acme.example.com", Role.SALES_REP, first_name=name)
        for name in names
    ]


def test_it_matches_a_company_by_kvk_before_the_domain(client, db, owner):
    form = _form(db, owner)
    by_kvk = _company(db, owner, "Bakkerij Jansen", kvk_number="12345678", domain="jansen-brood.nl")
    _company(db, owner, "Jansen Holding", domain="jansen.nl")
    _submit(client, form, "piet@jansen.nl", company="Jansen", kvk="1234 5678")
    _routed(db, 1)
    assert _contact(db, "piet@jansen.nl").company_id == by_kvk.id


def test_it_matches_by_vat_then_by_the_email_domain_and_creates_a_named_company_once(client, db, owner):
    form = _form(db, owner)
    by_vat = _company(db, owner, "Vat BV", vat_number="NL004495445B01")
    _submit(client, form, "a@somewhere.nl", vat="NL 0044.95.445.B01")
    _submit(client, form, "jan@bakker-bouw.nl", company="Bakker Bouw")
    _submit(client, form, "kees@bakker-bouw.nl")  # no company named: the domain finds it
    _routed(db, 3)
    assert _contact(db, "a@somewhere.nl").company_id == by_vat.id
    created = db.execute(
        select(Company).where(Company.name == "Bakker Bouw").execution_options(all_tenants=True)
    ).scalar_one()
    assert created.domain == "bakker-bouw.nl"
    assert _contact(db, "jan@bakker-bouw.nl").company_id == created.id
    assert _contact(db, "kees@bakker-bouw.nl").company_id == created.id


def test_it_never_matches_companies_by_a_free_mail_domain(client, db, owner):
    form = _form(db, owner)
    _submit(client, form, "one@gmail.com", company="Eerste BV")
    _submit(client, form, "two@hotmail.co.uk", company="Tweede BV")
    _submit(client, form, "three@ziggo.nl")
    _submit(client, form, "four@gmail.com", website="www.vierde.nl", company="Vierde")
    _routed(db, 4)
    companies = {
        c.name: c.domain for c in db.execute(select(Company).execution_options(all_tenants=True)).scalars()
    }
    assert companies == {"Eerste BV": "", "Tweede BV": "", "Vierde": "vierde.nl"}
    assert _contact(db, "three@ziggo.nl").company_id is None
    assert _contact(db, "one@gmail.com").company_id != _contact(db, "two@hotmail.co.uk").company_id


def test_it_hands_out_leads_in_turn_within_the_best_rank(client, db, owner):
    ann, bob, cor = _reps(db, owner, "Ann", "Bob", "Cor")
    sales = _department(db, owner, "Sales", (ann.user_id, 1), (bob.user_id, 1), (cor.user_id, 2))
    _rule(db, owner, sales, 0)
    form = _form(db, owner)
    for n in range(4):
        _submit(client, form, f"lead{n}@example.com")
        _routed(db, n + 1)
    owners = [_contact(db, f"lead{n}@example.com").owner_id for n in range(4)]
    assert owners[0] != owners[1]
    assert owners == [owners[0], owners[1]] * 2
    assert set(owners) == {ann.user_id, bob.user_id}  # the second rank waits
    # A returning lead keeps its owner.
    _submit(client, form, "lead0@example.com")
    _routed(db, 5)
    assert _contact(db, "lead0@example.com").owner_id == owners[0]


def test_the_second_rank_gets_leads_when_the_first_is_empty(client, db, owner):
    (cor,) = _reps(db, owner, "Cor")
    sales = _department(db, owner, "Sales", (cor.user_id, 2))
    _rule(db, owner, sales, 0)
    form = _form(db, owner)
    _submit(client, form, "x@example.com")
    _routed(db, 1)
    assert _contact(db, "x@example.com").owner_id == cor.user_id


def test_the_first_matching_rule_wins(client, db, owner):
    eva, sam, nina = _reps(db, owner, "Eva", "Sam", "Nina")
    events = _department(db, owner, "Events", (eva.user_id, 1))
    sales = _department(db, owner, "Sales", (sam.user_id, 1))
    enterprise = _department(db, owner, "Enterprise", (nina.user_id, 1))
    form = _form(db, owner)
    other_form = _form(db, owner, "Other")
    _rule(db, owner, events, 0, utm_campaign="Beurs-2026")
    _rule(db, owner, enterprise, 1, min_company_size=250)
    _rule(db, owner, sales, 2, country="BE")
    _rule(db, owner, sales, 3, form_id=other_form.id)
    _submit(client, form, "fair@example.com", utm_campaign="beurs-2026", employees="1000")
    _submit(client, form, "big@example.com", employees="1000", company="Big", vat="BE0403170701")
    _submit(client, form, "belgian@example.com", employees="10", company="Small", vat="BE0403170701")
    _submit(client, other_form, "other@example.com")
    _submit(client, form, "nobody@example.com")
    _routed(db, 5)
    assert _contact(db, "fair@example.com").owner_id == eva.user_id
    assert _contact(db, "other@example.com").owner_id == sam.user_id
    # This form maps no answer to the company size, so the size rule cannot match; the VAT number says BE.
    assert _contact(db, "big@example.com").owner_id == sam.user_id
    assert _contact(db, "belgian@example.com").owner_id == sam.user_id
    assert _contact(db, "nobody@example.com").owner_id is None  # no rule, no fallback


def test_company_size_and_country_rules(client, db, owner):
    sam, nina = _reps(db, owner, "Sam", "Nina")
    sales = _department(db, owner, "Sales", (sam.user_id, 1))
    enterprise = _department(db, owner, "Enterprise", (nina.user_id, 1))
    _rule(db, owner, enterprise, 0, min_company_size=250)
    _rule(db, owner, sales, 1, country="BE")
    form = _form(db, owner)
    db.add(
        FieldMapping(
            tenant_id=owner.tenant_id, form_id=form.id, target="company.size", field_name="employees"
        )
    )
    db.commit()
    _submit(client, form, "big@big.be", employees="1000", company="Big", vat="BE0403170701")
    _submit(client, form, "small@small.be", employees="10", company="Small", vat="BE0417497106")
    _routed(db, 2)
    assert _contact(db, "big@big.be").owner_id == nina.user_id
    assert _contact(db, "small@small.be").owner_id == sam.user_id


def test_it_falls_back_to_the_fallback_owner(client, db, owner):
    (sam,) = _reps(db, owner, "Sam")
    empty = _department(db, owner, "Nobody home")
    form = _form(db, owner)
    _rule(db, owner, empty, 0, utm_campaign="spring")
    db.add(RoutingSettings(tenant_id=owner.tenant_id, fallback_owner_id=sam.user_id))
    db.commit()
    _submit(client, form, "spring@example.com", utm_campaign="spring")
    _submit(client, form, "plain@example.com")
    _routed(db, 2)
    assert _contact(db, "spring@example.com").owner_id == sam.user_id
    assert _contact(db, "plain@example.com").owner_id == sam.user_id


def test_field_mapping_overwrites_or_only_fills_blanks(client, db, owner):
    form = _form(db, owner)
    for target, field_name, overwrite in (
        ("contact.job_title", "role", False),
        ("company.city", "city", True),
        ("contact.last_name", "", True),  # this form fills no last name
    ):
        db.add(
            FieldMapping(
                tenant_id=owner.tenant_id,
                form_id=form.id,
                target=target,
                field_name=field_name,
                overwrite=overwrite,
            )
        )
    db.commit()
    _submit(
        client,
        form,
        "p@acme-bv.nl",
        first_name="Piet",
        last_name="X",
        role="Inkoper",
        company="Acme",
        city="Delft",
    )
    _routed(db, 1)
    _submit(client, form, "p@acme-bv.nl", first_name="Pieter", role="Directeur", city="Leiden")
    _routed(db, 2)
    contact = _contact(db, "p@acme-bv.nl")
    assert contact.first_name == "Pieter"  # unmapped: the newest answer wins, as before
    assert contact.job_title == "Inkoper"  # fill blanks only: the first answer stays
    assert contact.last_name == ""
    assert db.get(Company, contact.company_id).city == "Leiden"  # overwrite


def test_it_tags_contacts_and_records_form_page_utm_and_consent_on_the_timeline(client, db, owner):
    form = _form(db, owner, tags=["brochure", "beurs"])
    _submit(client, form, "t@example.com", utm_campaign="spring", consent="on", phone="06 12345678")
    _routed(db, 1)
    contact = _contact(db, "t@example.com")
    assert contact.phone == "+31612345678"
    tags = db.execute(
        select(ContactTag.tag).where(ContactTag.contact_id == contact.id).execution_options(all_tenants=True)
    ).scalars()
    assert sorted(tags) == ["beurs", "brochure"]
    activity = db.execute(
        select(Activity).where(Activity.contact_id == contact.id).execution_options(all_tenants=True)
    ).scalar_one()
    assert activity.details["form_id"] == str(form.id)
    assert activity.details["form_name"] == "Brochure request"
    assert activity.details["utm_campaign"] == "spring"
    assert activity.details["consents"]["consent"]["given"] is True


def test_a_batch_with_one_address_twice_makes_one_contact_and_is_idempotent(client, db, owner, monkeypatch):
    form = _form(db, owner, tags=["x"])
    # Stop the in-process worker from routing, so one batch sees them all.
    from landform.core.jobs import handoff

    monkeypatch.setattr(handoff, "send", lambda *_args: True)
    for n in range(3):
        _submit(client, form, "Same@Example.com", first_name=f"Try{n}")
    _submit(client, form, "bad-row@example.com")
    ids = list(db.execute(select(Submission.id).execution_options(all_tenants=True)).scalars())
    db.execute(Submission.__table__.update().where(Submission.id == ids[-1]).values(contact_fields={}))
    db.commit()
    db.expire_all()
    failed = route_submissions(db, ids)
    db.commit()
    assert list(failed) == [ids[-1]]
    assert route_submissions(db, ids) == {ids[-1]: failed[ids[-1]]}
    db.commit()
    contacts = db.execute(select(Contact).execution_options(all_tenants=True)).scalars().all()
    assert [c.first_name for c in contacts] == ["Try2"]
    assert db.execute(select(func.count(Activity.id)).execution_options(all_tenants=True)).scalar_one() == 3
    assert db.execute(select(func.count(ContactTag.id)).execution_options(all_tenants=True)).scalar_one() == 1


def test_a_marketer_sets_the_tags_a_form_adds_in_its_settings(client, db, owner, marketer):
    from tests.conftest import log_in, post_form

    form = make_form(db, owner)
    log_in(client, marketer)
    settings = {
        "name": "Brochure",
        "submit_nl": "Stuur",
        "submit_en": "Send",
        "thank_you_nl": "",
        "thank_you_en": "",
    }
    too_many = post_form(
        client, f"/app/forms/{form.id}/settings", {**settings, "crm_tags": ",".join("abcdefghijk")}
    )
    assert too_many.status_code == 422
    post_form(
        client, f"/app/forms/{form.id}/settings", {**settings, "crm_tags": "brochure, beurs , brochure"}
    )
    db.expire_all()
    assert db.get(type(form), form.id).crm_tags == ["brochure", "beurs"]
    assert "brochure, beurs" in client.get(f"/app/forms/{form.id}").text
    client.cookies.clear()
    _submit(client, form, "tagged@example.com")
    _routed(db, 1)
    tags = db.execute(select(ContactTag.tag).execution_options(all_tenants=True)).scalars()
    assert sorted(tags) == ["beurs", "brochure"]


def test_concurrent_batches_never_give_two_leads_the_same_turn(client, db, owner, settings, monkeypatch):
    import threading

    from landform.core.db import sync_session
    from landform.core.jobs import handoff

    if settings.database.is_sqlite:
        return  # SQLite runs one writer at a time; the race only exists on PostgreSQL
    ann, bob = _reps(db, owner, "Ann", "Bob")
    sales = _department(db, owner, "Sales", (ann.user_id, 1), (bob.user_id, 1))
    _rule(db, owner, sales, 0)
    form = _form(db, owner)
    monkeypatch.setattr(handoff, "send", lambda *_args: True)  # nothing routes until the batches below
    for n in range(20):
        _submit(client, form, f"race{n}@example.com")
    ids = list(db.execute(select(Submission.id).execution_options(all_tenants=True)).scalars())
    start = threading.Barrier(2)

    def route(half):
        start.wait()
        for submission_id in half:  # one lead a transaction: every turn is taken under contention
            with sync_session(settings.database.sync_url) as session:
                route_submissions(session, [submission_id])
                session.commit()

    threads = [threading.Thread(target=route, args=(ids[n::2],)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    owners = db.execute(select(Contact.owner_id).execution_options(all_tenants=True)).scalars().all()
    assert sorted(owners.count(user) for user in (ann.user_id, bob.user_id)) == [10, 10]


def test_concurrent_batches_naming_the_same_company_create_it_once(client, db, owner, settings, monkeypatch):
    import threading

    from landform.core.db import sync_session
    from landform.core.jobs import handoff

    if settings.database.is_sqlite:
        return  # SQLite runs one writer at a time; the race only exists on PostgreSQL
    form = _form(db, owner)
    monkeypatch.setattr(handoff, "send", lambda *_args: True)  # nothing routes until the batches below
    for n in range(16):
        answers = {"company": "Bakker Bouw"} if n % 4 else {}  # some only match by their domain
        _submit(client, form, f"race{n}@bakker-bouw.nl", **answers)
    ids = list(db.execute(select(Submission.id).execution_options(all_tenants=True)).scalars())
    start = threading.Barrier(2)

    def route(half):
        start.wait()
        for submission_id in half:
            with sync_session(settings.database.sync_url) as session:
                route_submissions(session, [submission_id])
                session.commit()

    threads = [threading.Thread(target=route, args=(ids[n::2],)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    companies = db.execute(select(Company).execution_options(all_tenants=True)).scalars().all()
    assert [company.name for company in companies] == ["Bakker Bouw"]
    named = [_contact(db, f"race{n}@bakker-bouw.nl") for n in range(16) if n % 4]
    assert {contact.company_id for contact in named} == {companies[0].id}
