"""Every property of every JSON body in the live OpenAPI spec, sent alone and with a value of every wrong JSON type
(and a huge string, NaN, a huge number): never a 5xx, always the one error shape when refused."""

from __future__ import annotations

import pytest

from tests.security.seed import seed_resources

API = "/api/v1"
WRONG_VALUES = {
    "object": {"a": 1},
    "array": [1, "x"],
    "null": None,
    "true": True,
    "number": 123456789,
    "negative": -1.5,
    "text": "not-what-you-expect",
    "huge_text": "x" * 100_000,
    "huge_number": 1e308,
}
SKIPPED_PATHS = {"/auth/logout", "/auth/refresh"}  # they take no body fields beyond the token


def json_operations(spec: dict):
    """(method, path, properties) for every operation with a JSON body model."""
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in ("post", "put", "patch") or path in SKIPPED_PATHS:
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "body" and "$ref" in parameter.get("schema", {}):
                    model = spec["definitions"][parameter["schema"]["$ref"].split("/")[-1]]
                    yield method.upper(), path, sorted(model.get("properties", {}))


@pytest.fixture
def seeded(app, client, user):
    return seed_resources(app, client, user)


def test_no_json_field_of_a_wrong_type_is_a_server_error(app, client, user, seeded):
    spec = client.get(f"{API}/swagger.json").get_json()
    failures = []
    for method, path, properties in json_operations(spec):
        url = (API + path).format(**seeded)
        for name in properties:
            for kind, value in WRONG_VALUES.items():
                response = client.open(url, method=method, headers=user["headers"], json={name: value})
                if response.status_code >= 500 or not response.is_json:
                    failures.append(f"{method} {path} {name}={kind}: {response.status_code}")
    assert not failures, "\n".join(failures[:40])
