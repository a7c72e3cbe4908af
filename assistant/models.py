"""Immutable values that flow between the pipeline stages; imports nothing of the package."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum


class Stance(StrEnum):
    """What a clause says about support or responsibility."""

    SUPPORTED = "supported"
    NOT_SUPPORTED = "not_supported"
    BEST_EFFORT = "best_effort"
    CUSTOMER_RESPONSIBILITY = "customer_responsibility"
    MICROSOFT_RESPONSIBILITY = "microsoft_responsibility"
    SHARED_RESPONSIBILITY = "shared_responsibility"
    CONDITIONAL = "conditional"
    INFORMATIONAL = "informational"


# The stances that say whose job something is.
RESPONSIBILITY_STANCES = frozenset(
    {
        Stance.CUSTOMER_RESPONSIBILITY,
        Stance.MICROSOFT_RESPONSIBILITY,
        Stance.SHARED_RESPONSIBILITY,
    }
)


class Verdict(StrEnum):
    """The answer's headline: a clause stance, or `unknown` when the policy doesn't say."""

    SUPPORTED = "supported"
    NOT_SUPPORTED = "not_supported"
    BEST_EFFORT = "best_effort"
    CUSTOMER_RESPONSIBILITY = "customer_responsibility"
    MICROSOFT_RESPONSIBILITY = "microsoft_responsibility"
    SHARED_RESPONSIBILITY = "shared_responsibility"
    CONDITIONAL = "conditional"
    INFORMATIONAL = "informational"
    UNKNOWN = "unknown"


class Frame(StrEnum):
    """The kind of question asked, which shapes how a clause stance becomes a verdict."""

    SCOPE = "scope"
    RESPONSIBILITY = "responsibility"
    FACT = "fact"


@dataclass(frozen=True)
class Document:
    """A policy document: its metadata and full source text."""

    doc_id: str
    title: str
    source_url: str  # "" when the front matter gives none: citations then carry no link
    version: str
    path: str
    text: str

    def url(self, anchor: str) -> str:
        """The link to a section of the published document ("" without a source URL)."""
        return f"{self.source_url}#{anchor}" if self.source_url else ""


@dataclass(frozen=True)
class Section:
    """A heading and where it sits in its document."""

    doc_id: str
    anchor: str
    path: tuple[str, ...]
    level: int
    start: int


@dataclass(frozen=True)
class Clause:
    """The smallest citable unit, as it reads: a list item, one sentence of a paragraph or a
    note, or one table row; `start`/`end` are the source slice that renders as `text`."""

    clause_id: str
    doc_id: str
    section_path: tuple[str, ...]
    section_anchor: str
    text: str
    start: int
    end: int
    kind: str  # "item", "sentence", "note" or "row"
    context: str = ""  # the lead-in a list item depends on; a table row's header row
    parent_id: str | None = None  # the list item this clause is nested in or noted under
    stance: Stance = Stance.INFORMATIONAL
    cells: tuple[str, ...] = ()  # a table row's cells as they read (empty ones included)
    header: tuple[str, ...] = ()  # the header cells of a table row's table
    # a row whose columns say different things (`Microsoft supports | Microsoft doesn't
    # support`, `Microsoft provides | Customer provides`): each cell's stance, None for a cell
    # its column gives none; a clause whose sentences, or parts either side of a contrast, say
    # different things ("…, but doesn't review schemas"): each of its `parts`' stance; empty
    # for every other clause
    cell_stances: tuple[Stance | None, ...] = ()
    parts: tuple[str, ...] = ()  # such a clause's sentences or contrasted parts

    @property
    def pieces(self) -> tuple[str, ...]:
        """The texts `cell_stances` give a stance each: a row's cells, a clause's parts."""
        return self.cells if self.kind == "row" else self.parts

    @property
    def indexed_text(self) -> str:
        """Text that is embedded and indexed: section path, lead-in and the clause itself."""
        parts = [" > ".join(self.section_path), self.context, self.text]
        return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class Selection:
    """Which policy an answer may quote: some documents (empty: all of them), as in force on a
    date (YYYY-MM-DD; None: the current versions)."""

    documents: tuple[str, ...] = ()
    as_of: str | None = None

    def allows(self, clause: Clause) -> bool:
        """True when the clause belongs to a selected document."""
        return not self.documents or clause.doc_id in self.documents

    def narrowed(self, documents: tuple[str, ...]) -> Selection:
        """The selection limited to those of `documents` it allows (unchanged when none)."""
        kept = tuple(d for d in documents if not self.documents or d in self.documents)
        return replace(self, documents=kept) if kept else self


@dataclass(frozen=True)
class Hit:
    """A retrieved clause with its component and fused scores."""

    clause: Clause
    score: float
    dense_score: float | None = None
    lexical_score: float | None = None
    dense_rank: int | None = None
    lexical_rank: int | None = None


@dataclass(frozen=True)
class Signals:
    """Evidence strength features that the confidence is computed from."""

    dense: float  # best cosine similarity among the top hits
    coverage: float  # share of the question's term weight found in the decisive clause
    unknown: float  # share of the question's terms that the policy never uses
    off_topic: float  # 1.0 when the question names a subject the policy doesn't cover


@dataclass(frozen=True)
class Decision:
    """The verdict stage's output: a verdict, its confidence and the evidence, best first."""

    verdict: Verdict
    confidence: float
    frame: Frame
    evidence: tuple[Hit, ...]
    raw_verdict: Verdict = Verdict.UNKNOWN  # before abstention: what the evidence alone says
    signals: Signals | None = None


@dataclass(frozen=True)
class Citation:
    """A numbered, verbatim clause supporting an answer."""

    n: int
    clause_id: str
    document: str
    section: str
    text: str
    score: float
    url: str
    stance: Stance
    version: str = ""  # the version of the document the text is quoted from


@dataclass(frozen=True)
class Change:
    """A note that a cited clause changed: added, changed or removed at `version`, and what
    the policy said before (verbatim, from `previous_version`)."""

    change: str  # "added", "changed" or "removed"
    clause_id: str
    version: str
    previous_version: str
    previous_text: str = ""


@dataclass(frozen=True)
class Answer:
    """A rendered answer with its verdict and citations."""

    question: str
    resolved_question: str
    verdict: Verdict
    confidence: float
    answer: str
    answer_markdown: str
    answer_html: str
    citations: tuple[Citation, ...]
    suggestions: tuple[str, ...] = field(default_factory=tuple)
    kind: str = "answer"
    as_of: str | None = None  # the date the answer's policy versions were in force
    changes: tuple[Change, ...] = field(default_factory=tuple)
    provider: str = ""  # the provider its verdict labels name ("" in fixed replies)

    @property
    def rewritten(self) -> bool:
        """Whether the question answered differs from the message in more than case, spacing
        and punctuation (a follow-up given its subject, a misspelling corrected): what the
        widget and Slack show as "Answering: …"."""
        return _letters(self.question) != _letters(self.resolved_question)


def _letters(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())
