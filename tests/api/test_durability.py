"""SIGKILL a real server while it answers: every turn and rating it acknowledged is on disk."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx

from assistant.config import Settings
from assistant.storage.sqlite_store import SQLiteConversationStore
from tests.conftest import ROOT
from tests.servers import running_api

QUESTIONS = ("Is Istio supported?", "what about Kured?", "and Envoy?", "who patches them?")


class Client(threading.Thread):
    """Asks and rates in a loop until the server goes away; keeps what was acknowledged."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.http = httpx.Client(base_url=url, timeout=30, trust_env=False)
        self.turns: list[tuple[str, int, str]] = []  # conversation id, turn, question
        self.feedback: list[str] = []
        self.error: Exception | None = None

    def run(self) -> None:
        conversation_id = None
        try:
            for n in range(1000):
                question = QUESTIONS[n % len(QUESTIONS)]
                if n % len(QUESTIONS) == 0:
                    conversation_id = None
                response = self.http.post(
                    "/v1/ask", json={"question": question, "conversation_id": conversation_id}
                )
                assert response.status_code == 200, response.text
                body = response.json()
                conversation_id = body["conversation_id"]
                self.turns.append((conversation_id, body["turn"], question))
                rating = {"conversation_id": conversation_id, "turn": body["turn"], "rating": "up"}
                response = self.http.post("/v1/feedback", json=rating)
                assert response.status_code == 201, response.text
                self.feedback.append(response.json()["feedback_id"])
        except httpx.HTTPError as exc:
            self.error = exc
        finally:
            self.http.close()


def test_sigkill_loses_no_acknowledged_turn_or_feedback(
    settings: Settings, server_env: dict[str, str], tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    env = {**server_env, "ASSISTANT_DATA_DIR": str(data_dir)}
    with running_api(env, cwd=ROOT, log=tmp_path / "server.log") as server:
        client = Client(server.url)
        client.start()
        deadline = time.monotonic() + 120
        while len(client.feedback) < 6 and client.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        server.kill()
        client.join(timeout=60)
    assert client.error is not None, "the client should have seen the server die"
    assert len(client.feedback) >= 6, (tmp_path / "server.log").read_text()[-2000:]

    store = SQLiteConversationStore(data_dir / "conversations.sqlite3", 3600)
    try:
        for conversation_id, turn, question in client.turns:
            conversation = store.get(conversation_id)
            assert conversation is not None, conversation_id
            assert len(conversation.turns) >= turn
            assert conversation.turns[turn - 1].question == question
        recorded = {f.feedback_id for f in store.feedback()}
        assert set(client.feedback) <= recorded
    finally:
        store.close()
