"""Invitations, roles and removal; the profile and the company page."""

from __future__ import annotations

import time

import pytest
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from landform.accounts.models import Invitation, Role, Tenant, User
from landform.billing.models import Subscription
from tests.accounts.helpers import audit_kinds, link_in, mail_to, settled
from tests.conftest import PASSWORD, Persona, log_in, make_user, post_form
from tests.site.test_page_safety import png


@pytest.fixture(autouse=True)
def room_for_a_team(db, owner):
    """These tests grow teams beyond the Free plan's three users: the tenant is on Business."""
    db.add(Subscription(tenant_id=owner.tenant_id, plan="business", status="active"))
    db.commit()


NEW_PASSWORD = "a brand new team password"


def _invite(client, db, email="nina@acme.example.com", role="marketer") -> str:
    response = post_form(client, "/app/team/invite", {"email": email, "role": role})
    assert response.status_code == 200, response.text
    assert f"Invitation sent to {email}" in response.text
    return link_in(mail_to(db, email)[-1], "/invite/")


def _user(db, email: str) -> User | None:
    db.expire_all()
    return db.execute(
        select(User).where(User.email == email).execution_options(all_tenants=True)
    ).scalar_one_or_none()


def _join(client, link: str, **fields):
    token = link.split("token=")[1]
    data = {
        "token": token,
        "first_name": "Nina",
        "last_name": "Nieuw",
        "password": NEW_PASSWORD,
        "language": "en",
    }
    return post_form(client, "/invite/", {**data, **fields}, follow_redirects=False)


def test_it_lets_an_invitee_join_once_with_their_own_name_and_password(client, db, owner):
    log_in(client, owner)
    link = _invite(client, db)
    message = mail_to(db, "nina@acme.example.com")[-1]
    # In the company's language (Dutch), the role name too.
    assert "Olga User nodigt je uit om als Marketeer mee te doen met Acme Zonwering" in message.body_text
    client.cookies.clear()

    page = client.get(link)
    assert page.status_code == 200
    assert "nina@acme.example.com" in page.text
    response = _join(client, link)
    assert response.status_code in (302, 303)
    dashboard = client.get("/app")
    assert "Welcome to the team at Acme Zonwering" in dashboard.text
    nina = _user(db, "nina@acme.example.com")
    assert (nina.role, nina.first_name, nina.tenant_id) == (Role.MARKETER, "Nina", owner.tenant_id)
    assert nina.email_confirmed_at is not None

    client.cookies.clear()
    again = client.get(link)
    assert again.status_code == 400
    assert "Invitations work once" in again.text
    assert _join(client, link, first_name="Mallory").status_code == 400
    assert (
        db.execute(
            select(User).where(User.first_name == "Mallory").execution_options(all_tenants=True)
        ).first()
        is None
    )
    assert {"invite_sent", "invite_accepted"} <= set(audit_kinds(db, owner.tenant_id))


def test_it_refuses_an_expired_invitation(client, db, owner, monkeypatch):
    log_in(client, owner)
    eight_days_ago = int(time.time()) - 8 * 24 * 3600
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: eight_days_ago)
    link = _invite(client, db)
    monkeypatch.undo()
    client.cookies.clear()
    response = client.get(link)
    assert response.status_code == 400
    assert "This invitation has expired" in response.text
    assert _join(client, link).status_code == 400
    assert _user(db, "nina@acme.example.com") is None


def test_it_refuses_a_weak_password_when_joining_and_keeps_the_link_usable(client, db, owner):
    log_in(client, owner)
    link = _invite(client, db)
    client.cookies.clear()
    response = _join(client, link, password="1234567890qwerty")
    assert response.status_code == 422
    assert "one of the most used" in response.text
    assert _join(client, link).status_code in (302, 303)


def test_it_keeps_the_team_pages_to_owners_and_admins(client, db, owner, marketer, sales_rep):
    for persona in (marketer, sales_rep):
        client.cookies.clear()
        log_in(client, persona)
        assert client.get("/app/team/").status_code == 403
        assert (
            post_form(client, "/app/team/invite", {"email": "x@example.com", "role": "owner"}).status_code
            == 403
        )
        assert client.get("/app/settings/company").status_code == 403
        assert client.get("/app/settings/audit").status_code == 403
    assert db.execute(select(Invitation).execution_options(all_tenants=True)).first() is None


def test_it_lets_an_admin_manage_the_team_but_not_hand_over_ownership(client, db, owner, marketer):
    tenant = db.get_one(Tenant, owner.tenant_id)
    admin = make_user(db, tenant, "admin@acme.example.com", Role.ADMIN, first_name="Ada")
    log_in(client, admin)
    page = client.get("/app/team/")
    assert page.status_code == 200
    assert 'value="owner"' not in page.text  # an admin cannot grant ownership
    response = post_form(client, "/app/team/invite", {"email": "boss@example.com", "role": "owner"})
    assert response.status_code == 403
    assert "Only an owner can make someone an owner" in response.text

    response = post_form(client, f"/app/team/{marketer.user_id}/role", {"role": "sales_rep"})
    assert "The role is changed" in response.text
    assert _user(db, marketer.email).role is Role.SALES_REP
    response = post_form(client, f"/app/team/{owner.user_id}/role", {"role": "marketer"})
    assert "Only an owner can change an owner" in response.text
    response = post_form(client, f"/app/team/{owner.user_id}/remove")
    assert "Only an owner can remove an owner" in response.text
    assert _user(db, owner.email).role is Role.OWNER
    # Everything else an owner can: the company page, API keys, the audit log.
    for url in ("/app/settings/company", "/app/settings/api-keys/", "/app/settings/audit"):
        assert client.get(url).status_code == 200, url
    assert "role_changed" in audit_kinds(db, owner.tenant_id)


def test_it_never_removes_or_demotes_the_last_owner(client, db, owner):
    log_in(client, owner)
    response = post_form(client, f"/app/team/{owner.user_id}/role", {"role": "admin"})
    assert "Every team needs an owner" in response.text
    response = post_form(client, f"/app/team/{owner.user_id}/remove")
    assert "You cannot remove yourself" in response.text
    assert _user(db, owner.email).role is Role.OWNER

    tenant = db.get_one(Tenant, owner.tenant_id)
    second = make_user(db, tenant, "second@acme.example.com", Role.OWNER, first_name="Otto")
    response = post_form(client, f"/app/team/{second.user_id}/role", {"role": "admin"})
    assert "The role is changed" in response.text
    client.cookies.clear()
    log_in(client, second)
    response = post_form(client, f"/app/team/{owner.user_id}/remove")
    assert "Only an owner can remove an owner" in response.text


def test_it_removes_a_member_who_then_cannot_get_in(client, db, owner, marketer):
    log_in(client, marketer)
    theirs = client.cookies["landform_session"]
    client.cookies.clear()
    log_in(client, owner)
    response = post_form(client, f"/app/team/{marketer.user_id}/remove")
    assert "The member is removed" in response.text
    assert _user(db, marketer.email) is None
    client.cookies.clear()
    client.cookies.set("landform_session", theirs)
    assert client.get("/app", follow_redirects=False).status_code in (302, 303)
    login = post_form(client, "/login", {"email": marketer.email, "password": PASSWORD})
    assert login.status_code == 422
    assert "member_removed" in audit_kinds(db, owner.tenant_id)


def test_it_lets_a_user_edit_their_own_profile_and_photo(client, db, sales_rep):
    log_in(client, sales_rep)
    page = client.get("/app/me/")
    assert page.status_code == 200
    assert 'value="Sam"' in page.text
    data = {
        "first_name": "Samira",
        "last_name": "de Vries",
        "gender": "female",
        "language": "nl",
        "timezone": "Europe/Brussels",
    }
    response = post_form(client, "/app/me/", data, files={"photo": ("me.png", png(), "image/png")})
    assert response.status_code == 200
    assert "Je profiel is opgeslagen" in response.text  # she switched to Dutch
    user = _user(db, sales_rep.email)
    assert (user.first_name, user.last_name, user.gender, user.timezone) == (
        "Samira",
        "de Vries",
        "female",
        "Europe/Brussels",
    )
    photo = client.get(f"/app/images/{user.photo_id}")
    assert photo.headers["content-type"] == "image/png"
    assert "sandbox" in photo.headers["content-security-policy"]

    bad = post_form(
        client,
        "/app/me/",
        {**data, "timezone": "Mars/Olympus"},
        files={"photo": ("x.png", b"<html><script>alert(1)</script>", "image/png")},
    )
    assert bad.status_code == 422
    assert bad.text.count('class="error"') == 2
    assert _user(db, sales_rep.email).timezone == "Europe/Brussels"


@pytest.mark.parametrize(
    ("vat_number", "saved"), [("nl 0044.95.445.B01", None), ("NL123456789B01", "refused")]
)
def test_it_checks_the_company_vat_number(client, db, owner, vat_number, saved):
    log_in(client, owner)
    data = {
        "name": "Acme Zonwering B.V.",
        "address": "Dorpsstraat 1",
        "postcode": "1234 AB",
        "city": "Utrecht",
        "province": "Utrecht",
        "country": "nl",
        "phone": "030 123 4567",
        "website": "acme.example.com",
        "vat_number": vat_number,
        "description": "Zonwering op maat.",
    }
    response = post_form(client, "/app/settings/company", data)
    db.expire_all()
    tenant = db.get_one(Tenant, owner.tenant_id)
    if saved == "refused":
        assert response.status_code == 422
        assert "not a valid EU VAT number" in response.text
        assert tenant.name == "Acme Zonwering"
    else:
        assert "The company details are saved" in response.text
        assert (tenant.name, tenant.vat_number, tenant.country) == (
            "Acme Zonwering B.V.",
            "NL004495445B01",
            "NL",
        )
        assert (tenant.website, tenant.phone) == ("https://acme.example.com", "+31 30 123 4567")


def test_it_does_not_invite_someone_already_in_the_team(client, db, owner, marketer: Persona):
    log_in(client, owner)
    response = post_form(client, "/app/team/invite", {"email": marketer.email.upper(), "role": "admin"})
    assert response.status_code == 422
    assert "already in your team" in response.text


def test_it_does_not_mail_an_invitation_again_within_minutes(client, db, owner, inbox):
    log_in(client, owner)
    _invite(client, db)
    again = post_form(client, "/app/team/invite", {"email": "nina@acme.example.com", "role": "admin"})
    assert again.status_code == 422
    assert "An earlier invitation still works" in again.text
    inbox.wait("nina@acme.example.com")
    settled(db)
    assert len(inbox.to("nina@acme.example.com")) == 1
    # The first invitation is kept, its link still the one that works.
    db.expire_all()
    invitations = db.execute(select(Invitation).execution_options(all_tenants=True)).scalars()
    assert [i.role for i in invitations] == [Role.MARKETER]
