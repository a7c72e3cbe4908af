"""Turn a decision into numbered citations and the passages an answer quotes."""

from __future__ import annotations

from dataclasses import dataclass

from .corpus import Corpus
from .models import Citation, Decision, Verdict


@dataclass(frozen=True)
class Passage:
    """One quoted clause: its lead-in (verbatim, may be empty), its text and citation number."""

    n: int
    lead_in: str
    text: str


@dataclass(frozen=True)
class Composition:
    """Everything a template needs: verdict, passages and citations, all policy text verbatim."""

    verdict: Verdict
    confidence: float
    passages: tuple[Passage, ...]
    citations: tuple[Citation, ...]
    suggestions: tuple[str, ...]


SUGGESTION = "What does the policy say about {heading}?"


def compose_answer(decision: Decision, corpus: Corpus, citations_max: int) -> Composition:
    """Cite the decisive clause first, then the next strongest evidence."""
    citations, passages = [], []
    for n, hit in enumerate(decision.evidence[:citations_max], 1):
        clause = hit.clause
        doc = corpus.document(clause.doc_id)
        citations.append(
            Citation(
                n=n,
                clause_id=clause.clause_id,
                document=doc.title,
                section=" > ".join(clause.section_path),
                text=clause.text,
                score=round(hit.score, 6),
                url=f"{doc.source_url}#{clause.section_anchor}",
                stance=clause.stance,
            )
        )
        lead_in = " ".join(clause.context.split("\n")) if clause.context else ""
        passages.append(Passage(n, lead_in, clause.text))
    return Composition(
        verdict=decision.verdict,
        confidence=decision.confidence,
        passages=tuple(passages),
        citations=tuple(citations),
        suggestions=suggest_questions(decision),
    )


def suggest_questions(decision: Decision, limit: int = 3) -> tuple[str, ...]:
    """Follow-up questions about the other sections the evidence touches."""
    seen = {decision.evidence[0].clause.section_path[-1]} if decision.evidence else set()
    suggestions = []
    for hit in decision.evidence:
        heading = hit.clause.section_path[-1]
        if heading not in seen:
            seen.add(heading)
            suggestions.append(SUGGESTION.format(heading=heading))
    return tuple(suggestions[:limit])
