"""Build, save and load the dense (FAISS) and lexical (BM25) indexes; the only FAISS importer."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path

import bm25s
import faiss
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

from assistant.config import DenseIndexKind
from assistant.errors import IndexMismatchError, IndexNotFoundError, IndexUnreadableError
from assistant.policy.corpus import Corpus
from assistant.search.embedding import Embedder, vector_family

INDEX_FORMAT = 1
MANIFEST = "manifest.json"
_DENSE = "dense.faiss"
_LEXICAL = "lexical"
_CLAUSE_IDS = "clause_ids.json"
_REBUILD_HINT = "run `assistant index build` to rebuild it"

AUTO_APPROXIMATE_FROM = 50_000
"""`dense_index=auto` searches exhaustively below this many clauses, with IVF from here on: at
100,000 clauses (bench/scale.py) IVF kept recall@10 at 1.0 for real questions, where HNSW
reached 0.77 (0.93 with efSearch 2048) on generated clauses that crowd round the real ones."""
HNSW_NEIGHBOURS = 32
HNSW_EF_CONSTRUCTION = 200
HNSW_EF_SEARCH = 128
IVF_PROBE_SHARE = 0.25
"""Share of the IVF lists searched per query (at least 32 lists): embeddings of one policy's
clauses sit close together, so fewer lists miss neighbours (recall@10 0.93 at 10% on 10k)."""


@dataclass(frozen=True)
class Manifest:
    """What an index was built from; checked before it is served."""

    model: str
    dimension: int
    corpus_hash: str
    clause_count: int
    built_at: str
    build_seconds: float
    package_version: str
    index_format: int = INDEX_FORMAT
    embedding_backend: str = "torch"
    dense_index: str = "flat"
    build_id: str = ""

    @property
    def version(self) -> str:
        """Changes whenever the index is rebuilt: what cached answers are keyed by."""
        return f"{self.corpus_hash[:16]}:{self.built_at}:{self.build_id}"


def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


_WORD = re.compile(r"(?u)\b\w\w+\b")
_STOPWORDS = frozenset(STOPWORDS_EN)


def tokenize(texts: list[str], stemmer: Stemmer.Stemmer) -> list[list[str]]:
    """Lower-cased, stemmed word tokens without English stopwords, as BM25 indexes them.

    The same tokens as `bm25s.tokenize(texts, stopwords="en", stemmer=stemmer)` (a test checks
    it), without its per-call progress-bar and vocabulary set-up, which cost more than the
    tokenizing itself for the one short query each question needs."""
    words = [[w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS] for text in texts]
    unique = list(dict.fromkeys(w for ws in words for w in ws))
    stems = dict(zip(unique, stemmer.stemWords(unique), strict=True))
    return [[stems[w] for w in ws] for ws in words]


class SearchIndex:
    """Dense and lexical indexes over the same clause ids, in the same order."""

    def __init__(
        self, manifest: Manifest, clause_ids: list[str], dense: faiss.Index, lexical: bm25s.BM25
    ) -> None:
        self.manifest = manifest
        self.clause_ids = clause_ids
        self.dense = dense
        self.lexical = lexical
        self._stemmer = _stemmer()

    def search_dense(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(position, cosine similarity) of the k nearest clauses to a normalised vector."""
        # one query gains nothing from an OpenMP team, whose spinning threads cost 4-6x on a
        # busy 2-core machine; the setting is the calling thread's own, so it is put back
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            scores, positions = self.dense.search(vector.reshape(1, -1).astype(np.float32), k)
        finally:
            faiss.omp_set_num_threads(threads)
        return [(int(p), float(s)) for p, s in zip(positions[0], scores[0], strict=True) if p >= 0]

    def search_lexical(self, query: str, k: int) -> list[tuple[int, float]]:
        """(position, BM25 score) of the k best-matching clauses; none when no term matches."""
        tokens = tokenize([query], self._stemmer)[0]
        if not tokens:
            return []
        scores = self.lexical.get_scores(tokens)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        ranked = sorted(top, key=lambda p: -scores[p])
        return [(int(p), float(scores[p])) for p in ranked if scores[p] > 0]


def choose_dense_index(kind: DenseIndexKind, count: int) -> str:
    """The dense index type `kind` stands for at `count` vectors (`auto` decides by size)."""
    if kind == "auto":
        return "flat" if count < AUTO_APPROXIMATE_FROM else "ivf"
    return kind


def build_dense_index(vectors: np.ndarray, kind: DenseIndexKind = "auto") -> faiss.Index:
    """An inner-product index over normalised vectors: exact (flat) or approximate (HNSW, IVF)."""
    count, dimension = vectors.shape
    chosen = choose_dense_index(kind, count)
    index: faiss.Index
    if chosen == "flat":
        index = faiss.IndexFlatIP(dimension)
    elif chosen == "hnsw":
        index = faiss.IndexHNSWFlat(dimension, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    elif chosen == "ivf":
        lists = max(1, min(int(4 * np.sqrt(count)), count // 39))
        quantizer = faiss.IndexFlatIP(dimension)
        index = faiss.IndexIVFFlat(quantizer, dimension, lists, faiss.METRIC_INNER_PRODUCT)
        index.train(vectors)
        index.nprobe = min(lists, max(32, round(lists * IVF_PROBE_SHARE)))
    else:
        raise ValueError(f"dense_index: {kind!r} is not one of auto, flat, hnsw, ivf")
    index.add(vectors)
    return index


def dense_index_kind(index: faiss.Index) -> str:
    """flat, hnsw or ivf: what a loaded FAISS index is."""
    if isinstance(index, faiss.IndexHNSW):
        return "hnsw"
    if isinstance(index, faiss.IndexIVF):
        return "ivf"
    return "flat"


def build_lexical_index(texts: list[str]) -> bm25s.BM25:
    """A BM25 index over the stemmed, stopword-free tokens of the texts."""
    lexical = bm25s.BM25()
    lexical.index(tokenize(texts, _stemmer()), show_progress=False)
    return lexical


def build_index(
    corpus: Corpus, embedder: Embedder, dense_index: DenseIndexKind = "auto"
) -> SearchIndex:
    """Embed and index every clause of the corpus."""
    started = time.perf_counter()
    texts = [c.indexed_text for c in corpus.clauses]
    vectors = embedder.embed(texts)
    dense = build_dense_index(vectors, dense_index)
    lexical = build_lexical_index(texts)
    manifest = Manifest(
        model=embedder.model_name,
        dimension=embedder.dimension,
        corpus_hash=corpus.content_hash,
        clause_count=len(texts),
        built_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        build_seconds=round(time.perf_counter() - started, 3),
        package_version=version("policy-assistant"),
        embedding_backend=getattr(embedder, "backend", "torch"),
        dense_index=dense_index_kind(dense),
        build_id=uuid.uuid4().hex,
    )
    return SearchIndex(manifest, [c.clause_id for c in corpus.clauses], dense, lexical)


def save_index(index: SearchIndex, index_dir: Path) -> None:
    """Write the index beside `index_dir`, then swap it into place so readers never see half."""
    index_dir = index_dir.resolve()
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{index_dir.name}-", dir=index_dir.parent))
    try:
        faiss.write_index(index.dense, str(staging / _DENSE))
        index.lexical.save(str(staging / _LEXICAL))
        (staging / _CLAUSE_IDS).write_text(json.dumps(index.clause_ids), encoding="utf-8")
        (staging / MANIFEST).write_text(
            json.dumps(asdict(index.manifest), indent=2), encoding="utf-8"
        )
        retired = index_dir.with_name(f".{index_dir.name}-old-{os.getpid()}")
        if index_dir.exists():
            index_dir.rename(retired)
        staging.rename(index_dir)
        shutil.rmtree(retired, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def read_manifest(index_dir: Path) -> Manifest:
    """The manifest of the index in `index_dir`."""
    path = index_dir / MANIFEST
    if not path.exists():
        raise IndexNotFoundError(f"no index in {str(index_dir)!r}; {_REBUILD_HINT}")
    try:
        return Manifest(**json.loads(path.read_text(encoding="utf-8")))
    except (TypeError, ValueError) as exc:
        raise IndexMismatchError(
            f"unreadable manifest {str(path)!r} ({exc}); {_REBUILD_HINT}"
        ) from exc


def check_manifest(
    manifest: Manifest, model: str, corpus: Corpus, backend: str | None = None
) -> None:
    """Refuse an index built for another model, another corpus or another format, or with an
    embedding backend whose vectors differ from `backend`'s (torch and onnx give the same)."""
    problems = []
    if manifest.index_format != INDEX_FORMAT:
        problems.append(f"format {manifest.index_format} (expected {INDEX_FORMAT})")
    if manifest.model != model:
        problems.append(f"model {manifest.model!r} (configured: {model!r})")
    if manifest.corpus_hash != corpus.content_hash:
        problems.append("a different corpus (the policy documents have changed since)")
    if manifest.clause_count != len(corpus.clauses):
        problems.append(f"{manifest.clause_count} clauses (corpus has {len(corpus.clauses)})")
    if backend is not None and vector_family(manifest.embedding_backend) != vector_family(backend):
        problems.append(
            f"embedding backend {manifest.embedding_backend!r} (configured: {backend!r})"
        )
    if problems:
        raise IndexMismatchError(f"index was built for {'; '.join(problems)}; {_REBUILD_HINT}")


def load_index(
    index_dir: Path, model: str, corpus: Corpus, backend: str | None = None
) -> SearchIndex:
    """Load the index in `index_dir` after checking it matches the model, corpus and backend."""
    manifest = read_manifest(index_dir)
    check_manifest(manifest, model, corpus, backend)
    try:
        clause_ids = json.loads((index_dir / _CLAUSE_IDS).read_text(encoding="utf-8"))
        dense = faiss.read_index(str(index_dir / _DENSE))
        lexical = bm25s.BM25.load(str(index_dir / _LEXICAL))
    except Exception as exc:  # a truncated FAISS file, bad JSON, a missing piece: one line
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise IndexUnreadableError(
            f"index in {str(index_dir)!r} is unreadable ({reason}); {_REBUILD_HINT}"
        ) from exc
    if clause_ids != [c.clause_id for c in corpus.clauses]:
        raise IndexMismatchError(f"index clause ids differ from the corpus; {_REBUILD_HINT}")
    if dense.d != manifest.dimension or dense.ntotal != manifest.clause_count:
        raise IndexMismatchError(f"dense index does not match its manifest; {_REBUILD_HINT}")
    return SearchIndex(manifest, clause_ids, dense, lexical)
