"""Hybrid retrieval: dense and BM25 rankings fused with reciprocal-rank fusion."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from assistant.config import RetrievalMode
from assistant.models import Clause, Hit
from assistant.policy.corpus import Corpus
from assistant.search.cache import VersionedLRUCache
from assistant.search.embedding import Embedder
from assistant.search.index import SearchIndex


class Retriever:
    """Finds the clauses that best match a (normalised, expanded) query."""

    def __init__(
        self,
        corpus: Corpus,
        index: SearchIndex,
        embedder: Embedder,
        mode: RetrievalMode = "hybrid",
        rrf_k: int = 60,
        candidates: int = 30,
        cache: VersionedLRUCache[np.ndarray] | None = None,
        query_max_tokens: int = 48,
    ) -> None:
        self.corpus = corpus
        self.query_max_tokens = query_max_tokens
        self.index = index
        self.embedder = embedder
        self.mode = mode
        self.rrf_k = rrf_k
        self.candidates = candidates
        self.cache = cache

    def retrieve(
        self,
        query: str,
        k: int,
        allow: Callable[[Clause], bool] | None = None,
        vector: np.ndarray | None = None,
    ) -> list[Hit]:
        """The k best hits, each with its dense, lexical and fused scores and ranks; with
        `allow`, only clauses it accepts (every clause is ranked so none is missed); `vector` is
        the query's embedding when the caller has it already."""
        total = len(self.index.clause_ids)
        n = total if allow is not None else min(max(self.candidates, k), total)
        dense = lexical = []
        if self.mode in ("hybrid", "dense"):
            query_vector = self.embed_query(query) if vector is None else vector
            dense = self.index.search_dense(query_vector, n)
        if self.mode in ("hybrid", "lexical"):
            lexical = self.index.search_lexical(query, n)
        if allow is not None:
            dense = self._allowed(dense, allow)[: self.candidates]
            lexical = self._allowed(lexical, allow)[: self.candidates]
        return self.fuse(dense, lexical)[:k]

    def _allowed(
        self, ranking: list[tuple[int, float]], allow: Callable[[Clause], bool]
    ) -> list[tuple[int, float]]:
        out = []
        for pos, score in ranking:
            clause = self.corpus.clause(self.index.clause_ids[pos])
            if clause is not None and allow(clause):
                out.append((pos, score))
        return out

    def embedded_text(self, query: str) -> str:
        """What of a query is embedded: its first `query_max_tokens` tokens (a question is far
        shorter; a pasted wall of text costs no more than a long question)."""
        return self.embedder.head(query, self.query_max_tokens)

    def embed_query(self, query: str) -> np.ndarray:
        """The vector of the query's embedded text; from the cache when this index's retriever
        embedded it before."""
        version = self.index.manifest.version
        vector = self.cache.get(version, query) if self.cache is not None else None
        if vector is None:
            vector = self.embedder.embed_head(query, self.query_max_tokens)
            vector.setflags(write=False)  # shared by every later lookup of the same query
            if self.cache is not None:
                self.cache.put(version, query, vector)
        return vector

    def fuse(self, dense: list[tuple[int, float]], lexical: list[tuple[int, float]]) -> list[Hit]:
        """Reciprocal-rank fusion of two rankings of index positions."""
        fused: dict[int, float] = {}
        dense_at = {pos: (rank, score) for rank, (pos, score) in enumerate(dense, 1)}
        lexical_at = {pos: (rank, score) for rank, (pos, score) in enumerate(lexical, 1)}
        for ranking in (dense_at, lexical_at):
            for pos, (rank, _) in ranking.items():
                fused[pos] = fused.get(pos, 0.0) + 1.0 / (self.rrf_k + rank)
        hits = []
        for pos, score in sorted(fused.items(), key=lambda item: -item[1]):
            clause = self.corpus.clause(self.index.clause_ids[pos])
            assert clause is not None  # load_index checked the ids against the corpus
            d, lx = dense_at.get(pos), lexical_at.get(pos)
            hits.append(
                Hit(
                    clause=clause,
                    score=score,
                    dense_score=d[1] if d else None,
                    lexical_score=lx[1] if lx else None,
                    dense_rank=d[0] if d else None,
                    lexical_rank=lx[0] if lx else None,
                )
            )
        return hits
