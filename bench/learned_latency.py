"""Latency the learned components add per answer: rules and learned assistants answer the
non-follow-up dev questions alternately, caches off (`python bench/learned_latency.py`; set
ASSISTANT_EMBEDDING_BACKEND to compare backends). Needs a built index with trained models."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from assistant.config import Settings
from assistant.search.embedding import load_embedder
from assistant.service import Assistant

ROUNDS = 3


def main() -> None:
    """Print p50 per pipeline and the p50 of the per-question difference."""
    base = Settings(cache_size=0)
    embedder = load_embedder(base)
    rules = Assistant.from_settings(
        base.model_copy(
            update={"question_typing": "rules", "answer_selection": "rules", "abstention": "rules"}
        ),
        embedder,
    )
    learned = Assistant.from_settings(
        base.model_copy(
            update={
                "question_typing": "learned",
                "answer_selection": "learned",
                "abstention": "learned",
            }
        ),
        embedder,
    )
    items = [json.loads(line) for line in Path("eval/questions.jsonl").read_text().splitlines()]
    questions = [i["question"] for i in items if i["split"] == "dev" and not i.get("follow_up_of")]

    def timed(assistant: Assistant, question: str) -> float:
        started = time.perf_counter()
        assistant.trace(question)
        return (time.perf_counter() - started) * 1000

    for assistant in (rules, learned):  # warm up
        for question in questions[:5]:
            timed(assistant, question)
    pairs = [(timed(rules, q), timed(learned, q)) for _ in range(ROUNDS) for q in questions]
    print(
        f"backend {base.embedding_backend}, {len(pairs)} answers: "
        f"rules p50 {statistics.median(a for a, _ in pairs):.2f} ms, "
        f"learned p50 {statistics.median(b for _, b in pairs):.2f} ms, "
        f"p50 of the difference {statistics.median(b - a for a, b in pairs):+.2f} ms"
    )


if __name__ == "__main__":
    main()
