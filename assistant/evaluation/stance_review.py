"""Stances for the support team to review: where a served clause's stance differs from its
reviewed label, and, in documents without labels, where a stance model trained on the other
documents' labels disagrees with the rules: each a ready override entry to accept or drop."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import CorpusError
from assistant.models import Clause, Stance
from assistant.policy.corpus import Corpus
from assistant.policy.stance import rule_stances
from assistant.policy.stance_model import (
    labelled_positions,
    labels_file,
    load_stance_labels,
    stance_text,
)
from assistant.search.embedding import Embedder

from .stances import labelled_versions, train_model


@dataclass(frozen=True)
class StanceSuggestion:
    """A clause whose served stance another source contradicts."""

    clause_id: str
    quote: str  # the clause's text: an override's quote when it names one clause only
    served: Stance
    decided_by: str  # the rule that decided the served stance, or "override"
    suggested: Stance
    source: str  # "label" (a reviewed label) or "model" (the learned stance model)
    probability: float | None  # the model's, for its suggestions
    unique_quote: bool


def review_stances(
    corpus: Corpus,
    corpus_dir: Path,
    training_dirs: Sequence[Path],
    embedder: Embedder,
    min_probability: float | None = None,
) -> list[StanceSuggestion]:
    """Suggestions for every document of the served corpus: its labels where it has them, else
    the model's stance where the rules had no rule for a clause and, when `min_probability` is
    given, where the model is at least that sure of another stance than an unreviewed rule
    gave (off by default: since the seventh round of cues most such suggestions are wrong,
    docs/policies.md). The model learns from the labelled documents in `training_dirs` other
    than the corpus's own."""
    decided = {  # clause id -> what decided its served stance
        c.clause_id: "override" if c.stance is not rule.stance else rule.rule
        for c, rule in zip(corpus.clauses, rule_stances(corpus.clauses), strict=True)
    }
    suggestions: list[StanceSuggestion] = []
    unlabelled: list[Clause] = []
    for document in corpus.documents:
        clauses = tuple(c for c in corpus.clauses if c.doc_id == document.doc_id)
        path = labels_file(corpus_dir, document.doc_id)
        labels = [
            label
            for label in (load_stance_labels(path) if path.exists() else [])
            if label.version == document.version
        ]
        if not labels:
            unlabelled.extend(clauses)
            continue
        for i, stance in labelled_positions(clauses, labels):
            if clauses[i].stance is not stance:
                suggestions.append(_suggestion(corpus, clauses[i], decided, stance, "label"))
    if unlabelled:
        own = {d.doc_id for d in corpus.documents}
        versions = [
            v for v in labelled_versions(training_dirs, embedder) if v.labelled.document not in own
        ]
        if len({s for v in versions for s in v.labelled.stances}) < 2:
            raise CorpusError(
                "no labelled document to learn stances from (<document-id>.stances.jsonl in "
                "the training policies)"
            )
        vectors = embedder.embed([stance_text(c) for c in unlabelled])
        everywhere = train_model(versions).predict(vectors, unlabelled)
        unruled = train_model(versions, unruled=True).predict(vectors, unlabelled)
        for clause, sure_of, fallback in zip(unlabelled, everywhere, unruled, strict=True):
            # where the rules had no rule, the model of such clauses; elsewhere the model of
            # all clauses, when it is sure
            if decided[clause.clause_id] == "none":
                stance, p = fallback
            elif (
                min_probability is not None
                and sure_of[1] >= min_probability
                and decided[clause.clause_id] != "override"
            ):
                stance, p = sure_of
            else:
                continue
            if stance is not clause.stance:
                suggestions.append(_suggestion(corpus, clause, decided, stance, "model", p))
    order = {c.clause_id: n for n, c in enumerate(corpus.clauses)}
    return sorted(suggestions, key=lambda s: order[s.clause_id])


def _suggestion(
    corpus: Corpus,
    clause: Clause,
    decided: dict[str, str],
    stance: Stance,
    source: str,
    probability: float | None = None,
) -> StanceSuggestion:
    matches = sum(clause.text in c.text for c in corpus.clauses if c.doc_id == clause.doc_id)
    return StanceSuggestion(
        clause.clause_id,
        clause.text,
        clause.stance,
        decided[clause.clause_id],
        stance,
        source,
        None if probability is None else round(probability, 3),
        matches == 1,
    )
