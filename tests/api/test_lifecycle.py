"""A real `assistant serve` through reloads and shutdown: index reloads (HTTP and SIGHUP) under
concurrent requests fail none; SIGTERM lets an in-flight request finish and store its turn; the
server's log lines are JSON and carry no key."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import threading
import time
from dataclasses import replace
from pathlib import Path

import httpx

from assistant.config import Settings
from assistant.search.index import SearchIndex, save_index
from assistant.storage.sqlite_store import SQLiteConversationStore
from tests.conftest import CORPUS_DIR, ROOT
from tests.servers import LOOPBACK, running_api

API_KEY = "lifecycle-api-key-4be2"
ADMIN_KEY = "lifecycle-admin-key-913f"
QUESTIONS = (
    "Is Istio supported?",
    "Who reboots nodes after OS patches?",
    "How often is etcd backed up?",
    "Can I SSH into my worker nodes?",
    "Is Helm supported?",
    "Who is responsible for kubernetes upgrades?",
    "Are preview features covered by support?",
    "best pizza in Naples?",
)


def server_env(settings: Settings, index_dir: Path, data_dir: Path) -> dict[str, str]:
    return {
        "ASSISTANT_INDEX_DIR": str(index_dir),
        "ASSISTANT_CORPUS_DIR": str(CORPUS_DIR),
        "ASSISTANT_DATA_DIR": str(data_dir),
        "ASSISTANT_BUILD_INDEX_ON_START": "false",
        "ASSISTANT_REDIS_URL": "",
        "ASSISTANT_API_KEYS": API_KEY,
        "ASSISTANT_ADMIN_KEY": ADMIN_KEY,
        "ASSISTANT_LOG_FORMAT": "json",
        "ASSISTANT_SHUTDOWN_TIMEOUT_SECONDS": "30",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }


class Asker(threading.Thread):
    """Asks questions in a loop until stopped (bounded in time); records every outcome."""

    def __init__(self, url: str, offset: int) -> None:
        super().__init__(daemon=True)
        self.url, self.offset = url, offset
        self.stop = threading.Event()
        self.ok = 0
        self.failures: list[str] = []

    def run(self) -> None:
        headers = {"X-API-Key": API_KEY}
        with httpx.Client(base_url=self.url, timeout=60, headers=headers, trust_env=False) as http:
            deadline, n = time.monotonic() + 240, self.offset
            while not self.stop.is_set() and time.monotonic() < deadline:
                question = f"{QUESTIONS[n % len(QUESTIONS)]} ({n // len(QUESTIONS)})"
                n += 1
                try:
                    response = http.post("/v1/ask", json={"question": question})
                    if response.status_code == 200:
                        self.ok += 1
                    else:
                        self.failures.append(f"{response.status_code} {response.text[:200]}")
                except httpx.HTTPError as exc:
                    self.failures.append(repr(exc))


def reload_count(http: httpx.Client) -> float:
    for line in http.get("/metrics").text.splitlines():
        if line.startswith('assistant_index_reloads_total{result="reloaded"}'):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def served_version(http: httpx.Client) -> str:
    for line in http.get("/metrics").text.splitlines():
        if line.startswith("assistant_index_info{"):
            return line.split('version="', 1)[1].split('"', 1)[0]
    raise AssertionError("no assistant_index_info in /metrics")


def test_reloads_under_concurrent_requests_fail_none(
    settings: Settings, search_index: SearchIndex, tmp_path: Path
) -> None:
    live = tmp_path / "index" / "current"
    shutil.copytree(settings.index_dir, live)
    env = server_env(settings, live, tmp_path / "data")
    with running_api(env, cwd=ROOT, log=tmp_path / "server.log") as server:
        askers = [Asker(server.url, offset) for offset in range(3)]
        for asker in askers:
            asker.start()
        admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
        with httpx.Client(base_url=server.url, timeout=60, trust_env=False) as http:
            versions = [served_version(http)]
            for n in range(3):
                time.sleep(0.5)
                rebuilt = replace(search_index.manifest, built_at=f"2030-01-01T00:00:0{n}Z")
                save_index(
                    SearchIndex(
                        rebuilt, search_index.clause_ids, search_index.dense, search_index.lexical
                    ),
                    live,
                )
                response = http.post("/admin/reload", headers=admin)
                assert response.status_code == 200, response.text
                versions.append(response.json()["version"])
            # SIGHUP reloads too (in a thread; the server keeps answering meanwhile)
            server.process.send_signal(signal.SIGHUP)
            deadline = time.monotonic() + 60
            while reload_count(http) < 4 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert reload_count(http) == 4
            time.sleep(0.5)
            for asker in askers:
                asker.stop.set()
            for asker in askers:
                asker.join(timeout=60)
            assert "2030-01-01T00:00:02Z" in versions[-1] and served_version(http) == versions[-1]
            assert len(set(versions)) == 4
    failures = [f for asker in askers for f in asker.failures]
    assert not failures, failures[:5]
    assert sum(asker.ok for asker in askers) >= 10


def accepts_connections(port: int) -> bool:
    try:
        socket.create_connection((LOOPBACK, port), timeout=2).close()
    except OSError:
        return False
    return True


def read_response(sock: socket.socket) -> tuple[int, dict[str, object]]:
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body)


def test_sigterm_lets_an_in_flight_request_finish_and_keeps_its_turn(
    settings: Settings, search_index: SearchIndex, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    env = server_env(settings, settings.index_dir, data_dir)
    log = tmp_path / "server.log"
    question = "Who is responsible for patching worker node operating systems?"
    with running_api(env, cwd=ROOT, log=log) as server:
        body = json.dumps({"question": question}).encode()
        head = (
            f"POST /v1/ask HTTP/1.1\r\nHost: {LOOPBACK}:{server.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            f"X-API-Key: {API_KEY}\r\nX-Request-ID: in-flight-1\r\nConnection: close\r\n\r\n"
        ).encode()
        with socket.create_connection((LOOPBACK, server.port), timeout=60) as sock:
            sock.sendall(head + body[:10])  # the request is in flight, its body half sent
            with httpx.Client(base_url=server.url, timeout=10, trust_env=False) as http:
                deadline = time.monotonic() + 30
                while "assistant_http_requests_in_flight 1.0" not in http.get("/metrics").text:
                    assert time.monotonic() < deadline, "the request never reached the app"
                    time.sleep(0.05)
            server.process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 30
            while accepts_connections(server.port):  # draining: no new connections
                assert time.monotonic() < deadline, "still accepting connections after SIGTERM"
                time.sleep(0.1)
            time.sleep(0.5)
            assert server.process.poll() is None, "the server must wait for the request"
            sock.sendall(body[10:])
            status, answer = read_response(sock)
        assert status == 200, answer
        assert server.process.wait(timeout=60) in (0, -15)

    store = SQLiteConversationStore(data_dir / "conversations.sqlite3", 3600)
    try:
        conversation = store.get(str(answer["conversation_id"]))
        assert conversation is not None and conversation.turns[0].question == question
    finally:
        store.close()

    text = log.read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    finished = [line for line in lines if line.get("request_id") == "in-flight-1"]
    assert finished and finished[-1]["status"] == 200
    assert any("Finished server process" in str(line.get("message")) for line in lines)
    assert API_KEY not in text and ADMIN_KEY not in text
    assert "patching worker node" not in text  # questions are not logged by default
