"""Per-client rate limiting (a token bucket per client) and per-client concurrency limits,
held in this process's memory.

Each replica keeps its own buckets, so behind a load balancer that spreads one client over N
replicas the client gets up to N times the configured rate; size the limit for that.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.web.responses import error_response


@dataclass
class TokenBucket:
    """Tokens available to one client, refilled at `rate` per second up to `burst`."""

    tokens: float
    updated: float


class RateLimiter:
    """Token buckets keyed by client; the least recently seen clients are forgotten beyond
    `max_clients` (a forgotten client comes back with a full bucket)."""

    def __init__(
        self,
        rate: float,
        burst: int,
        max_clients: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate: {rate!r} must be positive")
        if burst < 1:
            raise ValueError(f"burst: {burst!r} must be at least 1")
        self.rate, self.burst, self.max_clients, self.clock = rate, burst, max_clients, clock
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()
        self._lock = threading.Lock()

    def acquire(self, client: str) -> float:
        """Take a token for `client`: 0.0 when allowed, else the seconds until one is available."""
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(client)
            if bucket is None:
                bucket = self._buckets[client] = TokenBucket(float(self.burst), now)
                while len(self._buckets) > self.max_clients:
                    self._buckets.popitem(last=False)
            else:
                self._buckets.move_to_end(client)
                elapsed = max(0.0, now - bucket.updated)
                bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.rate)
                bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate

    def __len__(self) -> int:
        return len(self._buckets)


class RateLimitMiddleware:
    """Answers 429 with `Retry-After` to clients over their rate on paths under `prefixes`."""

    def __init__(
        self,
        app: ASGIApp,
        limiter: RateLimiter,
        identify: Callable[[Scope], str],
        prefixes: tuple[str, ...] = ("/v1/",),
        on_limited: Callable[[], None] | None = None,
    ) -> None:
        self.app, self.limiter, self.identify = app, limiter, identify
        self.prefixes, self.on_limited = prefixes, on_limited

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        wait = self.limiter.acquire(self.identify(scope))
        if wait == 0.0:
            await self.app(scope, receive, send)
            return
        if self.on_limited is not None:
            self.on_limited()
        retry_after = max(1, math.ceil(wait))
        response = error_response(
            429,
            "rate_limited",
            f"too many requests; retry after {retry_after} s",
            headers={"Retry-After": str(retry_after)},
        )
        await response(scope, receive, send)


class ConcurrencyLimiter:
    """How many requests each client has in flight, up to `limit` at once."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"limit: {limit!r} must be at least 1")
        self.limit = limit
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()

    def enter(self, client: str) -> bool:
        """Count a request in; False (nothing counted) when the client is at its limit."""
        with self._lock:
            running = self._running.get(client, 0)
            if running >= self.limit:
                return False
            self._running[client] = running + 1
            return True

    def leave(self, client: str) -> None:
        """Count a finished request out."""
        with self._lock:
            running = self._running.get(client, 0) - 1
            if running > 0:
                self._running[client] = running
            else:
                self._running.pop(client, None)


class ConcurrencyLimitMiddleware:
    """Answers 429 to a client that already has `limiter.limit` requests in flight on paths
    under `prefixes`, so one client cannot take every worker."""

    def __init__(
        self,
        app: ASGIApp,
        limiter: ConcurrencyLimiter,
        identify: Callable[[Scope], str],
        prefixes: tuple[str, ...],
        on_limited: Callable[[], None] | None = None,
    ) -> None:
        self.app, self.limiter, self.identify = app, limiter, identify
        self.prefixes, self.on_limited = prefixes, on_limited

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        client = self.identify(scope)
        if not self.limiter.enter(client):
            if self.on_limited is not None:
                self.on_limited()
            response = error_response(
                429,
                "too_many_in_flight",
                f"at most {self.limiter.limit} requests at once; retry when one has finished",
                headers={"Retry-After": "1"},
            )
            await response(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.limiter.leave(client)
