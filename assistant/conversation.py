"""Conversations: turns, feedback, the stores that keep them and the `Conversations` façade
that every chat adapter (HTTP API, widget, Slack) shares."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

from .clarification import CLARIFICATION, Clarifier
from .config import Settings
from .errors import ConversationNotFoundError, InvalidFeedbackError
from .followup import resolve_followup
from .models import Answer, Citation, Stance, Verdict
from .smalltalk import SmallTalk, detect_intent, policy_vocabulary, strip_pleasantries

if TYPE_CHECKING:
    from .service import Assistant, Trace

SQLITE_FILE = "conversations.sqlite3"
RATINGS = ("up", "down")
MAX_COMMENT_CHARS = 1000
# Turns whose resolved question later follow-ups may build on.
POLICY_KINDS = ("answer", CLARIFICATION)


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
    """A conversation's id, timestamps and turns in order."""

    conversation_id: str
    created_at: float
    updated_at: float
    turns: tuple[Turn, ...] = ()


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


def new_conversation_id() -> str:
    """An unguessable 128-bit id."""
    return secrets.token_urlsafe(16)


def new_feedback_id() -> str:
    """A random feedback id."""
    return "fb_" + secrets.token_urlsafe(12)


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    """An answer as JSON-ready data (the payload stored with each turn)."""
    data = asdict(answer)
    data["verdict"] = answer.verdict.value
    data["citations"] = [{**asdict(c), "stance": c.stance.value} for c in answer.citations]
    data["suggestions"] = list(answer.suggestions)
    return data


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

    def get(self, conversation_id: str) -> Conversation | None:
        """The conversation with its turns, or None when unknown or expired."""
        ...

    def append(self, conversation_id: str | None, answer: Answer) -> tuple[str, Turn]:
        """Add a turn, numbered atomically (a new conversation when the id is None); return the
        id and the turn. Raises ConversationNotFoundError when unknown or expired."""
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
        """Record a rating of a turn. Raises ConversationNotFoundError or TurnNotFoundError."""
        ...

    def feedback(self) -> list[Feedback]:
        """Every feedback record, oldest first."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


def open_store(settings: Settings) -> ConversationStore:
    """Redis when `redis_url` is set (replicas share conversations), else SQLite in `data_dir`."""
    if settings.redis_url:
        from .redis_store import RedisConversationStore

        return RedisConversationStore(settings.redis_url, settings.conversation_ttl_seconds)
    from .sqlite_store import SQLiteConversationStore

    return SQLiteConversationStore(
        settings.data_dir / SQLITE_FILE, settings.conversation_ttl_seconds
    )


@dataclass(frozen=True)
class Reply:
    """What `Conversations.ask` returns: where the turn was stored, and the turn."""

    conversation_id: str
    turn: Turn

    @property
    def answer(self) -> Answer:
        """The turn's answer."""
        return self.turn.answer


class Conversations:
    """Multi-turn conversations over one assistant and one store: small talk, follow-ups,
    clarification, transcripts and feedback. Adapters (API, widget, Slack) share this."""

    def __init__(
        self,
        assistant: Assistant,
        store: ConversationStore,
        clarifier: Clarifier | None = None,
        smalltalk: SmallTalk | None = None,
    ) -> None:
        self.assistant = assistant
        self.store = store
        settings = assistant.settings
        self.clarifier = clarifier or Clarifier(
            settings.clarify_min_confidence, settings.clarify_max_confidence
        )
        self.smalltalk = smalltalk or SmallTalk(policy_vocabulary(assistant.corpus))

    def respond(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        """The answer to a message given the conversation's earlier turns (nothing is stored)."""
        return self.respond_traced(question, history)[0]

    def respond_traced(
        self, question: str, history: Sequence[Turn] = ()
    ) -> tuple[Answer, Trace | None]:
        """`respond`, with the retrieval trace when the policy was searched (for evaluation)."""
        text = self.assistant.normalise(question)
        intent = detect_intent(text)
        if intent is not None:
            return self.smalltalk.reply(question, intent.name, intent.kind), None
        previous = [t.resolved_question for t in history if t.kind in POLICY_KINDS]
        resolution = resolve_followup(strip_pleasantries(text), previous)
        trace = self.assistant.trace(question, resolved=resolution.question)
        if trace.answer.verdict is Verdict.UNKNOWN and self.smalltalk.is_off_topic(
            trace.answer.resolved_question
        ):
            return self.smalltalk.reply(question, "out_of_domain"), trace
        suggestions = self.clarifier.suggestions(trace.answer.resolved_question, trace.decision)
        if suggestions:
            return replace(trace.answer, kind=CLARIFICATION, suggestions=suggestions), trace
        return trace.answer, trace

    def ask(self, question: str, conversation_id: str | None = None) -> Reply:
        """Answer a message in a conversation (a new one when the id is None) and store the turn.
        Raises ConversationNotFoundError for an unknown or expired id, InvalidQuestionError for
        an empty or over-long message."""
        return self.ask_traced(question, conversation_id)[0]

    def ask_traced(
        self, question: str, conversation_id: str | None = None
    ) -> tuple[Reply, Trace | None]:
        """`ask`, with the retrieval trace when the policy was searched (for evaluation)."""
        history: tuple[Turn, ...] = ()
        if conversation_id is not None:
            history = self.transcript(conversation_id).turns
        answer, trace = self.respond_traced(question, history)
        stored_id, turn = self.store.append(conversation_id, answer)
        return Reply(stored_id, turn), trace

    def ask_by_key(self, key: str, question: str) -> Reply:
        """Answer a message in the conversation an external key (a Slack thread) maps to."""
        return self.ask(question, self.store.conversation_for_key(key))

    def conversation_for_key(self, key: str) -> str:
        """The conversation id an external key maps to (created when needed)."""
        return self.store.conversation_for_key(key)

    def transcript(self, conversation_id: str) -> Conversation:
        """The conversation with every turn; raises ConversationNotFoundError."""
        conversation = self.store.get(conversation_id)
        if conversation is None:
            raise ConversationNotFoundError("unknown or expired conversation_id")
        return conversation

    def delete(self, conversation_id: str) -> None:
        """Delete a conversation and its feedback; raises ConversationNotFoundError."""
        if not self.store.delete(conversation_id):
            raise ConversationNotFoundError("unknown or expired conversation_id")

    def record_feedback(
        self, conversation_id: str, turn: int, rating: str, comment: str | None = None
    ) -> Feedback:
        """Store a rating ("up" or "down") of a turn, with an optional comment."""
        if rating not in RATINGS:
            raise InvalidFeedbackError(f"rating: {rating!r} is not one of {', '.join(RATINGS)}")
        if comment is not None and len(comment) > MAX_COMMENT_CHARS:
            raise InvalidFeedbackError(
                f"comment: {len(comment)} characters; the limit is {MAX_COMMENT_CHARS}"
            )
        return self.store.add_feedback(conversation_id, turn, rating, comment or None)


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


def feedback_rows(store: ConversationStore) -> list[dict[str, Any]]:
    """Feedback shaped like evaluation items: a reviewer fills in `expected_verdict`."""
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
            "created_at": f.created_at,
        }
        for f in store.feedback()
    ]
