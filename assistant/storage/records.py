"""The values a conversation store persists (turns, conversations, feedback), their JSON form,
and the store protocol; the stores and the dialogue layer both import them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any, Protocol

from assistant.models import Answer, Change, Citation, Stance, Verdict

SQLITE_FILE = "conversations.sqlite3"
RATINGS = ("up", "down")
MAX_COMMENT_CHARS = 1000


@dataclass(frozen=True)
class Turn:
    """One message and the full answer it got, as stored."""

    turn: int
    question: str
    resolved_question: str
    kind: str
    verdict: str
    confidence: float
    clause_ids: tuple[str, ...]
    answer: Answer
    created_at: float


@dataclass(frozen=True)
class Conversation:
    """A conversation's id, timestamps, turns in order and how many turns it has."""

    conversation_id: str
    created_at: float
    updated_at: float
    turns: tuple[Turn, ...] = ()  # all of them, or the page or tail that was asked for
    turn_count: int = 0  # every turn the conversation has


@dataclass(frozen=True)
class Feedback:
    """A rating of one turn, with the turn's question and answer as they were rated."""

    feedback_id: str
    conversation_id: str
    turn: int
    rating: str
    comment: str | None
    created_at: float
    question: str
    resolved_question: str
    kind: str
    verdict: str
    clause_ids: tuple[str, ...]


def full_message(max_turns: int) -> str:
    """What a client is told when a conversation has reached its last turn."""
    return (
        f"this conversation has reached its limit of {max_turns} turns; "
        "start a new one by asking without a conversation_id"
    )


def new_conversation_id() -> str:
    """An unguessable 128-bit id."""
    return secrets.token_urlsafe(16)


def new_feedback_id() -> str:
    """A random feedback id."""
    return "fb_" + secrets.token_urlsafe(12)


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    """An answer as JSON-ready data (the payload stored with each turn)."""
    # field by field: `asdict` deep-copies every value, citations included, on each turn
    data = _fields(answer)
    data["verdict"] = answer.verdict.value
    data["citations"] = [{**_fields(c), "stance": c.stance.value} for c in answer.citations]
    data["suggestions"] = list(answer.suggestions)
    data["changes"] = [_fields(c) for c in answer.changes]
    return data


def _fields(value: Answer | Citation | Change) -> dict[str, Any]:
    return {f.name: getattr(value, f.name) for f in fields(value)}


def answer_from_dict(data: dict[str, Any]) -> Answer:
    """The answer `answer_to_dict` stored."""
    citations = tuple(
        Citation(**{**c, "stance": Stance(c["stance"])}) for c in data.get("citations", ())
    )
    return Answer(
        **{
            **data,
            "verdict": Verdict(data["verdict"]),
            "citations": citations,
            "suggestions": tuple(data.get("suggestions", ())),
            "changes": tuple(Change(**c) for c in data.get("changes", ())),
        }
    )


def turn_from_answer(number: int, answer: Answer, created_at: float) -> Turn:
    """The stored record of an answered turn."""
    return Turn(
        turn=number,
        question=answer.question,
        resolved_question=answer.resolved_question,
        kind=answer.kind,
        verdict=answer.verdict.value,
        confidence=answer.confidence,
        clause_ids=tuple(c.clause_id for c in answer.citations),
        answer=answer,
        created_at=created_at,
    )


def feedback_for_turn(
    feedback_id: str,
    conversation_id: str,
    turn: Turn,
    rating: str,
    comment: str | None,
    created_at: float,
) -> Feedback:
    """A feedback record carrying the rated turn's question, verdict and citations."""
    return Feedback(
        feedback_id=feedback_id,
        conversation_id=conversation_id,
        turn=turn.turn,
        rating=rating,
        comment=comment,
        created_at=created_at,
        question=turn.question,
        resolved_question=turn.resolved_question,
        kind=turn.kind,
        verdict=turn.verdict,
        clause_ids=turn.clause_ids,
    )


class ConversationStore(Protocol):
    """Where conversations and feedback live; every implementation passes the contract tests
    in tests/test_conversation_store.py. Conversations expire `ttl_seconds` after their last
    turn; feedback stays until its conversation is deleted."""

    ttl_seconds: float

    def get(
        self, conversation_id: str, after: int = 0, limit: int | None = None
    ) -> Conversation | None:
        """The conversation with its turns numbered above `after` (at most `limit` of them), or
        None when unknown or expired."""
        ...

    def recent(self, conversation_id: str, count: int) -> Conversation | None:
        """The conversation with only its last `count` turns, or None when unknown or expired."""
        ...

    def append(
        self, conversation_id: str | None, answer: Answer, max_turns: int | None = None
    ) -> tuple[str, Turn]:
        """Add a turn, numbered atomically (a new conversation when the id is None); return the
        id and the turn. Raises ConversationNotFoundError when unknown or expired, and
        ConversationFullError when it already has `max_turns` turns."""
        ...

    def conversation_for_key(self, key: str) -> str:
        """The live conversation an external key (a Slack thread) maps to, created and mapped
        when there is none or it expired; concurrent callers get the same id."""
        ...

    def delete(self, conversation_id: str) -> bool:
        """Remove a conversation, its key mappings and its feedback; False when none existed."""
        ...

    def add_feedback(
        self, conversation_id: str, turn: int, rating: str, comment: str | None
    ) -> Feedback:
        """Record a rating of a turn, replacing any earlier rating of the same turn. Raises
        ConversationNotFoundError or TurnNotFoundError."""
        ...

    def feedback(self) -> list[Feedback]:
        """Every feedback record, oldest first."""
        ...

    def conversations(self) -> list[Conversation]:
        """Every live conversation with its turns, least recently updated first (for review)."""
        ...

    def delete_feedback_before(self, cutoff: float) -> int:
        """Remove ratings given before `cutoff` (the ratings' retention); how many went."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


FEEDBACK_FIELDS = (
    "feedback_id",
    "conversation_id",
    "turn",
    "question",
    "resolved_question",
    "kind",
    "expected_verdict",
    "got_verdict",
    "gold_clause_ids",
    "rating",
    "comment",
    "created_at",
)


def iso_timestamp(seconds: float) -> str:
    """A Unix time as ISO 8601 in UTC with milliseconds, as the API writes timestamps."""
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")


def feedback_rows(store: ConversationStore) -> list[dict[str, Any]]:
    """Feedback shaped like evaluation items (a reviewer fills in `expected_verdict`): one row
    per rated turn, its latest rating, since a user may change their mind."""
    latest: dict[tuple[str, int], Feedback] = {}
    for f in store.feedback():  # oldest first: a later rating of a turn replaces the earlier
        latest.pop((f.conversation_id, f.turn), None)
        latest[(f.conversation_id, f.turn)] = f
    return [
        {
            "feedback_id": f.feedback_id,
            "conversation_id": f.conversation_id,
            "turn": f.turn,
            "question": f.question,
            "resolved_question": f.resolved_question,
            "kind": f.kind,
            "expected_verdict": "",
            "got_verdict": f.verdict,
            "gold_clause_ids": list(f.clause_ids),
            "rating": f.rating,
            "comment": f.comment or "",
            "created_at": iso_timestamp(f.created_at),
        }
        for f in latest.values()
    ]
