"""Fine-tuning the embedding model on labelled questions and the clauses that answer them
(in-batch negatives), seeded; the tuned model is written beside the ONNX cache and embeds both
the index and the queries."""

from __future__ import annotations

import hashlib
import random
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.errors import IndexNotFoundError
from assistant.policy.versions import HISTORY

SEED = 16
EPOCHS = 1
BATCH = 32
LEARNING_RATE = 3e-5
TRAIN_TOKENS = 64  # texts are cut to this many tokens while tuning (the saved model reads more)
SCALE = 20.0  # cosine similarities times this are the logits of the in-batch softmax
TUNING_VERSION = 1  # bump when the recipe changes: the tuned folder's name changes with it


def tuned_model_dir(settings: Settings) -> Path | None:
    """Where the model tuned for these settings lives (named after the base model, the recipe,
    the training file and the policy files its questions are paired with); None when
    fine-tuning is off or there is nothing to tune on."""
    path = settings.training_file
    if not settings.fine_tune or path is None or not path.exists():
        return None
    digest = hashlib.sha256(f"{settings.model}\0{TUNING_VERSION}\0".encode())
    digest.update(path.read_bytes())
    teaching = settings.other_training_policy()  # paired with when the served one has no answers
    for folder in [settings.corpus_dir, *([teaching] if teaching else [])]:
        # the policy and its history; not training policies kept below it (their questions
        # are not paired)
        for policy in sorted([*folder.glob("*.md"), *(folder / HISTORY).rglob("*.md")]):
            digest.update(f"\0{policy.relative_to(folder)}\0".encode())
            digest.update(policy.read_bytes())
    return settings.model_cache_dir / f"tuned-{digest.hexdigest()[:16]}"


def encoder_model(settings: Settings) -> str:
    """The model that embeds the index and the queries: the tuned one when fine-tuning is on,
    else the configured one. A tuned model that is not there yet is a clear error."""
    tuned = tuned_model_dir(settings)
    if tuned is None:
        return settings.model
    if not (tuned / "modules.json").exists():
        raise IndexNotFoundError(
            f"no fine-tuned model at {str(tuned)!r} for this training file and policy; run "
            "`assistant index build` (or set ASSISTANT_FINE_TUNE=false)"
        )
    return str(tuned)


def tune_model(
    base_model_dir: str, pairs: Sequence[tuple[str, str]], out: Path, threads: int = 2
) -> None:
    """Fine-tune the model at `base_model_dir` on (question, clause text) pairs and save it at
    `out` (written to a temporary folder first, then moved into place)."""
    import torch
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(SEED)
    torch.set_num_threads(max(threads, 1))
    model = SentenceTransformer(base_model_dir, device="cpu")
    saved_length = model.max_seq_length
    model.max_seq_length = TRAIN_TOKENS
    optimiser = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE)
    order = list(pairs)
    shuffle = random.Random(SEED)
    model.train()
    for _ in range(EPOCHS):
        shuffle.shuffle(order)
        for start in range(0, len(order), BATCH):
            batch = _distinct_clauses(order[start : start + BATCH])
            if len(batch) < 2:
                continue
            questions = _encode(model, [q for q, _ in batch])
            clauses = _encode(model, [c for _, c in batch])
            logits = SCALE * questions @ clauses.T
            loss = torch.nn.functional.cross_entropy(logits, torch.arange(len(batch)))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    model.eval()
    model.max_seq_length = saved_length
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent) as work:
        model.save(str(Path(work) / "model"))
        shutil.rmtree(out, ignore_errors=True)
        (Path(work) / "model").rename(out)


def _distinct_clauses(batch: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The batch without a second question on a clause already in it (it would be a false
    negative of the first)."""
    seen: set[str] = set()
    kept = []
    for question, clause in batch:
        if clause not in seen:
            seen.add(clause)
            kept.append((question, clause))
    return kept


def _encode(model: Any, texts: list[str]) -> Any:
    import torch

    embedded = model(model.preprocess(texts))["sentence_embedding"]
    return torch.nn.functional.normalize(embedded, dim=-1)
