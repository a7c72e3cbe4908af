"""Turn a decision into numbered citations and the passages an answer quotes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from assistant.answer.suggestions import related_questions, title_headings
from assistant.models import Citation, Clause, Decision, Document, Hit, Stance, Verdict
from assistant.policy.corpus import Corpus
from assistant.policy.versions import ClauseChange


@dataclass(frozen=True)
class Passage:
    """One quoted clause with its citation number: the words that introduce it (a list's
    lead-in ending in ":", read before it) or the sentence(s) it depends on (`context`, shown
    after it and marked as context); both verbatim and usually empty.

    A table row reads as "header: cell" pairs, so each cell is quoted with its column's name.
    """

    n: int
    lead_in: str
    text: str
    context: str = ""


@dataclass(frozen=True)
class Note:
    """A change note: the change, when, and (for a changed or removed clause) what the policy
    said before, cited as `n`; `current`/`m`: the text now, in a list of changes; `refs`: the
    quoted citations the note is about."""

    change: str
    version: str
    previous: str = ""
    n: int = 0
    current: str = ""
    m: int = 0
    refs: tuple[int, ...] = ()


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
    document: str = ""  # the quoted document's title, named when the corpus has several
    notes: tuple[Note, ...] = ()  # what changed in the quoted clauses
    listing: bool = False  # an answer that lists changes rather than quoting clauses
    changed: tuple[ClauseChange, ...] = ()  # the changes the notes are about, in order

    @property
    def see_also(self) -> tuple[Citation, ...]:
        """The citations neither quoted nor part of a change note."""
        used = {p.n for p in self.passages} | {x for n in self.notes for x in (n.n, n.m)}
        return tuple(c for c in self.citations if c.n not in used)


FOLLOWERS_MAX = 6  # list items or table rows quoted after a lead-in that ends with a colon


def _cite(n: int, clause: Clause, score: float, corpus: Corpus) -> Citation:
    doc = corpus.document(clause.doc_id)
    return Citation(
        n=n,
        clause_id=clause.clause_id,
        document=doc.title,
        section=" > ".join(clause.section_path),
        text=clause.text,
        score=round(score, 6),
        url=doc.url(clause.section_anchor),
        stance=clause.stance,
        version=doc.version,
    )


def _cite_previous(n: int, change: ClauseChange, doc: Document) -> Citation:
    """A citation of the text a clause had before it changed or was removed."""
    return Citation(
        n=n,
        clause_id=change.clause_id,
        document=doc.title,
        section=change.section,
        text=change.previous_text,
        score=0.0,
        url=doc.url(change.anchor),
        stance=Stance(change.previous_stance) if change.previous_stance else Stance.INFORMATIONAL,
        version=change.previous_version,
    )


def with_changes(
    composition: Composition, changes: Sequence[ClauseChange], corpus: Corpus
) -> Composition:
    """The composition with a note for each change, naming the quoted citations it is about
    (one note for all the quoted clauses added on the same date), the earlier texts cited after
    the rest."""
    citations = list(composition.citations)
    quoted = {c.clause_id: c.n for c in composition.citations}
    notes: list[Note] = []
    for change in changes:
        n = 0
        doc = _document_of(change.clause_id, corpus)
        if change.previous_text and doc is not None:
            n = len(citations) + 1
            citations.append(_cite_previous(n, change, doc))
        refs = (quoted[change.clause_id],) if change.clause_id in quoted else ()
        same = next(
            (
                i
                for i, note in enumerate(notes)
                if refs
                and not n
                and note.refs
                and not note.n
                and (note.change, note.version) == (change.change, change.version)
            ),
            None,
        )
        if same is not None:
            notes[same] = replace(notes[same], refs=notes[same].refs + refs)
        else:
            notes.append(Note(change.change, change.version, change.previous_text, n, refs=refs))
    return replace(
        composition, citations=tuple(citations), notes=tuple(notes), changed=tuple(changes)
    )


def _document_of(clause_id: str, corpus: Corpus) -> Document | None:
    doc_id = clause_id.split(":", 1)[0]
    return next((d for d in corpus.documents if d.doc_id == doc_id), None)


def list_changes(changes: Sequence[ClauseChange], corpus: Corpus, limit: int) -> Composition:
    """An informational answer that lists changes: each with the text before and now, both
    cited."""
    citations: list[Citation] = []
    notes = []
    for change in changes[:limit]:
        doc = _document_of(change.clause_id, corpus)
        assert doc is not None
        n = m = 0
        if change.previous_text:
            n = len(citations) + 1
            citations.append(_cite_previous(n, change, doc))
        clause = corpus.clause(change.clause_id) if change.text else None
        if clause is not None:
            m = len(citations) + 1
            citations.append(_cite(m, clause, 0.0, corpus))
        notes.append(
            Note(
                change.change,
                change.version,
                change.previous_text,
                n,
                clause.text if clause else "",
                m,
            )
        )
    return Composition(
        Verdict.INFORMATIONAL,
        1.0,
        (),
        tuple(citations),
        (),
        notes=tuple(notes),
        listing=True,
        changed=tuple(changes[:limit]),
    )


# A sentence that opens with one of these goes on from the one before it ("This role enables
# AKS to troubleshoot …" after "… under a built-in Kubernetes role aks-service").
_GOES_ON = re.compile(r"^(?:it|they|this|these|that|those|such)\b", re.IGNORECASE)


def _passage_run(clause: Clause, corpus: Corpus) -> list[Clause]:
    """The clause and, when the next sentence of its paragraph takes the same stance or goes
    on from it, that sentence too, so the answer quotes a thought whole rather than half of
    it."""
    following = corpus.next_clause(clause)
    if (
        clause.kind == "sentence"
        and following is not None
        and following.kind == "sentence"
        and (following.stance == clause.stance or _GOES_ON.match(following.text))
        and corpus.document(clause.doc_id).text[clause.end : following.start] == " "
    ):
        return [clause, following]
    return [clause]


def row_reading(clause: Clause) -> str:
    """A table row as "header: cell" pairs (cells without a header as they are); any other
    clause as its text."""
    if clause.kind != "row" or len(clause.cells) < 2:
        return clause.text
    header = clause.header + ("",) * (len(clause.cells) - len(clause.header))
    pairs = [f"{h}: {c}" if h else c for h, c in zip(header, clause.cells, strict=False) if c]
    return "; ".join(pairs)


def followers(clause: Clause, corpus: Corpus) -> list[Clause]:
    """The list items or table rows a lead-in ending with a colon introduces."""
    if not clause.text.rstrip().endswith(":"):
        return []
    nested = [c for c in corpus.children(clause.clause_id) if c.kind == "item"]
    if nested:
        return nested[:FOLLOWERS_MAX]
    out: list[Clause] = []
    after = corpus.next_clause(clause)
    while (
        after is not None
        and after.kind in ("item", "row")
        and after.section_anchor == clause.section_anchor
        and len(out) < FOLLOWERS_MAX
    ):
        if after.parent_id is None:
            out.append(after)
        after = corpus.next_clause(after)
    return out


def _introduced(clause: Clause, evidence: list[Hit], corpus: Corpus) -> list[Clause]:
    """What a quoted lead-in introduces: every nested item of a list item (as the policy
    reads), else the items or rows it introduces that the evidence found (the first one when
    it found none), so other evidence keeps its place among the citations."""
    nested = [c for c in corpus.children(clause.clause_id) if c.kind == "item"]
    if nested or not clause.text.rstrip().endswith(":"):
        return nested if clause.text.rstrip().endswith(":") else []
    introduced = followers(clause, corpus)
    found = {h.clause.clause_id for h in evidence}
    return [c for c in introduced if c.clause_id in found][:2] or introduced[:1]


def compose_answer(decision: Decision, corpus: Corpus, citations_max: int) -> Composition:
    """Quote the decisive clause (with the list items or rows it introduces, if it is a
    lead-in; a lead-in that introduces nothing is never quoted alone), then cite the next
    strongest evidence."""
    evidence = [
        h
        for h in decision.evidence
        if not h.clause.text.rstrip().endswith(":") or followers(h.clause, corpus)
    ]
    if not evidence:
        return Composition(decision.verdict, decision.confidence, (), (), ())
    top = evidence[0]
    quoted = [(c, top.score) for c in _passage_run(top.clause, corpus)]
    quoted += [(c, top.score) for c in _introduced(top.clause, evidence, corpus)]
    quoted_ids = {c.clause_id for c, _ in quoted}
    others = [(h.clause, h.score) for h in evidence[1:] if h.clause.clause_id not in quoted_ids]
    chosen = quoted + others[: max(citations_max - 1, 0)]
    citations = [_cite(n, clause, score, corpus) for n, (clause, score) in enumerate(chosen, 1)]
    passages = []
    for n, (clause, _) in enumerate(quoted, 1):
        before = ""
        if clause.context and n == 1 and clause.kind != "row":  # a row names its header cells
            before = " ".join(clause.context.split("\n"))
        if before.endswith(":"):
            passages.append(Passage(n, before, row_reading(clause)))
        else:
            passages.append(Passage(n, "", row_reading(clause), context=before))
    several = len(corpus.documents) > 1
    return Composition(
        verdict=decision.verdict,
        confidence=decision.confidence,
        passages=tuple(passages),
        citations=tuple(citations),
        suggestions=suggest_questions(decision, corpus),
        document=corpus.document(top.clause.doc_id).title if several else "",
    )


def suggest_questions(decision: Decision, corpus: Corpus, limit: int = 3) -> tuple[str, ...]:
    """Follow-up questions about the other sections the evidence touches."""
    if not decision.evidence:
        return ()
    exclude = {decision.evidence[0].clause.section_path[-1], *title_headings(corpus)}
    return related_questions((h.clause for h in decision.evidence), exclude, limit)
