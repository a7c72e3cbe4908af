"""Two real replicas (uvicorn subprocesses) sharing a real redis-server behind a round-robin
proxy keep one conversation going while a replica is stopped with SIGTERM and started again."""

from __future__ import annotations

import threading
import time
from contextlib import ExitStack
from pathlib import Path

import httpx

from tests.conftest import ROOT
from tests.proxy import running_proxy
from tests.servers import free_port, running_api

QUESTIONS = (
    "Is Istio supported?",
    "what about Kured?",
    "and Envoy?",
    "Who reboots nodes after OS patches?",
    "and kubernetes upgrades?",
    "how often is etcd backed up?",
    "can I get those backups?",
    "Is Helm supported?",
)


class Poller(threading.Thread):
    """Reads the transcript through the proxy in a loop until stopped; counts failures."""

    def __init__(self, url: str, conversation_id: str) -> None:
        super().__init__(daemon=True)
        self.url, self.conversation_id = url, conversation_id
        self.stop = threading.Event()
        self.ok = 0
        self.failures: list[str] = []

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=30, trust_env=False) as http:
            deadline = time.monotonic() + 300
            while not self.stop.is_set() and time.monotonic() < deadline:
                try:
                    response = http.get(f"/v1/conversations/{self.conversation_id}")
                    if response.status_code == 200:
                        self.ok += 1
                    else:
                        self.failures.append(f"{response.status_code} {response.text[:200]}")
                except httpx.HTTPError as exc:
                    self.failures.append(repr(exc))
                time.sleep(0.05)


def test_a_conversation_survives_a_replica_restart(
    server_env: dict[str, str], redis_url: str, tmp_path: Path
) -> None:
    env = {
        **server_env,
        "ASSISTANT_REDIS_URL": redis_url,
        "ASSISTANT_DATA_DIR": str(tmp_path / "data"),
    }
    port_a, port_b = free_port(), free_port()
    with ExitStack() as stack:
        replica_a = stack.enter_context(
            running_api(env, cwd=ROOT, log=tmp_path / "a.log", port=port_a)
        )
        stack.enter_context(running_api(env, cwd=ROOT, log=tmp_path / "b.log", port=port_b))
        proxy = stack.enter_context(running_proxy([port_a, port_b]))
        http = stack.enter_context(httpx.Client(base_url=proxy.url, timeout=60, trust_env=False))

        conversation_id = None
        turns: list[dict[str, object]] = []

        def ask(question: str) -> str:
            nonlocal conversation_id
            response = http.post(
                "/v1/ask", json={"question": question, "conversation_id": conversation_id}
            )
            assert response.status_code == 200, response.text
            body = response.json()
            conversation_id = body["conversation_id"]
            turns.append(body)
            assert body["turn"] == len(turns)
            return response.headers["x-upstream-port"]

        before = {ask(q) for q in QUESTIONS[:3]}
        assert before == {str(port_a), str(port_b)}, "the proxy alternates between replicas"
        assert turns[1]["resolved_question"] == "Is Kured supported?"  # context from the other

        assert conversation_id is not None
        poller = Poller(proxy.url, conversation_id)
        poller.start()
        assert replica_a.terminate() in (0, -15)  # uvicorn re-raises SIGTERM once drained
        during = {ask(q) for q in QUESTIONS[3:5]}
        assert during == {str(port_b)}
        restarted = stack.enter_context(
            running_api(env, cwd=ROOT, log=tmp_path / "a-again.log", port=port_a)
        )
        # the poller shares the proxy's round robin; stop it so our asks alternate again
        poller.stop.set()
        poller.join(timeout=30)
        after = {ask(q) for q in QUESTIONS[5:]}
        assert after == {str(port_a), str(port_b)}
        assert restarted.process.poll() is None

        transcript = http.get(f"/v1/conversations/{conversation_id}").json()
        assert [t["question"] for t in transcript["turns"]] == list(QUESTIONS)
        assert [t["turn"] for t in transcript["turns"]] == list(range(1, len(QUESTIONS) + 1))
        assert transcript["turns"][6]["resolved_question"] == "Can I get etcd backups?"
        assert not poller.failures, poller.failures[:5]
        assert poller.ok > 0
