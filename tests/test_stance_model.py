"""The learned stance classifier: labels, features, training, and its score on the real AKS
versions (each scored by a classifier trained on the other)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import CorpusError
from assistant.evaluation.stances import labelled_versions, score_versions
from assistant.models import Clause, Stance
from assistant.policy.stance import RuleStance, rule_stances
from assistant.policy.stance_model import (
    StanceClassifier,
    StanceLabel,
    combine,
    labelled_positions,
    load_stance_labels,
)
from assistant.policy.versions import read_version
from assistant.search.embedding import SentenceTransformerEmbedder

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT.parent / "shared" / "corpus-source"


def _clause(text: str, n: int) -> Clause:
    return Clause(f"d:s:{n}", "d", ("S",), "s", text, 0, len(text), "sentence")


def test_labels_file_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "d.stances.jsonl"
    path.write_text(
        '{"version": "1", "quote": "a", "stance": "supported"}\n{"version": "1", "quote": "b"}\n'
    )
    with pytest.raises(CorpusError, match=r"d\.stances\.jsonl:2: bad stance label"):
        load_stance_labels(path)


def test_a_quote_identifies_the_clause_it_equals_or_the_only_one_containing_it() -> None:
    clauses = (_clause("Kubelet", 1), _clause("Kubelet and kube-proxy", 2), _clause("etcd", 3))
    labels = [
        StanceLabel("1", "Kubelet", Stance.SUPPORTED),
        StanceLabel("1", "kube-proxy", Stance.NOT_SUPPORTED),
        StanceLabel("1", "e", Stance.SUPPORTED),  # inside two clauses, equal to none: skipped
        StanceLabel("1", "nowhere", Stance.SUPPORTED),
    ]
    assert labelled_positions(clauses, labels) == [(0, Stance.SUPPORTED), (1, Stance.NOT_SUPPORTED)]


def test_classifier_learns_and_is_deterministic() -> None:
    rng = np.random.default_rng(0)
    centres = {Stance.SUPPORTED: rng.normal(size=8), Stance.NOT_SUPPORTED: rng.normal(size=8)}
    stances = [Stance.SUPPORTED, Stance.NOT_SUPPORTED] * 20
    vectors = np.array([centres[s] + 0.1 * rng.normal(size=8) for s in stances])
    rules = [RuleStance(Stance.INFORMATIONAL, "none", {"kind=sentence": 1.0})] * len(stances)
    first = StanceClassifier().fit(vectors, rules, stances).predict(vectors, rules)
    second = StanceClassifier().fit(vectors, rules, stances).predict(vectors, rules)
    assert first == second
    assert [s for s, _ in first] == stances
    with pytest.raises(ValueError, match="two different stances"):
        StanceClassifier().fit(vectors[:1], rules[:1], stances[:1])


def test_rules_keep_their_stance_unless_they_fell_back_or_the_model_is_sure() -> None:
    cue = RuleStance(Stance.SUPPORTED, "own", {})
    fallback = RuleStance(Stance.INFORMATIONAL, "none", {})
    assert combine(cue, Stance.NOT_SUPPORTED, 0.6) is Stance.SUPPORTED
    assert combine(cue, Stance.NOT_SUPPORTED, 0.9) is Stance.NOT_SUPPORTED
    assert combine(fallback, Stance.CUSTOMER_RESPONSIBILITY, 0.3) is Stance.CUSTOMER_RESPONSIBILITY


def test_every_label_of_both_aks_versions_names_one_clause(tmp_path: Path) -> None:
    corpus = _two_versions(tmp_path)
    labels = load_stance_labels(corpus / "aks-support-policies.stances.jsonl")
    for version, path in [
        ("2020-01-24", corpus / "history" / "aks-support-policies" / "2020-01-24.md"),
        ("2026-08-27", corpus / "aks-support-policies.md"),
    ]:
        clauses = read_version(path, "aks-support-policies", version).clauses
        own = [label for label in labels if label.version == version]
        resolved = labelled_positions(clauses, own)
        assert len(resolved) >= 0.97 * len(own), version
        assert len(own) >= 0.9 * len(clauses), version  # (nearly) every clause is labelled
        assert {s for _, s in resolved} <= set(Stance)
        assert len(rule_stances(clauses)) == len(clauses)


def test_each_aks_version_scored_by_a_classifier_trained_on_the_other(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    versions = labelled_versions(_two_versions(tmp_path), embedder)
    scores = {s.version: s for s in score_versions(versions)}
    assert set(scores) == {"2020-01-24", "2026-08-27"}
    for score in scores.values():
        # measured 0.95-1.00 for each method (docs/policies.md, "Stances"); far above the
        # majority class
        assert min(score.rules, score.learned, score.combined) >= 0.9, score


def _two_versions(tmp_path: Path) -> Path:
    """A corpus folder with the 2026 article current and the seed revision as its history."""
    if not SOURCES.exists():
        pytest.skip(f"{SOURCES} not present in this checkout")
    corpus = tmp_path / "corpus"
    history = corpus / "history" / "aks-support-policies"
    history.mkdir(parents=True)
    shutil.copy(SOURCES / "aks-support-policies-2026-08-27.md", corpus / "aks-support-policies.md")
    shutil.copy(_seed(), history / "2020-01-24.md")
    shutil.copy(
        ROOT / "corpus" / "aks-support-policies.stances.jsonl",
        corpus / "aks-support-policies.stances.jsonl",
    )
    return corpus


def _seed() -> Path:
    """The seed revision as Markdown (history once the current article is served)."""
    history = ROOT / "corpus" / "history" / "aks-support-policies" / "2020-01-24.md"
    return history if history.exists() else ROOT / "corpus" / "aks-support-policies.md"
