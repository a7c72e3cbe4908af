"""The least an HTTP answer can cost on this stack: FastAPI under uvicorn (as `assistant
serve` runs it) with endpoints that do nothing but parse the question (`/noop`) or parse it
and embed it with the service's own embedder (`/embed`), measured at concurrency 1 against
the bare in-process query embedding that `bench/run.py` divides by.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/http_floor.py   # bench/results/http_floor.json

Any answer path does at least what `/embed` does, so `embed_over_embedding` is a floor under
run.json's `http_p50_c1_over_embedding_p50`. Loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pydantic import BaseModel  # noqa: E402

from bench.common import (  # noqa: E402
    ROOT,
    load_questions,
    load_test,
    machine,
    percentiles,
    python,
    repeat,
    running_server,
    write_result,
)


class Question(BaseModel):
    """The request body `/v1/ask` takes, its question only."""

    question: str


def serve(port: int) -> None:
    """The floor endpoints on 127.0.0.1:`port`, with the default settings' embedder."""
    import uvicorn
    from fastapi import FastAPI

    from assistant.config import Settings
    from assistant.search.embedding import load_embedder

    embedder = load_embedder(Settings())
    embedder.embed(["warm up"])
    app = FastAPI()

    @app.get("/readyz")
    def ready() -> dict[str, str]:
        return {"status": "ready"}

    @app.post("/noop")
    def noop(body: Question) -> dict[str, int]:
        return {"chars": len(body.question)}

    @app.post("/embed")
    def embed(body: Question) -> dict[str, int]:
        return {"dimension": int(embedder.embed([body.question]).shape[1])}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="info")


def bare_embedding(questions: list[str], repeats: int) -> dict[str, float]:
    """In-process `embed([q])` latency with the default settings' embedder (median of runs)."""
    from assistant.config import Settings
    from assistant.search.embedding import load_embedder

    embedder = load_embedder(Settings())
    for q in questions[:16]:
        embedder.embed([q])
    runs = []
    for _ in range(repeats):
        samples = []
        for q in questions:
            started = time.perf_counter()
            embedder.embed([q])
            samples.append(time.perf_counter() - started)
        runs.append(percentiles(samples)["p50_ms"])
    return {"p50_ms": sorted(runs)[len(runs) // 2], "runs": runs}  # type: ignore[dict-item]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)  # the server process
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    questions = [q["question"] for q in load_questions()]
    bodies = [json.dumps({"question": q}).encode() for q in questions]
    result: dict[str, Any] = {
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
    }
    command = [python(), str(Path(__file__).resolve()), "--serve", "{port}"]
    log = Path(tempfile.mkdtemp(prefix="http-floor-")) / "server.log"
    with running_server(command, {}, log) as server:
        load_test(server.port, "/embed", bodies[:16], 1, 16)
        for path in ("/noop", "/embed"):
            result[path.strip("/")] = repeat(
                lambda p=path: load_test(server.port, p, bodies, 1, len(bodies)), args.repeats
            )
    assert not any(result[p]["errors"] for p in ("noop", "embed")), "requests failed"
    result["bare_embedding"] = bare_embedding(questions, args.repeats)
    embed_p50 = result["bare_embedding"]["p50_ms"]
    result["headline"] = {
        "bare_embedding_p50_ms": embed_p50,
        "noop_http_p50_ms": result["noop"]["p50_ms"],
        "embed_http_p50_ms": result["embed"]["p50_ms"],
        "embed_over_embedding": round(result["embed"]["p50_ms"] / embed_p50, 2),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }
    path = write_result("http_floor", result)
    print(json.dumps(result["headline"], indent=1), f"\nwrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
