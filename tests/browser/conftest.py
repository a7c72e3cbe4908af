"""Browser fixtures: real Chromium (Playwright) against `assistant serve` on a free loopback port.

The tests skip only where Chromium is missing *and* CI is unset; in CI they fail instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.config import Settings
from assistant.index import SearchIndex

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
READY_TIMEOUT_S = 180.0


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the browser tests (.ci/run installs Chromium)")
    pytest.skip(f"{reason}; the browser tests run in CI")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium (Playwright cannot download its own browsers here)."""
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        _unavailable("Chromium is not installed (apt-get install -y chromium)")
    assert path
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    """One headless Chromium for the session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class HostSite:
    """A customer's site on another loopback origin, with hostile CSS, that embeds the widget."""

    origin: str
    other_origin: str  # the same site reached as `localhost`: an origin the API does not allow
    root: Path

    def publish(self, assistant_url: str) -> None:
        """Write the customer's page, embedding the widget from `assistant_url`."""
        page = (Path(__file__).parent / "host_page.html").read_text(encoding="utf-8")
        (self.root / "index.html").write_text(
            page.replace("{assistant_url}", assistant_url), encoding="utf-8"
        )


@pytest.fixture(scope="session")
def host_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostSite]:
    """A static file server on 127.0.0.1 standing in for a customer's support site."""
    root = tmp_path_factory.mktemp("host-site")

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield HostSite(f"http://127.0.0.1:{port}", f"http://localhost:{port}", root)
    server.shutdown()
    server.server_close()
    thread.join(5)


@dataclass
class Server:
    """A running `assistant serve` process."""

    url: str
    process: subprocess.Popen[bytes]
    data_dir: Path
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's output, for failure messages."""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the process and wait for it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(15)


def start_server(settings: Settings, workdir: Path, cors_origins: str = "") -> Server:
    """Start `python -m assistant serve` over the saved index and wait until /readyz says ready."""
    port = free_port()
    data_dir = workdir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ASSISTANT_INDEX_DIR": str(settings.index_dir),
        "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
        "ASSISTANT_SYNONYMS_FILE": str(settings.synonyms_file or ""),
        "ASSISTANT_DATA_DIR": str(data_dir),
        "ASSISTANT_BUILD_INDEX_ON_START": "false",
        "ASSISTANT_CORS_ORIGINS": cors_origins,
    }
    log_path = workdir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", process, data_dir, log_path)
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{server.log_tail()}")
        try:
            if httpx.get(f"{server.url}/readyz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    server.stop()
    raise RuntimeError(f"server not ready after {READY_TIMEOUT_S}s:\n{server.log_tail()}")


@pytest.fixture(scope="session")
def server(
    settings: Settings,
    search_index: SearchIndex,
    host_site: HostSite,
    tmp_path_factory: pytest.TempPathFactory,
    browser: Any,
) -> Iterator[Server]:
    """The real service over the real index, allowing the host site's origin (CORS)."""
    running = start_server(settings, tmp_path_factory.mktemp("server"), host_site.origin)
    host_site.publish(running.url)
    yield running
    running.stop()


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    """A fresh browser context (empty sessionStorage) with one page; fails on page errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
