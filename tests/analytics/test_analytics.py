"""Analytics: cookieless counts per page, form and campaign; journeys only with analytics consent."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from landform.analytics import charts
from landform.analytics.models import FORM, PAGE, TrafficDay, Visit
from landform.analytics.track import VISITOR_COOKIE
from landform.consent import cookies
from landform.crm_sink.models import Submission
from tests.conftest import form_token, log_in, make_form, make_page, wait_for

PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
    " Version/17.0 Mobile/15E148 Safari/604.1"
)
PERSON = {"User-Agent": PHONE}


def flush(client: Any) -> None:
    client.blocking_portal.call(client.app.state.analytics.flush)


def counts(db: Any, kind: str, subject_id: Any) -> dict[tuple[str, str, str], tuple[int, int]]:
    db.expire_all()
    rows = db.execute(
        select(TrafficDay)
        .where(TrafficDay.kind == kind, TrafficDay.subject_id == subject_id)
        .execution_options(all_tenants=True)
    ).scalars()
    return {(r.source, r.medium, r.campaign): (r.views, r.submissions) for r in rows}


def submit_from_page(client: Any, form: Any, page_url: str, email: str) -> None:
    token = form_token(client, page_url)
    response = client.post(
        f"/f/{form.key}",
        data={"first_name": "Kees", "email": email, "_lf_token": token},
        headers={**PERSON, "Accept": "text/html", "Referer": f"http://testserver.local{page_url}"},
    )
    assert response.status_code == 200, response.text


def test_it_counts_page_views_form_views_and_submissions_per_campaign(client, db, marketer):
    form = make_form(db, marketer)
    page = make_page(db, marketer, form)
    campaign = f"/p/acme/{page.slug}?utm_source=Newsletter&utm_medium=email&utm_campaign=spring"
    for _ in range(3):
        assert client.get(campaign, headers=PERSON).status_code == 200
    client.get(f"/p/acme/{page.slug}", headers=PERSON)
    client.get(f"/f/{form.key}", headers=PERSON)  # the form on its own page
    # Not people: a search engine, a link preview, a prefetch, a script without a user agent.
    client.get(campaign, headers={"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"})
    client.get(campaign, headers={"User-Agent": "facebookexternalhit/1.1"})
    client.get(campaign, headers={**PERSON, "Sec-Purpose": "prefetch"})
    client.get(campaign, headers={"User-Agent": ""})
    flush(client)
    submit_from_page(client, form, campaign, "kees@example.nl")
    submit_from_page(client, form, f"/p/acme/{page.slug}", "anna@example.nl")
    flush(client)

    spring = ("newsletter", "email", "spring")
    # form_token fetched the page twice more: those were views by a person too.
    assert counts(db, PAGE, page.id) == {spring: (4, 1), ("", "", ""): (2, 1)}
    assert counts(db, FORM, form.id) == {spring: (4, 1), ("", "", ""): (3, 1)}

    log_in(client, marketer)
    html = client.get("/app/analytics/?days=7").text
    assert "newsletter" in html and "spring" in html
    # 2 submissions out of 7 form views.
    assert "28.6%" in html
    assert "<svg" in html and "<polyline" in html
    one_page = client.get(f"/app/analytics/?days=30&page={page.id}").text
    assert "Offer" in one_page or "Aanbieding" in one_page


def test_counts_hold_nothing_about_the_visitor_without_analytics_consent(client, db, owner):
    form = make_form(db, owner)
    page = make_page(db, owner, form)
    response = client.get(f"/p/acme/{page.slug}", headers=PERSON)
    assert VISITOR_COOKIE not in response.cookies
    submit_from_page(client, form, f"/p/acme/{page.slug}", "kees@example.nl")
    flush(client)
    assert db.execute(select(func.count(Visit.id)).execution_options(all_tenants=True)).scalar_one() == 0
    columns = {c.name for c in TrafficDay.__table__.columns}
    assert not columns & {"ip", "ip_hash", "user_agent", "visitor_id", "email"}
    submission = db.execute(select(Submission).execution_options(all_tenants=True)).scalar_one()
    assert "visitor_id" not in submission.context


def test_a_visitor_who_allows_analytics_gets_a_journey_on_their_contact_page(client, db, owner):
    form = make_form(db, owner)
    page = make_page(db, owner, form)
    other = make_page(db, owner, None, slug="pricing")
    client.cookies[cookies.COOKIE_NAME] = cookies.choose("all", [], 1, gpc=False).cookie_value()
    first = client.get(f"/p/acme/{other.slug}?utm_source=linkedin", headers=PERSON)
    visitor = first.cookies.get(VISITOR_COOKIE)
    assert visitor and re.fullmatch(r"[0-9a-f]{32}", visitor)
    submit_from_page(client, form, f"/p/acme/{page.slug}", "kees@example.nl")
    flush(client)
    submission = db.execute(select(Submission).execution_options(all_tenants=True)).scalar_one()
    assert submission.context["visitor_id"] == visitor

    wait_for(
        lambda: db.execute(select(Submission.routed_at).execution_options(all_tenants=True)).scalar_one()
    )
    db.expire_all()
    client.cookies.clear()
    log_in(client, owner)
    contact_page = client.get(f"/app/contacts/{submission.contact_id}").text
    assert "Pages visited" in contact_page or "Bekeken pagina" in contact_page
    assert "linkedin" in contact_page


def test_withdrawing_analytics_consent_removes_the_visitor_id(client, db, owner):
    page = make_page(db, owner, None)
    client.cookies[VISITOR_COOKIE] = "a" * 32
    client.cookies[cookies.COOKIE_NAME] = cookies.choose("none", [], 1, gpc=False).cookie_value()
    response = client.get(f"/p/acme/{page.slug}", headers=PERSON)
    assert 'lf_vid=""' in response.headers.get("set-cookie", "") or "Max-Age=0" in response.headers.get(
        "set-cookie", ""
    )
    flush(client)
    assert db.execute(select(func.count(Visit.id)).execution_options(all_tenants=True)).scalar_one() == 0


def test_analytics_is_for_people_who_build_pages(client, db, sales_rep):
    log_in(client, sales_rep)
    assert client.get("/app/analytics/").status_code == 403


def test_a_page_of_another_tenant_cannot_be_reported_on(client, db, owner, stranger):
    theirs = make_page(db, stranger, None, slug="theirs")
    log_in(client, owner)
    assert client.get(f"/app/analytics/?page={theirs.id}").status_code == 404


def test_the_chart_scale_is_round_and_covers_the_highest_day():
    assert [charts.nice_ceiling(n) for n in (0, 3, 7, 12, 48, 101, 999)] == [4, 4, 8, 20, 80, 200, 2000]
    from datetime import date, timedelta

    days = [date(2026, 11, 1) + timedelta(days=n) for n in range(30)]
    chart = charts.line_chart(days, [("Views", "v", [n * 3 for n in range(30)])])
    ys = [y for _, y, _, _ in chart.series[0].dots]
    assert min(ys) >= 12 and max(ys) == chart.baseline
