"""The OpenAPI schema matches what the API does: schemathesis calls every operation with a real key."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from tests.conftest import make_form
from tests.crm_sink.helpers import make_company, make_contact
from tests.crm_sink.test_api import _api_key

# Bounded: 9 operations with 25 examples each take well under two minutes on two cores.
EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)


@pytest.fixture
def database_url(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the schema check runs once, on PostgreSQL (the production database)")
    return database_url


def test_it_keeps_every_api_operation_to_its_schema(client, db, owner):
    key = _api_key(client, owner)
    form = make_form(db, owner)
    make_contact(db, owner, "anna@example.com", first_name="Anna")
    make_company(db, owner, "Acme BV", kvk_number="12345678")
    answered = client.post(
        f"/api/v1/forms/{form.key}/submissions",
        headers={"Authorization": f"Bearer {key}"},
        json={"first_name": "Ruud", "email": "ruud@example.com"},
    )
    assert answered.status_code == 201
    schema = schemathesis.openapi.from_dict(client.get("/api/v1/schema/openapi.json").json())
    auth = {"Authorization": f"Bearer {key}"}
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9
    for operation in operations:

        @EXAMPLES
        @given(case=operation.as_strategy())
        def check(case):
            kwargs = case.as_transport_kwargs(base_url="http://testserver.local/", headers=auth)
            response = client.request(
                kwargs["method"],
                kwargs["url"],
                params=kwargs.get("params"),
                headers=kwargs.get("headers"),
                cookies=kwargs.get("cookies"),
                content=kwargs.get("data") if isinstance(kwargs.get("data"), bytes) else None,
                json=kwargs.get("json"),
            )
            # ignored_auth sends the request again without credentials through its own transport, which
            # cannot reach this in-process app (401 without a key is tested in test_api.py).
            # positive_data_acceptance expects every schema-valid value to be accepted, but a cursor is
            # opaque: any string fits the schema and only those the API gave out are read (400 otherwise).
            case.validate_response(
                response, excluded_checks=[ignored_auth, positive_data_acceptance], headers=auth
            )

        try:
            check()
        except Exception as error:
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)


def test_it_declares_the_api_key_and_no_session_cookie_on_every_operation(client):
    schema = client.get("/api/v1/schema/openapi.json").json()
    assert schema["components"]["securitySchemes"]["apiKey"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key from Settings, API keys",
    }
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert len(operations) >= 9
    for operation in operations:
        assert operation["security"] == [{"apiKey": []}], operation["operationId"]
        assert {"400", "401", "429"} <= set(operation["responses"]), operation["operationId"]
