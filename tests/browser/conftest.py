"""Browser fixtures: real Chromium (Playwright) against `assistant serve` on a free loopback port.

The tests skip only where Chromium is missing *and* CI is unset; in CI they fail instead.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.servers import ApiServer, running_api

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the browser tests (.ci/run installs Chromium)")
    pytest.skip(f"{reason}; the browser tests run in CI")


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


@pytest.fixture(scope="session")
def server_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the browser tests' server keeps its SQLite conversation and feedback store."""
    return tmp_path_factory.mktemp("server-data")


@pytest.fixture(scope="session")
def server(
    server_env: dict[str, str],
    host_site: HostSite,
    server_data_dir: Path,
    browser: Any,
) -> Iterator[ApiServer]:
    """`assistant serve` over the real index, allowing the host site's origin (CORS)."""
    env = {
        **server_env,
        "ASSISTANT_DATA_DIR": str(server_data_dir),  # the SQLite store the tests read
        "ASSISTANT_CORS_ORIGINS": host_site.origin,
    }
    with running_api(env, cwd=ROOT, log=server_data_dir / "server.log") as api:
        host_site.publish(api.url)
        yield api


@pytest.fixture
def new_page(browser: Any, server: ApiServer) -> Iterator[Callable[..., Any]]:
    """Opens pages, each in a fresh browser context (empty sessionStorage) made with the given
    context options; fails the test on any JavaScript error in them."""
    contexts: list[Any] = []
    errors: list[str] = []

    def open_page(**options: Any) -> Any:
        context = browser.new_context(**{"viewport": {"width": 1280, "height": 800}, **options})
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    """A page in a fresh 1280×800 browser context."""
    return new_page()
