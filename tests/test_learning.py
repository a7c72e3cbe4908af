"""Learned question typing, answer selection and abstention: trained on (a third of) the real
training questions over the real corpus, index and model; refused when stale."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.answer.learned import LearnedModels, file_hash
from assistant.answer.training import Example, fit_models
from assistant.config import Settings
from assistant.errors import IndexMismatchError, IndexNotFoundError
from assistant.models import Verdict
from assistant.search.embedding import SentenceTransformerEmbedder
from assistant.search.index import SearchIndex
from assistant.service import Assistant, train, training_examples

from .conftest import ROOT

TRAINING = ROOT / "corpus" / "training" / "questions.jsonl"
LEARNED = {"question_typing": "learned", "answer_selection": "learned", "abstention": "learned"}


@pytest.fixture(scope="module")
def learned_settings(
    settings: Settings, search_index: SearchIndex, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """Settings over a copy of the session index and every third training question."""
    folder = tmp_path_factory.mktemp("learned")
    lines = TRAINING.read_text(encoding="utf-8").splitlines()
    sample = folder / "questions.jsonl"
    sample.write_text("\n".join(lines[::3]) + "\n", encoding="utf-8")
    index_dir = folder / "index"
    shutil.copytree(settings.index_dir, index_dir)
    return settings.model_copy(update={"index_dir": index_dir, "training_file": sample})


@pytest.fixture(scope="module")
def rules_assistant(learned_settings: Settings, embedder: SentenceTransformerEmbedder) -> Assistant:
    return Assistant.from_settings(learned_settings, embedder=embedder)


@pytest.fixture(scope="module")
def examples(rules_assistant: Assistant) -> list[Example]:
    return training_examples(rules_assistant)


@pytest.fixture(scope="module")
def trained(rules_assistant: Assistant) -> dict[str, object]:
    _, metrics = train(rules_assistant)
    return metrics


@pytest.fixture(scope="module")
def learned(
    learned_settings: Settings, trained: dict[str, object], embedder: SentenceTransformerEmbedder
) -> Assistant:
    return Assistant.from_settings(learned_settings.model_copy(update=LEARNED), embedder=embedder)


def test_training_is_deterministic(rules_assistant: Assistant, examples: list[Example]) -> None:
    digest = file_hash(TRAINING)
    first, _ = fit_models(examples, rules_assistant.decider, digest, "m")
    second, _ = fit_models(examples, rules_assistant.decider, digest, "m")
    for name in ("typer", "selector", "abstainer"):
        for a, b in zip(
            getattr(first, name).arrays(name).values(),
            getattr(second, name).arrays(name).values(),
            strict=True,
        ):
            assert np.array_equal(a, b)
    assert first.manifest.threshold == second.manifest.threshold


def test_training_uses_the_served_version_and_beats_chance(trained: dict[str, object]) -> None:
    assert trained["served_versions"] == ["2020-01-24"]
    assert float(trained["typing_cv_accuracy"]) > 0.8  # type: ignore[arg-type]
    assert float(trained["selection_cv_hit@1"]) > 0.6  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("question", "verdict"),
    [
        ("is istio supported on aks?", Verdict.NOT_SUPPORTED),
        ("do I have to reboot my worker nodes after OS patches?", Verdict.CUSTOMER_RESPONSIBILITY),
        ("etcd backups - how frequent are they?", Verdict.INFORMATIONAL),
    ],
)
def test_the_learned_assistant_answers_from_the_policy(
    learned: Assistant, question: str, verdict: Verdict
) -> None:
    answer = learned.answer(question)
    assert answer.verdict is verdict
    assert answer.citations
    texts = {c.text for c in learned.corpus.clauses}
    assert all(c.text in texts for c in answer.citations)


def test_a_reviewed_out_of_scope_topic_still_abstains(learned: Assistant) -> None:
    assert learned.answer("what's the uptime SLA for AKS?").verdict is Verdict.UNKNOWN


def test_changed_training_questions_make_the_models_stale(
    learned_settings: Settings,
    trained: dict[str, object],
    tmp_path: Path,
    embedder: SentenceTransformerEmbedder,
) -> None:
    assert learned_settings.training_file is not None
    edited = tmp_path / "questions.jsonl"
    edited.write_text(learned_settings.training_file.read_text(encoding="utf-8") + "\n")
    stale = learned_settings.model_copy(update={**LEARNED, "training_file": edited})
    with pytest.raises(IndexMismatchError, match="assistant train"):
        Assistant.from_settings(stale, embedder=embedder)


def test_without_models_the_rules_answer(
    settings: Settings,
    search_index: SearchIndex,
    tmp_path: Path,
    embedder: SentenceTransformerEmbedder,
) -> None:
    bare = tmp_path / "index"
    shutil.copytree(settings.index_dir, bare, ignore=shutil.ignore_patterns("learned.*"))
    with pytest.raises(IndexNotFoundError, match="assistant train"):
        LearnedModels.load(bare)
    learned = settings.model_copy(update={**LEARNED, "index_dir": bare})
    assert Assistant.from_settings(learned, embedder=embedder).learned is None
