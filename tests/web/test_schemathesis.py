"""Schemathesis against the app in-process: generated valid and invalid requests from the served
OpenAPI description (rehearse/web/openapi.json). No 5xx, and every response matches the description:
its status code, content type and body schema; requests the description rules out are refused (4xx).
"""
from __future__ import annotations

import json

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi import checks as openapi_checks

from rehearse.web import create_app

CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.negative_data_rejection,
]


# Built at import without loading the pipeline (the first analysis loads the process-wide one, which the
# `analyzer` fixture below has already done); the description is read from the app's own route.
# (schemathesis.pytest.from_fixture would be neater, but it does not run under pytest 9.)
APP = create_app({"TESTING": True, "PRELOAD_PIPELINE": False})
CONFIG = SchemathesisConfig.from_dict({
    "generation": {"max-examples": 150},
    # A request the description rules out must get one of the documented refusals (413: too long).
    "checks": {"negative_data_rejection": {"expected-statuses": [400, 413, 415]}},
})
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", APP, config=CONFIG)


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_description(case, analyzer):
    response = case.call_and_validate(checks=CHECKS)
    assert response.status_code < 500


def test_the_description_is_served_and_names_the_contract(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    spec = json.loads(response.get_data())
    assert spec["openapi"].startswith("3.")
    post = spec["paths"]["/api/analyse"]["post"]
    assert set(post["responses"]) == {"200", "400", "413", "415"}
    analysis = spec["components"]["schemas"]["Analysis"]
    assert {"story", "taper_plan", "profile"} <= set(analysis["properties"])
    assert set(analysis["required"]) == {"mode", "flags", "summary"}


def test_a_real_analysis_matches_the_description(client):
    """The description is checked against real answers, not only generated ones (both modes, a flag each)."""
    import jsonschema_rs

    spec = client.get("/api/openapi.json").get_json()
    validator = jsonschema_rs.validator_for({**spec["components"]["schemas"]["Analysis"], "components": spec["components"]})
    for text, mode in (("You need to give me a slower taper.", "draft"), ("You can just stop taking it.", "reply")):
        body = client.post("/api/analyse", json={"text": text, "mode": mode}).get_json()
        assert body["flags"], (text, mode)
        validator.validate(body)
    error = client.post("/api/analyse", json={"text": "hi"}).get_json()
    jsonschema_rs.validator_for({**spec["components"]["schemas"]["Error"]}).validate(error)
