"""Score the assistant against the labelled question set: verdicts, citations, abstention,
calibration, grounding and latency."""

from __future__ import annotations

import json
import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from assistant.answer.miss_causes import citation_missed, count_causes, miss_cause
from assistant.errors import AssistantError
from assistant.evaluation.grounding import GroundingChecker
from assistant.models import Verdict
from assistant.policy.corpus import Corpus

CATEGORIES = (
    "scope",
    "responsibility",
    "fact",
    "procedure",
    "follow_up",
    "out_of_scope",
    "unanswerable",
    "adversarial",
)
VERDICTS = tuple(v.value for v in Verdict)
SPLITS = ("dev", "test")
RECALL_KS = (1, 3, 5)


class EvalSetError(AssistantError):
    """The labelled question file is malformed."""

    code = "eval_set_error"


@dataclass(frozen=True)
class EvalItem:
    """One labelled question; gold quotes are resolved to clause ids against the corpus."""

    id: str
    question: str
    category: str
    expected_verdict: str
    split: str
    gold_quotes: tuple[str, ...] = ()
    gold_clause_ids: tuple[str, ...] = ()
    expected_facts: tuple[str, ...] = ()
    follow_up_of: str | None = None
    as_of: str | None = None  # answered from the policy in force on this date; None: current


def resolve_quote(quote: str, corpus: Corpus) -> str | None:
    """The id of the clause a verbatim quote identifies (see `Corpus.find_quote`)."""
    return corpus.find_quote(quote)


CorpusAt = Callable[[str | None], Corpus]


def _policy_lower(corpus: Corpus) -> str:
    """The policy as it reads (clauses and their lead-ins), lower-cased."""
    return " ".join([c.text for c in corpus.clauses] + [c.context for c in corpus.clauses]).lower()


def validate_items(
    raw: Sequence[dict[str, Any]], corpus: Corpus, at: CorpusAt | None = None
) -> list[str]:
    """Every problem in the raw labelled items (an empty list when the file is sound); an
    item with `as_of` is checked against the policy in force that day (`at`)."""
    problems: list[str] = []
    seen: dict[Any, Any] = {}
    for n, item in enumerate(raw, 1):
        corpus_of_item = corpus
        if item.get("as_of") is not None:
            if at is None:
                problems.append(f"line {n}: as_of needs the policy's history")
                continue
            corpus_of_item = at(item["as_of"])
        problems += _item_problems(n, item, corpus_of_item, seen)
    return problems


def _item_problems(n: int, item: dict[str, Any], corpus: Corpus, seen: dict[Any, Any]) -> list[str]:
    problems: list[str] = []
    policy_lower = _policy_lower(corpus)
    where = f"line {n} ({item.get('id', '?')})"
    for key in ("id", "question", "category", "expected_verdict", "split"):
        if not isinstance(item.get(key), str) or not item.get(key):
            problems.append(f"{where}: missing or empty {key!r}")
    if item.get("id") in seen:
        problems.append(f"{where}: duplicate id {item['id']!r}")
    if item.get("category") not in CATEGORIES:
        problems.append(f"{where}: unknown category {item.get('category')!r}")
    if item.get("expected_verdict") not in VERDICTS:
        problems.append(f"{where}: unknown verdict {item.get('expected_verdict')!r}")
    if item.get("split") not in SPLITS:
        problems.append(f"{where}: unknown split {item.get('split')!r}")
    for quote in item.get("gold_quotes", []):
        if resolve_quote(quote, corpus) is None:
            problems.append(f"{where}: gold quote {quote!r} does not identify one clause")
    if item.get("expected_verdict") != "unknown" and not item.get("gold_quotes"):
        problems.append(f"{where}: an answerable item needs gold_quotes")
    for fact in item.get("expected_facts", []):
        if fact.lower() not in policy_lower:
            problems.append(f"{where}: expected fact {fact!r} is not policy text")
    parent = item.get("follow_up_of")
    if parent is not None:
        if parent not in seen:
            problems.append(f"{where}: follow_up_of {parent!r} is not an earlier item")
        elif seen[parent] != item.get("split"):
            problems.append(f"{where}: follow-up is in another split than {parent!r}")
    seen[item.get("id")] = item.get("split")
    return problems


def load_items(
    path: Path, corpus: Corpus, at: CorpusAt | None = None, as_of: str | None = None
) -> list[EvalItem]:
    """Read and validate a JSONL labelled set, resolving gold quotes to clause ids (against
    the policy in force on each item's `as_of`, through `at`). With `as_of`, every item is
    asked as of that date instead, and the items whose gold quotes do not resolve then are
    left out."""
    try:
        raw = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    except (OSError, json.JSONDecodeError) as exc:
        raise EvalSetError(f"cannot read {path}: {exc}") from exc
    problems = validate_items(raw, corpus, at)
    if problems:
        raise EvalSetError(f"{path}: {len(problems)} problems, first: {problems[0]}")
    if as_of is not None:
        raw = _answerable_on(raw, corpus if at is None else at(as_of), as_of)
    items = []
    for r in raw:
        item_corpus = corpus if r.get("as_of") is None or at is None else at(r["as_of"])
        quotes = tuple(r.get("gold_quotes", []))
        ids = tuple(str(resolve_quote(q, item_corpus)) for q in quotes)
        items.append(
            EvalItem(
                id=r["id"],
                question=r["question"],
                category=r["category"],
                expected_verdict=r["expected_verdict"],
                split=r["split"],
                gold_quotes=quotes,
                gold_clause_ids=tuple(dict.fromkeys(ids)),
                expected_facts=tuple(r.get("expected_facts", [])),
                follow_up_of=r.get("follow_up_of"),
                as_of=r.get("as_of"),
            )
        )
    return items


def _answerable_on(raw: list[dict[str, Any]], corpus: Corpus, as_of: str) -> list[dict[str, Any]]:
    """The items (asked as of `as_of`) whose labels hold for that policy: gold quotes and
    facts resolve, and so do those of the item each follow-up continues."""
    kept: dict[str, dict[str, Any]] = {}
    for r in raw:
        parent = r.get("follow_up_of")
        if parent is not None and parent not in kept:
            continue
        if _item_problems(0, {**r, "follow_up_of": None}, corpus, {}):
            continue
        kept[r["id"]] = {**r, "as_of": as_of}
    return list(kept.values())


@dataclass(frozen=True)
class Reply:
    """What an answerer returns for one question: the API's answer fields, plus a trace when
    the pipeline ran in this process."""

    conversation_id: str | None
    verdict: str
    confidence: float
    answer: str
    citations: tuple[dict[str, Any], ...]
    resolved_question: str
    raw_verdict: str | None = None
    retrieved_ids: tuple[str, ...] | None = None
    signals: dict[str, float] | None = None
    status: int = 200


class Answerer(Protocol):
    """Asks one question, optionally inside a conversation."""

    def ask(self, question: str, conversation_id: str | None, as_of: str | None = None) -> Reply:
        """The reply to a question (about the policy in force on `as_of`)."""
        ...


@dataclass
class ItemResult:
    """How the assistant did on one labelled item."""

    id: str
    question: str
    category: str
    split: str
    expected_verdict: str
    got_verdict: str
    raw_verdict: str
    confidence: float
    gold_clause_ids: list[str]
    cited_ids: list[str]
    retrieved_ids: list[str] | None
    resolved_question: str
    answer: str
    facts_expected: int
    facts_found: int
    grounded: int
    grounded_total: int
    ungrounded: list[str]
    latency_ms: float
    status: int
    signals: dict[str, float] | None

    @property
    def correct(self) -> bool:
        """The verdict matches the label."""
        return self.got_verdict == self.expected_verdict


def run_items(
    items: Sequence[EvalItem],
    answerer: Answerer,
    checker: GroundingChecker,
    progress: Callable[[Iterable[EvalItem]], Iterable[EvalItem]] = lambda it: it,
) -> list[ItemResult]:
    """Ask every item in file order; a follow-up continues its parent's conversation."""
    conversations: dict[str, str | None] = {}
    results = []
    for item in progress(items):
        conversation_id = conversations.get(item.follow_up_of) if item.follow_up_of else None
        started = time.perf_counter()
        reply = answerer.ask(item.question, conversation_id, item.as_of)
        latency = (time.perf_counter() - started) * 1000
        conversations[item.id] = reply.conversation_id
        texts = [c["text"] for c in reply.citations]
        grounding = checker.check(reply.answer, texts)
        haystack = " ".join([reply.answer, *texts]).lower()
        results.append(
            ItemResult(
                id=item.id,
                question=item.question,
                category=item.category,
                split=item.split,
                expected_verdict=item.expected_verdict,
                got_verdict=reply.verdict,
                raw_verdict=reply.raw_verdict or reply.verdict,
                confidence=reply.confidence,
                gold_clause_ids=list(item.gold_clause_ids),
                cited_ids=[c["clause_id"] for c in reply.citations],
                retrieved_ids=list(reply.retrieved_ids)
                if reply.retrieved_ids is not None
                else None,
                resolved_question=reply.resolved_question,
                answer=reply.answer,
                facts_expected=len(item.expected_facts),
                facts_found=sum(f.lower() in haystack for f in item.expected_facts),
                grounded=grounding.grounded,
                grounded_total=grounding.total,
                ungrounded=list(grounding.ungrounded),
                latency_ms=round(latency, 2),
                status=reply.status,
                signals=reply.signals,
            )
        )
    return results


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


def _percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return round(ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo), 2)


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def citation_metrics(results: Sequence[ItemResult]) -> dict[str, float | None]:
    """hit@1, hit@3 and MRR of the cited clauses against the gold clauses (answerable items)."""
    scored = [r for r in results if r.gold_clause_ids]
    ranks = []
    for r in scored:
        rank = next((i for i, cid in enumerate(r.cited_ids, 1) if cid in r.gold_clause_ids), None)
        ranks.append(rank)
    return {
        "hit@1": _ratio(sum(1 for k in ranks if k == 1), len(ranks)),
        "hit@3": _ratio(sum(1 for k in ranks if k is not None and k <= 3), len(ranks)),
        "mrr": _ratio(sum(1 / k for k in ranks if k), len(ranks)),
        "n": len(ranks),
    }


def retrieval_recall(results: Sequence[ItemResult]) -> dict[str, float | None]:
    """Share of gold clauses among the retriever's top k, before any reranking."""
    scored = [r for r in results if r.gold_clause_ids and r.retrieved_ids is not None]
    out: dict[str, float | None] = {}
    for k in RECALL_KS:
        found = sum(
            len(set(r.gold_clause_ids) & set((r.retrieved_ids or [])[:k])) / len(r.gold_clause_ids)
            for r in scored
        )
        out[f"recall@{k}"] = _ratio(found, len(scored))
    return out


def risk_coverage(results: Sequence[ItemResult]) -> list[dict[str, float | None]]:
    """Coverage and accuracy of the answered questions as the abstention threshold rises;
    `answered_accuracy` is None where nothing is answered (no point to plot)."""
    points = []
    for step in range(0, 21):
        t = step / 20
        answered = [r for r in results if r.confidence >= t and r.raw_verdict != "unknown"]
        got = [r.raw_verdict if r.confidence >= t else "unknown" for r in results]
        correct_all = sum(g == r.expected_verdict for g, r in zip(got, results, strict=True))
        points.append(
            {
                "threshold": t,
                "coverage": round(len(answered) / len(results), 4) if results else 0.0,
                "answered_accuracy": _ratio(
                    sum(r.raw_verdict == r.expected_verdict for r in answered), len(answered)
                ),
                "overall_accuracy": round(correct_all / len(results), 4) if results else 0.0,
            }
        )
    return points


def calibration(results: Sequence[ItemResult], bins: int = 10) -> dict[str, Any]:
    """Expected calibration error of the confidence as P(the un-abstained verdict is right)."""
    table = []
    ece = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        members = [
            r for r in results if lo <= r.confidence < hi or (b == bins - 1 and r.confidence == 1)
        ]
        if not members:
            continue
        conf = sum(r.confidence for r in members) / len(members)
        acc = sum(r.raw_verdict == r.expected_verdict for r in members) / len(members)
        ece += len(members) / len(results) * abs(conf - acc)
        table.append(
            {
                "bin": [lo, hi],
                "n": len(members),
                "confidence": round(conf, 4),
                "accuracy": round(acc, 4),
            }
        )
    return {"ece": round(ece, 4), "bins": table}


def summarise(results: Sequence[ItemResult]) -> dict[str, Any]:
    """All metrics for a set of results."""
    n = len(results)
    by_category: dict[str, list[ItemResult]] = defaultdict(list)
    by_verdict: dict[str, list[ItemResult]] = defaultdict(list)
    for r in results:
        by_category[r.category].append(r)
        by_verdict[r.expected_verdict].append(r)
    labels = sorted({r.expected_verdict for r in results} | {r.got_verdict for r in results})
    confusion = {e: {g: 0 for g in labels} for e in labels}
    for r in results:
        confusion[r.expected_verdict][r.got_verdict] += 1
    f1s = []
    for label in labels:
        tp = confusion[label][label]
        fp = sum(confusion[e][label] for e in labels) - tp
        fn = sum(confusion[label].values()) - tp
        f1s.append(_f1(tp, fp, fn)[2])
    tp = sum(1 for r in results if r.got_verdict == "unknown" and r.expected_verdict == "unknown")
    fp = sum(1 for r in results if r.got_verdict == "unknown" and r.expected_verdict != "unknown")
    fn = sum(1 for r in results if r.got_verdict != "unknown" and r.expected_verdict == "unknown")
    ab_p, ab_r, ab_f1 = _f1(tp, fp, fn)
    facts_expected = sum(r.facts_expected for r in results)
    latencies = [r.latency_ms for r in results]
    return {
        "n": n,
        "verdict_accuracy": _ratio(sum(r.correct for r in results), n),
        "per_category": {
            k: {"n": len(v), "accuracy": _ratio(sum(r.correct for r in v), len(v))}
            for k, v in sorted(by_category.items())
        },
        "per_verdict": {
            k: {"n": len(v), "accuracy": _ratio(sum(r.correct for r in v), len(v))}
            for k, v in sorted(by_verdict.items())
        },
        "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else None,
        "confusion": {"labels": labels, "matrix": confusion},
        "citations": citation_metrics(results),
        "retrieval": retrieval_recall(results),
        "abstention": {
            "precision": round(ab_p, 4),
            "recall": round(ab_r, 4),
            "f1": round(ab_f1, 4),
        },
        "risk_coverage": risk_coverage(results),
        "calibration": calibration(results),
        "fact_coverage": _ratio(sum(r.facts_found for r in results), facts_expected),
        "grounding_rate": _ratio(
            sum(r.grounded for r in results), sum(r.grounded_total for r in results)
        ),
        "miss_causes": count_causes(results),
        "server_errors": sum(1 for r in results if r.status >= 500),
        "latency_ms": {"p50": _percentile(latencies, 0.5), "p95": _percentile(latencies, 0.95)},
    }


def failures(results: Sequence[ItemResult]) -> list[dict[str, Any]]:
    """Per-question rows for every wrong verdict or missed gold citation."""
    rows = []
    for r in results:
        missed_citation = citation_missed(r)
        if r.correct and not missed_citation:
            continue
        rows.append(
            {
                "verdict_wrong": not r.correct,
                "citation_missed": missed_citation,
                "id": r.id,
                "category": r.category,
                "question": r.question,
                "resolved_question": r.resolved_question,
                "expected": r.expected_verdict,
                "got": r.got_verdict,
                "confidence": r.confidence,
                "gold": r.gold_clause_ids,
                "cited": r.cited_ids,
                "why": "verdict" if not r.correct else "citation",
                "cause": miss_cause(r),
            }
        )
    return rows


@dataclass
class Report:
    """A full evaluation: metrics per split, ablations and per-question results."""

    created_at: str
    target: str
    settings: dict[str, Any]
    metrics: dict[str, dict[str, Any]]
    results: list[dict[str, Any]]
    failures: list[dict[str, Any]]
    ablations: list[dict[str, Any]] = field(default_factory=list)
    clauses: dict[str, str] = field(default_factory=dict)  # text of each clause a failure names

    def to_json(self) -> str:
        """The report as JSON."""
        return json.dumps(asdict(self), indent=2)


def build_report(results: Sequence[ItemResult], target: str, settings: dict[str, Any]) -> Report:
    """Metrics for each split, and for all items together when they span more than one."""
    metrics = {s: summarise([r for r in results if r.split == s]) for s in SPLITS}
    if len({r.split for r in results}) > 1:
        metrics["all"] = summarise(results)
    return Report(
        created_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        target=target,
        settings=settings,
        metrics={k: v for k, v in metrics.items() if v["n"]},
        results=[{**asdict(r), "correct": r.correct} for r in results],
        failures=failures(results),
    )


def compare_reports(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Lines saying what got better and worse, overall and question by question."""
    lines = []
    for split in sorted(set(old["metrics"]) & set(new["metrics"])):
        for key in ("verdict_accuracy", "macro_f1", "fact_coverage", "grounding_rate"):
            a, b = old["metrics"][split].get(key), new["metrics"][split].get(key)
            if a != b:
                lines.append(f"{split} {key}: {a} -> {b}")
        for key in ("hit@1", "hit@3", "mrr"):
            a, b = old["metrics"][split]["citations"][key], new["metrics"][split]["citations"][key]
            if a != b:
                lines.append(f"{split} citation {key}: {a} -> {b}")
    before = {r["id"]: r for r in old["results"]}
    for r in new["results"]:
        o = before.get(r["id"])
        if o is None:
            lines.append(f"new     {r['id']}: {r['question']!r} got {r['got_verdict']}")
        elif o["correct"] != r["correct"]:
            change = "better " if r["correct"] else "WORSE  "
            lines.append(
                f"{change} {r['id']}: {r['question']!r} {o['got_verdict']} -> {r['got_verdict']}"
                f" (expected {r['expected_verdict']})"
            )
        elif o["cited_ids"][:1] != r["cited_ids"][:1]:
            lines.append(
                f"cites   {r['id']}: top citation {o['cited_ids'][:1]} -> {r['cited_ids'][:1]}"
            )
    return lines


CALIBRATION_FEATURES = ("dense", "coverage", "unknown", "off_topic")


def fit_calibration(results: Sequence[ItemResult], l2: float = 0.01) -> dict[str, float]:
    """Fit the logistic confidence map to P(un-abstained verdict is right), then pick the
    abstention threshold that maximises verdict accuracy on the same (dev) results."""
    rows = [r for r in results if r.signals is not None]
    if len(rows) < 10:
        raise EvalSetError("calibration needs at least 10 in-process results with signals")
    x = np.array([[1.0, *(r.signals[f] for f in CALIBRATION_FEATURES)] for r in rows])  # type: ignore[index]
    y = np.array([r.raw_verdict == r.expected_verdict for r in rows], dtype=float)
    w = np.zeros(x.shape[1])
    for _ in range(100):  # Newton's method on the L2-regularised log-loss
        p = 1.0 / (1.0 + np.exp(-x @ w))
        gradient = x.T @ (p - y) + l2 * w
        hessian = x.T @ (x * (p * (1 - p))[:, None]) + l2 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    confidence = 1.0 / (1.0 + np.exp(-x @ w))
    raw = np.array([r.raw_verdict for r in rows])
    expected = np.array([r.expected_verdict for r in rows])
    candidates = np.round(np.arange(0.05, 0.951, 0.01), 2)
    accuracy = [
        float((np.where(confidence >= t, raw, "unknown") == expected).mean()) for t in candidates
    ]
    best = max(accuracy)
    # the middle of the best plateau is less tuned to this sample than its edge
    plateau = [t for t, a in zip(candidates, accuracy, strict=True) if a == best]
    return {
        "bias": round(float(w[0]), 4),
        **{f: round(float(v), 4) for f, v in zip(CALIBRATION_FEATURES, w[1:], strict=True)},
        "threshold": float(plateau[len(plateau) // 2]),
        "dev_accuracy": round(best, 4),
        "n": len(rows),
    }
