"""What the support console shows: the review queues built from stored turns, ratings and review
states; the overview statistics; and labelled items in the training and evaluation schemas."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.config import Settings
from assistant.models import Citation, Verdict
from assistant.storage.labels import new_label_id
from assistant.storage.records import Conversation, ConversationStore, Feedback, Turn
from assistant.storage.review import ReviewState, item_id

if TYPE_CHECKING:
    from assistant.service import Assistant

QUEUES = {
    "down": "Rated down",
    "unknown": "Abstained",
    "clarification": "Clarifications",
    "low": "Low confidence",
}
POLICY_KINDS = ("answer", "clarification")
# Question types a reviewer may give (the evaluation set's categories; a follow-up is labelled
# as the self-contained question it was resolved to).
QUESTION_TYPES = (
    "scope",
    "responsibility",
    "fact",
    "procedure",
    "out_of_scope",
    "unanswerable",
    "adversarial",
)
SIMILAR = 0.75  # unanswered questions at least this similar (cosine) are grouped together


@dataclass(frozen=True)
class ReviewItem:
    """A turn in one or more review queues, with its ratings and review state."""

    item_id: str
    conversation_id: str
    turn: int
    question: str
    resolved_question: str
    kind: str
    verdict: str
    confidence: float | None
    created_at: float
    clause_ids: tuple[str, ...]
    citations: tuple[Citation, ...]
    queues: tuple[str, ...]
    comments: tuple[str, ...] = ()
    state: str = "open"
    reviewer: str = ""
    versions: tuple[str, ...] = ()

    def payload(self) -> dict[str, Any]:
        """The item as the JSON API returns it."""
        return {
            "item_id": self.item_id,
            "conversation_id": self.conversation_id,
            "turn": self.turn,
            "question": self.question,
            "resolved_question": self.resolved_question,
            "kind": self.kind,
            "verdict": self.verdict,
            "confidence": self.confidence,
            "created_at": iso(self.created_at),
            "queues": list(self.queues),
            "comments": list(self.comments),
            "state": self.state,
            "reviewer": self.reviewer or None,
            "policy_versions": list(self.versions),
            "citations": [
                {
                    "n": c.n,
                    "clause_id": c.clause_id,
                    "document": c.document,
                    "section": c.section,
                    "text": c.text,
                    "url": c.url,
                    "stance": c.stance.value,
                }
                for c in self.citations
            ],
        }


def iso(seconds: float) -> str:
    """A timestamp as ISO 8601 in UTC."""
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def policy_versions(turn: Turn) -> tuple[str, ...]:
    """The policy versions a turn's answer quoted, when its citations carry them."""
    found = [getattr(c, "version", None) for c in turn.answer.citations]
    found.append(getattr(turn.answer, "version", None))
    return tuple(sorted({str(v) for v in found if v}))


def queues_of(turn: Turn, settings: Settings, rated_down: bool) -> tuple[str, ...]:
    """The review queues a turn belongs in."""
    queues = ["down"] if rated_down else []
    if turn.kind == "answer" and turn.verdict == Verdict.UNKNOWN.value:
        queues.append("unknown")
    if turn.kind == "clarification":
        queues.append("clarification")
    if (
        turn.kind == "answer"
        and turn.verdict != Verdict.UNKNOWN.value
        and turn.confidence < settings.review_confidence_below
    ):
        queues.append("low")
    return tuple(queues)


@dataclass
class ReviewData:
    """One consistent read of the stores: live conversations, ratings and review states."""

    conversations: list[Conversation]
    feedback: list[Feedback]
    states: dict[str, ReviewState]
    by_id: dict[str, Conversation] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {c.conversation_id: c for c in self.conversations}

    @classmethod
    def read(cls, store: ConversationStore, states: dict[str, ReviewState]) -> ReviewData:
        """Everything the console needs from the conversation store."""
        return cls(store.conversations(), store.feedback(), states)

    def items(self, settings: Settings) -> list[ReviewItem]:
        """Every turn in a queue, newest first; a rated-down turn whose conversation expired
        stays (from its rating's copy of the question, verdict and clauses)."""
        ratings: dict[tuple[str, int], list[Feedback]] = defaultdict(list)
        for f in self.feedback:
            ratings[(f.conversation_id, f.turn)].append(f)
        found: list[ReviewItem] = []
        for conversation in self.conversations:
            for turn in conversation.turns:
                rated = ratings.pop((conversation.conversation_id, turn.turn), [])
                down = [f for f in rated if f.rating == "down"]
                queues = queues_of(turn, settings, bool(down))
                if queues:
                    found.append(
                        self._item(conversation.conversation_id, turn.turn, queues, down, turn)
                    )
        for (conversation_id, number), rated in ratings.items():
            down = [f for f in rated if f.rating == "down"]
            if down:
                found.append(self._item(conversation_id, number, ("down",), down, None))
        return sorted(found, key=lambda i: (-i.created_at, i.item_id))

    def _item(
        self,
        conversation_id: str,
        number: int,
        queues: tuple[str, ...],
        down: list[Feedback],
        turn: Turn | None,
    ) -> ReviewItem:
        key = item_id(conversation_id, number)
        state = self.states.get(key)
        comments = tuple(f.comment for f in down if f.comment)
        common = dict(
            item_id=key,
            conversation_id=conversation_id,
            turn=number,
            queues=queues,
            comments=comments,
            state=state.state if state else "open",
            reviewer=state.reviewer if state else "",
        )
        if turn is not None:
            return ReviewItem(
                question=turn.question,
                resolved_question=turn.resolved_question,
                kind=turn.kind,
                verdict=turn.verdict,
                confidence=turn.confidence,
                created_at=turn.created_at,
                clause_ids=turn.clause_ids,
                citations=turn.answer.citations,
                versions=policy_versions(turn),
                **common,  # type: ignore[arg-type]
            )
        rating = down[0]
        return ReviewItem(
            question=rating.question,
            resolved_question=rating.resolved_question,
            kind=rating.kind,
            verdict=rating.verdict,
            confidence=None,
            created_at=rating.created_at,
            clause_ids=rating.clause_ids,
            citations=(),
            **common,  # type: ignore[arg-type]
        )

    def policy_turns(self) -> list[Turn]:
        """Every turn that answered from the policy (not small talk or handoffs)."""
        return [t for c in self.conversations for t in c.turns if t.kind in POLICY_KINDS]


def prune_ratings(settings: Settings, store: ConversationStore) -> int:
    """Delete ratings older than `feedback_retention_days` (none when it is unset)."""
    if settings.feedback_retention_days is None:
        return 0
    return store.delete_feedback_before(time.time() - settings.feedback_retention_days * 86_400)


def overview(data: ReviewData, assistant: Assistant | None, top: int = 10) -> dict[str, Any]:
    """Answers per day, verdict mix, abstention rate, rating ratio, the most asked unanswered
    questions (similar ones grouped) and traffic per document section."""
    turns = data.policy_turns()
    per_day = Counter(iso(t.created_at)[:10] for t in turns)
    verdicts = Counter(t.verdict for t in turns)
    unanswered = [t for t in turns if t.verdict == Verdict.UNKNOWN.value]
    ratings = Counter(f.rating for f in data.feedback)
    rated = ratings["up"] + ratings["down"]
    sections: Counter[tuple[str, str]] = Counter()
    for t in turns:
        for c in t.answer.citations:
            sections[(c.document, c.section)] += 1
    return {
        "answers": len(turns),
        "answers_per_day": [{"day": d, "answers": n} for d, n in sorted(per_day.items())],
        "verdicts": dict(verdicts.most_common()),
        "abstention_rate": round(len(unanswered) / len(turns), 3) if turns else None,
        "ratings": {"up": ratings["up"], "down": ratings["down"]},
        "helpful_ratio": round(ratings["up"] / rated, 3) if rated else None,
        "top_unanswered": group_similar([t.resolved_question for t in unanswered], assistant, top),
        "sections": [
            {"document": d, "section": s, "citations": n}
            for (d, s), n in sections.most_common(top * 2)
        ],
    }


def group_similar(
    questions: list[str], assistant: Assistant | None, top: int
) -> list[dict[str, Any]]:
    """Questions grouped by embedding similarity (greedy, most frequent group first); without a
    loaded model, identical questions only."""
    if not questions:
        return []
    counts = Counter(q.strip() for q in questions)
    distinct = list(counts)
    groups: list[list[str]] = []
    if assistant is None:
        groups = [[q] for q in distinct]
    else:
        vectors = np.asarray(assistant.embedder.embed(distinct), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-9)
        leaders: list[int] = []
        members: dict[int, list[str]] = {}
        for i in sorted(range(len(distinct)), key=lambda i: -counts[distinct[i]]):
            similar = [j for j in leaders if float(vectors[i] @ vectors[j]) >= SIMILAR]
            if similar:
                members[similar[0]].append(distinct[i])
            else:
                leaders.append(i)
                members[i] = [distinct[i]]
        groups = [members[i] for i in leaders]
    ranked = sorted(groups, key=lambda g: (-sum(counts[q] for q in g), g[0]))
    return [
        {"question": g[0], "count": sum(counts[q] for q in g), "similar": g[1:]}
        for g in ranked[:top]
    ]


def search_clauses(assistant: Assistant, query: str, limit: int = 8) -> list[dict[str, Any]]:
    """Clauses matching a reviewer's search: the assistant's own hybrid retrieval."""
    hits = assistant.retriever.retrieve(query, limit) if query.strip() else []
    return [
        {
            "clause_id": h.clause.clause_id,
            "section": " > ".join(h.clause.section_path),
            "text": h.clause.text,
            "stance": h.clause.stance.value,
        }
        for h in hits
    ]


def labelled_record(
    item: ReviewItem,
    assistant: Assistant,
    expected_verdict: str,
    clause_ids: list[str],
    question_type: str,
    reviewer: str,
    target: str,
) -> dict[str, Any]:
    """The labelled question in the training set's schema (`target` "training") or the
    evaluation set's dev split (`target` "dev"); raises ValueError on a bad label."""
    if expected_verdict not in {v.value for v in Verdict}:
        raise ValueError(f"expected_verdict: {expected_verdict!r} is not a verdict")
    if question_type not in QUESTION_TYPES:
        raise ValueError(f"question_type: {question_type!r} is not one of the question types")
    clauses = []
    for clause_id in clause_ids:
        clause = assistant.corpus.clause(clause_id)
        if clause is None:
            raise ValueError(f"clause_ids: no clause {clause_id!r}")
        clauses.append(clause)
    if expected_verdict == Verdict.UNKNOWN.value:
        clauses = []
    elif not clauses:
        raise ValueError("pick the clause(s) that answer it, or mark it as the policy doesn't say")
    documents = {d.doc_id: d for d in assistant.corpus.documents}
    source = documents.get(clauses[0].doc_id) if clauses else None
    version = (source or assistant.corpus.documents[0]).version if documents else None
    question = item.resolved_question or item.question
    quotes = [c.text for c in clauses]
    if target == "dev":
        return {
            "id": new_label_id("dev-review"),
            "question": question,
            "category": question_type,
            "expected_verdict": expected_verdict,
            "gold_quotes": quotes,
            "expected_facts": [],
            "split": "dev",
        }
    return {
        "id": new_label_id(),
        "question": question,
        "question_type": question_type,
        "expected_verdict": expected_verdict,
        "gold_quotes": quotes,
        "version": version,
        "source": "review",
        "reviewer": reviewer,
    }
