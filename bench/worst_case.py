"""Worst-case versus normal question latency over HTTP, and /healthz while worst cases run.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/worst_case.py [--rounds 5]

Starts a real `python -m assistant serve` (answer cache off, so every question is answered in
full; index from ASSISTANT_INDEX_DIR, default index/current) and asks, one at a time, normal
questions (the dev split of eval/questions.jsonl) and messages built to make the user-text
patterns backtrack (repeated small-talk words, punctuation runs, separators; each of the
maximum length). Then it probes /healthz every 5 ms while a client sends only worst cases.
Prints a table; writes bench/results/worst_case.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402
    LOOPBACK,
    ROOT,
    load_questions,
    machine,
    percentiles,
    python,
    running_server,
    table,
    write_result,
)

MAX_CHARS = 2000
WORST_CASES = {
    "ok * 666": ("ok " * 700)[:MAX_CHARS],
    "bye * 500 + x": ("bye " * 500)[: MAX_CHARS - 1] + "x",
    "comma run": "a" + "," * (MAX_CHARS - 2) + "b",
    "bang run": "!" * (MAX_CHARS - 1) + "a",
    "ok , * 400": ("ok , " * 400)[: MAX_CHARS - 6] + " istio",
    "great, * 285 thanks": ("great, " * 300)[: MAX_CHARS - 8] + " thanks",
    "space run": "is" + " " * (MAX_CHARS - 14) + "istio too ok",
    "and it * 333": ("and it " * 300)[:MAX_CHARS],
}


def _ask(http: httpx.Client, question: str) -> float:
    started = time.perf_counter()
    response = http.post("/v1/ask", json={"question": question})
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{response.status_code} for {question[:30]!r}: {response.text[:200]}")
    return elapsed


def measure(url: str, rounds: int) -> dict[str, object]:
    """Latencies of normal and worst-case questions, and of /healthz under worst cases."""
    normal_questions = [q["question"] for q in load_questions() if q.get("split") == "dev"][:40]
    normal: list[float] = []
    worst: dict[str, list[float]] = {name: [] for name in WORST_CASES}
    with httpx.Client(base_url=url, timeout=120, trust_env=False) as http:
        for question in normal_questions[:5]:  # warm-up
            _ask(http, question)
        for _ in range(rounds):
            normal += [_ask(http, q) for q in normal_questions]
            for name, question in WORST_CASES.items():
                worst[name].append(_ask(http, question))
        probes: list[float] = []
        done = threading.Event()

        def flood() -> None:
            with httpx.Client(base_url=url, timeout=120, trust_env=False) as asker:
                for _ in range(rounds):
                    for question in WORST_CASES.values():
                        _ask(asker, question)
            done.set()

        threading.Thread(target=flood, daemon=True).start()
        while not done.is_set():
            started = time.perf_counter()
            http.get("/healthz")
            probes.append(time.perf_counter() - started)
            time.sleep(0.005)
    every_worst = [s for samples in worst.values() for s in samples]
    normal_p50 = percentiles(normal)["p50_ms"]
    return {
        "normal": {"questions": len(normal), **percentiles(normal)},
        "worst_case": {name: percentiles(samples) for name, samples in worst.items()},
        "worst_case_all": {"questions": len(every_worst), **percentiles(every_worst)},
        "worst_p50_over_normal_p50": round(percentiles(every_worst)["p50_ms"] / normal_p50, 2),
        "slowest_case_p50_over_normal_p50": round(
            max(percentiles(samples)["p50_ms"] for samples in worst.values()) / normal_p50, 2
        ),
        "slowest_worst_over_normal_p50": round(max(every_worst) * 1000 / normal_p50, 2),
        "healthz_during_worst_cases": {
            "probes": len(probes),
            **percentiles(probes),
            "max_ms": round(max(probes) * 1000, 2),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    env = {
        "ASSISTANT_CACHE_SIZE": "0",  # answer every question in full
        "ASSISTANT_RATE_LIMIT_PER_SECOND": "0",
        "ASSISTANT_BUILD_INDEX_ON_START": "false",
        "ASSISTANT_DATA_DIR": os.environ.get("ASSISTANT_DATA_DIR", "/tmp/worst-case-bench"),
        "ASSISTANT_LOG_LEVEL": "warning",
        "HF_HUB_OFFLINE": "1",
    }
    command = [python(), "-m", "assistant", "serve", "--host", LOOPBACK, "--port", "{port}"]
    log = ROOT / "bench" / "results" / "worst_case.log"
    with running_server(command, env, log) as server:
        result = measure(f"http://{LOOPBACK}:{server.port}", args.rounds)
    log.unlink(missing_ok=True)
    result = {"machine": machine(), "rounds": args.rounds, **result}
    rows = [["normal (dev split)", *_row(result["normal"])]]
    rows += [[name, *_row(stats)] for name, stats in result["worst_case"].items()]  # type: ignore[attr-defined]
    rows += [["/healthz during worst cases", *_row(result["healthz_during_worst_cases"])]]
    print(table(rows, ["requests", "p50 ms", "p95 ms", "p99 ms"]))
    print(
        f"worst-case p50 / normal p50: {result['worst_p50_over_normal_p50']} (slowest kind: "
        f"{result['slowest_case_p50_over_normal_p50']}); "
        f"slowest single worst case / normal p50: {result['slowest_worst_over_normal_p50']}"
    )
    print(json.dumps(result["healthz_during_worst_cases"]))
    print(f"wrote {write_result('worst_case', result)}")


def _row(stats: object) -> list[object]:
    data = dict(stats)  # type: ignore[call-overload]
    return [data["p50_ms"], data["p95_ms"], data["p99_ms"]]


if __name__ == "__main__":
    main()
