"""The API documentation pages render in Chromium with every request to another host blocked."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest

try:
    from playwright.sync_api import Page, Route, expect
except ImportError:  # pragma: no cover - the conftest reports the missing package
    if os.environ.get("CI"):
        raise
    pytest.skip("the playwright package is not installed", allow_module_level=True)

from tests.servers import ApiServer

expect.set_options(timeout=20_000)


def _offline(page: Page, server: ApiServer) -> tuple[list[str], list[str]]:
    """Abort every request not to the server; return the blocked URLs and CSP/console errors."""
    own = urlsplit(server.url).netloc
    blocked: list[str] = []
    errors: list[str] = []

    def route(r: Route) -> None:
        if urlsplit(r.request.url).netloc == own:
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return blocked, errors


@pytest.mark.parametrize(
    ("path", "operation"),
    [("/docs", ".opblock-summary-path"), ("/redoc", "[data-section-id^='tag/']")],
)
def test_api_docs_render_with_external_requests_blocked(
    new_page: Callable[..., Page], server: ApiServer, path: str, operation: str
) -> None:
    page: Any = new_page()
    blocked, errors = _offline(page, server)
    response = page.goto(server.url + path)
    assert response.status == 200
    expect(page.locator(operation).first).to_be_visible()
    text = page.locator("body").inner_text()
    for route in ("/v1/ask", "/v1/feedback", "/v1/conversations/"):
        assert route in text
    assert not blocked, f"the page asked other hosts: {blocked}"
    # ReDoc's footer logo points at its CDN: the CSP refuses that image, nothing else
    refused = [e for e in errors if "Content Security Policy" in e and "img-src" not in e]
    assert not refused, refused


def test_favicon_is_served(page: Page, server: ApiServer) -> None:
    response = page.request.get(server.url + "/favicon.ico")
    assert response.status == 200
    assert response.headers["content-type"].startswith("image/")
