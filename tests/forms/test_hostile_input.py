"""Hostile input over the intake and the builder: whatever arrives, the answer is never a 500."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import log_in, make_form

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "text/plain",
        "application/xml",
        "",
        "application/json; charset=latin-1",
    ]
)
TEXT = (
    st.text(st.characters(codec="utf-8"), max_size=300)
    | st.just("x" * 70_000)
    | st.just("\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"))
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)


@pytest.fixture
def form(db, owner):
    """One form for all examples of a test (hypothesis reuses function-scoped fixtures across examples)."""
    return make_form(db, owner)


@FUZZ
@given(body=st.binary(max_size=2000), content_type=CONTENT_TYPES)
def test_it_never_fails_on_arbitrary_bytes(client, form, body, content_type):
    response = client.post(
        f"/f/{form.key}", content=body, headers={"Content-Type": content_type, "Accept": "application/json"}
    )
    assert response.status_code < 500, response.text


@FUZZ
@given(
    answers=st.dictionaries(
        st.sampled_from(["first_name", "last_name", "email", "_lf_token", "homepage_url"]) | TEXT,
        JSON_VALUES,
        max_size=6,
    )
)
def test_it_never_fails_on_arbitrary_json_answers(client, form, answers):
    response = client.post(f"/f/{form.key}", json=answers)
    assert response.status_code < 500, response.text


@FUZZ
@given(
    data=st.dictionaries(
        st.sampled_from(
            [
                "type",
                "label_nl",
                "label_en",
                "help_nl",
                "options",
                "maps_to",
                "source",
                "required",
                "default",
                "placeholder_en",
            ]
        ),
        TEXT,
        max_size=8,
    )
)
def test_it_never_fails_on_arbitrary_builder_input(client, owner, form, data):
    if "landform_session" not in client.cookies:
        log_in(client, owner)
    response = client.post(
        f"/app/forms/{form.id}/fields", data={"_csrf_token": client.cookies["landform_csrf"], **data}
    )
    assert response.status_code < 500, response.text
