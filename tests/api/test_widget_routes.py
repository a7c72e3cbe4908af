"""The widget's files, the demo page and CORS, through the real app (no browser needed)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from assistant.answer.render import LABELS
from assistant.config import Settings
from assistant.models import Verdict
from assistant.web.api import create_app
from assistant.web.widget_routes import WIDGET_DIR

ALLOWED = "https://support.example.com"


def client_for(settings: Settings, **changes: object) -> TestClient:
    """A client for the app; the assistant is not loaded (no lifespan), which these routes
    do not need."""
    return TestClient(create_app(settings.model_copy(update=changes)))


def test_widget_files_are_served_with_their_types(settings: Settings) -> None:
    client = client_for(settings)
    script = client.get("/widget.js")
    assert script.status_code == 200
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert "attachShadow" in script.text
    assert "max-age" in script.headers["cache-control"]
    style = client.get("/widget.css")
    assert style.status_code == 200
    assert style.headers["content-type"] == "text/css; charset=utf-8"
    assert client.head("/widget.js").status_code == 200


def test_widget_source_never_treats_server_text_as_markup() -> None:
    source = (WIDGET_DIR / "widget.js").read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/|(?<=\s)//[^\n]*", "", source, flags=re.S)  # comments may name them
    for sink in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "answer_html",
        "new Function",
    ):
        assert sink not in code, f"widget.js uses {sink}"
    assert "http" not in re.sub(r'"http://www.w3.org/2000/svg"|"https?:"', "", code), (
        "widget.js must fetch nothing but its own assistant URL"
    )


def test_widget_verdict_labels_match_the_renderer() -> None:
    source = (WIDGET_DIR / "widget.js").read_text(encoding="utf-8")
    for verdict in Verdict:
        assert f'{verdict.value}: "{LABELS[verdict]}"' in source, verdict


def test_demo_page_embeds_the_widget_with_the_one_tag(settings: Settings) -> None:
    response = client_for(settings).get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    tag = (
        '<script src="http://testserver/widget.js" data-assistant-url="http://testserver" '
        'data-title="AKS support policy" defer></script>'
    )
    assert tag in response.text
    assert "Is Istio supported?" in response.text


def test_cors_allows_only_the_configured_origins(settings: Settings) -> None:
    client = client_for(settings, cors_origins=[ALLOWED])
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    allowed = client.options("/v1/ask", headers={"Origin": ALLOWED, **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in allowed.headers["access-control-allow-methods"]

    denied = client.options("/v1/ask", headers={"Origin": "https://evil.example", **preflight})
    assert denied.status_code == 400
    assert "access-control-allow-origin" not in denied.headers

    # Error bodies carry the header too, so the widget can read them.
    missing = client.get("/v1/nothing-here", headers={"Origin": ALLOWED})
    assert missing.status_code == 404
    assert missing.headers["access-control-allow-origin"] == ALLOWED


def test_no_cross_origin_access_by_default(settings: Settings) -> None:
    response = client_for(settings).get("/healthz", headers={"Origin": ALLOWED})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", []),
        (f"{ALLOWED}, http://localhost:8080", [ALLOWED, "http://localhost:8080"]),
        (f'["{ALLOWED}"]', [ALLOWED]),
        ("*", ["*"]),
    ],
)
def test_cors_origins_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: list[str]
) -> None:
    monkeypatch.setenv("ASSISTANT_CORS_ORIGINS", raw)
    assert Settings(_env_file=None).cors_origins == expected


@pytest.mark.parametrize("bad", [f"{ALLOWED}/", "support.example.com", "ftp://x.example"])
def test_cors_origins_reject_what_browsers_would_never_match(
    monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    monkeypatch.setenv("ASSISTANT_CORS_ORIGINS", bad)
    with pytest.raises(ValidationError, match=re.escape(repr(bad))):
        Settings(_env_file=None)
