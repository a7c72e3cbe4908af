"""Conversations: turns, feedback, the stores that keep them and the `Conversations` façade
that every chat adapter (HTTP API, widget, Slack) shares."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from assistant.answer.followup import Resolution, resolve_followup
from assistant.answer.suggestions import title_headings
from assistant.answer.verdict import frame_of_verdict
from assistant.config import Settings
from assistant.dialogue.clarification import CLARIFICATION, Clarifier
from assistant.dialogue.smalltalk import SmallTalk, detect_intent, strip_pleasantries
from assistant.errors import (
    ConversationFullError,
    ConversationNotFoundError,
    InvalidFeedbackError,
)
from assistant.models import Answer, Selection, Verdict
from assistant.storage.records import (
    MAX_COMMENT_CHARS,
    RATINGS,
    Conversation,
    ConversationStore,
    Feedback,
    Turn,
    full_message,
)

if TYPE_CHECKING:
    from assistant.service import Assistant, Trace

# Turns whose resolved question later follow-ups may build on.
POLICY_KINDS = ("answer", CLARIFICATION)


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
        settings: Settings | None = None,
    ) -> None:
        self.assistant = assistant
        self.store = store
        self.settings = settings = settings or assistant.settings
        self.clarifier = clarifier or Clarifier(
            settings.clarify_min_confidence,
            settings.clarify_max_confidence,
            titles=title_headings(assistant.corpus),
        )
        self.smalltalk = smalltalk or SmallTalk.for_corpus(assistant.corpus)

    def respond(
        self, question: str, history: Sequence[Turn] = (), selection: Selection | None = None
    ) -> Answer:
        """The answer to a message given the conversation's earlier turns (nothing is stored)."""
        return self.respond_traced(question, history, selection)[0]

    def respond_traced(
        self, question: str, history: Sequence[Turn] = (), selection: Selection | None = None
    ) -> tuple[Answer, Trace | None]:
        """`respond`, with the retrieval trace when the policy was searched (for evaluation)."""
        text = self.assistant.normalise(question)
        if selection is not None:
            self.assistant.check_selection(selection)
        intent = detect_intent(text)
        if intent is not None:
            return self.smalltalk.reply(question, intent.name, intent.kind), None
        policy_turns = [t for t in history if t.kind in POLICY_KINDS]
        previous = [t.resolved_question for t in policy_turns]
        frames = [frame_of_verdict(t.answer.verdict) for t in policy_turns]
        kept = next((t.answer.as_of for t in reversed(history) if t.answer.as_of), None)
        if kept is not None and (selection is None or selection.as_of is None):
            # a conversation keeps the date it was asked about
            selection = replace(selection or Selection(), as_of=kept)
        # "they" is the provider of the document the previous answer quoted
        provider = next((t.answer.provider for t in policy_turns[::-1] if t.answer.provider), "")
        resolution = resolve_followup(
            strip_pleasantries(text),
            previous,
            self.settings.max_question_chars,
            frames,
            provider or self.assistant.provider,
            self.assistant.plans,
        )
        kept_documents = self._documents_kept(resolution, policy_turns)
        if kept_documents:
            selection = (selection or Selection()).narrowed(kept_documents)
        trace = self.assistant.trace(
            question, resolution.question, selection, rewritten=resolution.rule is not None
        )
        if trace.answer.verdict is Verdict.UNKNOWN and self.smalltalk.is_off_topic(
            trace.answer.resolved_question
        ):
            return self.smalltalk.reply(question, "out_of_domain"), trace
        suggestions = self.clarifier.suggestions(trace.answer.resolved_question, trace.decision)
        if suggestions:
            return replace(trace.answer, kind=CLARIFICATION, suggestions=suggestions), trace
        return trace.answer, trace

    def _documents_kept(self, resolution: Resolution, turns: Sequence[Turn]) -> tuple[str, ...]:
        """The documents a conversation stays with when this message names none: those an
        earlier message named, else, for a follow-up, the one the previous answer quoted."""
        named = self.assistant.documents_named
        if len(self.assistant.corpus.documents) < 2 or named(resolution.question):
            return ()
        for turn in reversed(turns):
            if earlier := named(turn.resolved_question):
                return earlier
        last = turns[-1].answer if turns else None
        if resolution.rule is None or last is None or last.verdict is Verdict.UNKNOWN:
            return ()
        return tuple(c.clause_id.split(":", 1)[0] for c in last.citations[:1])

    def ask(
        self,
        question: str,
        conversation_id: str | None = None,
        selection: Selection | None = None,
    ) -> Reply:
        """Answer a message in a conversation (a new one when the id is None) and store the turn.
        Raises ConversationNotFoundError for an unknown or expired id, InvalidQuestionError for
        an empty or over-long message, UnknownDocumentError for a selection naming no document."""
        return self.ask_traced(question, conversation_id, selection)[0]

    def ask_traced(
        self,
        question: str,
        conversation_id: str | None = None,
        selection: Selection | None = None,
    ) -> tuple[Reply, Trace | None]:
        """`ask`, with the retrieval trace when the policy was searched (for evaluation)."""
        settings = self.settings
        history: tuple[Turn, ...] = ()
        if conversation_id is not None:
            # only the latest turns: a follow-up never reads the whole transcript
            recent = self.store.recent(conversation_id, settings.followup_context_turns)
            if recent is None:
                raise ConversationNotFoundError("unknown or expired conversation_id")
            if recent.turn_count >= settings.max_turns_per_conversation:
                raise ConversationFullError(full_message(settings.max_turns_per_conversation))
            history = recent.turns
        answer, trace = self.respond_traced(question, history, selection)
        stored_id, turn = self.store.append(
            conversation_id, answer, max_turns=settings.max_turns_per_conversation
        )
        return Reply(stored_id, turn), trace

    def ask_by_key(self, key: str, question: str, selection: Selection | None = None) -> Reply:
        """Answer a message in the conversation an external key (a Slack thread) maps to."""
        return self.ask(question, self.store.conversation_for_key(key), selection)

    def conversation_for_key(self, key: str) -> str:
        """The conversation id an external key maps to (created when needed)."""
        return self.store.conversation_for_key(key)

    def transcript(
        self, conversation_id: str, after: int = 0, limit: int | None = None
    ) -> Conversation:
        """The conversation with its turns numbered above `after` (at most `limit` of them);
        raises ConversationNotFoundError."""
        conversation = self.store.get(conversation_id, after, limit)
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
