"""Zero-downtime index updates under load: conversations keep flowing while the index is
rebuilt beside the live one and hot-swapped several times.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/reload_under_load.py               # 5 reloads
    HF_HUB_OFFLINE=1 .venv/bin/python bench/reload_under_load.py --no-rebuild  # swap only

A real `assistant serve` on a loopback port gets a closed-loop load from `--clients` users
(questions, follow-ups, ratings, transcripts). Each of `--reloads` rounds runs `assistant index
build` into the live index folder (atomic rename), then `POST /admin/reload`; the last round
sends SIGHUP instead. Prints failed requests (the target is zero), latency overall and while
reloads ran, each reload's time and index version, and the server's RSS; writes
bench/results/reload_under_load.json. Exits non-zero on any failed request or refused reload.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from bench.loadgen import (  # noqa: E402
    ROOT,
    Conversationalist,
    Tally,
    rss_mb,
    serving,
    write_result,
)


def build_index(index_dir: Path) -> float:
    """`assistant index build` into `index_dir`, as an operator would; returns its seconds."""
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "assistant", "index", "build"],
        env={**os.environ, "ASSISTANT_INDEX_DIR": str(index_dir), "HF_HUB_OFFLINE": "1"},
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return round(time.monotonic() - started, 1)


def served_version(http: httpx.Client) -> str:
    for line in http.get("/metrics").text.splitlines():
        if line.startswith("assistant_index_info{"):
            return line.split('version="', 1)[1].split('"', 1)[0]
    return ""


def reload_count(http: httpx.Client, result: str) -> int:
    for line in http.get("/metrics").text.splitlines():
        if line.startswith(f'assistant_index_reloads_total{{result="{result}"}}'):
            return int(float(line.rsplit(" ", 1)[1]))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reloads", type=int, default=5)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--settle", type=float, default=3.0, help="seconds of load between reloads")
    parser.add_argument(
        "--rebuild",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run `assistant index build` before each reload",
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="reload-bench-"))
    live = work / "index" / "current"
    admin_key = secrets.token_urlsafe(24)
    env = {
        "ASSISTANT_INDEX_DIR": str(live),
        "ASSISTANT_DATA_DIR": str(work / "data"),
        "ASSISTANT_REDIS_URL": "",
        "ASSISTANT_ADMIN_KEY": admin_key,
        "ASSISTANT_RATE_LIMIT_PER_SECOND": "0",  # one loopback client: no per-client limit
        "ASSISTANT_BUILD_INDEX_ON_START": "false",
    }
    try:
        print(f"building the live index in {live} …", flush=True)
        first_build = build_index(live)
        tally, stop = Tally(), threading.Event()
        reloads: list[dict[str, Any]] = []
        with serving(env, work / "server.log") as server:
            pid = server.process.pid
            rss_start = rss_mb(pid)
            deadline = time.monotonic() + 60 * 30
            users = [
                Conversationalist(server.url, tally, stop, deadline, seed=n)
                for n in range(args.clients)
            ]
            load_started = time.monotonic()
            for user in users:
                user.start()
            admin = {"Authorization": f"Bearer {admin_key}"}
            with httpx.Client(base_url=server.url, timeout=120, trust_env=False) as http:
                for n in range(args.reloads):
                    time.sleep(args.settle)
                    build_s = build_index(live) if args.rebuild else 0.0
                    window_start = time.monotonic()
                    if n == args.reloads - 1:  # the last one by signal, as `kill -HUP` would
                        before = reload_count(http, "reloaded")
                        server.process.send_signal(signal.SIGHUP)
                        while reload_count(http, "reloaded") == before:
                            if time.monotonic() - window_start > 120:
                                raise RuntimeError("SIGHUP reload did not happen in 120 s")
                            time.sleep(0.05)
                        status, body = 200, {"version": served_version(http), "via": "SIGHUP"}
                    else:
                        response = http.post("/admin/reload", headers=admin)
                        status, body = response.status_code, response.json()
                    window_end = time.monotonic()
                    reloads.append(
                        {
                            "round": n + 1,
                            "status": status,
                            "build_s": build_s,
                            "reload_s": round(window_end - window_start, 3),
                            "version": body.get("version"),
                            "via": body.get("via", "POST /admin/reload"),
                            "load_during": tally.summary(window_start - 0.5, window_end + 0.5),
                        }
                    )
                    print(
                        f"reload {n + 1}: {status} in {reloads[-1]['reload_s']} s "
                        f"(build {build_s} s) -> {body.get('version')}",
                        flush=True,
                    )
                time.sleep(args.settle)
                stop.set()
                for user in users:
                    user.join(timeout=120)
                load_seconds = time.monotonic() - load_started
                rss_end = rss_mb(pid)
                final_version = served_version(http)
        overall = tally.summary()
        result = {
            "clients": args.clients,
            "reloads": args.reloads,
            "rebuild": args.rebuild,
            "first_build_s": first_build,
            "server_start_s": server.start_seconds,
            "load_seconds": round(load_seconds, 1),
            "throughput_rps": round(overall["requests"] / load_seconds, 1),
            "overall": overall,
            "reload_rounds": reloads,
            "distinct_versions": len({r["version"] for r in reloads}),
            "final_version": final_version,
            "rss_mb": {"start": rss_start, "end": rss_end},
            "load_average": [round(x, 2) for x in os.getloadavg()],
        }
        path = write_result("reload_under_load", result)
        print(json.dumps({k: v for k, v in result.items() if k != "reload_rounds"}, indent=2))
        print(
            f"\n{overall['requests']} requests during {args.reloads} reloads: "
            f"{overall['failed']} failed; p50 {overall['p50_ms']} ms, p95 {overall['p95_ms']} ms, "
            f"p99 {overall['p99_ms']} ms; RSS {rss_start} -> {rss_end} MiB; written to {path}"
        )
        refused = [r for r in reloads if r["status"] != 200]
        return 1 if overall["failed"] or refused else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
