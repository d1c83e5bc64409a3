"""The personal-data convention and the anonymizer every erasure and account deletion relies on."""

from __future__ import annotations

from sqlalchemy import func, select

from landform.consent.models import ConsentRecord
from landform.core.db import scope_to_tenant, utcnow
from landform.core.personal_data import NOT_PERSONAL, anonymize, undecided_columns
from landform.crm_sink.models import Contact
from landform.models import metadata
from landform.privacy.models import PrivacyRequest


def test_it_knows_for_every_text_column_whether_it_holds_personal_data():
    undecided = undecided_columns(metadata)
    assert not undecided, (
        "These columns hold text, JSON or bytes but nobody decided whether they are personal data: "
        "add info={'personal': True} (erasure and account deletion empty them) or "
        f"info={{'personal': False}} to each: {undecided}"
    )


def test_its_list_of_columns_that_are_not_personal_names_only_columns_that_exist():
    columns = {f"{t.name}.{c.name}" for t in metadata.sorted_tables for c in t.columns}
    listed = {f"{table}.{column}" for table, names in NOT_PERSONAL.items() for column in names}
    assert listed <= columns, listed - columns


def _contact(db, persona, email: str, first: str) -> Contact:
    contact = Contact(
        tenant_id=persona.tenant_id,
        email=email,
        email_key=email,
        first_name=first,
        last_name="Jansen",
        phone="+31612345678",
        company_name="Jansen BV",
    )
    db.add(contact)
    db.flush()
    return contact


def test_it_empties_personal_columns_and_keeps_ids_times_and_counts(db, owner):
    scope_to_tenant(db, owner.tenant_id)
    erased = _contact(db, owner, "anna@example.com", "Anna")
    kept = _contact(db, owner, "bram@example.com", "Bram")
    record = ConsentRecord(
        tenant_id=owner.tenant_id,
        contact_id=erased.id,
        text_shown="Ja, stuur mij de nieuwsbrief.",
        language="nl",
        given=True,
        occurred_at=utcnow(),
        method="form",
        ip_hash="abc123",
        user_agent_family="Firefox",
        evidence={"parent_ip_hash": "def456"},
    )
    db.add(record)
    db.commit()
    created = erased.created_at

    contacts = Contact.__table__
    records = ConsentRecord.__table__
    assert anonymize(db, contacts, contacts.c.id == erased.id) == 1
    # The ledger refuses ORM updates; the anonymizer empties its personal fields all the same.
    assert anonymize(db, records, records.c.contact_id == erased.id) == 1
    db.commit()
    db.expire_all()

    gone = db.get_one(Contact, erased.id)
    assert (gone.email, gone.email_key) == ("", f"erased-{erased.id.hex}@invalid")
    assert (gone.first_name, gone.last_name, gone.phone, gone.company_name) == ("", "", "", "")
    assert gone.created_at == created
    proof = db.get_one(ConsentRecord, record.id)
    assert (proof.ip_hash, proof.user_agent_family, proof.evidence) == ("", "", {})
    assert proof.text_shown == "Ja, stuur mij de nieuwsbrief."
    assert (proof.given, proof.contact_id) == (True, erased.id)
    assert db.get_one(Contact, kept.id).first_name == "Bram"
    assert db.execute(select(func.count(Contact.id))).scalar_one() == 2


def test_it_gives_each_erased_row_its_own_unique_marker(db, owner):
    scope_to_tenant(db, owner.tenant_id)
    for n in range(3):
        _contact(db, owner, f"p{n}@example.com", f"P{n}")
    db.commit()
    contacts = Contact.__table__
    assert anonymize(db, contacts, contacts.c.tenant_id == owner.tenant_id) == 3
    db.commit()
    keys = set(db.execute(select(Contact.email_key)).scalars())
    assert len(keys) == 3 and all(k.startswith("erased-") for k in keys)


def test_it_leaves_rows_alone_when_nothing_matches(db, owner):
    requests = PrivacyRequest.__table__
    assert anonymize(db, requests, requests.c.tenant_id == owner.tenant_id) == 0
