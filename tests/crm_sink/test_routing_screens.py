"""The routing screens: an owner sets up departments, ranks, rules, the fallback owner and field mapping."""

from __future__ import annotations

from sqlalchemy import select

from landform.core.db import scope_to_tenant
from landform.crm_sink.assignment.models import (
    Department,
    DepartmentMember,
    FieldMapping,
    RoutingRule,
    RoutingSettings,
)
from tests.conftest import log_in, make_form, post_form


def make_routing(db, persona):
    """A department with the persona as member and one rule sending everything there."""
    scope_to_tenant(db, persona.tenant_id)
    department = Department(tenant_id=persona.tenant_id, name="Sales")
    db.add(department)
    db.flush()
    member = DepartmentMember(
        tenant_id=persona.tenant_id, department_id=department.id, user_id=persona.user_id
    )
    rule = RoutingRule(tenant_id=persona.tenant_id, department_id=department.id, position=1)
    db.add_all([member, rule])
    db.commit()
    return department, member, rule


def _all(db, model):
    db.expire_all()
    return db.execute(select(model).execution_options(all_tenants=True)).scalars().all()


def test_it_lets_an_owner_set_up_departments_members_rules_and_the_fallback(client, db, owner, sales_rep):
    form = make_form(db, owner)
    log_in(client, owner)
    page = client.get("/app/routing/")
    assert page.status_code == 200
    assert "Lead routing" in page.text
    assert post_form(client, "/app/routing/departments", {"name": "Sales"}).status_code == 200
    (department,) = _all(db, Department)
    response = post_form(
        client,
        f"/app/routing/departments/{department.id}/members",
        {"user_id": str(sales_rep.user_id), "rank": "2"},
    )
    assert response.status_code == 200
    assert "Sam" in response.text
    (member,) = _all(db, DepartmentMember)
    assert (member.user_id, member.rank) == (sales_rep.user_id, 2)
    post_form(client, f"/app/routing/members/{member.id}/rank", {"rank": "1"})
    assert _all(db, DepartmentMember)[0].rank == 1

    post_form(client, "/app/routing/rules", {"department_id": str(department.id), "utm_campaign": "beurs"})
    post_form(
        client,
        "/app/routing/rules",
        {
            "department_id": str(department.id),
            "form_id": str(form.id),
            "country": "be",
            "min_company_size": "50",
        },
    )
    rules = sorted(_all(db, RoutingRule), key=lambda r: r.position)
    assert [(r.utm_campaign, r.country, r.min_company_size) for r in rules] == [
        ("beurs", "", None),
        ("", "BE", 50),
    ]
    page = post_form(client, f"/app/routing/rules/{rules[1].id}/move", {"direction": "up"})
    assert page.text.index("BE") < page.text.index("beurs")
    assert [r.country for r in sorted(_all(db, RoutingRule), key=lambda r: r.position)] == ["BE", ""]
    post_form(client, f"/app/routing/rules/{rules[0].id}/delete", {})
    assert len(_all(db, RoutingRule)) == 1

    post_form(client, "/app/routing/fallback", {"user_id": str(sales_rep.user_id)})
    assert _all(db, RoutingSettings)[0].fallback_owner_id == sales_rep.user_id
    post_form(client, "/app/routing/fallback", {"user_id": ""})
    assert _all(db, RoutingSettings)[0].fallback_owner_id is None

    post_form(client, f"/app/routing/members/{member.id}/delete", {})
    assert _all(db, DepartmentMember) == []
    post_form(client, f"/app/routing/departments/{department.id}/delete", {})
    assert _all(db, Department) == [] and _all(db, RoutingRule) == []


def test_it_explains_what_it_cannot_do(client, db, owner, stranger):
    log_in(client, owner)
    post_form(client, "/app/routing/departments", {"name": "Sales"})
    again = post_form(client, "/app/routing/departments", {"name": "Sales"})
    assert again.status_code == 422
    assert "already" in again.text
    (department,) = _all(db, Department)
    # A person of another tenant cannot be made a member.
    stolen = post_form(
        client,
        f"/app/routing/departments/{department.id}/members",
        {"user_id": str(stranger.user_id), "rank": "1"},
    )
    assert stolen.status_code == 422
    assert (
        post_form(
            client, "/app/routing/rules", {"department_id": str(department.id), "country": "NLD"}
        ).status_code
        == 422
    )
    bad_size = {"department_id": str(department.id), "min_company_size": "many"}
    assert post_form(client, "/app/routing/rules", bad_size).status_code == 422
    assert _all(db, DepartmentMember) == [] and _all(db, RoutingRule) == []


def test_only_owners_and_admins_change_routing(client, db, owner, marketer):
    log_in(client, marketer)
    assert client.get("/app/routing/").status_code == 403
    assert post_form(client, "/app/routing/departments", {"name": "Mine"}).status_code == 403
    assert _all(db, Department) == []


def test_it_saves_a_forms_field_mapping(client, db, owner):
    form = make_form(db, owner)
    log_in(client, owner)
    page = client.get(f"/app/routing/forms/{form.id}/mapping")
    assert page.status_code == 200
    assert "Job title" in page.text
    response = post_form(
        client,
        f"/app/routing/forms/{form.id}/mapping",
        {
            "field_contact__job_title": "last_name",
            "field_contact__last_name": "",
            "overwrite_contact__last_name": "on",
        },
    )
    assert response.status_code == 200
    saved = {(m.target, m.field_name, m.overwrite) for m in _all(db, FieldMapping)}
    assert saved == {("contact.job_title", "last_name", False), ("contact.last_name", "", True)}
    # Back to the field types' own choice.
    post_form(client, f"/app/routing/forms/{form.id}/mapping", {})
    assert _all(db, FieldMapping) == []
    wrong = post_form(
        client, f"/app/routing/forms/{form.id}/mapping", {"field_company__city": "no_such_field"}
    )
    assert wrong.status_code == 422


def make_failed_job(db, persona):
    from landform.core.db import utcnow
    from landform.core.jobs.models import OutboxJob

    job = OutboxJob(
        actor_name="route_submission",
        subject_id=persona.user_id,
        tenant_id=persona.tenant_id,
        redispatch_at=utcnow(),
        failed_at=utcnow(),
        last_error="submission gone",
    )
    db.add(job)
    db.commit()
    return job
