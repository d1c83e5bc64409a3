"""`landform demo` also seeds a youth workshop page whose form checks the visitor's age."""

from __future__ import annotations

from datetime import date

from landform.demo.seed import seed_demo
from tests.conftest import form_token


def test_it_seeds_an_age_checked_page_once(client, settings):
    first = seed_demo(settings)
    assert seed_demo(settings) == first
    assert first["age_page_url"] == "http://testserver.local/p/demo/jongeren"
    page = client.get("/p/demo/jongeren?lang=nl")
    assert page.status_code == 200
    assert "zonnelader" in page.text
    assert "Geboortedatum" in page.text and "nieuwsbrief" in page.text
    key = first["age_form_key"]
    today = date.today()
    response = client.post(
        f"/f/{key}",
        json={
            "first_name": "Sem",
            "last_name": "Visser",
            "email": "sem@example.com",
            "date_of_birth": today.replace(year=today.year - 13).isoformat(),
            "workshop_day": "autumn",
            "_lf_token": form_token(client, f"/f/{key}"),
        },
    )
    assert response.status_code == 422
    assert "parent_email" in response.json()["errors"]

    # On the landing page itself: the page comes back with the parent's field and the answers kept.
    on_page = client.post(
        f"/f/{key}",
        data={
            "first_name": "Sem",
            "last_name": "Visser",
            "email": "sem@example.com",
            "date_of_birth": today.replace(year=today.year - 13).isoformat(),
            "workshop_day": "autumn",
            "_lf_token": form_token(client, "/p/demo/jongeren?lang=nl"),
        },
        headers={"Accept": "text/html", "Accept-Language": "nl"},
    )
    assert on_page.status_code == 422
    assert "zonnelader" in on_page.text
    assert 'name="parent_email"' in on_page.text and 'value="Sem"' in on_page.text
