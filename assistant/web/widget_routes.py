"""The chat widget's files (`/widget.js`, `/widget.css`), the demo page at `/`, and CORS."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape

from assistant.config import Settings

WIDGET_DIR = Path(__file__).resolve().parent / "widget"

DEMO_TITLE = "AKS support policy"
DEMO_QUESTIONS = (
    "Is Istio supported?",
    "Who is responsible for patching worker node operating systems?",
    "Can I SSH into my worker nodes and change them?",
    "Does Microsoft support third-party open-source projects like Helm?",
)

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
    """A demo support page that embeds the widget the way a customer's site would."""
    return templates.TemplateResponse(
        request,
        "demo.html",
        {
            "assistant_url": str(request.base_url).rstrip("/"),
            "title": DEMO_TITLE,
            "questions": DEMO_QUESTIONS,
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
