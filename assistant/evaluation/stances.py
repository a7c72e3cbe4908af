"""Stance accuracy of the rules, the learned classifier and the two combined, per document
version, each version scored by a classifier trained on the other versions' labels only."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.models import Clause, Stance
from assistant.policy.stance import RuleStance, rule_stances
from assistant.policy.stance_model import (
    StanceClassifier,
    combine,
    labelled_positions,
    load_stance_labels,
    stance_text,
)
from assistant.policy.versions import document_versions
from assistant.search.embedding import Embedder

LABELS_SUFFIX = ".stances.jsonl"


@dataclass(frozen=True)
class LabelledVersion:
    """One document version's labelled clauses, ready to train on or score."""

    document: str
    version: str
    clauses: tuple[Clause, ...]
    rules: list[RuleStance]
    vectors: np.ndarray
    stances: list[Stance]


@dataclass(frozen=True)
class StanceScore:
    """How often each method gives a version's reviewed stance."""

    document: str
    version: str
    clauses: int
    rules: float
    learned: float
    combined: float


def labelled_versions(corpus_dir: Path, embedder: Embedder) -> list[LabelledVersion]:
    """Every version of every document that has a `<document-id>.stances.jsonl` beside it."""
    found = []
    for current in sorted(corpus_dir.glob("*.md")):
        labels_path = corpus_dir / f"{current.stem}{LABELS_SUFFIX}"
        if not labels_path.exists():
            continue
        labels = load_stance_labels(labels_path)
        for version in document_versions(corpus_dir, current):
            own = [label for label in labels if label.version == version.version]
            positions = labelled_positions(version.clauses, own)
            if not positions:
                continue
            rules = rule_stances(version.clauses)
            chosen = tuple(version.clauses[i] for i, _ in positions)
            found.append(
                LabelledVersion(
                    current.stem,
                    version.version,
                    chosen,
                    [rules[i] for i, _ in positions],
                    embedder.embed([stance_text(c) for c in chosen]),
                    [stance for _, stance in positions],
                )
            )
    return found


def train_classifier(versions: list[LabelledVersion]) -> StanceClassifier:
    """A classifier trained on every clause of the given labelled versions."""
    return StanceClassifier().fit(
        np.vstack([v.vectors for v in versions]),
        [r for v in versions for r in v.rules],
        [s for v in versions for s in v.stances],
    )


def score_versions(versions: list[LabelledVersion]) -> list[StanceScore]:
    """Each version scored by rules, and by a classifier trained on all the other versions."""
    scores = []
    for held_out in versions:
        others = [v for v in versions if v is not held_out]
        if not others:
            continue
        predicted = train_classifier(others).predict(held_out.vectors, held_out.rules)
        gold = held_out.stances
        combined = [combine(r, s, p) for r, (s, p) in zip(held_out.rules, predicted, strict=True)]
        scores.append(
            StanceScore(
                held_out.document,
                held_out.version,
                len(gold),
                _accuracy([r.stance for r in held_out.rules], gold),
                _accuracy([s for s, _ in predicted], gold),
                _accuracy(combined, gold),
            )
        )
    return scores


def _accuracy(predicted: list[Stance], gold: list[Stance]) -> float:
    return round(sum(p == g for p, g in zip(predicted, gold, strict=True)) / len(gold), 4)
