"""Operations wiring for the HTTP API: access control, rate limits, metrics, request ids,
security headers, hot index reloads and the uvicorn server with graceful shutdown.

`create_app` calls `add_access_control` (inside CORS, so the widget can read refusals) and then
`add_operations` (outermost, so every response is counted, logged and given its headers).
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from assistant.config import Settings
from assistant.web.observability import (
    METRICS_CONTENT_TYPE,
    METRICS_PATH,
    Metrics,
    RequestContextMiddleware,
    log_question,
)
from assistant.web.ratelimit import (
    ConcurrencyLimiter,
    ConcurrencyLimitMiddleware,
    RateLimiter,
    RateLimitMiddleware,
)
from assistant.web.reload import Reloader, ReloadError, reload_on_sighup
from assistant.web.responses import error_response
from assistant.web.security import (
    ADMIN_LOGIN_PATH,
    WIDGET_PREFIX,
    ApiKeyMiddleware,
    JsonOnlyMiddleware,
    KeyRing,
    SecurityHeadersMiddleware,
    admin_refusal,
    client_identity,
    login_client,
    widget_client,
)

if TYPE_CHECKING:
    from assistant.service import Assistant
    from assistant.storage.records import Turn
    from assistant.web.state import State

log = logging.getLogger(__name__)


class ErrorDetail(BaseModel):
    """What went wrong: a stable code and a message for people."""

    code: str
    message: str


class ErrorResponse(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


class ReloadResponse(BaseModel):
    """The index now served, and the one it replaced."""

    status: Literal["reloaded"] = "reloaded"
    previous_version: str | None
    version: str
    clauses: int
    seconds: float


def _state(app: FastAPI) -> State:
    state: State = app.state.assistant_state
    return state


def metrics_of(app: FastAPI) -> Metrics:
    """The app's metrics, created on first use (one registry per app)."""
    metrics: Metrics | None = getattr(app.state, "metrics", None)
    if metrics is None:
        state = _state(app)
        metrics = app.state.metrics = Metrics(lambda: state.assistant)
    return metrics


def add_access_control(app: FastAPI, settings: Settings) -> None:
    """JSON-only bodies, API keys and per-client rate limits on /v1/*; the widget's anonymous
    /widget/v1/* gets its own stricter per-address rate and concurrency limits instead."""
    keys = KeyRing(k.get_secret_value() for k in settings.api_keys)
    metrics = metrics_of(app)
    app.add_middleware(JsonOnlyMiddleware)
    app.add_middleware(ApiKeyMiddleware, keys=keys)
    app.add_middleware(
        ConcurrencyLimitMiddleware,
        limiter=ConcurrencyLimiter(settings.widget_max_in_flight),
        identify=widget_client,
        prefixes=(WIDGET_PREFIX,),
        on_limited=metrics.rate_limited.inc,
    )
    if settings.widget_rate_limit_per_second > 0:
        app.add_middleware(
            RateLimitMiddleware,
            limiter=RateLimiter(
                settings.widget_rate_limit_per_second, settings.widget_rate_limit_burst
            ),
            identify=widget_client,
            prefixes=(WIDGET_PREFIX,),
            on_limited=metrics.rate_limited.inc,
        )
    if settings.admin_login_rate_per_minute > 0:  # the admin key can't be guessed at speed
        app.add_middleware(
            RateLimitMiddleware,
            limiter=RateLimiter(
                settings.admin_login_rate_per_minute / 60, settings.admin_login_burst
            ),
            identify=login_client,
            prefixes=(ADMIN_LOGIN_PATH,),
            on_limited=metrics.rate_limited.inc,
        )
    if settings.rate_limit_per_second > 0:
        app.add_middleware(
            RateLimitMiddleware,
            limiter=RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst),
            identify=partial(client_identity, keys=keys),
            on_limited=metrics.rate_limited.inc,
        )


def add_operations(app: FastAPI, settings: Settings) -> None:
    """Security headers, request ids, access logs and metrics on every response; `/metrics`;
    `/admin/reload` (with `ASSISTANT_ADMIN_KEY`)."""
    state = _state(app)
    metrics = metrics_of(app)

    def install(replacement: Assistant) -> None:
        # one reference swap: running requests keep the assistant they resolved
        state.assistant = replacement
        metrics.index_loaded.set_to_current_time()

    reloader = Reloader(
        settings,
        lambda: state.assistant,
        install,
        on_result=lambda result: metrics.reloads.labels(result).inc(),
    )
    app.state.reloader = reloader
    _add_operations_routes(app, metrics, reloader, settings)
    document_error_responses(app)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestContextMiddleware, metrics=metrics, routes=lambda: app.routes)


def _add_operations_routes(
    app: FastAPI, metrics: Metrics, reloader: Reloader, settings: Settings
) -> None:
    admin_keys = KeyRing([settings.admin_key.get_secret_value()] if settings.admin_key else [])

    @app.get(
        METRICS_PATH,
        tags=["operations"],
        response_class=Response,
        responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
    )
    def prometheus_metrics() -> Response:
        """Prometheus metrics: requests, latency, answers by verdict, caches, the index."""
        return Response(metrics.render(), media_type=METRICS_CONTENT_TYPE)

    @app.post(
        "/admin/reload",
        tags=["operations"],
        response_model=ReloadResponse,
        responses={
            code: {"model": ErrorResponse, "description": description}
            for code, description in {
                401: "No admin key sent",
                403: "Wrong admin key",
                404: "Admin endpoints are disabled (no `ASSISTANT_ADMIN_KEY`)",
                409: "The index on disk does not match the model or corpus, or a reload runs",
                422: "The index on disk is missing or unreadable",
            }.items()
        },
    )
    def reload_index(request: Request) -> JSONResponse:
        """Load the index (and corpus) on disk beside the serving one and swap it in; a
        refused index leaves the old one serving. Needs `Authorization: Bearer ADMIN_KEY`."""
        refusal = admin_refusal(request.headers, admin_keys)
        if refusal is not None:
            status, code, message = refusal
            headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
            return error_response(status, code, message, headers=headers)
        try:
            result = reloader.reload()
        except ReloadError as exc:
            return error_response(exc.status, exc.code, str(exc))
        return JSONResponse(
            ReloadResponse(
                previous_version=result.previous_version,
                version=result.version,
                clauses=result.clauses,
                seconds=result.seconds,
            ).model_dump()
        )


# Error statuses the middleware and handlers can answer on the API's routes, for the OpenAPI
# document (clients and the schema fuzz tests read it).
API_ERRORS = {
    400: "A request body that cannot be decoded (not UTF-8, nested too deep)",
    401: "No API key sent (when `ASSISTANT_API_KEYS` is set)",
    403: "Wrong API key",
    404: "Unknown conversation, turn or clause",
    409: "The conversation has `ASSISTANT_MAX_TURNS_PER_CONVERSATION` turns: start a new one",
    413: "Request body over `ASSISTANT_MAX_BODY_BYTES`",
    415: "Request body that is not JSON",
    422: "Invalid request or question",
    429: "Over the per-client rate limit (see `Retry-After`)",
    503: "The index is not loaded, or the conversation store is unreachable",
}


# Error statuses of the support console's JSON API (assistant/web/admin.py).
CONSOLE_ERRORS = {
    400: "A request body that cannot be decoded",
    401: "No admin key and no console session",
    403: "A cookie-authenticated write without the session's `X-CSRF-Token`",
    404: "Console off (no `ASSISTANT_ADMIN_KEY`), or an unknown item or conversation",
    413: "Request body over `ASSISTANT_MAX_BODY_BYTES`",
    415: "Request body that is not JSON",
    422: "Invalid request or label",
    503: "The index is not loaded, the store is unreachable or the label file unwritable",
}


def document_error_responses(app: FastAPI) -> None:
    """Make the OpenAPI document describe the JSON error body on every error status a route
    can answer (FastAPI documents only 422, with its own default body)."""
    generate = app.openapi
    ref = {"$ref": "#/components/schemas/ErrorResponse"}

    def openapi() -> dict[str, Any]:
        if getattr(app.state, "errors_documented", False) and app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        error_schema = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(error_schema.pop("$defs", {}))
        components["ErrorResponse"] = error_schema
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                statuses = {500: "Unexpected server error"}
                if path.startswith("/v1/"):
                    statuses |= API_ERRORS
                if path.startswith("/admin/api/"):
                    statuses |= CONSOLE_ERRORS
                if path == "/readyz":
                    statuses[503] = "Not ready: index loading or mismatched, or store down"
                responses = operation.setdefault("responses", {})
                for status, description in statuses.items():
                    current = responses.get(str(status), {})
                    responses[str(status)] = {
                        "description": current.get("description", description),
                        "content": {"application/json": {"schema": ref}},
                    }
        for unused in ("HTTPValidationError", "ValidationError"):
            if unused not in str(schema.get("paths")):
                components.pop(unused, None)
        app.state.errors_documented = True
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def record_turn(app: FastAPI, conversation_id: str, turn: Turn) -> None:
    """Count an answered turn in the metrics, and log its question when the settings allow."""
    metrics: Metrics | None = getattr(app.state, "metrics", None)
    if metrics is not None:
        metrics.observe_turn(turn)
    if _state(app).settings.log_questions:
        log_question(turn, conversation_id)


def run_server(app: FastAPI, settings: Settings, host: str, port: int) -> None:
    """Serve `app` with uvicorn: SIGHUP reloads the index; SIGTERM stops accepting connections
    and lets running requests finish for up to `shutdown_timeout_seconds`."""
    import uvicorn

    reload_on_sighup(app.state.reloader)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=None,  # configure_logging has set up JSON or text lines
        access_log=False,  # RequestContextMiddleware writes one line per request, with its id
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=settings.shutdown_timeout_seconds,
    )
