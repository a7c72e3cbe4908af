"""Review states of the support console's queue items (open, dismissed, resolved, labelled) and
the audit trail of reviewers' actions, in SQLite or Redis beside the conversations.

An item is one turn of a conversation, named `conversation_id:turn`. Items without a stored
state are open. Forgetting a conversation (the console's delete) removes its items' states;
audit entries name the item and the action, never the question text.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from assistant.config import Settings
from assistant.errors import StoreUnavailableError

REVIEW_STATES = ("open", "dismissed", "resolved", "labelled")
REVIEW_SQLITE_FILE = "review.sqlite3"
MAX_AUDIT = 10_000  # the Redis audit list keeps this many newest entries


def item_id(conversation_id: str, turn: int) -> str:
    """The queue item id of a turn."""
    return f"{conversation_id}:{turn}"


@dataclass(frozen=True)
class ReviewState:
    """Where a reviewer left an item, who did it and when."""

    item_id: str
    state: str
    reviewer: str
    updated_at: float


@dataclass(frozen=True)
class AuditEntry:
    """One reviewer action: what was done to which item, by whom, when, with a short detail."""

    at: float
    reviewer: str
    action: str
    item_id: str
    detail: str


class ReviewStore(Protocol):
    """Review states and the audit trail; tests/test_review_store.py is the contract."""

    def set_state(self, item: str, state: str, reviewer: str, detail: str = "") -> ReviewState:
        """Record an item's new state and an audit entry for the change."""
        ...

    def states(self) -> dict[str, ReviewState]:
        """Every item's recorded state, by item id."""
        ...

    def record(self, action: str, item: str, reviewer: str, detail: str = "") -> AuditEntry:
        """Add an audit entry for an action that changes no state (a delete, a handoff)."""
        ...

    def audit(self, limit: int = 100) -> list[AuditEntry]:
        """The newest audit entries, newest first."""
        ...

    def forget(self, conversation_id: str) -> int:
        """Remove the states of a conversation's items; how many were removed."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


def _check(state: str) -> None:
    if state not in REVIEW_STATES:
        raise ValueError(f"state: {state!r} is not one of {', '.join(REVIEW_STATES)}")


class SQLiteReviewStore:
    """Review states and audit entries in a SQLite file (WAL, synchronous=FULL)."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path, self.clock = Path(path), clock
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db().executescript(
                "CREATE TABLE IF NOT EXISTS review_states (item_id TEXT PRIMARY KEY, "
                "conversation_id TEXT NOT NULL, state TEXT NOT NULL, reviewer TEXT NOT NULL, "
                "updated_at REAL NOT NULL);"
                "CREATE INDEX IF NOT EXISTS review_states_conversation "
                "ON review_states (conversation_id);"
                "CREATE TABLE IF NOT EXISTS review_audit (at REAL NOT NULL, "
                "reviewer TEXT NOT NULL, action TEXT NOT NULL, item_id TEXT NOT NULL, "
                "detail TEXT NOT NULL);"
            )
        except (OSError, sqlite3.Error) as exc:
            raise StoreUnavailableError(f"cannot open {self.path}: {exc}") from exc

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            self._local.db = db
            with self._lock:
                self._opened.append(db)
        return db

    def _run(self, sql: str, *params: object) -> list[tuple[object, ...]]:
        try:
            db = self._db()
            with db:  # one transaction, committed on success
                return db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StoreUnavailableError(f"{self.path}: {exc}") from exc

    def set_state(self, item: str, state: str, reviewer: str, detail: str = "") -> ReviewState:
        """Record an item's new state and an audit entry for the change."""
        _check(state)
        now = self.clock()
        try:
            db = self._db()
            with db:
                db.execute(
                    "INSERT OR REPLACE INTO review_states VALUES (?, ?, ?, ?, ?)",
                    (item, item.rsplit(":", 1)[0], state, reviewer, now),
                )
                db.execute(
                    "INSERT INTO review_audit VALUES (?, ?, ?, ?, ?)",
                    (now, reviewer, state, item, detail),
                )
        except sqlite3.Error as exc:
            raise StoreUnavailableError(f"{self.path}: {exc}") from exc
        return ReviewState(item, state, reviewer, now)

    def states(self) -> dict[str, ReviewState]:
        """Every item's recorded state, by item id."""
        rows = self._run("SELECT item_id, state, reviewer, updated_at FROM review_states")
        return {str(r[0]): ReviewState(str(r[0]), str(r[1]), str(r[2]), float(r[3])) for r in rows}  # type: ignore[arg-type]

    def record(self, action: str, item: str, reviewer: str, detail: str = "") -> AuditEntry:
        """Add an audit entry for an action that changes no state."""
        entry = AuditEntry(self.clock(), reviewer, action, item, detail)
        self._run("INSERT INTO review_audit VALUES (?, ?, ?, ?, ?)", *asdict(entry).values())
        return entry

    def audit(self, limit: int = 100) -> list[AuditEntry]:
        """The newest audit entries, newest first."""
        rows = self._run(
            "SELECT at, reviewer, action, item_id, detail FROM review_audit "
            "ORDER BY at DESC, rowid DESC LIMIT ?",
            limit,
        )
        return [AuditEntry(float(r[0]), *(str(v) for v in r[1:])) for r in rows]  # type: ignore[arg-type]

    def forget(self, conversation_id: str) -> int:
        """Remove the states of a conversation's items."""
        try:
            db = self._db()
            with db:
                return db.execute(
                    "DELETE FROM review_states WHERE conversation_id = ?", (conversation_id,)
                ).rowcount
        except sqlite3.Error as exc:
            raise StoreUnavailableError(f"{self.path}: {exc}") from exc

    def close(self) -> None:
        """Close every thread's connection."""
        with self._lock:
            opened, self._opened = self._opened, []
        for db in opened:
            db.close()
        self._local = threading.local()


# KEYS: states hash, conversation's item set, audit list. ARGV: item, state JSON, audit JSON, max.
_SET_STATE = """
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('LPUSH', KEYS[3], ARGV[3])
redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[4]) - 1)
return 1
"""

# KEYS: states hash, conversation's item set. Returns how many states were removed.
_FORGET = """
local removed = 0
for _, item in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  removed = removed + redis.call('HDEL', KEYS[1], item)
end
redis.call('DEL', KEYS[2])
return removed
"""


class RedisReviewStore:
    """Review states (`review:states` hash, `review:items:{conversation}` sets) and the audit
    list (`review:audit`, newest first, capped) in Redis, shared by replicas."""

    def __init__(
        self, url: str, prefix: str = "assistant:", clock: Callable[[], float] = time.time
    ) -> None:
        import redis  # only a deployment with `redis_url` loads it

        self.prefix, self.clock = prefix, clock
        self._errors = redis.RedisError
        try:
            self.client = redis.Redis.from_url(
                url, decode_responses=True, socket_timeout=10, socket_connect_timeout=5
            )
        except ValueError as exc:
            raise StoreUnavailableError(f"redis_url: {exc}") from exc
        self._set_state = self.client.register_script(_SET_STATE)
        self._forget = self.client.register_script(_FORGET)
        self._states = f"{prefix}review:states"
        self._audit = f"{prefix}review:audit"

    def _items(self, conversation_id: str) -> str:
        return f"{self.prefix}review:items:{conversation_id}"

    def _call(self, action: Callable[[], object]) -> object:
        try:
            return action()
        except self._errors as exc:
            raise StoreUnavailableError(f"redis: {exc}") from exc

    def set_state(self, item: str, state: str, reviewer: str, detail: str = "") -> ReviewState:
        """Record an item's new state and an audit entry for the change, atomically."""
        _check(state)
        now = self.clock()
        saved = ReviewState(item, state, reviewer, now)
        entry = AuditEntry(now, reviewer, state, item, detail)
        keys = [self._states, self._items(item.rsplit(":", 1)[0]), self._audit]
        args: list[str | int] = [
            item,
            json.dumps(asdict(saved)),
            json.dumps(asdict(entry)),
            MAX_AUDIT,
        ]
        self._call(lambda: self._set_state(keys=keys, args=args))
        return saved

    def states(self) -> dict[str, ReviewState]:
        """Every item's recorded state, by item id."""
        raw = self._call(lambda: self.client.hgetall(self._states))
        assert isinstance(raw, dict)
        return {k: ReviewState(**json.loads(v)) for k, v in raw.items()}

    def record(self, action: str, item: str, reviewer: str, detail: str = "") -> AuditEntry:
        """Add an audit entry for an action that changes no state."""
        entry = AuditEntry(self.clock(), reviewer, action, item, detail)

        def push() -> object:
            pipe = self.client.pipeline(transaction=True)
            pipe.lpush(self._audit, json.dumps(asdict(entry)))
            pipe.ltrim(self._audit, 0, MAX_AUDIT - 1)
            return pipe.execute()

        self._call(push)
        return entry

    def audit(self, limit: int = 100) -> list[AuditEntry]:
        """The newest audit entries, newest first."""
        raw = self._call(lambda: self.client.lrange(self._audit, 0, max(0, limit - 1)))
        assert isinstance(raw, list)
        return [AuditEntry(**json.loads(r)) for r in raw]

    def forget(self, conversation_id: str) -> int:
        """Remove the states of a conversation's items."""
        removed = self._call(
            lambda: self._forget(keys=[self._states, self._items(conversation_id)])
        )
        return int(removed)  # type: ignore[call-overload]

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()


def open_review_store(settings: Settings) -> ReviewStore:
    """Redis when `redis_url` is set, else SQLite in `data_dir` (beside the conversations)."""
    if settings.redis_url:
        return RedisReviewStore(settings.redis_url)
    return SQLiteReviewStore(settings.data_dir / REVIEW_SQLITE_FILE)
