"""Real servers for tests: a redis-server and the API under uvicorn, each on a free loopback port,
started as subprocesses and stopped at teardown."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

LOOPBACK = "127.0.0.1"
# Servers started for tests carry load from many tests at once; rate limiting has its own tests
# (tests/api/test_access.py) with explicit limits.
UNTHROTTLED = {  # 0: no limit
    "ASSISTANT_RATE_LIMIT_PER_SECOND": "0",
    "ASSISTANT_WIDGET_RATE_LIMIT_PER_SECOND": "0",
}


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before listening")
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listened on port {port} within {timeout}s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def redis_server_binary() -> str:
    """The redis-server executable; skips locally, fails in CI (CI set) when it is missing."""
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server is not installed (apt-get install -y redis-server)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return binary


@contextmanager
def running_redis(folder: Path) -> Iterator[str]:
    """A throwaway redis-server without persistence; yields its URL."""
    port = free_port()
    process = subprocess.Popen(
        [redis_server_binary(), "--port", str(port), "--bind", LOOPBACK]
        + ["--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, process, timeout=20)
        yield f"redis://{LOOPBACK}:{port}/0"
    finally:
        _stop(process)


class ApiServer:
    """`python -m assistant serve` in a subprocess."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.process, self.port, self.log = process, port, log
        self.url = f"http://{LOOPBACK}:{port}"

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flushing."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def terminate(self, timeout: float = 60) -> int:
        """SIGTERM, as an orchestrator stops a replica; returns the exit status."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)


@contextmanager
def running_api(
    env: Mapping[str, str], cwd: Path, log: Path, timeout: float = 180, port: int | None = None
) -> Iterator[ApiServer]:
    """The API served by a real uvicorn process (`python -m assistant serve`) run in `cwd` with
    `env` added to this one's environment, on `port` (default: a free one); its output goes to
    `log`."""
    port = port or free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve", "--host", LOOPBACK, "--port", str(port)],
            env={**os.environ, **UNTHROTTLED, **env},
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = ApiServer(process, port, log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{server.url}/readyz", timeout=1, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not ready in {timeout}s:\n{log.read_text()[-3000:]}")
            time.sleep(0.25)
        yield server
    finally:
        _stop(process)
