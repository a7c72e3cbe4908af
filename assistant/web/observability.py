"""Metrics (Prometheus), request ids and structured logs.

Every request gets an id (the caller's `X-Request-ID` when it is a sane token, else a new one),
echoed in the response and attached to every log line written while the request is handled.
Questions are logged only when `log_questions` is on; keys and tokens never are.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.datastructures import Headers, MutableHeaders
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.web.responses import error_response
from assistant.web.security import client_address

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.search.index import Manifest
    from assistant.service import Assistant
    from assistant.storage.records import Turn

METRICS_PATH = "/metrics"
METRICS_CONTENT_TYPE = CONTENT_TYPE_LATEST
REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# Turns that answer a policy question: an `unknown` verdict on one of these is an abstention.
POLICY_KINDS = ("answer", "clarification")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
access_log = logging.getLogger("assistant.access")
question_log = logging.getLogger("assistant.questions")
error_log = logging.getLogger("assistant.errors")


def index_version(manifest: Manifest) -> str:
    """A name for the index build that changes with every rebuild."""
    version = getattr(manifest, "version", None)  # Manifest.version, where the index has it
    return str(version) if version else f"{manifest.corpus_hash[:16]}:{manifest.built_at}"


def request_id_from(headers: Headers) -> str:
    """The caller's request id when it is a short token of safe characters, else a new one."""
    given = headers.get(REQUEST_ID_HEADER, "")
    return given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every log record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


# Characters that would end or forge a log line: C0/C1 controls (newlines included), DEL, and the
# Unicode line and paragraph separators; written as escapes, like the backslash itself.
_LINE_BREAKERS = {
    **{c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))},
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    ord("\t"): "\\t",
    ord("\\"): "\\\\",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def escape_for_log(text: str) -> str:
    """Text that stays on one log line whatever a client put in it."""
    return text.translate(_LINE_BREAKERS)


def path_fingerprint(path: str) -> str:
    """A short, non-reversible name for a request path (conversation ids in it are keys)."""
    return hashlib.sha256(path.encode("utf-8", "surrogatepass")).hexdigest()[:12]


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id and the record's
    `fields` (passed as `extra={"fields": {...}}`)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        entry.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        line = json.dumps(entry, ensure_ascii=False, default=str)
        # valid JSON either way, but raw U+2028/U+2029 break line-oriented log readers
        return line.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


class TextFormatter(logging.Formatter):
    """A readable line for a terminal, with the request id and the record's fields."""

    def format(self, record: logging.LogRecord) -> str:
        escaped = logging.makeLogRecord(record.__dict__)
        escaped.msg, escaped.args = escape_for_log(record.getMessage()), None
        line = super().format(escaped)
        fields = " ".join(
            f"{k}={escape_for_log(str(v))}"
            for k, v in (getattr(record, "fields", None) or {}).items()
        )
        request_id = getattr(record, "request_id", None)
        parts = (line, f"request_id={request_id}" if request_id else "", fields)
        return " ".join(p for p in parts if p)


# Libraries whose info and debug lines describe their own internals, not a request.
LIBRARY_LOGGERS = (
    "sentence_transformers",
    "transformers",
    "huggingface_hub",
    "filelock",
    "faiss",
    "bm25s",
    "httpx",
    "httpcore",
    "urllib3",
    "matplotlib",
    "PIL",
    "asyncio",
    "multipart",
    "slack_bolt",
    "slack_sdk",
)


def configure_logging(settings: Settings) -> None:
    """Send every log record (uvicorn's included) to stderr as JSON or text lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    quiet_libraries(root.level)


def quiet_libraries(level: int) -> None:
    """Keep the model libraries' chatter and progress bars out of the log: their loggers say
    warnings and errors only (everything at `debug`), and their progress bars are off."""
    for variable in ("HF_HUB_DISABLE_PROGRESS_BARS", "TQDM_DISABLE"):
        os.environ.setdefault(variable, "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(
            logging.NOTSET if level <= logging.DEBUG else max(level, logging.WARNING)
        )


class AssistantCollector(Collector):
    """Readiness, the served index's manifest and the assistant's cache counters, read from
    whichever assistant is serving when Prometheus scrapes."""

    def __init__(self, current: Callable[[], Assistant | None]) -> None:
        self.current = current

    def describe(self) -> Iterable[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        assistant = self.current()
        yield GaugeMetricFamily(
            "assistant_ready", "1 when the index and model are loaded", value=int(bool(assistant))
        )
        if assistant is None:
            return
        manifest = assistant.index.manifest
        info = GaugeMetricFamily(
            "assistant_index_info",
            "The index being served (value 1)",
            labels=["version", "model", "clauses", "embedding_backend", "dense_index", "built_at"],
        )
        info.add_metric(
            [
                index_version(manifest),
                manifest.model,
                str(manifest.clause_count),
                getattr(manifest, "embedding_backend", ""),
                getattr(manifest, "dense_index", ""),
                manifest.built_at,
            ],
            1,
        )
        yield info
        yield from _cache_metrics(assistant)


def _cache_metrics(assistant: Assistant) -> Iterator[Metric]:
    stats_of = getattr(assistant, "cache_stats", None)
    if not callable(stats_of):
        return
    families: dict[str, CounterMetricFamily | GaugeMetricFamily] = {
        "hits": CounterMetricFamily(
            "assistant_cache_hits", "Cache lookups answered from memory", labels=["cache"]
        ),
        "misses": CounterMetricFamily(
            "assistant_cache_misses", "Cache lookups not found", labels=["cache"]
        ),
        "size": GaugeMetricFamily("assistant_cache_entries", "Entries held", labels=["cache"]),
        "capacity": GaugeMetricFamily(
            "assistant_cache_capacity", "Most entries held", labels=["cache"]
        ),
    }
    for cache, stats in stats_of().items():
        for field, family in families.items():
            family.add_metric([cache], getattr(stats, field))
    yield from families.values()


class Metrics:
    """The service's Prometheus metrics, in a registry of their own (one per app)."""

    def __init__(self, current: Callable[[], Assistant | None]) -> None:
        disable_created_metrics()  # `*_created` series double the output and nobody reads them
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "assistant_http_requests",
            "HTTP requests by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "assistant_http_request_duration_seconds",
            "Time to answer HTTP requests, by method and route template",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "assistant_http_requests_in_flight",
            "Requests being answered now",
            registry=self.registry,
        )
        self.answers = Counter(
            "assistant_answers",
            "Conversation turns answered, by verdict and kind",
            ["verdict", "kind"],
            registry=self.registry,
        )
        self.abstentions = Counter(
            "assistant_abstentions",
            "Policy questions answered `unknown` (the policy doesn't say)",
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "assistant_rate_limited",
            "Requests refused with 429 by the per-client rate limit",
            registry=self.registry,
        )
        self.reloads = Counter(
            "assistant_index_reloads",
            "Index reloads by result (reloaded or refused)",
            ["result"],
            registry=self.registry,
        )
        self.index_loaded = Gauge(
            "assistant_index_loaded_timestamp_seconds",
            "When the served index was loaded (Unix time)",
            registry=self.registry,
        )
        self.index_loaded.set_to_current_time()
        self.registry.register(AssistantCollector(current))
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)

    def render(self) -> bytes:
        """The metrics in Prometheus' text format."""
        return generate_latest(self.registry)

    def observe_turn(self, turn: Turn) -> None:
        """Count an answered turn by verdict and kind, and an abstention when it is one."""
        self.answers.labels(turn.verdict, turn.kind).inc()
        if turn.verdict == "unknown" and turn.kind in POLICY_KINDS:
            self.abstentions.inc()


def route_template(routes: Sequence[BaseRoute], scope: Scope) -> str:
    """The path template the request matched (`/v1/conversations/{conversation_id}`), so
    metrics have one series per route rather than per URL; `unmatched` when none does.

    The router records the route it chose in the scope; a request refused before routing (413,
    415, 401, 429) is matched here against the app's top-level routes.
    """
    routed = getattr(scope.get("route"), "path", None)
    if routed:
        return str(routed)
    partial = None
    for route in routes:
        path = getattr(route, "path", None)
        if not path:
            continue
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return str(path)
        if match is Match.PARTIAL and partial is None:
            partial = str(path)
    return partial or "unmatched"


class RequestContextMiddleware:
    """Gives each request an id, counts and times it by route template and status, and writes
    one access-log line for it (method, route, status, duration, client; never the body)."""

    def __init__(
        self, app: ASGIApp, metrics: Metrics, routes: Callable[[], Sequence[BaseRoute]]
    ) -> None:
        self.app, self.metrics, self.routes = app, metrics, routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(Headers(scope=scope))
        token = request_id_var.set(request_id)
        method = scope["method"] if scope["method"] in _METHODS else "OTHER"
        counted = scope["path"] != METRICS_PATH
        status, responded = 500, False
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                status, responded = message["status"], True
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        if counted:
            self.metrics.in_flight.inc()
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            route = route_template(self.routes(), scope)
            error_log.exception("unhandled error on %s %s", method, route)
            if not responded:  # answer here, so the 500 carries the request id too
                failure = error_response(500, "internal_error", "the server failed to answer")
                await failure(scope, receive, send_with_id)
            raise
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(self.routes(), scope)
            if counted:
                self.metrics.in_flight.dec()
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(elapsed)
            access_log.info(
                "%s %s %d",
                method,
                route,
                status,
                extra={
                    "fields": {
                        "event": "request",
                        "method": method,
                        "route": route,
                        # the path itself may hold a conversation id (a read/delete key)
                        "path_fingerprint": path_fingerprint(scope["path"]),
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 1),
                        "client": client_address(scope),
                    }
                },
            )
            request_id_var.reset(token)


def log_question(turn: Turn, conversation_id: str) -> None:
    """Log a question with its verdict (only called when `log_questions` is on)."""
    question_log.info(
        "question answered",
        extra={
            "fields": {
                "event": "question",
                "question": turn.question,
                "resolved_question": turn.resolved_question,
                "verdict": turn.verdict,
                "kind": turn.kind,
                "confidence": round(turn.confidence, 4),
                "clause_ids": list(turn.clause_ids),
                "conversation_id": conversation_id,
                "turn": turn.turn,
            }
        },
    )
