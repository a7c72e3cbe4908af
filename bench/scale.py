"""Scale: the indexes and the query path at 10,000 and 100,000 clauses.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/scale.py                 # 10k (embedded) and 100k
    HF_HUB_OFFLINE=1 .venv/bin/python bench/scale.py --sizes 10000 --no-embed   # quicker

The clauses are the real policy clauses plus generated variants (a real clause with about a
third of its words swapped for other policy words). Vectors: at `--embed-up-to` clauses and
below, the variants are embedded for real (ONNX backend, batches, progress bar); above it they
are synthetic, derived from the real clause embeddings: a clause's vector plus half another
clause's plus Gaussian noise, normalised (cosine to the source clause about 0.8). The queries
are the evaluation questions, embedded for real.

For each size: build time, size and search latency of flat, HNSW and IVF dense indexes with
recall@10 against flat; BM25 build and search; and the whole `Assistant.answer` path (p50) to
show the per-question work does not grow with the corpus, with the served index's learned models
(document-agnostic) when it has them. Medians of `--repeats` runs.
Writes bench/results/scale.json.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from bench.common import (  # noqa: E402
    load_questions,
    machine,
    percentiles,
    table,
    write_result,
)

KINDS = ("flat", "hnsw", "ivf")
HNSW_EF_SWEEP = (128, 512, 2048)


def rss_mb() -> float:
    """This process's resident memory now, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def generate_clauses(corpus: Any, count: int, seed: int = 11) -> list[Any]:
    """The real clauses, then variants of them up to `count` clauses in all."""
    rng = np.random.default_rng(seed)
    real = list(corpus.clauses)
    vocabulary = sorted({w for c in real for w in c.text.split() if w.isalpha() and len(w) > 3})
    out = list(real)
    for n in range(count - len(real)):
        base = real[int(rng.integers(len(real)))]
        words = base.text.split()
        for at in rng.choice(len(words), size=max(1, len(words) // 3), replace=False):
            words[int(at)] = vocabulary[int(rng.integers(len(vocabulary)))]
        out.append(
            replace(base, clause_id=f"{base.clause_id}~{n}", text=" ".join(words), parent_id=None)
        )
    return out


def synthetic_vectors(real: np.ndarray, count: int, seed: int = 12) -> np.ndarray:
    """The real clause vectors, then `count - len(real)` vectors derived from them."""
    rng = np.random.default_rng(seed)
    extra = count - len(real)
    first = real[rng.integers(0, len(real), extra)]
    second = real[rng.integers(0, len(real), extra)]
    noise = rng.standard_normal((extra, real.shape[1])) * (0.6 / np.sqrt(real.shape[1]))
    mixed = first + 0.5 * second + noise
    mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
    return np.ascontiguousarray(np.vstack([real, mixed]), dtype=np.float32)


def embed_with_progress(embedder: Any, texts: list[str], batch: int = 256) -> np.ndarray:
    """Embed in batches with a progress bar."""
    from tqdm import tqdm

    rows = []
    for start in tqdm(range(0, len(texts), batch), desc="embedding", unit="batch"):
        rows.append(embedder.embed(texts[start : start + batch]))
    return np.vstack(rows)


def measure_dense(
    vectors: np.ndarray, queries: np.ndarray, repeats: int, build_repeats: int
) -> dict[str, dict[str, Any]]:
    """Build time, size, latency and recall@10 (vs flat) of each dense index type; queries
    are searched one at a time through `SearchIndex.search_dense`, as the service does."""
    import faiss

    from assistant.search.index import SearchIndex, build_dense_index

    out: dict[str, dict[str, Any]] = {}
    exact: np.ndarray | None = None
    for kind in KINDS:
        builds, index = [], None
        for _ in range(build_repeats):
            before = rss_mb()
            started = time.perf_counter()
            index = build_dense_index(vectors, kind)  # type: ignore[arg-type]
            builds.append(time.perf_counter() - started)
            grown = rss_mb() - before
        assert index is not None
        searcher = SearchIndex(_manifest(kind), [], index, None)  # type: ignore[arg-type]
        samples = []
        for _ in range(repeats):
            for q in queries:
                started = time.perf_counter()
                searcher.search_dense(q, 10)
                samples.append(time.perf_counter() - started)
        _, found = index.search(queries, 10)
        if exact is None:
            exact = found
        recall = _recall(exact, found)
        sweep = {}
        if kind == "hnsw":  # what a larger search beam buys
            for ef in HNSW_EF_SWEEP:
                index.hnsw.efSearch = ef
                started = time.perf_counter()
                _, wide = index.search(queries, 10)
                sweep[str(ef)] = {
                    "recall@10_vs_flat": _recall(exact, wide),
                    "batch_ms_per_query": round(
                        (time.perf_counter() - started) / len(queries) * 1000, 3
                    ),
                }
        out[kind] = {
            "build_s": round(statistics.median(builds), 3),
            "index_mb": round(faiss.serialize_index(index).nbytes / 2**20, 1),
            "rss_growth_mb": round(grown, 1),
            **percentiles(samples),
            "recall@10_vs_flat": round(recall, 4),
            **({"ef_search_sweep": sweep} if sweep else {}),
        }
    return out


def _recall(exact: np.ndarray, found: np.ndarray) -> float:
    return round(
        float(np.mean([len(set(e) & set(f)) / 10 for e, f in zip(exact, found, strict=True)])), 4
    )


def _manifest(kind: str) -> Any:
    from assistant.search.index import Manifest

    return Manifest("bench", 0, "", 0, "", 0.0, "", dense_index=kind)


def measure_assistant(
    corpus: Any, clauses: list[Any], vectors: np.ndarray, embedder: Any, repeats: int
) -> dict[str, Any]:
    """BM25 build/search and `Assistant.answer` over the enlarged corpus (dense: auto)."""
    from assistant.answer.learned import LearnedModels
    from assistant.config import Settings
    from assistant.errors import AssistantError
    from assistant.policy.corpus import Corpus
    from assistant.search.index import (
        Manifest,
        SearchIndex,
        build_dense_index,
        build_lexical_index,
    )
    from assistant.service import Assistant, load_policy_synonyms

    texts = [c.indexed_text for c in clauses]
    started = time.perf_counter()
    lexical = build_lexical_index(texts)
    bm25_build = time.perf_counter() - started
    dense = build_dense_index(vectors, "auto")
    big = Corpus(corpus.documents, corpus.sections, tuple(clauses), f"scale-{len(clauses)}")
    manifest = Manifest(
        model=embedder.model_name,
        dimension=vectors.shape[1],
        corpus_hash=big.content_hash,
        clause_count=len(clauses),
        built_at="scale",
        build_seconds=0.0,
        package_version="bench",
        embedding_backend=embedder.backend,
        dense_index="auto",
        build_id=str(len(clauses)),
    )
    index = SearchIndex(manifest, [c.clause_id for c in clauses], dense, lexical)
    settings = Settings(cache_size=0)
    # the served index's learned models: document-agnostic, they answer over the generated
    # corpus as over a newly dropped-in document (the rules answer when there are none)
    try:
        models: LearnedModels | None = LearnedModels.load(settings.index_dir)
    except AssistantError:
        models = None
    started = time.perf_counter()
    synonyms = load_policy_synonyms(settings, big)
    assistant = Assistant(settings, big, index, embedder, synonyms, models=models)
    setup = time.perf_counter() - started
    questions = [q["question"] for q in load_questions()]
    lexical_samples, answer_samples = [], []
    for _ in range(repeats):
        for q in questions:
            started = time.perf_counter()
            index.search_lexical(q, 30)
            lexical_samples.append(time.perf_counter() - started)
            started = time.perf_counter()
            assistant.answer(q)
            answer_samples.append(time.perf_counter() - started)
    return {
        "learned": assistant.learned is not None,
        "bm25_build_s": round(bm25_build, 2),
        "assistant_setup_s": round(setup, 2),
        "dense_index": type(dense).__name__,
        "bm25_search": percentiles(lexical_samples),
        "answer": percentiles(answer_samples),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--embed-up-to", type=int, default=10_000)
    parser.add_argument("--no-embed", action="store_true", help="synthetic vectors at all sizes")
    parser.add_argument("--repeats", type=int, default=3, help="searches of every question")
    parser.add_argument("--build-repeats", type=int, default=1)
    parser.add_argument("--name", default="scale")
    args = parser.parse_args()

    from assistant.config import Settings
    from assistant.search.embedding import OnnxEmbedder
    from assistant.service import load_policy

    settings = Settings()
    corpus = load_policy(settings)
    embedder = OnnxEmbedder(settings.model, settings.model_cache_dir, threads=0)
    real = embedder.embed([c.indexed_text for c in corpus.clauses])
    queries = embedder.embed([q["question"] for q in load_questions()])
    result: dict[str, Any] = {
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
        "settings": {
            "search_repeats": args.repeats,
            "build_repeats": args.build_repeats,
            "queries": len(queries),
        },
        "sizes": {},
    }
    for size in [int(s) for s in args.sizes.split(",")]:
        print(f"{size} clauses ...", flush=True)
        clauses = generate_clauses(corpus, size)
        entry: dict[str, Any] = {}
        if size <= args.embed_up_to and not args.no_embed:
            started = time.perf_counter()
            vectors = embed_with_progress(embedder, [c.indexed_text for c in clauses])
            seconds = time.perf_counter() - started
            entry["vectors"] = "embedded (onnx)"
            entry["embedding"] = {
                "seconds": round(seconds, 1),
                "texts_per_s": round(size / seconds, 1),
            }
        else:
            vectors = synthetic_vectors(real, size)
            entry["vectors"] = "synthetic (real clause vectors mixed, plus noise)"
        entry["dense"] = measure_dense(vectors, queries, args.repeats, args.build_repeats)
        entry["query_path"] = measure_assistant(corpus, clauses, vectors, embedder, 1)
        result["sizes"][str(size)] = entry
        print(report({"sizes": {str(size): entry}}), flush=True)
    path = write_result(args.name, result)
    print(report(result))
    print(f"\nwrote {path}")


def report(result: dict[str, Any]) -> str:
    """One row per size and index type, then the query path."""
    rows, paths = [], []
    for size, entry in result["sizes"].items():
        for kind, m in entry["dense"].items():
            rows.append(
                [
                    size,
                    kind,
                    m["build_s"],
                    m["index_mb"],
                    m["p50_ms"],
                    m["p99_ms"],
                    m["recall@10_vs_flat"],
                ]
            )
        q = entry["query_path"]
        paths.append(
            [
                size,
                q["dense_index"],
                "learned" if q["learned"] else "rules",
                q["bm25_build_s"],
                q["bm25_search"]["p50_ms"],
                q["answer"]["p50_ms"],
                q["answer"]["p95_ms"],
            ]
        )
    return "\n".join(
        [
            table(rows, ["clauses", "index", "build s", "MB", "p50 ms", "p99 ms", "recall@10"]),
            "",
            table(
                paths,
                [
                    "clauses",
                    "dense (auto)",
                    "verdict",
                    "BM25 build s",
                    "BM25 p50 ms",
                    "answer p50 ms",
                    "answer p95 ms",
                ],
            ),
        ]
    )


if __name__ == "__main__":
    main()
