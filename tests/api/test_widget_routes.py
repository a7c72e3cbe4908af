"""The widget's files, the demo page and CORS, through the real app (no browser needed)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from pydantic import ValidationError

from assistant.answer.render import LABELS
from assistant.answer.suggestions import starter_questions
from assistant.config import Settings
from assistant.models import Verdict
from assistant.search.embedding import SentenceTransformerEmbedder
from assistant.search.index import build_index, save_index
from assistant.service import Assistant, load_policy
from assistant.web.api import create_app
from assistant.web.widget_routes import WIDGET_DIR

from ..conftest import CORPUS_DIR

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


def test_demo_page_embeds_the_widget_with_the_one_tag(
    settings: Settings, assistant: Assistant
) -> None:
    response = TestClient(create_app(settings, assistant=assistant)).get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    tag = (
        '<script src="http://testserver/widget.js" data-assistant-url="http://testserver" '
        'data-title="Support Policies for Azure Kubernetes Service (AKS)" defer></script>'
    )
    assert tag in response.text
    assert "covered by the Support Policies for Azure Kubernetes Service (AKS)?" in response.text
    assert 'data-question="Is Istio supported?"' in response.text


@pytest.fixture(scope="module")
def other_policy(
    settings: Settings,
    embedder: SentenceTransformerEmbedder,
    tmp_path_factory: pytest.TempPathFactory,
) -> Assistant:
    """The assistant over a training policy served alone (rules only)."""
    folder = CORPUS_DIR / "training" / "policies" / "contoso-functions" / "policy"
    own = settings.model_copy(
        update={"corpus_dir": folder, "index_dir": tmp_path_factory.mktemp("contoso") / "index"}
    )
    save_index(build_index(load_policy(own), embedder), own.index_dir)
    return Assistant.from_settings(own, embedder=embedder)


def test_demo_page_is_about_the_policy_served(settings: Settings, other_policy: Assistant) -> None:
    page = TestClient(create_app(other_policy.settings, assistant=other_policy)).get("/").text
    title = "Support policy for Contoso Cloud Functions"
    assert f"<h1>{title}</h1>" in page and f'data-title="{title}"' in page
    assert f"covered by the {title}?" in page
    for question in starter_questions(other_policy.corpus):
        assert f'data-question="{escape(question)}"' in page
    for aks in ("Kubernetes", "AKS", "Istio", "Azure"):
        assert aks not in page


def test_demo_page_offers_the_configured_starter_questions(
    settings: Settings, assistant: Assistant
) -> None:
    starters = ["Can I get help on a weekend?", "Who upgrades the cluster?"]
    own = settings.model_copy(update={"starter_questions": starters})
    page = TestClient(create_app(own, assistant=assistant)).get("/").text
    assert re.findall(r'data-question="([^"]*)"', page) == starters


def test_demo_page_while_the_policy_loads_names_no_policy(settings: Settings) -> None:
    page = client_for(settings).get("/")  # no lifespan: the assistant is not loaded
    assert page.status_code == 200
    assert "<h1>Support policy</h1>" in page.text
    assert "covered by the support policy?" in page.text
    assert "data-question=" not in page.text and "Try a question" not in page.text


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
