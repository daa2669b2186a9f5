"""POST /api/analyse is the contract over HTTP: JSON in, the analysis or a JSON error out, never a 500."""
from __future__ import annotations

import json

import pytest
from samples import REPLY_CONCERN
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rehearse import MAX_CHARS


def post(client, body, content_type="application/json"):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post("/api/analyse", data=data, content_type=content_type)


def test_analysis_is_the_same_as_the_python_api(client, analyse):
    response = post(client, {"text": REPLY_CONCERN, "mode": "reply"})
    assert response.status_code == 200
    assert response.get_json() == json.loads(json.dumps(analyse(REPLY_CONCERN, "reply")))
    assert response.headers["Cache-Control"] == "no-store"


def test_the_api_needs_no_csrf_token(client):
    assert post(client, {"text": "Hello.", "mode": "draft"}).status_code == 200


@pytest.mark.parametrize("body,status,fragment", [
    ("{not json", 400, "not valid JSON"),
    (b"\xff\xfe", 400, "not valid JSON"),
    ("[1, 2]", 400, "JSON object"),
    ({"text": "hi"}, 400, "missing field(s): mode"),
    ({"mode": "draft"}, 400, "missing field(s): text"),
    ({"text": "hi", "mode": "draft", "extra": 1}, 400, "unknown field(s): extra"),
    ({"text": "hi", "mode": "letter"}, 400, "mode must be"),
    ({"text": "", "mode": "draft"}, 400, "nothing to check"),
    ({"text": 42, "mode": "draft"}, 400, "string"),
    ({"text": "nul \x00", "mode": "draft"}, 400, "control character"),
    ({"text": "x" * (MAX_CHARS + 1), "mode": "draft"}, 413, "20,000"),
    ("[" * 50_000 + "]" * 50_000, 400, ""),
])
def test_bad_requests_get_a_json_error(client, body, status, fragment):
    response = post(client, body)
    assert response.status_code == status
    assert fragment in response.get_json()["error"]


def test_not_json_is_415(client):
    response = client.post("/api/analyse", data={"text": "hi", "mode": "draft"})
    assert response.status_code == 415
    assert "application/json" in response.get_json()["error"]


def test_a_body_over_the_request_limit_is_a_json_413(client):
    response = post(client, {"text": "x" * 400_000, "mode": "draft"})
    assert response.status_code == 413
    assert "error" in response.get_json()


def test_wrong_method_is_a_json_405(client):
    response = client.get("/api/analyse")
    assert response.status_code == 405
    assert "error" in response.get_json()
    assert "POST" in response.headers["Allow"]


def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/nothing")
    assert response.status_code == 404 and "error" in response.get_json()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(
    json_values,
    st.fixed_dictionaries({"text": json_values, "mode": json_values}),
    st.fixed_dictionaries({"text": st.text(max_size=300), "mode": st.sampled_from(["draft", "reply"])}),
))
def test_never_a_500_for_any_json(client, body):
    response = post(client, body)
    assert response.status_code in (200, 400, 413)
    assert response.is_json


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=200))
def test_never_a_500_for_any_bytes(client, raw):
    response = post(client, raw)
    assert response.status_code in (200, 400, 413)
