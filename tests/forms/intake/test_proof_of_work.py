"""Bot defence without a CAPTCHA: a risky submission must carry a solved ALTCHA challenge, once."""

from __future__ import annotations

import base64
import html
import json

from altcha import solve_challenge_v1
from sqlalchemy import func, select

from landform.crm_sink.models import Submission
from landform.forms.guard import proof
from tests.conftest import form_token, log_in, make_form, make_page, post_form

JSON = {"Accept": "application/json"}


def _count(db) -> int:
    db.expire_all()
    return db.execute(select(func.count(Submission.id)).execution_options(all_tenants=True)).scalar_one()


def _solve(challenge: dict) -> str:
    """What the browser's solver sends: the ALTCHA payload, base64-encoded JSON."""
    solution = solve_challenge_v1(
        challenge["challenge"], challenge["salt"], "SHA-256", challenge["maxNumber"]
    )
    assert solution is not None
    payload = {
        **{k: challenge[k] for k in ("algorithm", "challenge", "salt", "signature")},
        "number": solution.number,
    }
    return base64.b64encode(json.dumps(payload).encode()).decode()


def test_it_asks_a_submission_without_a_token_for_a_proof_of_work_and_accepts_it_solved(client, db, owner):
    form = make_form(db, owner)
    body = {"first_name": "Direct", "email": "direct@example.com"}
    refused = client.post(f"/f/{form.key}", json=body, headers=JSON)
    assert refused.status_code == 403
    answer = refused.json()
    assert (answer["status"], answer["reason"], answer["field"]) == (
        "challenge",
        "proof_of_work_required",
        "altcha",
    )
    assert _count(db) == 0

    accepted = client.post(
        f"/f/{form.key}", json={**body, "altcha": _solve(answer["challenge"])}, headers=JSON
    )
    assert accepted.status_code == 201, accepted.text
    assert _count(db) == 1


def test_it_refuses_a_replayed_or_forged_solution(client, db, owner):
    form = make_form(db, owner)
    other = make_form(db, owner, "Other")
    challenge = client.post(f"/f/{form.key}", json={"email": "a@example.com"}, headers=JSON).json()[
        "challenge"
    ]
    solution = _solve(challenge)
    first = client.post(
        f"/f/{form.key}", json={"first_name": "A", "email": "a@example.com", "altcha": solution}
    )
    assert first.status_code == 201
    again = client.post(
        f"/f/{form.key}", json={"first_name": "B", "email": "b@example.com", "altcha": solution}, headers=JSON
    )
    assert (again.status_code, again.json()["reason"]) == (403, "proof_of_work_replayed")
    # A solution for another form, a wrong number and garbage are refused, each with a fresh challenge.
    elsewhere = _solve(client.post(f"/f/{other.key}", json={}, headers=JSON).json()["challenge"])
    wrong = json.loads(base64.b64decode(_solve(challenge)))
    wrong["number"] += 1
    for bad in (elsewhere, base64.b64encode(json.dumps(wrong).encode()).decode(), "not-base64!", "W10="):
        refused = client.post(f"/f/{form.key}", json={"email": "c@example.com", "altcha": bad}, headers=JSON)
        assert (refused.status_code, refused.json()["reason"]) == (403, "proof_of_work_invalid"), bad
        assert refused.json()["challenge"]["signature"]
    assert _count(db) == 1


def test_it_keeps_the_honeypot_and_a_forged_token_as_quiet_spam(client, db, owner):
    form = make_form(db, owner)
    honeypot = client.post(
        f"/f/{form.key}", json={"email": "bot@example.com", "homepage_url": "x"}, headers=JSON
    )
    forged = client.post(
        f"/f/{form.key}", json={"email": "bot@example.com", "_lf_token": "forged"}, headers=JSON
    )
    assert honeypot.status_code == forged.status_code == 201
    assert _count(db) == 0


def test_it_asks_a_burst_from_one_network_for_a_proof_of_work(client, db, owner, monkeypatch):
    monkeypatch.setattr(proof, "bursts", proof.NetworkBursts())
    monkeypatch.setenv("LANDFORM_PROOF_OF_WORK_AFTER", "2")
    from landform.core.settings import get_settings

    get_settings.cache_clear()
    form = make_form(db, owner)
    statuses = []
    for n in range(3):
        token = form_token(client, f"/f/{form.key}")
        body = {"first_name": "Burst", "email": f"b{n}@example.com", "_lf_token": token}
        statuses.append(client.post(f"/f/{form.key}", json=body, headers=JSON).status_code)
    assert statuses == [201, 201, 403]
    # The third proves its work and is a lead all the same.
    token = form_token(client, f"/f/{form.key}")
    challenge = client.post(f"/f/{form.key}", json={"_lf_token": token}, headers=JSON).json()["challenge"]
    body = {"first_name": "Burst", "email": "b2@example.com", "_lf_token": token, "altcha": _solve(challenge)}
    assert client.post(f"/f/{form.key}", json=body, headers=JSON).status_code == 201
    assert _count(db) == 3


def test_it_always_asks_when_the_marketer_chose_so(client, db, owner):
    form = make_form(db, owner)
    log_in(client, owner)
    settings_page = client.get(f"/app/forms/{form.id}")
    assert "Always ask the browser to prove it is not a bot" in settings_page.text
    post_form(
        client,
        f"/app/forms/{form.id}/settings",
        {"name": form.name, "proof_of_work_always": "on", "thank_you_en": "Thanks"},
    )
    db.expire_all()
    assert form.proof_of_work_always
    client.cookies.clear()
    hosted = client.get(f"/f/{form.key}")
    assert "data-lf-altcha=" in hosted.text and "/embed-altcha.js?v=" in hosted.text
    token = form_token(client, f"/f/{form.key}")
    body = {"first_name": "Anna", "email": "anna@example.com", "_lf_token": token}
    refused = client.post(f"/f/{form.key}", json=body, headers=JSON)
    assert (refused.status_code, refused.json()["reason"]) == (403, "proof_of_work_required")
    accepted = client.post(f"/f/{form.key}", json={**body, "altcha": _solve(refused.json()["challenge"])})
    assert accepted.status_code == 201
    assert _count(db) == 1


def test_it_keeps_the_answers_and_explains_when_a_hosted_form_needs_javascript(client, db, owner):
    form = make_form(db, owner)
    response = client.post(f"/f/{form.key}", data={"first_name": "Kees", "email": "kees@example.com"})
    assert response.status_code == 403
    assert "turn on JavaScript and press the button again" in response.text
    assert 'value="kees@example.com"' in response.text
    assert "data-lf-resubmit" in response.text
    assert _count(db) == 0


def test_it_serves_the_solver_script_with_the_embed_scripts_headers(client):
    for name in ("altcha", "popup"):
        response = client.get(f"/embed-{name}.js")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/javascript")
        assert response.headers["access-control-allow-origin"] == "*"
        assert "set-cookie" not in response.headers  # loaded by other websites: never a cookie


def test_it_gives_the_marketer_a_popup_snippet_with_the_chosen_trigger(client, db, owner):
    form = make_form(db, owner)
    log_in(client, owner)
    page = client.get(f"/app/forms/{form.id}", params={"mode": "popup", "trigger": "exit", "days": "7"})
    snippet = html.unescape(page.text)  # the snippet sits escaped in a text box
    assert 'data-landform-popup="popup" data-landform-trigger="exit" data-landform-days="7"' in snippet
    inline = client.get(f"/app/forms/{form.id}", params={"mode": "nonsense", "after": "-3"})
    assert "data-landform-popup=" not in html.unescape(inline.text)
    assert 'value="inline" checked' in inline.text


def test_it_puts_the_challenge_on_a_landing_page_whose_form_always_asks(client, db, owner):
    form = make_form(db, owner)
    form.proof_of_work_always = True
    db.commit()
    page = make_page(db, owner, form)
    shown = client.get(f"/p/acme/{page.slug}")
    assert shown.status_code == 200
    assert "data-lf-altcha=" in shown.text and "/embed-altcha.js?v=" in shown.text
    challenge = json.loads(html.unescape(shown.text.split("data-lf-altcha='")[1].split("'")[0]))
    token = form_token(client, f"/p/acme/{page.slug}")
    body = {"first_name": "Lia", "email": "lia@example.com", "_lf_token": token, "altcha": _solve(challenge)}
    assert client.post(f"/f/{form.key}", json=body, headers=JSON).status_code == 201
    assert _count(db) == 1
