"""Bad input never gets a 5xx: property-based fuzzing of every operation in the OpenAPI document
(Schemathesis over ASGI, on the real app, model and index), plus the content-type, method and
body-shape errors a fuzzer built from the schema does not send."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from assistant.config import Settings
from assistant.service import Assistant
from assistant.web.api import create_app

# Bounded by examples, not time (a busy CI machine must not turn slowness into failures): the
# whole fuzz run takes well under two minutes on two cores.
FUZZ_EXAMPLES = 60


@pytest.fixture(scope="module")
def app(settings: Settings, assistant: Assistant) -> FastAPI:
    return create_app(settings, assistant)


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def api_schema(app: FastAPI) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", app)


# Schemathesis' own pytest integration does not run under pytest 9; drive its Hypothesis
# strategies directly, one bounded run per operation and generation mode.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_fuzzed_requests_get_no_5xx_and_schema_conformant_responses(
    api_schema: schemathesis.BaseSchema, mode: GenerationMode
) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/v1/ask", "/v1/feedback", "/admin/reload"}
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=FUZZ_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case: schemathesis.Case) -> None:
            # a question of spaces is schema-valid and still (rightly) refused with 422
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        try:
            fuzz()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE  # nothing to get wrong: no parameters, no body
        except Exception as exc:
            raise AssertionError(f"{operation.method.upper()} {operation.path}: {exc}") from exc


def assert_json_error(response: object, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("application/json")  # type: ignore[attr-defined]
    if response.request.method == "HEAD":  # type: ignore[attr-defined]
        return
    body = response.json()["error"]  # type: ignore[attr-defined]
    assert body["message"]
    if code is not None:
        assert body["code"] == code


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        ("text/plain", "Is Istio supported?"),
        ("application/x-www-form-urlencoded", "question=Is+Istio+supported%3F"),
        ("multipart/form-data; boundary=x", '--x\r\nContent-Disposition: form-data; name="q"\r\n'),
        ("application/xml", "<question>Is Istio supported?</question>"),
    ],
)
def test_non_json_bodies_get_415_with_the_json_error_body(
    client: TestClient, content_type: str, content: str
) -> None:
    response = client.post("/v1/ask", content=content, headers={"content-type": content_type})
    assert_json_error(response, 415, "unsupported_media_type")


def test_a_body_without_a_content_type_gets_415_naming_json(client: TestClient) -> None:
    response = client.post("/v1/ask", content=json.dumps({"question": "Is Istio supported?"}))
    assert_json_error(response, 415, "unsupported_media_type")
    assert "application/json" in response.json()["error"]["message"]
    charset = {"content-type": "application/json; charset=utf-8"}
    payload = json.dumps({"question": "Is Istio supported?"})
    assert client.post("/v1/ask", content=payload, headers=charset).status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("HEAD", "/v1/ask"),
        ("GET", "/v1/ask"),
        ("PUT", "/v1/ask"),
        ("DELETE", "/v1/ask"),
        ("PUT", "/healthz"),
        ("DELETE", "/v1/documents"),
        ("POST", "/v1/documents"),
        ("PATCH", "/v1/feedback"),
        ("OPTIONS", "/v1/ask"),
        ("POST", "/metrics"),
        ("GET", "/admin/reload"),
    ],
)
def test_wrong_methods_get_405_with_the_json_error_body(
    client: TestClient, method: str, path: str
) -> None:
    response = client.request(method, path)
    assert_json_error(response, 405, None if method == "HEAD" else "method_not_allowed")
    assert response.headers["allow"]


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "DELETE", "POST"])
def test_unknown_routes_get_404_with_the_json_error_body(client: TestClient, method: str) -> None:
    assert_json_error(client.request(method, "/v2/anything"), 404)


@pytest.mark.parametrize(
    "content",
    [
        b"[" * 8000 + b"]" * 8000,  # nesting deep enough to overflow a recursive parser
        b'{"question": "\xff\xfe not utf-8"}',
        b'{"question": "unterminated',
        b"null",
        b'"a string"',
        b'{"question": "x", "question": 1}',
        b"\x00" * 100,
    ],
)
def test_malformed_json_bodies_get_a_4xx_json_error(client: TestClient, content: bytes) -> None:
    response = client.post("/v1/ask", content=content, headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["error"]["code"]


def test_questions_are_normalised_before_answering(client: TestClient) -> None:
    # full-width letters (NFKC), a zero-width space, control characters and a bidi override
    question = "Ｉｓ\u200b Ｉｓｔｉｏ\x07 supported\u202e?"
    response = client.post("/v1/ask", json={"question": question})
    assert response.status_code == 200, response.text
    resolved = response.json()["resolved_question"]
    assert "Istio" in resolved
    assert not any(ch in resolved for ch in "\u200b\x07\u202e")
    assert response.json()["verdict"] == "not_supported"


def test_an_over_long_question_and_body_are_refused(client: TestClient) -> None:
    assert_json_error(client.post("/v1/ask", json={"question": "x" * 2001}), 422)
    assert_json_error(client.post("/v1/ask", json={"question": "x" * 20_000}), 413)
