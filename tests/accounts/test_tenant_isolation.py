"""A user of tenant B gets 404 for every URL of a tenant-A object, and the scope cannot be forgotten."""

from __future__ import annotations

import re

import pytest
from litestar.routes import HTTPRoute
from sqlalchemy import select

from landform.core.db import TenantScopeMissing, scope_to_tenant, sync_session
from landform.crm_sink.models import Contact
from landform.forms.models import EmbedRefusal, SpamSubmission
from tests.conftest import form_token, log_in, make_form, make_page, post_form, wait_for
from tests.consent.helpers import make_purpose
from tests.crm_sink.test_routing_screens import make_failed_job, make_routing


def _tenant_a_objects(client, db, owner):
    form = make_form(db, owner)
    page = make_page(db, owner, form)
    client.get(f"/f/{form.key}/embed", headers={"Origin": "https://refused.example"})
    refusal = db.execute(select(EmbedRefusal).execution_options(all_tenants=True)).scalar_one()
    token = form_token(client, f"/f/{form.key}")
    client.post(f"/f/{form.key}", json={"first_name": "Ada", "email": "ada@example.com", "_lf_token": token})
    contact = wait_for(
        lambda: (
            db.expire_all(),
            db.execute(select(Contact).execution_options(all_tenants=True)).scalar_one_or_none(),
        )[1]
    )
    log_in(client, owner)
    post_form(client, "/app/settings/api-keys/", {"name": "A's key"})
    from landform.accounts.models import ApiKey

    key = db.execute(select(ApiKey).execution_options(all_tenants=True)).scalar_one()
    from landform.accounts.models import Invitation, User, UserSession
    from tests.site.test_page_safety import png

    post_form(client, "/app/team/invite", {"email": "new@acme.example.com", "role": "marketer"})
    invitation = db.execute(select(Invitation).execution_options(all_tenants=True)).scalar_one()
    session_row = db.execute(select(UserSession).execution_options(all_tenants=True)).scalars().first()
    post_form(
        client,
        "/app/settings/company",
        {"name": "Acme Zonwering", "country": "NL"},
        files={"logo": ("logo.png", png(), "image/png")},
    )
    db.expire_all()
    owner_row = db.execute(select(User).where(User.id == owner.user_id).execution_options(all_tenants=True))
    logo_id = owner_row.scalar_one().tenant.logo_id
    assert logo_id
    client.cookies.clear()
    # A filled-in honeypot is kept as spam (a missing token is now answered with a proof-of-work challenge).
    client.post(f"/f/{form.key}", json={"first_name": "Bot", "email": "bot@example.com", "homepage_url": "x"})
    spam = db.execute(select(SpamSubmission).execution_options(all_tenants=True)).scalar_one()
    purpose, _text = make_purpose(db, owner)
    privacy_request, incident = _privacy_objects(db, owner)
    department, member, rule = make_routing(db, owner)
    extra = _tenant_a_more(db, owner, contact)
    return {
        **extra,
        **_tenant_a_work_and_files(client, db, owner, contact),
        "form_id": form.id,
        "page_id": page.id,
        "refusal_id": refusal.id,
        "block_id": page.blocks[0]["id"],
        "number": 1,
        "contact_id": contact.id,
        "key_id": key.id,
        "spam_id": spam.id,
        "purpose_id": purpose.id,
        "member_id": owner.user_id,
        "invitation_id": invitation.id,
        "session_id": session_row.id,
        "image_id": logo_id,
        "name": "email",
        "request_id": privacy_request,
        "incident_id": incident,
        "action": "approve",
        "department_id": department.id,
        "department_member_id": member.id,
        "rule_id": rule.id,
        "job_id": make_failed_job(db, owner).id,
    }


def _privacy_objects(db, owner):
    from landform.core.db import utcnow
    from landform.privacy.models import BreachIncident, PrivacyRequest, RequestKind, RequestStatus

    now = utcnow()
    request = PrivacyRequest(
        tenant_id=owner.tenant_id,
        kind=RequestKind.ERASURE,
        status=RequestStatus.AWAITING_APPROVAL,
        email="iemand@example.org",
        email_key="iemand@example.org",
        verified_at=now,
        due_at=now,
    )
    incident = BreachIncident(
        tenant_id=owner.tenant_id, source="dashboard", description="x", reported_at=now, notify_by=now
    )
    db.add_all([request, incident])
    db.commit()
    return request.id, incident.id


def _tenant_a_more(db, owner, contact):
    """Objects of the webhooks and the CRM screens."""
    from landform.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

    scope_to_tenant(db, owner.tenant_id)
    endpoint = WebhookEndpoint(url="https://example.com/h", events=["contact.created"], secret="whsec_x")
    event = WebhookEvent(type="contact.created", payload={})
    db.add_all([endpoint, event])
    db.flush()
    delivery = WebhookDelivery(event_id=event.id, endpoint_id=endpoint.id, status="failed")
    from landform.core.db import utcnow
    from landform.core.jobs.models import OutboxJob
    from landform.crm_sink.imports.models import ContactImport
    from landform.crm_sink.models import Company

    company = Company(name="Acme BV")
    contact_import = ContactImport(
        filename="a.csv", encoding="utf-8", delimiter=";", headers=["E-mail"], status="done"
    )
    job = OutboxJob(
        actor_name="route_submission",
        subject_id=contact.id,
        tenant_id=owner.tenant_id,
        redispatch_at=utcnow(),
        failed_at=utcnow(),
    )
    db.add_all([delivery, company, job, contact_import])
    db.commit()
    from landform.site.models import SiteDomain

    domain = SiteDomain(tenant_id=owner.tenant_id, host="go.acme.example.nl", token="t", status="verified")
    db.add(domain)
    db.commit()
    from landform.site.models import SiteImage
    from tests.site.test_page_safety import png

    image = SiteImage(tenant_id=owner.tenant_id, content_type="image/png", width=3, height=2, data=png())
    db.add(image)
    db.commit()
    from landform.crm_sink.pipeline.models import Deal
    from landform.crm_sink.pipeline.stages import tenant_stages

    stage = tenant_stages(db)[0]
    deal = Deal(name="Roof", stage_id=stage.id, contact_id=contact.id)
    db.add(deal)
    db.commit()
    return {
        "deal_id": deal.id,
        "stage_id": stage.id,
        "site_image_id": image.id,
        "domain_id": domain.id,
        "endpoint_id": endpoint.id,
        "delivery_id": delivery.id,
        "company_id": company.id,
        "job_id": job.id,
        "import_id": contact_import.id,
    }


def _tenant_a_work_and_files(client, db, owner, contact):
    """A task on the contact (notes, calls and tasks) and a file the contact sent with a form."""
    from landform.accounts.models import User
    from landform.core.files import FileStore
    from landform.crm_sink.models import Submission
    from landform.crm_sink.work import services as work
    from landform.forms.uploads.models import SubmissionFile

    scope_to_tenant(db, owner.tenant_id)
    user = db.get(User, owner.user_id)
    task = work.write(db, contact, user, work.Entry(kind="task", body="Call back", assignee_id=owner.user_id))
    submission = db.execute(select(Submission).where(Submission.contact_id == contact.id)).scalars().first()
    data = b"%PDF-1.4 roof plan"
    upload = SubmissionFile(
        submission_id=submission.id,
        field_name="plan",
        filename="dak.pdf",
        content_type="application/pdf",
        size=len(data),
        sha256="0" * 64,
    )
    db.add(upload)
    db.commit()
    store = FileStore(client.app.state.settings.files_dir)
    store.path(owner.tenant_id, upload.id).parent.mkdir(parents=True, exist_ok=True)
    store.write_bytes(owner.tenant_id, upload.id, data)
    return {"item_id": task.id, "kind": "note", "file_id": upload.id}


def test_it_answers_404_to_another_tenant_for_every_object_url(app, client, db, owner, stranger):
    ids = _tenant_a_objects(client, db, owner)
    log_in(client, stranger)
    checked = 0
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/app") or "{" not in route.path:
            continue
        params = re.findall(r"{(\w+):\w+}", route.path)
        unknown = [p for p in params if p not in ids]
        assert not unknown, f"{route.path}: add a tenant-A object for {unknown} to this test"
        url = route.path
        for name in params:
            url = re.sub(r"{" + name + r":\w+}", str(ids[name]), url)
        for method in route.methods - {"HEAD", "OPTIONS"}:
            if method == "GET":
                response = client.get(url)
            else:
                response = post_form(client, url, {"direction": "up", "name": "x", "slug": "stolen"})
            assert response.status_code == 404, (method, url, response.status_code)
            checked += 1
    assert checked >= 10
    # And nothing of tenant A changed.
    db.expire_all()
    assert (
        db.execute(select(Contact).execution_options(all_tenants=True)).scalar_one().tenant_id
        == owner.tenant_id
    )
    from landform.site.models import SiteDomain

    domain = db.execute(select(SiteDomain).execution_options(all_tenants=True)).scalar_one()
    assert domain.status == "verified"


def test_it_refuses_a_query_on_tenant_rows_without_a_tenant(db, owner):
    with pytest.raises(TenantScopeMissing):
        db.execute(select(Contact)).all()
    scope_to_tenant(db, owner.tenant_id)
    assert db.execute(select(Contact)).all() == []


def test_it_hides_other_tenants_rows_from_a_scoped_query(client, db, settings, owner, stranger):
    _tenant_a_objects(client, db, owner)
    with sync_session(settings.database.sync_url, tenant_id=stranger.tenant_id) as session:
        assert session.execute(select(Contact)).scalars().all() == []
        assert session.execute(select(Contact).where(Contact.email_key == "ada@example.com")).first() is None
    with sync_session(settings.database.sync_url, tenant_id=owner.tenant_id) as session:
        assert len(session.execute(select(Contact)).scalars().all()) == 1


def test_it_serves_every_dashboard_page_of_real_objects_without_a_server_error(app, client, db, owner):
    ids = _tenant_a_objects(client, db, owner)
    log_in(client, owner)
    failures = []
    checked = 0
    for route in app.routes:
        if (
            not isinstance(route, HTTPRoute)
            or not route.path.startswith("/app")
            or "GET" not in route.methods
        ):
            continue
        url = re.sub(r"{(\w+):\w+}", lambda match: str(ids[match[1]]), route.path)
        response = client.get(url, follow_redirects=False)
        if response.status_code >= 500:
            failures.append((url, response.status_code))
        checked += 1
    assert not failures
    assert checked >= 40
