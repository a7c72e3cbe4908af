"""Run the labelled set through the assistant (in-process or over HTTP), with ablations."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from tqdm import tqdm

from assistant.answer.learned import LearnedModels, training_hash
from assistant.config import Method, RetrievalMode
from assistant.dialogue.conversation import Conversations
from assistant.dialogue.smalltalk import SmallTalk
from assistant.errors import AssistantError
from assistant.evaluation.answerers import HttpAnswerer, InProcessAnswerer
from assistant.evaluation.grounding import GroundingChecker
from assistant.evaluation.harness import (
    Answerer,
    EvalItem,
    ItemResult,
    Report,
    build_report,
    run_items,
    summarise,
)
from assistant.service import Assistant
from assistant.storage.sqlite_store import SQLiteConversationStore

ABLATIONS: tuple[tuple[str, RetrievalMode, bool], ...] = (
    ("dense only", "dense", True),
    ("BM25 only", "lexical", True),
    ("hybrid (RRF)", "hybrid", True),
    ("hybrid, no synonyms", "hybrid", False),
    ("dense, no synonyms", "dense", False),
)


def evaluate(
    items: Sequence[EvalItem], answerer: Answerer, checker: GroundingChecker, progress: bool
) -> list[ItemResult]:
    """Ask every item, with a progress bar when asked for."""
    return run_items(
        items,
        answerer,
        checker,
        progress=(lambda it: tqdm(it, desc="questions", unit="q")) if progress else (lambda it: it),
    )


def grounding_checker(assistant: Assistant) -> GroundingChecker:
    """A checker that knows the policy text, the answer templates and the small-talk replies."""
    replies = SmallTalk.for_corpus(assistant.corpus).fixed_phrases()
    history = [v.corpus for v in assistant.views[:-1]]
    return GroundingChecker(assistant.corpus, replies, history, assistant.settings.provider_name)


@contextmanager
def in_process(
    assistant: Assistant, documents: tuple[str, ...] = ()
) -> Iterator[InProcessAnswerer]:
    """An answerer over the real conversation layer, its turns kept in a throwaway database
    (answering only from `documents`, when given)."""
    with tempfile.TemporaryDirectory(prefix="assistant-eval-") as folder:
        store = SQLiteConversationStore(
            Path(folder) / "eval.sqlite3", assistant.settings.conversation_ttl_seconds
        )
        try:
            yield InProcessAnswerer(Conversations(assistant, store), documents)
        finally:
            store.close()


def variant(assistant: Assistant, mode: RetrievalMode, synonyms: bool) -> Assistant:
    """The same corpus, index and model with another retrieval mode or without synonyms."""
    settings = assistant.settings.model_copy(update={"retrieval_mode": mode})
    return Assistant(
        settings,
        assistant.corpus,
        assistant.index,
        assistant.embedder,
        assistant.synonyms if synonyms else (),
        [(v.era, v.retriever.index) for v in assistant.views[:-1]],
        assistant.views[-1].era,
        assistant.learned.models if assistant.learned else None,
    )


# (name, question typing, answer selection, abstention)
COMPONENTS: tuple[tuple[str, Method, Method, Method], ...] = (
    ("rules (all components)", "rules", "rules", "rules"),
    ("learned question type", "learned", "rules", "rules"),
    ("learned answer selection", "rules", "learned", "rules"),
    ("learned abstention", "rules", "rules", "learned"),
    ("learned type + selection", "learned", "learned", "rules"),
    ("learned (all components)", "learned", "learned", "learned"),
)


def _row(name: str, split: str, results: Sequence[ItemResult]) -> dict[str, Any]:
    m = summarise(results)
    return {
        "variant": name,
        "split": split,
        "verdict_accuracy": m["verdict_accuracy"],
        "hit@1": m["citations"]["hit@1"],
        "hit@3": m["citations"]["hit@3"],
        "recall@3": m["retrieval"]["recall@3"],
        "abstention_f1": m["abstention"]["f1"],
    }


def ablate(assistant: Assistant, items: Sequence[EvalItem], split: str) -> list[dict[str, Any]]:
    """One row of headline metrics for each retrieval variant, on one split."""
    chosen = [i for i in items if split == "all" or i.split == split]
    checker = grounding_checker(assistant)
    rows = []
    for name, mode, synonyms in ABLATIONS:
        with in_process(variant(assistant, mode, synonyms)) as answerer:
            rows.append(_row(name, split, run_items(chosen, answerer, checker)))
    return rows


def trained_models(assistant: Assistant) -> LearnedModels | None:
    """The assistant's learned models, else the current ones in its index folder, else None."""
    if assistant.learned is not None:
        return assistant.learned.models
    settings = assistant.settings
    try:
        models = LearnedModels.load(settings.index_dir)
        models.check(
            training_hash(settings.training_file, settings.training_policies()),
            assistant.corpus,
            assistant.embedder.model_name,
        )
    except AssistantError:
        return None
    return models


def ablate_components(
    assistant: Assistant, items: Sequence[EvalItem], split: str
) -> list[dict[str, Any]]:
    """One row for rules and for each learned component switched on alone and together (none
    when no current learned models are in the index folder)."""
    models = trained_models(assistant)
    if models is None:
        return []
    chosen = [i for i in items if split == "all" or i.split == split]
    checker = grounding_checker(assistant)
    rows = []
    for name, typing, selection, abstention in COMPONENTS:
        settings = assistant.settings.model_copy(
            update={
                "question_typing": typing,
                "answer_selection": selection,
                "abstention": abstention,
            }
        )
        learned = "learned" in (typing, selection, abstention)
        changed = Assistant(
            settings,
            assistant.corpus,
            assistant.index,
            assistant.embedder,
            assistant.synonyms,
            [(v.era, v.retriever.index) for v in assistant.views[:-1]],
            assistant.views[-1].era,
            models if learned else None,
        )
        with in_process(changed) as answerer:
            rows.append(_row(name, split, run_items(chosen, answerer, checker)))
    return rows


def evaluate_assistant(
    assistant: Assistant,
    items: Sequence[EvalItem],
    url: str | None = None,
    progress: bool = True,
    documents: tuple[str, ...] = (),
) -> tuple[list[ItemResult], Report]:
    """Results and report for the given items, in-process or against a server at `url`,
    answered only from `documents` when given (as a widget with `data-documents` asks)."""
    checker = grounding_checker(assistant)
    if url:
        with closing(HttpAnswerer(url, documents=documents)) as http:
            results = evaluate(items, http, checker, progress)
    else:
        with in_process(assistant, documents) as answerer:
            results = evaluate(items, answerer, checker, progress)
    settings = assistant.settings
    report = build_report(
        results,
        target=url or "in-process",
        settings={
            "model": assistant.embedder.model_name,
            "retrieval_mode": settings.retrieval_mode,
            "top_k": settings.top_k,
            "threshold": assistant.threshold,
            "question_typing": settings.question_typing,
            "answer_selection": settings.answer_selection,
            "abstention": settings.abstention,
            "learned_models": assistant.learned is not None,
            "synonyms": bool(assistant.synonyms),
            "documents": list(documents),
        },
    )
    named = {cid for f in report.failures for cid in [*f["gold"], *f["cited"][:3]]}
    clauses: dict[str, str] = {}
    for view in reversed(assistant.views):  # the current text first, then earlier versions'
        for cid in sorted(named - clauses.keys()):
            clause = view.corpus.clause(cid)
            if clause is not None:
                clauses[cid] = clause.text
    return results, replace(report, clauses=clauses)


def with_ablations(report: Report, rows: list[dict[str, Any]]) -> Report:
    """The report with an ablation table."""
    return replace(report, ablations=rows)
