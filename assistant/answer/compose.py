"""Turn a decision into numbered citations and the passages an answer quotes."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.answer.suggestions import related_questions, title_headings
from assistant.models import Citation, Clause, Decision, Verdict
from assistant.policy.corpus import Corpus


@dataclass(frozen=True)
class Passage:
    """One quoted clause with its citation number: the words that introduce it (a list's
    lead-in ending in ":", read before it) or the sentence(s) it depends on (`context`, shown
    after it and marked as context); both verbatim and usually empty."""

    n: int
    lead_in: str
    text: str
    context: str = ""


@dataclass(frozen=True)
class Composition:
    """Everything a template needs: verdict, passages and citations, all policy text verbatim.

    `passages` are quoted in the answer (the decisive clause, then the items it introduces);
    the remaining citations are pointed to with "See also".
    """

    verdict: Verdict
    confidence: float
    passages: tuple[Passage, ...]
    citations: tuple[Citation, ...]
    suggestions: tuple[str, ...]


def _cite(n: int, clause: Clause, score: float, corpus: Corpus) -> Citation:
    doc = corpus.document(clause.doc_id)
    return Citation(
        n=n,
        clause_id=clause.clause_id,
        document=doc.title,
        section=" > ".join(clause.section_path),
        text=clause.text,
        score=round(score, 6),
        url=f"{doc.source_url}#{clause.section_anchor}",
        stance=clause.stance,
    )


def _passage_run(clause: Clause, corpus: Corpus) -> list[Clause]:
    """The clause and, when the next sentence of its paragraph takes the same stance, that
    sentence too, so the answer quotes a thought whole rather than half of it."""
    following = corpus.next_clause(clause)
    if (
        clause.kind == "sentence"
        and following is not None
        and following.kind == "sentence"
        and following.stance == clause.stance
        and corpus.document(clause.doc_id).text[clause.end : following.start] == " "
    ):
        return [clause, following]
    return [clause]


def compose_answer(decision: Decision, corpus: Corpus, citations_max: int) -> Composition:
    """Quote the decisive clause (with the list items it introduces, if it is a lead-in), then
    cite the next strongest evidence."""
    if not decision.evidence:
        return Composition(decision.verdict, decision.confidence, (), (), ())
    top = decision.evidence[0]
    quoted = [(c, top.score) for c in _passage_run(top.clause, corpus)]
    if top.clause.text.rstrip().endswith(":"):
        quoted += [
            (c, top.score) for c in corpus.children(top.clause.clause_id) if c.kind == "item"
        ]
    quoted_ids = {c.clause_id for c, _ in quoted}
    others = [
        (h.clause, h.score) for h in decision.evidence[1:] if h.clause.clause_id not in quoted_ids
    ]
    chosen = quoted + others[: max(citations_max - 1, 0)]
    citations = [_cite(n, clause, score, corpus) for n, (clause, score) in enumerate(chosen, 1)]
    passages = []
    for n, (clause, _) in enumerate(quoted, 1):
        before = " ".join(clause.context.split("\n")) if clause.context and n == 1 else ""
        if before.endswith(":"):
            passages.append(Passage(n, before, clause.text))
        else:
            passages.append(Passage(n, "", clause.text, context=before))

    return Composition(
        verdict=decision.verdict,
        confidence=decision.confidence,
        passages=tuple(passages),
        citations=tuple(citations),
        suggestions=suggest_questions(decision, corpus),
    )


def suggest_questions(decision: Decision, corpus: Corpus, limit: int = 3) -> tuple[str, ...]:
    """Follow-up questions about the other sections the evidence touches."""
    if not decision.evidence:
        return ()
    exclude = {decision.evidence[0].clause.section_path[-1], *title_headings(corpus)}
    return related_questions((h.clause for h in decision.evidence), exclude, limit)
