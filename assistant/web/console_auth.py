"""Who may use the support console: a signed, expiring session cookie set by the sign-in form
(HttpOnly, SameSite=Strict, Secure over HTTPS), or the admin key as `Authorization: Bearer`.

Form posts and cookie-authenticated API writes carry a CSRF token bound to the session (a
hidden field or the `X-CSRF-Token` header); a cross-site browser request (`Sec-Fetch-Site` or
`Origin` from elsewhere) is refused as well. Without `ASSISTANT_ADMIN_KEY` the console is 404.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from assistant.config import Settings
from assistant.web.security import KeyRing, presented_key

COOKIE = "assistant_console"
COOKIE_PATH = "/admin"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
API_REVIEWER = "api"
MAX_REVIEWER_CHARS = 60
_REVIEWER = re.compile(r"[^\w .@'-]+")


@dataclass(frozen=True)
class Session:
    """A signed-in reviewer and the session's CSRF token."""

    reviewer: str
    csrf: str
    cookie: bool  # False: the admin key was sent as a Bearer header (no CSRF needed)


class ConsoleAuth:
    """Signs and checks console sessions; the signing key is derived from the admin key, so
    changing the admin key signs everyone out."""

    def __init__(self, settings: Settings) -> None:
        secret = settings.admin_key.get_secret_value() if settings.admin_key else ""
        self.keys = KeyRing([secret] if secret else [])
        self.max_age = int(settings.admin_session_hours * 3600)
        self._secret = hashlib.sha256(b"assistant-console-session:" + secret.encode()).digest()
        self._serializer = URLSafeTimedSerializer(self._secret, salt="assistant-console")

    @property
    def enabled(self) -> bool:
        """Whether an admin key is configured (else the console does not exist)."""
        return bool(self.keys)

    def _csrf(self, nonce: str) -> str:
        return hmac.new(self._secret, b"csrf:" + nonce.encode(), hashlib.sha256).hexdigest()

    def sign_in(self, response: Response, request: Request, reviewer: str) -> None:
        """Set the session cookie on `response`."""
        token = self._serializer.dumps({"r": reviewer, "n": secrets.token_urlsafe(16)})
        response.set_cookie(
            COOKIE,
            token,
            max_age=self.max_age,
            path=COOKIE_PATH,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )

    def sign_out(self, response: Response, request: Request) -> None:
        """Clear the session cookie."""
        response.delete_cookie(
            COOKIE,
            path=COOKIE_PATH,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )

    def session(self, request: Request) -> Session | None:
        """The request's session: a valid, unexpired cookie or the admin key; else None."""
        key = presented_key(request.headers)
        if key is not None and self.keys.matches(key):
            return Session(API_REVIEWER, "", cookie=False)
        token = request.cookies.get(COOKIE)
        if not token:
            return None
        try:
            data = self._serializer.loads(token, max_age=self.max_age)
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(data, dict) or not isinstance(data.get("r"), str):
            return None
        return Session(data["r"], self._csrf(str(data.get("n", ""))), cookie=True)

    def key_matches(self, key: str) -> bool:
        """Whether a key typed into the sign-in form is the admin key."""
        return self.keys.matches(key)


def same_site(request: Request) -> bool:
    """Whether a browser write comes from the console's own pages (not a cross-site form)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host")


def csrf_ok(session: Session, request: Request, token: str | None) -> bool:
    """Whether a write may proceed: key-authenticated, or same-site with the session's token."""
    if not session.cookie:
        return True
    return bool(token) and hmac.compare_digest(session.csrf, token or "") and same_site(request)


def clean_reviewer(name: str) -> str:
    """A reviewer's name as typed, reduced to letters, digits and a little punctuation."""
    return _REVIEWER.sub("", name).strip()[:MAX_REVIEWER_CHARS]
