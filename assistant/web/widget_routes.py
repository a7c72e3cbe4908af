"""The chat widget's files (`/widget.js`, `/widget.css`), the demo page at `/`, and CORS."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape

from assistant.config import Settings
from assistant.dialogue.smalltalk import (
    UNNAMED_POLICY,
    UNTITLED_POLICY,
    SmallTalk,
    policy_name,
    policy_title,
)
from assistant.web.state import State

WIDGET_DIR = Path(__file__).resolve().parent / "widget"

# Short enough that a fix reaches every embedding site quickly; ETag keeps revalidation cheap.
_ASSET_HEADERS = {"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"}

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(
    env=Environment(
        loader=PackageLoader("assistant.web", "templates"), autoescape=select_autoescape()
    )
)


@router.api_route("/widget.js", methods=["GET", "HEAD"])
def widget_script() -> FileResponse:
    """The embeddable widget: vanilla JavaScript, no dependencies."""
    return FileResponse(
        WIDGET_DIR / "widget.js",
        media_type="text/javascript; charset=utf-8",
        headers=_ASSET_HEADERS,
    )


@router.api_route("/widget.css", methods=["GET", "HEAD"])
def widget_stylesheet() -> FileResponse:
    """The widget's stylesheet, loaded inside its Shadow DOM."""
    return FileResponse(
        WIDGET_DIR / "widget.css", media_type="text/css; charset=utf-8", headers=_ASSET_HEADERS
    )


@router.get("/", response_class=HTMLResponse)
def demo_page(request: Request) -> HTMLResponse:
    """A demo support page that embeds the widget the way a customer's site would, about the
    policy served now: its title, and the configured starter questions or small talk's
    suggestions for it (none while the policy is loading)."""
    state: State = request.app.state.assistant_state
    assistant = state.assistant
    title, policy, questions = (
        UNTITLED_POLICY,
        UNNAMED_POLICY,
        tuple(state.settings.starter_questions),
    )
    if assistant is not None:
        title, policy = policy_title(assistant.corpus), policy_name(assistant.corpus)
        questions = questions or SmallTalk.for_corpus(assistant.corpus).suggestions
    return templates.TemplateResponse(
        request,
        "demo.html",
        {
            "assistant_url": str(request.base_url).rstrip("/"),
            "title": title,
            "policy": policy,
            "questions": questions,
        },
    )


def add_widget(app: FastAPI, settings: Settings) -> None:
    """Serve the widget and demo page, and let the configured sites call the API (CORS)."""
    app.include_router(router)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Content-Type", "Accept"],
            max_age=600,
        )
