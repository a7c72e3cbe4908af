"""Shared pieces of the benchmarks: the questions, a light HTTP load generator, server
subprocesses on loopback, percentiles, and writing results."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
QUESTIONS = ROOT / "eval" / "questions.jsonl"
LOOPBACK = "127.0.0.1"


def load_questions(path: Path = QUESTIONS) -> list[dict[str, Any]]:
    """The labelled evaluation items, in file order."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 and mean of latencies in seconds, reported in milliseconds."""
    values = np.asarray(samples, dtype=float) * 1000
    return {
        "p50_ms": round(float(np.percentile(values, 50)), 2),
        "p95_ms": round(float(np.percentile(values, 95)), 2),
        "p99_ms": round(float(np.percentile(values, 99)), 2),
        "mean_ms": round(float(values.mean()), 2),
    }


def median_of(runs: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Key by key, the median over repeated runs (each key's own median)."""
    return {k: round(statistics.median(r[k] for r in runs), 3) for k in runs[0]}


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def http_get_status(port: int, path: str, timeout: float = 1.0) -> int:
    """The status code of a GET on loopback, or 0 when nothing answers."""
    try:
        with socket.create_connection((LOOPBACK, port), timeout=timeout) as sock:
            sock.sendall(
                f"GET {path} HTTP/1.1\r\nHost: {LOOPBACK}\r\nConnection: close\r\n\r\n".encode()
            )
            head = sock.recv(64)
        return int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    except OSError:
        return 0


def peak_rss_mb(pid: int) -> dict[str, float]:
    """Peak (VmHWM) and current (VmRSS) resident memory of a process, in MiB (Linux)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            fields[key] = round(int(value.split()[0]) / 1024, 1)
    return {"peak_rss_mb": fields.get("VmHWM", 0.0), "rss_mb": fields.get("VmRSS", 0.0)}


@dataclass
class Server:
    """A server subprocess on a loopback port, with how long it took to become ready."""

    process: subprocess.Popen[bytes]
    port: int
    cold_start_s: float


@contextmanager
def running_server(
    command: list[str],
    env: Mapping[str, str],
    log: Path,
    ready_path: str = "/readyz",
    timeout: float = 300,
) -> Iterator[Server]:
    """Start `command` (which must listen on the port it is given via {port}) and wait until
    `ready_path` answers 200; the time from spawn to that answer is the cold start."""
    port = free_port()
    argv = [part.replace("{port}", str(port)) for part in command]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            argv, env={**os.environ, **env}, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        while http_get_status(port, ready_path, timeout=0.5) != 200:
            if process.poll() is not None:
                raise RuntimeError(f"{argv[:4]} exited early:\n{log.read_text()[-3000:]}")
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"{argv[:4]} not ready in {timeout}s")
            time.sleep(0.02)
        yield Server(process, port, time.perf_counter() - started)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def _post(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str, body: bytes
) -> tuple[int, bytes]:
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: {LOOPBACK}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
    if "content-length" in headers:
        return status, await reader.readexactly(int(headers["content-length"]))
    chunks = []
    while True:  # chunked
        size = int((await reader.readuntil(b"\r\n")).strip(), 16)
        chunk = await reader.readexactly(size + 2)
        if size == 0:
            return status, b"".join(chunks)
        chunks.append(chunk[:-2])


async def _load(
    port: int, path: str, bodies: Sequence[bytes], concurrency: int, total: int
) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    kinds: dict[str, int] = {}
    counter = iter(range(total))

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(LOOPBACK, port)
        try:
            for n in counter:
                body = bodies[n % len(bodies)]
                started = time.perf_counter()
                try:
                    status, _ = await _post(reader, writer, path, body)
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    errors += 1
                    kinds[type(exc).__name__] = kinds.get(type(exc).__name__, 0) + 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(LOOPBACK, port)
                    continue
                latencies.append(time.perf_counter() - started)
                if status != 200:
                    errors += 1
                    kinds[str(status)] = kinds.get(str(status), 0) + 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {
        **percentiles(latencies),
        "throughput_rps": round(len(latencies) / elapsed, 2),
        "errors": errors,
        "error_kinds": kinds,
        "requests": total,
    }


def load_test(
    port: int, path: str, bodies: Sequence[bytes], concurrency: int, total: int
) -> dict[str, Any]:
    """Send `total` POSTs from `concurrency` keep-alive connections (closed loop): latency
    percentiles, throughput and the count of failed or non-200 requests."""
    return asyncio.run(_load(port, path, bodies, concurrency, total))


def repeat(measure: Callable[[], dict[str, Any]], times: int) -> dict[str, Any]:
    """Run a measurement `times` times; the median of each number, and every run."""
    runs = [measure() for _ in range(times)]
    numeric = [{k: float(v) for k, v in r.items() if isinstance(v, int | float)} for r in runs]
    summary: dict[str, Any] = median_of(numeric)
    if "errors" in summary:
        summary["errors"] = int(sum(r["errors"] for r in runs))
    summary["runs"] = runs
    return summary


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def write_result(name: str, data: dict[str, Any]) -> Path:
    """Write `bench/results/<name>.json` (atomically) and return its path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / f"{name}.json"
    staging = target.with_suffix(".json.tmp")
    staging.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    staging.replace(target)
    return target


def table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    """A plain-text table with right-aligned numbers."""
    cells = [[str(c) for c in header]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = []
    for n, row in enumerate(cells):
        lines.append(
            "  ".join(c.rjust(w) if n else c.ljust(w) for c, w in zip(row, widths, strict=True))
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def python() -> str:
    """This interpreter (the project's virtualenv when run as `.venv/bin/python bench/...`)."""
    return sys.executable
