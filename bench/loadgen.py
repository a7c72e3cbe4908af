"""What the operations benchmarks share: a real `assistant serve` on a free loopback port, a
closed-loop or paced load of realistic conversations, latency percentiles and process RSS.

Traffic goes to 127.0.0.1 only; every loop is bounded by a deadline.
"""

from __future__ import annotations

import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
LOOPBACK = "127.0.0.1"


def eval_questions() -> list[tuple[str, str | None]]:
    """(question, id of the question it follows up) from the labelled evaluation set."""
    rows = [json.loads(line) for line in (ROOT / "eval" / "questions.jsonl").open(encoding="utf-8")]
    return [(row["question"], row.get("follow_up_of")) for row in rows if row.get("question")]


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MiB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def percentiles(latencies: list[float]) -> dict[str, float]:
    """p50/p95/p99/max of latencies given in seconds, in milliseconds."""
    if not latencies:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}
    ordered = sorted(latencies)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 1)

    return {"p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99), "max_ms": at(1.0)}


@dataclass
class Server:
    """A running `assistant serve` subprocess."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path
    start_seconds: float


@contextmanager
def serving(env: Mapping[str, str], log: Path, timeout: float = 300) -> Iterator[Server]:
    """`python -m assistant serve` on a free loopback port with `env` added; stopped with
    SIGTERM at the end."""
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve", "--host", LOOPBACK, "--port", str(port)],
            env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **env},
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://{LOOPBACK}:{port}"
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{url}/readyz", timeout=1, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() - started > timeout:
                raise RuntimeError(f"server not ready in {timeout}s")
            time.sleep(0.2)
        yield Server(process, url, log, round(time.monotonic() - started, 1))
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass
class Outcome:
    """One request: when it started (monotonic), how long it took, and its status or error."""

    started: float
    seconds: float
    kind: str
    status: int
    error: str = ""


@dataclass
class Tally:
    """Every outcome of a load run (thread-safe)."""

    outcomes: list[Outcome] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, outcome: Outcome) -> None:
        with self.lock:
            self.outcomes.append(outcome)

    def failures(self) -> list[Outcome]:
        """Requests that errored or got a status other than the one their kind expects."""
        expected = {"ask": 200, "follow_up": 200, "transcript": 200, "feedback": 201}
        return [o for o in self.outcomes if o.error or o.status != expected[o.kind]]

    def summary(self, since: float = 0.0, until: float = float("inf")) -> dict[str, Any]:
        chosen = [o for o in self.outcomes if since <= o.started <= until]
        failed = [o for o in self.failures() if since <= o.started <= until]
        by_kind: dict[str, int] = {}
        for o in chosen:
            by_kind[o.kind] = by_kind.get(o.kind, 0) + 1
        return {
            "requests": len(chosen),
            "failed": len(failed),
            "failure_examples": sorted({f"{o.kind} {o.status} {o.error}" for o in failed})[:5],
            "by_kind": by_kind,
            **percentiles([o.seconds for o in chosen if not o.error]),
        }


class Conversationalist(threading.Thread):
    """A user: starts conversations, asks follow-ups, rates answers, re-reads transcripts;
    `pace` seconds between requests (0: closed loop), until `stop` or `deadline`."""

    def __init__(
        self,
        url: str,
        tally: Tally,
        stop: threading.Event,
        deadline: float,
        seed: int,
        pace: float = 0.0,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(daemon=True)
        self.url, self.tally, self.stop, self.deadline, self.pace = url, tally, stop, deadline, pace
        self.random = random.Random(seed)
        self.questions = eval_questions()
        self.headers = dict(headers or {})

    def run(self) -> None:
        client = httpx.Client(base_url=self.url, timeout=60, headers=self.headers, trust_env=False)
        with client as http:
            conversation: str | None = None
            turn = 0
            next_at = time.monotonic()
            while not self.stop.is_set() and time.monotonic() < self.deadline:
                if self.pace:
                    next_at += self.pace
                    time.sleep(max(0.0, next_at - time.monotonic()))
                roll = self.random.random()
                if conversation is None or roll < 0.45:
                    kind, conversation, turn = "ask", None, 0
                elif roll < 0.75:
                    kind = "follow_up"
                elif roll < 0.9:
                    kind = "transcript"
                else:
                    kind = "feedback"
                result = self.request(http, kind, conversation, turn)
                if result is not None:
                    conversation, turn = result

    def request(
        self, http: httpx.Client, kind: str, conversation: str | None, turn: int
    ) -> tuple[str, int] | None:
        question, _ = self.random.choice(self.questions)
        started = time.monotonic()
        status, error = 0, ""
        try:
            if kind in ("ask", "follow_up"):
                body = {"question": question, "conversation_id": conversation}
                response = http.post("/v1/ask", json=body)
            elif kind == "transcript":
                response = http.get(f"/v1/conversations/{conversation}")
            else:
                rating = {"conversation_id": conversation, "turn": turn, "rating": "up"}
                response = http.post("/v1/feedback", json=rating)
            status = response.status_code
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        self.tally.add(Outcome(started, time.monotonic() - started, kind, status, error))
        if kind in ("ask", "follow_up") and status == 200:
            data = response.json()
            return data["conversation_id"], data["turn"]
        return None


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3) if values else 0.0


def write_result(name: str, data: dict[str, Any]) -> Path:
    """bench/results/<name>.json"""
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / f"{name}.json"
    target.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return target
