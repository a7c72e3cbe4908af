"""Conversations in one SQLite file: the default store, durable across crashes.

WAL journal. With `synchronous=NORMAL` (the default) a committed turn or rating is in the
write-ahead log before the request that made it is answered, so killing the process (even
SIGKILL) loses nothing acknowledged; only a power loss or OS crash can lose the last commits,
because the log is synced at checkpoints rather than at every commit. `synchronous=FULL` syncs
the log at every commit (~5 ms a turn here) and survives power loss too.
Each thread has its own connection; writes take the database lock up front
(`BEGIN IMMEDIATE`) so turn numbers stay consecutive across threads and processes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.config import SqliteSynchronous
from assistant.errors import (
    ConversationFullError,
    ConversationNotFoundError,
    StoreUnavailableError,
    TurnNotFoundError,
)
from assistant.models import Answer
from assistant.storage.records import (
    Conversation,
    Feedback,
    Turn,
    answer_from_dict,
    answer_to_dict,
    feedback_for_turn,
    full_message,
    new_conversation_id,
    new_feedback_id,
    turn_from_answer,
)

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    conversation_id TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_updated_at ON conversations (updated_at);
CREATE TABLE IF NOT EXISTS turns (
    conversation_id TEXT NOT NULL
        REFERENCES conversations (conversation_id) ON DELETE CASCADE,
    turn INTEGER NOT NULL,
    question TEXT NOT NULL,
    resolved_question TEXT NOT NULL,
    kind TEXT NOT NULL,
    verdict TEXT NOT NULL,
    confidence REAL NOT NULL,
    clause_ids TEXT NOT NULL,
    answer TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (conversation_id, turn)
);
CREATE TABLE IF NOT EXISTS conversation_keys (
    key TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL
        REFERENCES conversations (conversation_id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS conversation_keys_conversation ON conversation_keys (conversation_id);
CREATE TABLE IF NOT EXISTS feedback (
    feedback_id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    turn INTEGER NOT NULL,
    rating TEXT NOT NULL,
    comment TEXT,
    created_at REAL NOT NULL,
    question TEXT NOT NULL,
    resolved_question TEXT NOT NULL,
    kind TEXT NOT NULL,
    verdict TEXT NOT NULL,
    clause_ids TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_conversation ON feedback (conversation_id);
"""

_TURN_COLUMNS = (
    "turn, question, resolved_question, kind, verdict, confidence, clause_ids, answer, created_at"
)


class SQLiteConversationStore:
    """Conversations, key mappings and feedback in a SQLite database file."""

    def __init__(
        self,
        path: Path,
        ttl_seconds: float,
        clock: Callable[[], float] = time.time,
        synchronous: SqliteSynchronous = "normal",
    ) -> None:
        if ttl_seconds <= 0:
            raise ValueError(f"ttl_seconds must be positive, not {ttl_seconds!r}")
        self.path = Path(path)
        self.ttl_seconds = ttl_seconds
        self.clock = clock
        self.synchronous = synchronous
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = self._connection()
            db.executescript(SCHEMA)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except (OSError, sqlite3.Error) as exc:
            raise StoreUnavailableError(f"cannot open {self.path}: {exc}") from exc

    def _connection(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False
            )
            db.execute("PRAGMA journal_mode = WAL")
            db.execute(f"PRAGMA synchronous = {self.synchronous.upper()}")
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA busy_timeout = 30000")
            self._local.db = db
            with self._lock:
                self._connections.append(db)
        return db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A transaction holding the write lock from its start; committed on success."""
        try:
            db = self._connection()
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreUnavailableError(f"{self.path}: {exc}") from exc
        try:
            yield db
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise StoreUnavailableError(f"{self.path}: {exc}") from exc
        except BaseException:
            db.execute("ROLLBACK")
            raise

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: one consistent snapshot for several queries."""
        try:
            db = self._connection()
            db.execute("BEGIN")
            try:
                yield db
            finally:
                db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StoreUnavailableError(f"{self.path}: {exc}") from exc

    def _cutoff(self) -> float:
        return self.clock() - self.ttl_seconds

    def _live(self, db: sqlite3.Connection, conversation_id: str) -> bool:
        row = db.execute(
            "SELECT 1 FROM conversations WHERE conversation_id = ? AND updated_at >= ?",
            (conversation_id, self._cutoff()),
        ).fetchone()
        return row is not None

    def _create(self, db: sqlite3.Connection) -> str:
        db.execute("DELETE FROM conversations WHERE updated_at < ?", (self._cutoff(),))
        conversation_id, now = new_conversation_id(), self.clock()
        db.execute(
            "INSERT INTO conversations (conversation_id, created_at, updated_at) VALUES (?, ?, ?)",
            (conversation_id, now, now),
        )
        return conversation_id

    def get(
        self, conversation_id: str, after: int = 0, limit: int | None = None
    ) -> Conversation | None:
        """The conversation with its turns numbered above `after` (at most `limit`), or None
        when unknown or expired."""
        return self._conversation(
            conversation_id,
            f"SELECT {_TURN_COLUMNS} FROM turns WHERE conversation_id = ? AND turn > ? "
            "ORDER BY turn LIMIT ?",
            (after, -1 if limit is None else limit),
        )

    def recent(self, conversation_id: str, count: int) -> Conversation | None:
        """The conversation with only its last `count` turns, or None when unknown or expired."""
        return self._conversation(
            conversation_id,
            f"SELECT * FROM (SELECT {_TURN_COLUMNS} FROM turns WHERE conversation_id = ? "
            "ORDER BY turn DESC LIMIT ?) ORDER BY turn",
            (count,),
        )

    def _conversation(
        self, conversation_id: str, turns_query: str, arguments: tuple[int, ...]
    ) -> Conversation | None:
        with self._read() as db:
            row = db.execute(
                "SELECT created_at, updated_at FROM conversations "
                "WHERE conversation_id = ? AND updated_at >= ?",
                (conversation_id, self._cutoff()),
            ).fetchone()
            if row is None:
                return None
            rows = db.execute(turns_query, (conversation_id, *arguments)).fetchall()
            (count,) = db.execute(
                "SELECT COUNT(*) FROM turns WHERE conversation_id = ?", (conversation_id,)
            ).fetchone()
        return Conversation(conversation_id, row[0], row[1], tuple(_turn(r) for r in rows), count)

    def append(
        self, conversation_id: str | None, answer: Answer, max_turns: int | None = None
    ) -> tuple[str, Turn]:
        """Add a turn (a new conversation when the id is None); return the id and the turn."""
        with self._write() as db:
            if conversation_id is None:
                conversation_id = self._create(db)
            elif not self._live(db, conversation_id):
                raise ConversationNotFoundError("unknown or expired conversation_id")
            (number,) = db.execute(
                "SELECT COALESCE(MAX(turn), 0) + 1 FROM turns WHERE conversation_id = ?",
                (conversation_id,),
            ).fetchone()
            if max_turns is not None and number > max_turns:
                raise ConversationFullError(full_message(max_turns))
            turn = turn_from_answer(number, answer, self.clock())
            db.execute(
                f"INSERT INTO turns (conversation_id, {_TURN_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    conversation_id,
                    turn.turn,
                    turn.question,
                    turn.resolved_question,
                    turn.kind,
                    turn.verdict,
                    turn.confidence,
                    json.dumps(list(turn.clause_ids)),
                    json.dumps(answer_to_dict(answer)),
                    turn.created_at,
                ),
            )
            db.execute(
                "UPDATE conversations SET updated_at = ? WHERE conversation_id = ?",
                (turn.created_at, conversation_id),
            )
        return conversation_id, turn

    def conversation_for_key(self, key: str) -> str:
        """The live conversation an external key maps to, created and mapped when needed."""
        with self._write() as db:
            row = db.execute(
                "SELECT conversation_id FROM conversation_keys WHERE key = ?", (key,)
            ).fetchone()
            if row is not None and self._live(db, row[0]):
                return str(row[0])
            conversation_id = self._create(db)
            db.execute(
                "INSERT OR REPLACE INTO conversation_keys (key, conversation_id) VALUES (?, ?)",
                (key, conversation_id),
            )
        return conversation_id

    def delete(self, conversation_id: str) -> bool:
        """Remove a conversation, its key mappings and its feedback; False when none existed."""
        with self._write() as db:
            feedback = db.execute(
                "DELETE FROM feedback WHERE conversation_id = ?", (conversation_id,)
            ).rowcount
            conversations = db.execute(
                "DELETE FROM conversations WHERE conversation_id = ?", (conversation_id,)
            ).rowcount
        return bool(feedback or conversations)

    def add_feedback(
        self, conversation_id: str, turn: int, rating: str, comment: str | None
    ) -> Feedback:
        """Record a rating of a turn of a live conversation."""
        with self._write() as db:
            if not self._live(db, conversation_id):
                raise ConversationNotFoundError("unknown or expired conversation_id")
            row = db.execute(
                f"SELECT {_TURN_COLUMNS} FROM turns WHERE conversation_id = ? AND turn = ?",
                (conversation_id, turn),
            ).fetchone()
            if row is None:
                raise TurnNotFoundError(f"conversation has no turn {turn}")
            feedback = feedback_for_turn(
                new_feedback_id(), conversation_id, _turn(row), rating, comment, self.clock()
            )
            db.execute(  # one rating per turn: a later one replaces the earlier
                "DELETE FROM feedback WHERE conversation_id = ? AND turn = ?",
                (conversation_id, turn),
            )
            db.execute(
                "INSERT INTO feedback (feedback_id, conversation_id, turn, rating, comment, "
                "created_at, question, resolved_question, kind, verdict, clause_ids) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    feedback.feedback_id,
                    feedback.conversation_id,
                    feedback.turn,
                    feedback.rating,
                    feedback.comment,
                    feedback.created_at,
                    feedback.question,
                    feedback.resolved_question,
                    feedback.kind,
                    feedback.verdict,
                    json.dumps(list(feedback.clause_ids)),
                ),
            )
        return feedback

    def feedback(self) -> list[Feedback]:
        """Every feedback record, oldest first."""
        with self._read() as db:
            rows = db.execute(
                "SELECT feedback_id, conversation_id, turn, rating, comment, created_at, "
                "question, resolved_question, kind, verdict, clause_ids FROM feedback "
                "ORDER BY created_at, rowid"
            ).fetchall()
        return [
            Feedback(
                feedback_id=r[0],
                conversation_id=r[1],
                turn=r[2],
                rating=r[3],
                comment=r[4],
                created_at=r[5],
                question=r[6],
                resolved_question=r[7],
                kind=r[8],
                verdict=r[9],
                clause_ids=tuple(json.loads(r[10])),
            )
            for r in rows
        ]

    def conversations(self) -> list[Conversation]:
        """Every live conversation with its turns, least recently updated first."""
        with self._read() as db:
            heads = db.execute(
                "SELECT conversation_id, created_at, updated_at FROM conversations "
                "WHERE updated_at >= ? ORDER BY updated_at, conversation_id",
                (self._cutoff(),),
            ).fetchall()
            turns: dict[str, list[Turn]] = {}
            for row in db.execute(
                f"SELECT conversation_id, {_TURN_COLUMNS} FROM turns "
                "WHERE conversation_id IN (SELECT conversation_id FROM conversations "
                "WHERE updated_at >= ?) ORDER BY conversation_id, turn",
                (self._cutoff(),),
            ):
                turns.setdefault(str(row[0]), []).append(_turn(row[1:]))
        return [Conversation(c, a, u, tuple(turns.get(c, ()))) for c, a, u in heads]

    def delete_feedback_before(self, cutoff: float) -> int:
        """Remove ratings given before `cutoff`; how many went."""
        with self._write() as db:
            return db.execute("DELETE FROM feedback WHERE created_at < ?", (cutoff,)).rowcount

    def close(self) -> None:
        """Close every thread's connection."""
        with self._lock:
            connections, self._connections = self._connections, []
        for db in connections:
            db.close()
        self._local = threading.local()


def _turn(row: tuple[object, ...]) -> Turn:
    number, question, resolved, kind, verdict, confidence, clause_ids, answer, created = row
    return Turn(
        turn=int(number),  # type: ignore[call-overload]
        question=str(question),
        resolved_question=str(resolved),
        kind=str(kind),
        verdict=str(verdict),
        confidence=float(confidence),  # type: ignore[arg-type]
        clause_ids=tuple(json.loads(str(clause_ids))),
        answer=answer_from_dict(json.loads(str(answer))),
        created_at=float(created),  # type: ignore[arg-type]
    )
