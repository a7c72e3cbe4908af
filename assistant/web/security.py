"""Access control and hardening at the HTTP edge: API keys for /v1/*, the admin key, client
identity, JSON-only request bodies and security headers (CSP, nosniff, Referrer-Policy).

Keys are compared by SHA-256 digest in constant time and never logged; a client holding a key
is identified in logs and rate limits by a short fingerprint of its digest.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.web.responses import error_response

API_PREFIXES = ("/v1/",)
# The chat widget's anonymous surface: no key, a stricter per-client rate and concurrency.
WIDGET_PREFIX = "/widget/v1/"
ADMIN_PREFIX = "/admin/"
# The support console's HTML forms (assistant/web/admin.py) post URL-encoded bodies.
ADMIN_LOGIN_PATH = "/admin/login"
CONSOLE_FORM_PREFIXES = (
    ADMIN_LOGIN_PATH,
    "/admin/logout",
    "/admin/items/",
    "/admin/conversations/",
)
# Swagger UI and ReDoc (served from this server) set inline style attributes and ReDoc runs
# its search in a blob: worker; their pages get the page CSP with those two allowances.
DOCS_PAGES = ("/docs", "/redoc")
API_CSP = "default-src 'none'; frame-ancestors 'none'"
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
_BEARER = re.compile(r"bearer\s+(\S+)\s*$", re.IGNORECASE)
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script>", re.S | re.I)
_INLINE_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S | re.I)


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


def key_fingerprint(key: str) -> str:
    """A short, non-reversible name for a key, safe to log and to key rate limits by."""
    return "key:" + hashlib.sha256(_digest(key)).hexdigest()[:12]


class KeyRing:
    """A set of secret keys, held only as digests and compared in constant time."""

    def __init__(self, keys: Iterable[str]) -> None:
        self._digests = tuple(_digest(k) for k in keys if k)

    def __bool__(self) -> bool:
        return bool(self._digests)

    def matches(self, key: str | None) -> bool:
        """Whether `key` is one of the ring's keys."""
        if not key:
            return False
        digest = _digest(key)
        found = False
        for known in self._digests:  # no early exit: the time taken says nothing
            found |= hmac.compare_digest(digest, known)
        return found


def bearer_key(headers: Headers) -> str | None:
    """The key in `Authorization: Bearer KEY`, if any."""
    match = _BEARER.match(headers.get("authorization", ""))
    return match.group(1) if match else None


def presented_key(headers: Headers) -> str | None:
    """The key a request carries: `Authorization: Bearer KEY` or `X-API-Key: KEY`."""
    return bearer_key(headers) or headers.get("x-api-key") or None


def client_address(scope: Scope) -> str:
    """The client's IP address (the proxy's X-Forwarded-For when uvicorn trusts the proxy)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def widget_client(scope: Scope) -> str:
    """Who is asking on the widget's anonymous surface: the client's address."""
    return "widget-ip:" + client_address(scope)


def login_client(scope: Scope) -> str:
    """Who is signing in to the support console: the client's address."""
    return "login-ip:" + client_address(scope)


def client_identity(scope: Scope, keys: KeyRing) -> str:
    """Who is asking, for rate limits and logs: a valid key's fingerprint, else the address."""
    key = presented_key(Headers(scope=scope))
    if key is not None and keys.matches(key):
        return key_fingerprint(key)
    return "ip:" + client_address(scope)


class ApiKeyMiddleware:
    """With keys configured, requires one on /v1/*: 401 without one, 403 with a wrong one.
    No header other than the key admits a request (browser headers are forged by any client);
    the widget uses its own anonymous surface under `WIDGET_PREFIX`."""

    def __init__(self, app: ASGIApp, keys: KeyRing) -> None:
        self.app, self.keys = app, keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.keys or not scope["path"].startswith(API_PREFIXES):
            await self.app(scope, receive, send)
            return
        key = presented_key(Headers(scope=scope))
        if key is None:
            response = error_response(
                401,
                "missing_api_key",
                "an API key is required: send `Authorization: Bearer KEY` or `X-API-Key: KEY`",
                headers={"WWW-Authenticate": "Bearer"},
            )
        elif not self.keys.matches(key):
            response = error_response(403, "invalid_api_key", "the API key is not valid")
        else:
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)


def admin_refusal(headers: Headers, admin_keys: KeyRing) -> tuple[int, str, str] | None:
    """Why an admin request is refused (status, code, message), or None when it may proceed.
    Without an admin key configured the admin endpoints do not exist (404). The admin key is
    read from `Authorization: Bearer` only: `X-API-Key` carries API keys."""
    if not admin_keys:
        return 404, "not_found", "Not Found"
    key = bearer_key(headers)
    if key is None:
        return 401, "missing_admin_key", "the admin key is required: `Authorization: Bearer KEY`"
    if not admin_keys.matches(key):
        return 403, "invalid_admin_key", "the admin key is not valid"
    return None


class JsonOnlyMiddleware:
    """415 for request bodies not declared as JSON on the API's write routes (a form post or
    text/plain would otherwise be read as a wrong-typed JSON value); the support console's
    HTML forms (`exempt`) post URL-encoded."""

    def __init__(
        self,
        app: ASGIApp,
        prefixes: tuple[str, ...] = (*API_PREFIXES, WIDGET_PREFIX, ADMIN_PREFIX),
        exempt: tuple[str, ...] = CONSOLE_FORM_PREFIXES,
    ):
        self.app, self.prefixes, self.exempt = app, prefixes, exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in ("POST", "PUT", "PATCH")
            and scope["path"].startswith(self.prefixes)
            and not scope["path"].startswith(self.exempt)
        ):
            headers = Headers(scope=scope)
            declared = headers.get("content-type")
            has_body = headers.get("content-length", "0") != "0" or "transfer-encoding" in headers
            if (declared is not None or has_body) and not is_json_media_type(declared or ""):
                response = error_response(
                    415,
                    "unsupported_media_type",
                    "request bodies must be sent as Content-Type: application/json"
                    + (f", not {declared[:80]!r}" if declared else ""),
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def is_json_media_type(content_type: str) -> bool:
    """`application/json` or a `+json` type, whatever its parameters."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def page_csp(html: str, docs: bool = False) -> str:
    """A strict Content-Security-Policy for an HTML page served here: its own scripts, styles
    and API only, plus the inline blocks it contains, allowed by hash. API documentation pages
    (`docs`) may also use inline styles and a blob: worker; they still load nothing elsewhere."""
    scripts = ["'self'", *(_source_hash(s) for s in _INLINE_SCRIPT.findall(html))]
    styles = ["'self'", *(_source_hash(s) for s in _INLINE_STYLE.findall(html))]
    if docs:
        styles = ["'self'", "'unsafe-inline'"]
    worker = "; worker-src blob:" if docs else ""
    return (
        f"default-src 'none'; script-src {' '.join(scripts)}; style-src {' '.join(styles)}; "
        "connect-src 'self'; img-src 'self' data:; font-src 'self'; base-uri 'none'; "
        f"form-action 'none'; frame-ancestors 'none'{worker}"
    )


def _source_hash(source: str) -> str:
    digest = base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


class SecurityHeadersMiddleware:
    """Adds nosniff, Referrer-Policy and X-Frame-Options to every response, and a CSP: a
    hash-based one for HTML pages, `default-src 'none'` for everything else (JSON, assets)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"] in DOCS_PAGES
        start: Message | None = None
        body: list[bytes] = []

        async def send_with_headers(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in COMMON_HEADERS.items():
                    headers.setdefault(name, value)
                html = headers.get("content-type", "").startswith("text/html")
                if html:
                    start = message  # held until the page is read, to hash its inline blocks
                else:
                    headers.setdefault("Content-Security-Policy", API_CSP)
                    await send(message)
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            page = b"".join(body)
            MutableHeaders(scope=start).setdefault(
                "Content-Security-Policy", page_csp(page.decode("utf-8", "replace"), docs)
            )
            await send(start)
            await send({"type": "http.response.body", "body": page, "more_body": False})

        await self.app(scope, receive, send_with_headers)
