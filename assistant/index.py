"""Build, save and load the dense (FAISS) and lexical (BM25) indexes; the only FAISS importer."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path

import bm25s
import faiss
import numpy as np
import Stemmer

from .corpus import Corpus
from .embedding import Embedder
from .errors import IndexMismatchError, IndexNotFoundError

INDEX_FORMAT = 1
MANIFEST = "manifest.json"
_DENSE = "dense.faiss"
_LEXICAL = "lexical"
_CLAUSE_IDS = "clause_ids.json"
_REBUILD_HINT = "run `assistant index build` to rebuild it"


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


def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def tokenize(texts: list[str], stemmer: Stemmer.Stemmer) -> list[list[str]]:
    """Lower-cased, stemmed word tokens without English stopwords, as BM25 indexes them."""
    tokens = bm25s.tokenize(
        texts, stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False
    )
    return [list(t) for t in tokens]


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
        scores, positions = self.dense.search(vector.reshape(1, -1).astype(np.float32), k)
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


def build_index(corpus: Corpus, embedder: Embedder) -> SearchIndex:
    """Embed and index every clause of the corpus."""
    started = time.perf_counter()
    texts = [c.indexed_text for c in corpus.clauses]
    vectors = embedder.embed(texts)
    dense = faiss.IndexFlatIP(embedder.dimension)
    dense.add(vectors)
    lexical = bm25s.BM25()
    lexical.index(tokenize(texts, _stemmer()), show_progress=False)
    manifest = Manifest(
        model=embedder.model_name,
        dimension=embedder.dimension,
        corpus_hash=corpus.content_hash,
        clause_count=len(texts),
        built_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        build_seconds=round(time.perf_counter() - started, 3),
        package_version=version("policy-assistant"),
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


def check_manifest(manifest: Manifest, model: str, corpus: Corpus) -> None:
    """Refuse an index built for another model, another corpus or another format."""
    problems = []
    if manifest.index_format != INDEX_FORMAT:
        problems.append(f"format {manifest.index_format} (expected {INDEX_FORMAT})")
    if manifest.model != model:
        problems.append(f"model {manifest.model!r} (configured: {model!r})")
    if manifest.corpus_hash != corpus.content_hash:
        problems.append("a different corpus (the policy documents have changed since)")
    if manifest.clause_count != len(corpus.clauses):
        problems.append(f"{manifest.clause_count} clauses (corpus has {len(corpus.clauses)})")
    if problems:
        raise IndexMismatchError(f"index was built for {'; '.join(problems)}; {_REBUILD_HINT}")


def load_index(index_dir: Path, model: str, corpus: Corpus) -> SearchIndex:
    """Load the index in `index_dir` after checking it matches the model and corpus."""
    manifest = read_manifest(index_dir)
    check_manifest(manifest, model, corpus)
    clause_ids = json.loads((index_dir / _CLAUSE_IDS).read_text(encoding="utf-8"))
    if clause_ids != [c.clause_id for c in corpus.clauses]:
        raise IndexMismatchError(f"index clause ids differ from the corpus; {_REBUILD_HINT}")
    dense = faiss.read_index(str(index_dir / _DENSE))
    if dense.d != manifest.dimension or dense.ntotal != manifest.clause_count:
        raise IndexMismatchError(f"dense index does not match its manifest; {_REBUILD_HINT}")
    lexical = bm25s.BM25.load(str(index_dir / _LEXICAL))
    return SearchIndex(manifest, clause_ids, dense, lexical)
