"""Stance accuracy of the rules, the learned stance model and the two combined, per labelled
document version, each scored by a model trained on the other documents' labels only (on the
document's other versions when it is the only labelled document)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.models import Stance
from assistant.policy.stance_model import (
    LabelledClauses,
    StanceModel,
    combine,
    fit_stance_model,
    labelled_clauses,
    stance_text,
)
from assistant.search.embedding import Embedder


@dataclass(frozen=True)
class LabelledVersion:
    """One document version's labelled clauses with their vectors."""

    labelled: LabelledClauses
    vectors: np.ndarray


@dataclass(frozen=True)
class StanceScore:
    """How often each method gives a version's reviewed stance."""

    document: str
    version: str
    clauses: int
    rules: float
    learned: float
    combined: float


def labelled_versions(corpus_dirs: Sequence[Path], embedder: Embedder) -> list[LabelledVersion]:
    """Every labelled version of every document in the folders (`<document-id>.stances.jsonl`)."""
    return [
        LabelledVersion(found, embedder.embed([stance_text(c) for c in found.clauses]))
        for folder in corpus_dirs
        for found in labelled_clauses(folder)
    ]


def train_model(versions: Sequence[LabelledVersion], unruled: bool = False) -> StanceModel:
    """A stance model trained on every clause of the given labelled versions, or (`unruled`)
    on those the stance rules have no rule for (all of them when those hold one stance): the
    clauses it decides in `combine`, mostly `informational` once the rules cover the others,
    which a model trained on every clause reads as a stance too often."""
    rows = [
        (v.vectors[i], clause, stance)
        for v in versions
        for i, (clause, rule, stance) in enumerate(
            zip(v.labelled.clauses, v.labelled.rules, v.labelled.stances, strict=True)
        )
        if not unruled or rule.rule == "none"
    ]
    if len({stance for _, _, stance in rows}) < 2:  # too few unruled clauses to learn from
        return train_model(versions)
    return fit_stance_model(
        np.vstack([vector for vector, _, _ in rows]),
        [clause for _, clause, _ in rows],
        [stance for _, _, stance in rows],
    )


def score_versions(versions: list[LabelledVersion]) -> list[StanceScore]:
    """Each version scored by the rules and by a model that never saw its document's labels."""
    scores = []
    for held_out in versions:
        document = held_out.labelled.document
        others = [v for v in versions if v.labelled.document != document] or [
            v for v in versions if v is not held_out
        ]
        if not others:
            continue
        labelled = held_out.labelled
        predicted = train_model(others).predict(held_out.vectors, list(labelled.clauses))
        unruled = train_model(others, unruled=True).predict(
            held_out.vectors, list(labelled.clauses)
        )
        combined = [combine(r, s) for r, (s, _) in zip(labelled.rules, unruled, strict=True)]
        scores.append(
            StanceScore(
                document,
                labelled.version,
                len(labelled.stances),
                _accuracy([r.stance for r in labelled.rules], labelled.stances),
                _accuracy([s for s, _ in predicted], labelled.stances),
                _accuracy(combined, labelled.stances),
            )
        )
    return scores


def _accuracy(predicted: list[Stance], gold: list[Stance]) -> float:
    return round(sum(p == g for p, g in zip(predicted, gold, strict=True)) / len(gold), 4)
