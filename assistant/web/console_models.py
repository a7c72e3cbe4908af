"""The support console's JSON API bodies, as the OpenAPI document describes them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ItemCitation(BaseModel):
    """A clause the item's answer cited."""

    n: int
    clause_id: str
    document: str
    section: str
    text: str
    url: str
    stance: str


class ItemOut(BaseModel):
    """A turn in one or more review queues."""

    item_id: str = Field(description="`conversation_id:turn`.")
    conversation_id: str
    turn: int
    question: str
    resolved_question: str
    kind: str
    verdict: str
    confidence: float | None = Field(description="Null when the conversation has expired.")
    created_at: str
    queues: list[Literal["down", "unknown", "clarification", "low"]]
    comments: list[str] = Field(description="The thumbs-down comments.")
    state: Literal["open", "dismissed", "resolved", "labelled"]
    reviewer: str | None
    policy_versions: list[str] = Field(description="When the answer's citations carry them.")
    citations: list[ItemCitation]


class ItemsResponse(BaseModel):
    """Review items, newest first."""

    items: list[ItemOut]


class TurnSummary(BaseModel):
    """One turn of a conversation, as staff see it."""

    turn: int
    question: str
    resolved_question: str
    kind: str
    verdict: str
    confidence: float
    answer: str
    created_at: str


class ItemDetail(ItemOut):
    """An item with its whole conversation (empty when the conversation has expired)."""

    conversation: list[TurnSummary]


class ConversationOut(BaseModel):
    """A conversation's transcript for staff."""

    conversation_id: str
    turns: list[TurnSummary]


class StateOut(BaseModel):
    """An item's new review state."""

    item_id: str
    state: str
    reviewer: str


class ClauseMatch(BaseModel):
    """A clause found by the console's search."""

    clause_id: str
    section: str
    text: str
    stance: str


class ClausesResponse(BaseModel):
    """Clauses matching a search, best first."""

    clauses: list[ClauseMatch]


class AuditOut(BaseModel):
    """One reviewer action."""

    at: str
    reviewer: str
    action: str
    item_id: str
    detail: str


class AuditResponse(BaseModel):
    """The newest reviewer actions, newest first."""

    audit: list[AuditOut]


class DayCount(BaseModel):
    """Answers on one day (UTC)."""

    day: str
    answers: int


class UnansweredGroup(BaseModel):
    """An unanswered question, how often it (or a similar one) was asked, and the similar ones."""

    question: str
    count: int
    similar: list[str]


class SectionTraffic(BaseModel):
    """How often a document section was cited."""

    document: str
    section: str
    citations: int


class Retention(BaseModel):
    """How long conversations and ratings are kept, and whether questions are logged."""

    conversation_hours: float
    rating_days: float | None
    conversations: str
    ratings: str
    questions_logged: bool


class OverviewResponse(BaseModel):
    """The console's overview."""

    answers: int
    answers_per_day: list[DayCount]
    verdicts: dict[str, int]
    abstention_rate: float | None
    ratings: dict[str, int]
    helpful_ratio: float | None
    top_unanswered: list[UnansweredGroup]
    sections: list[SectionTraffic]
    retention: Retention
