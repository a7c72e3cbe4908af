"""Benchmark the service side by side with an equivalent Haystack pipeline.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/run.py            # everything, 3 repeats
    HF_HUB_OFFLINE=1 .venv/bin/python bench/run.py --quick    # 1 repeat, smoke run

Measures, for the evaluation questions and the bundled all-MiniLM-L6-v2 model:
1. this service over HTTP (a real `python -m assistant serve` on a free loopback port) at
   concurrency 1, 4 and 16: p50/p95/p99 latency, throughput, errors; per embedding backend;
2. `Assistant.answer` in-process and its stages (timed by wrapping the stage objects of one
   instance from outside; the hot path carries no timing code);
3. the Haystack peer (bench/peer.py) in-process and over HTTP, and recall@3 of both against
   the current version's gold clauses (ours: an answer's first three citations, and its raw
   retrieval's top three; the peer: its retrieval's top three);
4. cold start (spawn → /readyz 200) with a prebuilt index, peak RSS of the serving process,
   index build time.
Every number is the median of `--repeats` runs. Prints a table; writes bench/results/run.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ["HAYSTACK_TELEMETRY_ENABLED"] = "False"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402
    ROOT,
    load_questions,
    load_test,
    machine,
    peak_rss_mb,
    percentiles,
    python,
    repeat,
    running_server,
    table,
    write_result,
)

BACKENDS = ("torch", "onnx", "onnx-int8")
WARMUP = 16


def family(backend: str) -> str:
    """Which index a backend's vectors need (torch and onnx share one)."""
    from assistant.search.embedding import vector_family

    return vector_family(backend)


def settings_for(work: Path, backend: str, cache_size: int = 0) -> Any:
    """Settings with the index, model cache and conversation store under `work`."""
    from assistant.config import Settings

    return Settings(
        index_dir=work / f"index-{family(backend)}",
        model_cache_dir=work / "models",
        data_dir=work / "data",
        embedding_backend=backend,
        cache_size=cache_size,
        build_index_on_start=False,
    )


def server_env(settings: Any) -> dict[str, str]:
    """The same settings as environment variables for a server subprocess."""
    return {
        "ASSISTANT_INDEX_DIR": str(settings.index_dir),
        "ASSISTANT_MODEL_CACHE_DIR": str(settings.model_cache_dir),
        "ASSISTANT_DATA_DIR": str(settings.data_dir),
        "ASSISTANT_EMBEDDING_BACKEND": settings.embedding_backend,
        "ASSISTANT_CACHE_SIZE": str(settings.cache_size),
        "ASSISTANT_BUILD_INDEX_ON_START": "false",
        "ASSISTANT_RATE_LIMIT_PER_SECOND": "0",  # one load-generating client: no per-client cap
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }


def build_indexes(work: Path, backends: list[str], repeats: int) -> dict[str, Any]:
    """Export the ONNX models, build each index family `repeats` times (median seconds)."""
    from assistant.search.embedding import load_embedder
    from assistant.search.index import build_index, save_index
    from assistant.service import Assistant, ensure_encoder, load_history, load_policy

    started = time.perf_counter()
    first = settings_for(work, backends[0])  # the tuned model is the same for every backend
    ensure_encoder(first, load_history(first))
    out: dict[str, Any] = {"fine_tune_s": round(time.perf_counter() - started, 2)}
    built: set[str] = set()
    for backend in backends:
        settings = settings_for(work, backend)
        started = time.perf_counter()
        embedder = load_embedder(settings)  # exports the ONNX model on first use
        out[f"{backend}_model_load_s"] = round(time.perf_counter() - started, 2)
        if family(backend) in built:
            continue
        corpus = load_policy(settings)
        seconds = []
        for _ in range(repeats):
            started = time.perf_counter()
            index = build_index(corpus, embedder, settings.dense_index)
            seconds.append(time.perf_counter() - started)
        save_index(index, settings.index_dir)
        out[f"{backend}_index_build_s"] = round(statistics.median(seconds), 3)
        # the earlier versions' indexes and the learned models, as `assistant index build`
        # leaves them: the default path answers with the learned components
        started = time.perf_counter()
        ready = Assistant.from_settings(
            settings.model_copy(update={"build_index_on_start": True}), embedder
        )
        if ready.learned is None:
            raise SystemExit("the learned models were not trained: no training file?")
        out[f"{backend}_history_and_training_s"] = round(time.perf_counter() - started, 2)
        built.add(family(backend))
    return out


def http_ours(
    work: Path,
    backend: str,
    bodies: list[bytes],
    levels: list[int],
    repeats: int,
    total: int,
    cache_size: int = 0,
) -> dict[str, Any]:
    """Cold starts, load test at each concurrency and peak RSS of `assistant serve`."""
    settings = settings_for(work, backend, cache_size)
    command = [python(), "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", "{port}"]
    env = server_env(settings)
    log = work / "logs" / f"ours-{backend}.log"
    colds = []
    for _ in range(repeats):
        with running_server(command, env, log) as server:
            colds.append(server.cold_start_s)
    with running_server(command, env, log) as server:
        # with the cache on, every question is asked once first: the levels measure hits
        warmup = bodies if cache_size else bodies[:WARMUP]
        load_test(server.port, "/v1/ask", warmup, 2, len(warmup))
        levels_out = {
            f"c{c}": repeat(
                lambda c=c: load_test(server.port, "/v1/ask", bodies, c, total), repeats
            )
            for c in levels
        }
        rss = peak_rss_mb(server.process.pid)
    return {
        "cold_start_s": round(statistics.median(colds), 2),
        "cold_starts_s": [round(c, 2) for c in colds],
        **rss,
        "levels": levels_out,
    }


def cold_starts(work: Path, backend: str, times: int) -> dict[str, Any]:
    """Spawn → /readyz 200 of `assistant serve`, `times` times, and its RSS when ready."""
    settings = settings_for(work, backend)
    command = [python(), "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", "{port}"]
    seconds, rss = [], []
    for _ in range(times):
        log = work / "logs" / f"cold-{backend}.log"
        with running_server(command, server_env(settings), log) as server:
            seconds.append(round(server.cold_start_s, 2))
            rss.append(peak_rss_mb(server.process.pid)["peak_rss_mb"])
    return {
        "median_s": statistics.median(seconds),
        "runs_s": seconds,
        "peak_rss_at_ready_mb": statistics.median(rss),
    }


def http_peer(
    work: Path, bodies: list[bytes], levels: list[int], repeats: int, total: int, threads: int
) -> dict[str, Any]:
    """The same measurements for the Haystack pipeline behind FastAPI/uvicorn."""
    store = work / "peer-store.json"
    command = [python(), str(ROOT / "bench" / "peer.py"), "serve", "--port", "{port}"]
    command += ["--store", str(store)]
    env = {"PEER_TORCH_THREADS": str(threads), "HF_HUB_OFFLINE": "1"}
    log = work / "logs" / "peer.log"
    with running_server(command, env, log) as server:  # first start embeds and saves the store
        build_s = server.cold_start_s
    colds = []
    for _ in range(repeats):
        with running_server(command, env, log) as server:
            colds.append(server.cold_start_s)
    with running_server(command, env, log) as server:
        peer_bodies = bodies
        load_test(server.port, "/ask", peer_bodies[:WARMUP], 2, WARMUP)
        levels_out = {
            f"c{c}": repeat(
                lambda c=c: load_test(server.port, "/ask", peer_bodies, c, total), repeats
            )
            for c in levels
        }
        rss = peak_rss_mb(server.process.pid)
    return {
        "first_start_with_store_build_s": round(build_s, 2),
        "cold_start_s": round(statistics.median(colds), 2),
        "cold_starts_s": [round(c, 2) for c in colds],
        **rss,
        "levels": levels_out,
    }


STAGES = {
    "spell": ("speller", "correct"),
    "embed": ("retriever", "embed_query"),
    "dense": ("index", "search_dense"),
    "bm25": ("index", "search_lexical"),
    "fuse": ("retriever", "fuse"),
    "verdict (rules)": ("decider", "decide"),
    "verdict (learned)": ("learned", "decide"),
    "render": ("renderer", "render"),
}


def time_stages(assistant: Any) -> dict[str, list[float]]:
    """Wrap one assistant's stage methods (instance attributes only) to record durations."""
    spent: dict[str, list[float]] = defaultdict(list)
    targets = [
        (getattr(assistant, owner), method, stage) for stage, (owner, method) in STAGES.items()
    ]
    # the earlier version's best answer, for a change note: its retrieval and verdict
    for view in assistant.views[:-1]:
        targets.append((view.retriever, "retrieve", "earlier version: retrieval"))
        targets.append((view.decider, "decide", "earlier version: verdict"))
    for target, method, stage in targets:
        if target is None:  # no learned models: the rules decide
            continue
        original = getattr(target, method)

        def timed(*args: Any, _f: Callable[..., Any] = original, _s: str = stage, **kw: Any) -> Any:
            started = time.perf_counter()
            try:
                return _f(*args, **kw)
            finally:
                spent[_s].append(time.perf_counter() - started)

        setattr(target, method, timed)
    return spent


def in_process_ours(work: Path, backend: str, items: list[Any], repeats: int) -> dict[str, Any]:
    """`Assistant.answer` latency, its stages, bare query embedding, recall@3."""
    from assistant.service import Assistant

    assistant = Assistant.from_settings(settings_for(work, backend))
    questions = [i.question for i in items]
    for q in questions[:WARMUP]:
        assistant.answer(q)
    embed_runs, answer_runs = [], []
    for _ in range(repeats):
        samples = []
        for q in questions:
            started = time.perf_counter()
            assistant.embedder.embed([q])
            samples.append(time.perf_counter() - started)
        embed_runs.append(percentiles(samples))
        samples = []
        for q in questions:
            started = time.perf_counter()
            assistant.answer(q)
            samples.append(time.perf_counter() - started)
        answer_runs.append(percentiles(samples))
    # what an answer shows: its first three citations (the retrieved hits reranked by the
    # answer stage); the peer's answer is its retrieval's top three
    recall = recall_at_3(items, lambda q: [c.clause_id for c in assistant.answer(q).citations[:3]])
    retrieval_recall = recall_at_3(
        items, lambda q: [h.clause.clause_id for h in assistant.trace(q).hits[:3]]
    )
    spent = time_stages(assistant)
    totals = []
    for q in questions:
        started = time.perf_counter()
        assistant.answer(q)
        totals.append(time.perf_counter() - started)
    stages = {s: round(statistics.median(v) * 1000, 3) for s, v in spent.items()}
    stages["total"] = round(statistics.median(totals) * 1000, 3)
    stages["other"] = round(
        (sum(totals) - sum(sum(v) for v in spent.values())) / len(totals) * 1000, 3
    )
    return {
        "query_embedding": _median_runs(embed_runs),
        "answer": _median_runs(answer_runs),
        "stages_median_ms": stages,
        "recall@3": recall,
        "retrieval_recall@3": retrieval_recall,
        "cache": {k: v.__dict__ for k, v in assistant.cache_stats().items()},
    }


def in_process_peer(items: list[Any], repeats: int, threads: int) -> dict[str, Any]:
    """The Haystack pipeline's latency per question and its recall@3."""
    import torch

    from bench import peer

    default_threads = torch.get_num_threads()
    torch.set_num_threads(threads or os.cpu_count() or 1)  # 0: torch's own default, all cores
    store, build_s = peer.build_store(None)
    pipeline = peer.build_pipeline(store)
    questions = [i.question for i in items]
    for q in questions[:WARMUP]:
        peer.retrieve(pipeline, q)
    runs = []
    for _ in range(repeats):
        samples = []
        for q in questions:
            started = time.perf_counter()
            peer.retrieve(pipeline, q)
            samples.append(time.perf_counter() - started)
        runs.append(percentiles(samples))
    recall = recall_at_3(items, lambda q: peer.retrieve(pipeline, q)[:3])
    torch.set_num_threads(default_threads)
    return {
        "torch_threads": torch.get_num_threads(),
        "store_build_s": round(build_s, 3),
        "query": _median_runs(runs),
        "recall@3": recall,
    }


def recall_at_3(items: list[Any], top3: Callable[[str], list[str]]) -> float:
    """Mean share of each item's gold clauses among its top 3 (items with gold clauses)."""
    scored = [i for i in items if i.gold_clause_ids]
    found = sum(
        len(set(i.gold_clause_ids) & set(top3(i.question))) / len(i.gold_clause_ids) for i in scored
    )
    return round(found / len(scored), 4)


def _median_runs(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: round(statistics.median(r[k] for r in runs), 3) for k in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--requests", type=int, default=0, help="per level; 0: every question")
    parser.add_argument("--concurrency", default="1,4,16")
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument(
        "--peer-threads",
        type=int,
        default=1,
        help="torch threads for the peer (ours default to 1 as well); 0: torch's",
    )
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--quick", action="store_true", help="1 repeat, 64 requests per level")
    parser.add_argument("--name", default="run", help="result file: bench/results/NAME.json")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    parser.add_argument(
        "--cold-only", action="store_true", help="only cold starts and RSS at ready (5 each)"
    )
    args = parser.parse_args()
    repeats = 1 if args.quick else args.repeats
    levels = [int(c) for c in args.concurrency.split(",")]
    backends = args.backends.split(",")

    from assistant.config import Settings
    from assistant.evaluation.harness import load_items
    from assistant.service import load_policy

    bodies = [json.dumps({"question": q["question"]}).encode() for q in load_questions()]
    total = 64 if args.quick else (args.requests or len(bodies))
    work = Path(tempfile.mkdtemp(prefix="policy-bench-"))
    # recall@3 is compared on the policy both pipelines index: the current version's items
    current = work / "current-items.jsonl"
    current.write_text(
        "".join(json.dumps(q) + "\n" for q in current_version_items(load_questions())),
        encoding="utf-8",
    )
    items = load_items(current, load_policy(Settings()))
    result: dict[str, Any] = {
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
        "settings": {
            "repeats": repeats,
            "requests_per_level": total,
            "levels": levels,
            "questions": len(bodies),
            "peer_torch_threads": args.peer_threads,
        },
    }
    try:
        print(f"building indexes in {work} ...", flush=True)
        result["build"] = build_indexes(work, backends, repeats)
        if args.cold_only:
            result["cold_start"] = {b: cold_starts(work, b, 5) for b in backends}
            path = write_result(args.name, result)
            print(json.dumps(result["cold_start"], indent=1), f"\nwrote {path}")
            return
        result["http"] = {}
        for backend in backends:
            print(f"HTTP: ours ({backend}) ...", flush=True)
            result["http"][backend] = http_ours(work, backend, bodies, levels, repeats, total)
        print("HTTP: ours (torch, answer cache on) ...", flush=True)
        result["http"]["torch+cache"] = http_ours(
            work, "torch", bodies, levels[-1:], repeats, total, cache_size=1024
        )
        if not args.no_peer:
            print("HTTP: Haystack peer ...", flush=True)
            result["http"]["peer"] = http_peer(
                work, bodies, levels, repeats, total, args.peer_threads
            )
        result["in_process"] = {}
        for backend in backends:
            print(f"in-process: ours ({backend}) ...", flush=True)
            result["in_process"][backend] = in_process_ours(work, backend, items, repeats)
        if not args.no_peer:
            print("in-process: Haystack peer ...", flush=True)
            result["in_process"]["peer"] = in_process_peer(items, repeats, args.peer_threads)
            if args.peer_threads:
                result["in_process"]["peer (torch default threads)"] = in_process_peer(items, 1, 0)
        result["headline"] = headline(result)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    path = write_result(args.name, result)
    print(report(result))
    print(f"\nwrote {path.relative_to(ROOT)}")


def current_version_items(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items labelled for the policy in force now (no `as_of`), without follow-ups whose
    parent is left out."""
    kept: set[str] = set()
    out = []
    for item in raw:
        parent = item.get("follow_up_of")
        if item.get("as_of") is None and (parent is None or parent in kept):
            kept.add(item["id"])
            out.append(item)
    return out


def headline(result: dict[str, Any]) -> dict[str, Any]:
    """Ours ÷ peer ratios and the fast-path targets, for the default (torch) backend."""
    http, inproc = result["http"], result["in_process"]
    out: dict[str, Any] = {}
    for backend in [b for b in BACKENDS if b in http]:
        ours = http[backend]["levels"]
        embed_p50 = inproc[backend]["query_embedding"]["p50_ms"]
        top = max(ours, key=lambda k: int(k[1:]))
        row: dict[str, Any] = {
            "http_p50_c1_over_embedding_p50": round(ours["c1"]["p50_ms"] / embed_p50, 2),
            f"p99_{top}_over_p50_{top}": round(ours[top]["p99_ms"] / ours[top]["p50_ms"], 2),
            f"p99_{top}_over_p50_c1": round(ours[top]["p99_ms"] / ours["c1"]["p50_ms"], 2),
            "cold_start_s": http[backend]["cold_start_s"],
            "peak_rss_mb": http[backend]["peak_rss_mb"],
            "recall@3": inproc[backend]["recall@3"],
        }
        if "peer" in http:
            peer = http["peer"]["levels"]
            for level in ours:
                row[f"throughput_{level}_ours_over_peer"] = round(
                    ours[level]["throughput_rps"] / peer[level]["throughput_rps"], 2
                )
                row[f"p50_{level}_ours_over_peer"] = round(
                    ours[level]["p50_ms"] / peer[level]["p50_ms"], 2
                )
            row["in_process_p50_ours_over_peer"] = round(
                inproc[backend]["answer"]["p50_ms"] / inproc["peer"]["query"]["p50_ms"], 2
            )
            row["recall@3_ours_minus_peer"] = round(
                inproc[backend]["recall@3"] - inproc["peer"]["recall@3"], 4
            )
            row["cold_start_ours_over_peer"] = round(
                http[backend]["cold_start_s"] / http["peer"]["cold_start_s"], 2
            )
        out[backend] = row
    return out


def report(result: dict[str, Any]) -> str:
    """The tables printed at the end of a run."""
    rows = []
    for name, data in result["http"].items():
        for level, m in data["levels"].items():
            rows.append(
                [
                    name,
                    level,
                    m["p50_ms"],
                    m["p95_ms"],
                    m["p99_ms"],
                    m["throughput_rps"],
                    m["errors"],
                    data["cold_start_s"],
                    data["peak_rss_mb"],
                ]
            )
    parts = [
        "HTTP (median of repeats)",
        table(
            rows,
            [
                "server",
                "conc",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "req/s",
                "errors",
                "cold start s",
                "peak RSS MB",
            ],
        ),
    ]
    rows = []
    for name, data in result["in_process"].items():
        latency = data.get("answer") or data.get("query")
        embed = data.get("query_embedding", {}).get("p50_ms", "")
        rows.append([name, latency["p50_ms"], latency["p95_ms"], embed, data["recall@3"]])
    parts += ["\nIn-process", table(rows, ["path", "p50 ms", "p95 ms", "embed p50 ms", "recall@3"])]
    for name, data in result["in_process"].items():
        if "stages_median_ms" in data:
            stages = data["stages_median_ms"]
            parts.append(
                f"stages ({name}, median ms): " + ", ".join(f"{k} {v}" for k, v in stages.items())
            )
    parts.append("\nbuild: " + json.dumps(result["build"]))
    parts.append("\nheadline (ours / peer):")
    for backend, row in result["headline"].items():
        parts.append(f"  {backend}: " + json.dumps(row))
    return "\n".join(parts)


if __name__ == "__main__":
    main()
