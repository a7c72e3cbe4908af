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


def train_model(versions: Sequence[LabelledVersion]) -> StanceModel:
    """A stance model trained on every clause of the given labelled versions."""
    return fit_stance_model(
        np.vstack([v.vectors for v in versions]),
        [c for v in versions for c in v.labelled.clauses],
        [s for v in versions for s in v.labelled.stances],
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
        combined = [combine(r, s) for r, (s, _) in zip(labelled.rules, predicted, strict=True)]
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
