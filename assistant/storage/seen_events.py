"""Event ids already handled, so a redelivered Slack event is answered once.

Slack redelivers an event (same `event_id`, an `X-Slack-Retry-Num` header) when it thinks the
first delivery failed. `claim(event_id)` is true only for the first delivery within `ttl_seconds`.
A bounded in-process cache answers repeats cheaply; the shared store (the SQLite file next to the
conversations, or Redis when `redis_url` is set) makes replicas agree on who answers.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from assistant.config import Settings
from assistant.errors import StoreUnavailableError

log = logging.getLogger(__name__)

SQLITE_FILE = "slack-events.sqlite3"
# Slack retries three times within about five minutes; an hour leaves a wide margin.
DEFAULT_TTL_SECONDS = 3600.0


class SeenEvents(Protocol):
    """Remembers event ids for `ttl_seconds`; every implementation passes the contract tests in
    tests/test_seen_events.py."""

    def claim(self, event_id: str) -> bool:
        """True the first time `event_id` is claimed within the TTL, False for a repeat.
        Concurrent claims of one id: exactly one is true."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


class MemorySeenEvents:
    """Event ids in this process: at most `capacity`, oldest forgotten first."""

    def __init__(
        self,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        capacity: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl_seconds <= 0:
            raise ValueError(f"ttl_seconds must be positive, not {ttl_seconds!r}")
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, not {capacity!r}")
        self.ttl_seconds, self.capacity, self.clock = ttl_seconds, capacity, clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, event_id: str) -> bool:
        """True the first time `event_id` is seen within the TTL."""
        now = self.clock()
        with self._lock:
            # insertion order is claim order, so expired ids are at the front
            while self._seen and next(iter(self._seen.values())) < now - self.ttl_seconds:
                self._seen.popitem(last=False)
            if event_id in self._seen:
                return False
            if len(self._seen) >= self.capacity:
                self._seen.popitem(last=False)
            self._seen[event_id] = now
            return True

    def close(self) -> None:
        """Nothing to release."""


class SQLiteSeenEvents:
    """Event ids in a SQLite file, shared by the processes that use the same data folder."""

    def __init__(
        self,
        path: Path,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if ttl_seconds <= 0:
            raise ValueError(f"ttl_seconds must be positive, not {ttl_seconds!r}")
        self.path, self.ttl_seconds, self.clock = Path(path), ttl_seconds, clock
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False
            )
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA busy_timeout = 30000")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS seen_events "
                "(event_id TEXT PRIMARY KEY, seen_at REAL NOT NULL)"
            )
            self._db.execute(
                "CREATE INDEX IF NOT EXISTS seen_events_seen_at ON seen_events (seen_at)"
            )
        except (OSError, sqlite3.Error) as exc:
            raise StoreUnavailableError(f"cannot open {self.path}: {exc}") from exc

    def claim(self, event_id: str) -> bool:
        """True the first time `event_id` is claimed (by any process) within the TTL."""
        now = self.clock()
        cutoff = now - self.ttl_seconds
        try:
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    self._db.execute("DELETE FROM seen_events WHERE seen_at < ?", (cutoff,))
                    inserted = self._db.execute(
                        "INSERT OR IGNORE INTO seen_events (event_id, seen_at) VALUES (?, ?)",
                        (event_id, now),
                    ).rowcount
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
        except sqlite3.Error as exc:
            raise StoreUnavailableError(f"{self.path}: {exc}") from exc
        return inserted == 1

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()


class RedisSeenEvents:
    """Event ids as expiring Redis keys (`SET NX PX`), shared by every replica."""

    def __init__(
        self, url: str, ttl_seconds: float = DEFAULT_TTL_SECONDS, prefix: str = "assistant:"
    ) -> None:
        import redis

        if ttl_seconds <= 0:
            raise ValueError(f"ttl_seconds must be positive, not {ttl_seconds!r}")
        self.ttl_seconds, self.prefix = ttl_seconds, prefix
        self._errors = redis.RedisError
        try:
            self.client = redis.Redis.from_url(
                url, decode_responses=True, socket_timeout=5, socket_connect_timeout=5
            )
        except ValueError as exc:
            raise StoreUnavailableError(f"redis_url: {exc}") from exc

    def claim(self, event_id: str) -> bool:
        """True the first time `event_id` is claimed (by any replica) within the TTL."""
        key = f"{self.prefix}slack:event:{event_id}"
        try:
            created = self.client.set(key, "1", nx=True, px=max(1, int(self.ttl_seconds * 1000)))
        except self._errors as exc:
            raise StoreUnavailableError(f"redis: {exc}") from exc
        return bool(created)

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()


class LayeredSeenEvents:
    """A process-local cache in front of a shared store. When the shared store is unreachable the
    local answer stands (a possible double reply beats dropping the event)."""

    def __init__(self, local: SeenEvents, shared: SeenEvents) -> None:
        self.local, self.shared = local, shared

    def claim(self, event_id: str) -> bool:
        """False when this process or the shared store has seen `event_id`."""
        if not self.local.claim(event_id):
            return False
        try:
            return self.shared.claim(event_id)
        except StoreUnavailableError as exc:
            log.warning("seen-events store unavailable, deduplicating in-process only: %s", exc)
            return True

    def close(self) -> None:
        """Close both layers."""
        self.local.close()
        self.shared.close()


def open_seen_events(settings: Settings) -> SeenEvents:
    """The in-process cache in front of Redis when `redis_url` is set, else SQLite in
    `data_dir`."""
    shared: SeenEvents
    if settings.redis_url:
        shared = RedisSeenEvents(settings.redis_url)
    else:
        shared = SQLiteSeenEvents(settings.data_dir / SQLITE_FILE)
    return LayeredSeenEvents(MemorySeenEvents(), shared)
