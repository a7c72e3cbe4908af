"""Conversations: ids, turns and the stores that keep them."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Protocol

from .models import Answer


@dataclass(frozen=True)
class Turn:
    """One question and the answer it got."""

    turn: int
    question: str
    resolved_question: str
    verdict: str
    clause_ids: tuple[str, ...]
    created_at: float


@dataclass
class Conversation:
    """A conversation's id and its turns in order."""

    conversation_id: str
    created_at: float
    updated_at: float
    turns: list[Turn] = field(default_factory=list)


def new_conversation_id() -> str:
    """An unguessable 128-bit id."""
    return secrets.token_urlsafe(16)


def turn_from_answer(number: int, answer: Answer) -> Turn:
    """The stored record of an answered turn."""
    return Turn(
        turn=number,
        question=answer.question,
        resolved_question=answer.resolved_question,
        verdict=answer.verdict.value,
        clause_ids=tuple(c.clause_id for c in answer.citations),
        created_at=time.time(),
    )


class ConversationStore(Protocol):
    """Where conversations live; every implementation passes tests/test_conversation_store.py."""

    def get(self, conversation_id: str) -> Conversation | None:
        """The conversation, or None when unknown or expired."""
        ...

    def append(self, conversation_id: str | None, answer: Answer) -> tuple[str, Turn]:
        """Add a turn (creating the conversation when the id is None); return id and turn."""
        ...

    def delete(self, conversation_id: str) -> bool:
        """Remove a conversation; False when there was none."""
        ...


class MemoryConversationStore:
    """Conversations in this process's memory, expiring after `ttl_seconds`."""

    def __init__(self, ttl_seconds: float) -> None:
        self.ttl_seconds = ttl_seconds
        self._conversations: dict[str, Conversation] = {}
        self._lock = threading.Lock()

    def get(self, conversation_id: str) -> Conversation | None:
        """The conversation, or None when unknown or expired."""
        with self._lock:
            conversation = self._conversations.get(conversation_id)
            if conversation and time.time() - conversation.updated_at > self.ttl_seconds:
                del self._conversations[conversation_id]
                return None
            return conversation

    def append(self, conversation_id: str | None, answer: Answer) -> tuple[str, Turn]:
        """Add a turn (creating the conversation when the id is None); return id and turn."""
        now = time.time()
        with self._lock:
            if conversation_id is None:
                conversation_id = new_conversation_id()
                self._conversations[conversation_id] = Conversation(conversation_id, now, now)
            conversation = self._conversations[conversation_id]
            turn = turn_from_answer(len(conversation.turns) + 1, answer)
            conversation.turns.append(turn)
            conversation.updated_at = now
            return conversation_id, turn

    def delete(self, conversation_id: str) -> bool:
        """Remove a conversation; False when there was none."""
        with self._lock:
            return self._conversations.pop(conversation_id, None) is not None
