"""Soak: a steady load on one real server for N minutes; errors and memory growth.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/soak.py                 # 10 minutes (the target run)
    HF_HUB_OFFLINE=1 .venv/bin/python bench/soak.py --minutes 3     # a short run

`--users` simulated users, each paced at one request every `--pace` seconds, hold
conversations on a real `assistant serve` on a loopback port: new questions, follow-ups,
ratings and transcript reads (SQLite store, as the default deployment). RSS is sampled every
`--sample-seconds`; the first `--warmup-seconds` (model, caches, allocator warming up) are not
counted. Prints requests, errors, latency, RSS at start (after warm-up), end and peak, growth %
(target < 5 %) and the RSS trend; writes bench/results/soak.json. Exits non-zero on any error or
growth at or above the target.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.loadgen import Conversationalist, Tally, rss_mb, serving, write_result  # noqa: E402

GROWTH_TARGET_PERCENT = 5.0


def slope_mb_per_minute(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of RSS (MiB) against time (minutes)."""
    if len(samples) < 2:
        return 0.0
    xs = [t / 60 for t, _ in samples]
    ys = [rss for _, rss in samples]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return (
        round(sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var, 3)
        if var
        else 0.0
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--minutes", type=float, default=10.0, help="measured minutes (after warm-up)"
    )
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--pace", type=float, default=0.4, help="seconds between a user's requests")
    parser.add_argument("--warmup-seconds", type=float, default=60.0)
    parser.add_argument("--sample-seconds", type=float, default=5.0)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="soak-"))
    env = {
        "ASSISTANT_DATA_DIR": str(work / "data"),
        "ASSISTANT_REDIS_URL": "",
        "ASSISTANT_RATE_LIMIT_PER_SECOND": "0",  # one loopback client: no per-client limit
    }
    try:
        with serving(env, work / "server.log") as server:
            pid = server.process.pid
            tally, stop = Tally(), threading.Event()
            total = args.warmup_seconds + args.minutes * 60
            began = time.monotonic()
            deadline = began + total + 5
            users = [
                Conversationalist(server.url, tally, stop, deadline, seed=n, pace=args.pace)
                for n in range(args.users)
            ]
            for user in users:
                user.start()
            print(f"warming up for {args.warmup_seconds:.0f} s …", flush=True)
            time.sleep(args.warmup_seconds)
            measured_from = time.monotonic()
            rss_start = rss_mb(pid)
            samples = [(0.0, rss_start)]
            while time.monotonic() - measured_from < args.minutes * 60:
                time.sleep(
                    min(
                        args.sample_seconds,
                        max(0.0, measured_from + args.minutes * 60 - time.monotonic()),
                    )
                )
                samples.append((time.monotonic() - measured_from, rss_mb(pid)))
                minute = samples[-1][0] / 60
                if len(samples) % max(1, int(60 / args.sample_seconds)) == 0:
                    done = tally.summary(measured_from)
                    print(
                        f"{minute:5.1f} min: {done['requests']} requests, {done['failed']} failed, "
                        f"RSS {samples[-1][1]} MiB",
                        flush=True,
                    )
            measured_until = time.monotonic()
            rss_end = rss_mb(pid)
            stop.set()
            for user in users:
                user.join(timeout=120)
            alive = server.process.poll() is None
        measured = tally.summary(measured_from, measured_until)
        warmup = tally.summary(0.0, measured_from)
        growth = round((rss_end - rss_start) / rss_start * 100, 2) if rss_start else 0.0
        result = {
            "minutes": args.minutes,
            "users": args.users,
            "pace_s": args.pace,
            "throughput_rps": round(measured["requests"] / (measured_until - measured_from), 2),
            "measured": measured,
            "warmup_failed": warmup["failed"],
            "server_alive_at_end": alive,
            "rss_mb": {
                "start": rss_start,
                "end": rss_end,
                "peak": max(rss for _, rss in samples),
                "growth_percent": growth,
                "trend_mb_per_minute": slope_mb_per_minute(samples),
            },
            "rss_samples": samples,
            "load_average": [round(x, 2) for x in os.getloadavg()],
        }
        path = write_result("soak", result)
        print(json.dumps({k: v for k, v in result.items() if k != "rss_samples"}, indent=2))
        errors = measured["failed"] + warmup["failed"]
        print(
            f"\n{args.minutes:g} min at {result['throughput_rps']} req/s: {measured['requests']} "
            f"requests, {errors} errors; RSS {rss_start} -> {rss_end} MiB ({growth:+.2f} %, "
            f"target < {GROWTH_TARGET_PERCENT:g} %); written to {path}"
        )
        return 1 if errors or growth >= GROWTH_TARGET_PERCENT or not alive else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
