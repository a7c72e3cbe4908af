"""Conversation endpoints through the real app: /v1/ask turns, transcripts, deletion, feedback,
their JSON errors, and two app instances sharing a real Redis."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.service import Assistant
from assistant.web.api import create_app
from tests.servers import free_port

TURN_FIELDS = {
    "turn", "question", "resolved_question", "rewritten", "kind", "verdict", "confidence", "answer",
    "answer_markdown", "answer_html", "citations", "suggestions", "as_of", "changes", "provider",
    "created_at",
}  # fmt: skip


def serve(settings: Settings, assistant: Assistant, **changes: Any) -> TestClient:
    """A client of a started app (lifespan run) with the settings changed."""
    return TestClient(create_app(settings.model_copy(update=changes), assistant))


@pytest.fixture()
def client(settings: Settings, assistant: Assistant, tmp_path: Path) -> Iterator[TestClient]:
    """The app over the real assistant with a SQLite store in a fresh folder."""
    with serve(settings, assistant, data_dir=tmp_path / "data") as client:
        yield client


def ask(client: TestClient, question: str, conversation_id: str | None = None) -> dict[str, Any]:
    response = client.post(
        "/v1/ask", json={"question": question, "conversation_id": conversation_id}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code and error["message"]
    return error


def test_ask_starts_and_continues_a_conversation(client: TestClient) -> None:
    first = ask(client, "Is Istio supported?")
    assert set(first) == TURN_FIELDS | {"conversation_id"}
    assert first["turn"] == 1 and first["kind"] in ("answer", "clarification")
    assert first["created_at"].endswith("+00:00")
    assert first["provider"] == "Microsoft"  # who a provider's-responsibility verdict names
    second = ask(client, "what about Kured?", first["conversation_id"])
    assert second["conversation_id"] == first["conversation_id"]
    assert second["turn"] == 2
    assert second["question"] == "what about Kured?"
    assert second["resolved_question"] == "Is Kured supported?"
    assert (first["rewritten"], second["rewritten"]) == (False, True)
    # the current policy no longer names Kured; the answer notes the removal
    assert second["verdict"] == "unknown"
    assert [c["change"] for c in second["changes"]] == ["removed"]


def test_small_talk_and_handoff_replies(client: TestClient) -> None:
    hello = ask(client, "hi there")
    assert (hello["kind"], hello["verdict"], hello["citations"]) == ("smalltalk", "unknown", [])
    assert hello["suggestions"]
    human = ask(client, "let me talk to a human", hello["conversation_id"])
    assert (human["kind"], human["turn"], human["citations"]) == ("handoff", 2, [])


def test_unknown_conversation_is_404(client: TestClient) -> None:
    response = client.post("/v1/ask", json={"question": "and helm?", "conversation_id": "nope"})
    assert_error(response, 404, "conversation_not_found")


def test_transcript_replays_every_turn(client: TestClient) -> None:
    turns = [ask(client, "who reboots nodes after OS patches?")]
    conversation_id = turns[0]["conversation_id"]
    turns += [ask(client, q, conversation_id) for q in ("thanks!", "and kubernetes upgrades?")]
    response = client.get(f"/v1/conversations/{conversation_id}")
    assert response.status_code == 200
    transcript = response.json()
    assert set(transcript) == {
        "conversation_id", "created_at", "updated_at", "turns", "turn_count", "next_after"
    }  # fmt: skip
    assert (transcript["turn_count"], transcript["next_after"]) == (3, None)
    assert transcript["conversation_id"] == conversation_id
    assert transcript["created_at"] <= transcript["updated_at"]
    assert transcript["updated_at"] == turns[-1]["created_at"]
    assert [set(t) for t in transcript["turns"]] == [TURN_FIELDS] * 3
    assert transcript["turns"] == [
        {k: v for k, v in t.items() if k != "conversation_id"} for t in turns
    ]
    assert [t["kind"] for t in transcript["turns"]][1] == "smalltalk"
    assert transcript["turns"][2]["resolved_question"] == (
        "Who is responsible for kubernetes upgrades?"
    )


def test_transcripts_are_paginated(client: TestClient) -> None:
    conversation_id = ask(client, "Is Istio supported?")["conversation_id"]
    for question in ("what about kured?", "and helm?", "and envoy?", "thanks"):
        ask(client, question, conversation_id)
    url = f"/v1/conversations/{conversation_id}"
    first = client.get(url, params={"limit": 2}).json()
    assert [t["turn"] for t in first["turns"]] == [1, 2]
    assert (first["turn_count"], first["next_after"]) == (5, 2)
    second = client.get(url, params={"limit": 2, "after": first["next_after"]}).json()
    assert [t["turn"] for t in second["turns"]] == [3, 4] and second["next_after"] == 4
    last = client.get(url, params={"limit": 2, "after": 4}).json()
    assert [t["turn"] for t in last["turns"]] == [5] and last["next_after"] is None
    for bad in ({"limit": 0}, {"limit": 101}, {"after": -1}, {"after": 2**63}):
        assert_error(client.get(url, params=bad), 422, "invalid_request")


def test_a_full_conversation_is_refused_with_a_json_error(
    settings: Settings, assistant: Assistant, tmp_path: Path
) -> None:
    with serve(settings, assistant, data_dir=tmp_path, max_turns_per_conversation=3) as client:
        conversation_id = ask(client, "Is Istio supported?")["conversation_id"]
        ask(client, "what about kured?", conversation_id)
        ask(client, "and helm?", conversation_id)
        full = client.post(
            "/v1/ask", json={"question": "and envoy?", "conversation_id": conversation_id}
        )
        error = assert_error(full, 409, "conversation_full")
        assert "limit of 3 turns" in error["message"] and "new one" in error["message"]
        assert ask(client, "and envoy?")["turn"] == 1  # a new conversation is fine


def test_follow_ups_read_only_the_latest_turns(
    settings: Settings, assistant: Assistant, tmp_path: Path
) -> None:
    with serve(settings, assistant, data_dir=tmp_path, followup_context_turns=2) as client:
        conversation_id = ask(client, "Is Istio supported?")["conversation_id"]
        for _ in range(2):
            ask(client, "thanks", conversation_id)
        # the question about Istio is three turns back: outside the context, nothing to resolve
        reply = ask(client, "what about kured?", conversation_id)
        assert "istio" not in reply["resolved_question"].lower()
        assert reply["resolved_question"].lower() != "is kured supported?"
    with serve(settings, assistant, data_dir=tmp_path, followup_context_turns=3) as client:
        conversation_id = ask(client, "Is Istio supported?")["conversation_id"]
        for _ in range(2):
            ask(client, "thanks", conversation_id)
        reply = ask(client, "what about kured?", conversation_id)
        assert reply["resolved_question"].lower() == "is kured supported?"


def test_unknown_transcript_is_404(client: TestClient) -> None:
    assert_error(client.get("/v1/conversations/nope"), 404, "conversation_not_found")


def test_delete_removes_the_conversation_and_its_feedback(client: TestClient) -> None:
    conversation_id = ask(client, "Is Helm supported?")["conversation_id"]
    feedback = {"conversation_id": conversation_id, "turn": 1, "rating": "up"}
    assert client.post("/v1/feedback", json=feedback).status_code == 201
    store = client.app.state.assistant_state.store  # type: ignore[attr-defined]
    assert len(store.feedback()) == 1
    response = client.delete(f"/v1/conversations/{conversation_id}")
    assert response.status_code == 204 and response.content == b""
    assert store.feedback() == []
    assert_error(client.get(f"/v1/conversations/{conversation_id}"), 404, "conversation_not_found")
    assert_error(
        client.delete(f"/v1/conversations/{conversation_id}"), 404, "conversation_not_found"
    )
    assert_error(
        client.post("/v1/ask", json={"question": "and Istio?", "conversation_id": conversation_id}),
        404,
        "conversation_not_found",
    )


def test_feedback_is_recorded(client: TestClient) -> None:
    conversation_id = ask(client, "Is Istio supported?")["conversation_id"]
    response = client.post(
        "/v1/feedback",
        json={"conversation_id": conversation_id, "turn": 1, "rating": "down", "comment": "hm"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "recorded" and body["feedback_id"].startswith("fb_")
    store = client.app.state.assistant_state.store  # type: ignore[attr-defined]
    (recorded,) = store.feedback()
    assert (recorded.feedback_id, recorded.rating, recorded.comment) == (
        body["feedback_id"],
        "down",
        "hm",
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rating": "meh"}, "rating"),
        ({"rating": None}, "rating"),
        ({"rating": 1}, "rating"),
        ({"comment": "x" * 1001}, "comment"),
        ({"comment": 5}, "comment"),
        ({"turn": 0}, "turn"),
        ({"turn": "1"}, "turn"),
        ({"turn": 2**63}, "turn"),
        ({"turn": 10**30}, "turn"),
        ({"conversation_id": None}, "conversation_id"),
        ({"extra": True}, "extra"),
    ],
)
def test_bad_feedback_is_422(client: TestClient, change: dict[str, Any], field: str) -> None:
    conversation_id = ask(client, "Is Istio supported?")["conversation_id"]
    body = {"conversation_id": conversation_id, "turn": 1, "rating": "up", **change}
    error = assert_error(client.post("/v1/feedback", json=body), 422, "invalid_request")
    assert [d["field"] for d in error["details"]] == [field]


def test_feedback_for_unknown_conversation_or_turn_is_404(client: TestClient) -> None:
    conversation_id = ask(client, "Is Istio supported?")["conversation_id"]
    unknown = {"conversation_id": "nope", "turn": 1, "rating": "up"}
    assert_error(client.post("/v1/feedback", json=unknown), 404, "conversation_not_found")
    no_turn = {"conversation_id": conversation_id, "turn": 2, "rating": "up"}
    assert_error(client.post("/v1/feedback", json=no_turn), 404, "turn_not_found")
    assert_error(
        client.post("/v1/feedback", content=b"{", headers={"content-type": "application/json"}),
        422,
        "invalid_json",
    )


def test_a_comment_of_1000_characters_is_accepted(client: TestClient) -> None:
    conversation_id = ask(client, "Is Istio supported?")["conversation_id"]
    body = {"conversation_id": conversation_id, "turn": 1, "rating": "up", "comment": "é" * 1000}
    assert client.post("/v1/feedback", json=body).status_code == 201


def test_unreachable_redis_is_503(settings: Settings, assistant: Assistant) -> None:
    port = free_port()
    with serve(settings, assistant, redis_url=f"redis://127.0.0.1:{port}/0") as client:
        errors = [
            assert_error(
                client.post("/v1/ask", json={"question": "Is Istio supported?"}),
                503,
                "store_unavailable",
            ),
            assert_error(client.get("/v1/conversations/abc"), 503, "store_unavailable"),
            # not ready while the store is down: a load balancer stops sending traffic
            assert_error(client.get("/readyz"), 503, "store_unavailable"),
        ]
        assert client.get("/healthz").status_code == 200
    for error in errors:  # nothing about the deployment's insides for anonymous clients
        assert str(port) not in error["message"] and "127.0.0.1" not in error["message"]
        assert "redis" not in error["message"].lower()


def test_an_unusable_sqlite_store_is_503_without_its_path(
    settings: Settings, assistant: Assistant, tmp_path: Path
) -> None:
    with serve(settings, assistant, data_dir=tmp_path / "data") as client:
        ask(client, "Is Istio supported?")
        database = tmp_path / "data" / "conversations.sqlite3"
        database.unlink()
        database.mkdir()  # the file is gone and a folder stands in its way
        client.app.state.assistant_state.store.close()  # new connections must reopen it
        errors = [
            assert_error(client.get("/readyz"), 503, "store_unavailable"),
            assert_error(client.post("/v1/ask", json={"question": "hi"}), 503, "store_unavailable"),
        ]
    for error in errors:
        assert str(tmp_path) not in error["message"] and "sqlite" not in error["message"]


def test_conversation_routes_wait_for_the_assistant(settings: Settings, tmp_path: Path) -> None:
    app = create_app(settings.model_copy(update={"data_dir": tmp_path}))
    client = TestClient(app)  # no lifespan: the assistant never loads
    assert_error(client.post("/v1/ask", json={"question": "hi"}), 503, "not_ready")
    assert_error(client.get("/v1/conversations/abc"), 503, "not_ready")


def test_two_replicas_share_conversations_through_redis(
    settings: Settings, assistant: Assistant, redis_url: str
) -> None:
    with (
        serve(settings, assistant, redis_url=redis_url) as a,
        serve(settings, assistant, redis_url=redis_url) as b,
    ):
        first = ask(a, "Is Istio supported?")
        conversation_id = first["conversation_id"]
        second = ask(b, "what about Kured?", conversation_id)
        assert (second["turn"], second["resolved_question"]) == (2, "Is Kured supported?")
        third = ask(a, "and Envoy?", conversation_id)
        assert (third["turn"], third["resolved_question"]) == (3, "Is Envoy supported?")
        transcript = b.get(f"/v1/conversations/{conversation_id}").json()
        assert [t["question"] for t in transcript["turns"]] == [
            "Is Istio supported?",
            "what about Kured?",
            "and Envoy?",
        ]
        rating = {"conversation_id": conversation_id, "turn": 2, "rating": "up"}
        assert b.post("/v1/feedback", json=rating).status_code == 201
        assert a.delete(f"/v1/conversations/{conversation_id}").status_code == 204
        assert_error(b.get(f"/v1/conversations/{conversation_id}"), 404, "conversation_not_found")


def test_the_length_limit_applies_to_what_the_user_typed(client: TestClient) -> None:
    first = ask(client, "Is " + " ".join(["kured"] * 300) + " supported?")
    reply = ask(client, "does it patch it and it or it?", first["conversation_id"])
    assert reply["question"] == "does it patch it and it or it?"
    assert len(reply["resolved_question"]) <= 2000
