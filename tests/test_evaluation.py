"""Evaluation metrics on hand-made results, and the harness end to end (in-process and HTTP)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.answer.miss_causes import MISS_CAUSES, miss_cause
from assistant.errors import UnknownDocumentError
from assistant.evaluation.harness import (
    ItemResult,
    build_report,
    compare_reports,
    fit_calibration,
    load_items,
    summarise,
)
from assistant.evaluation.report import write_report
from assistant.evaluation.runner import evaluate_assistant
from assistant.service import Assistant

from .conftest import ROOT
from .servers import running_api


def result(
    id: str, expected: str, got: str, confidence: float = 0.9, cited: tuple[str, ...] = ("a",),
    gold: tuple[str, ...] = ("a",), raw: str | None = None, split: str = "dev",
) -> ItemResult:  # fmt: skip
    return ItemResult(
        id=id, question=f"question {id}", category="scope", split=split,
        expected_verdict=expected, got_verdict=got, raw_verdict=raw or got, confidence=confidence,
        gold_clause_ids=list(gold), cited_ids=list(cited), retrieved_ids=list(cited),
        resolved_question=f"question {id}", answer="", facts_expected=1, facts_found=1,
        grounded=1, grounded_total=1, ungrounded=[], latency_ms=10.0, status=200,
        signals={"dense": confidence, "coverage": 1.0, "unknown": 0.0, "off_topic": 0.0},
    )  # fmt: skip


def test_summary_metrics_on_known_results() -> None:
    results = [
        result("1", "supported", "supported", cited=("a", "b")),
        result("2", "supported", "not_supported", cited=("b", "a")),
        result("3", "unknown", "unknown", gold=(), cited=("c",), confidence=0.1),
        result("4", "not_supported", "unknown", cited=("c", "d", "a"), confidence=0.2),
    ]
    m = summarise(results)
    assert m["verdict_accuracy"] == 0.5
    assert m["citations"] == {"hit@1": 0.3333, "hit@3": 1.0, "mrr": 0.6111, "n": 3}
    assert m["abstention"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667}
    assert m["confusion"]["matrix"]["supported"]["not_supported"] == 1
    assert m["per_category"]["scope"] == {"n": 4, "accuracy": 0.5}
    assert m["grounding_rate"] == 1.0 and m["fact_coverage"] == 1.0
    coverage = {p["threshold"]: p["coverage"] for p in m["risk_coverage"]}
    assert coverage[0.0] == 0.5 and coverage[1.0] == 0.0  # items 3 and 4 never answered
    accuracy = {p["threshold"]: p["answered_accuracy"] for p in m["risk_coverage"]}
    assert accuracy[0.0] == 0.5 and accuracy[1.0] is None  # no point where nothing is answered
    assert sum(b["n"] for b in m["calibration"]["bins"]) == 4  # every question in a bin


def test_calibration_error_is_zero_when_confidence_matches_accuracy() -> None:
    results = [result(str(i), "supported", "supported", confidence=0.95) for i in range(19)]
    results.append(result("x", "supported", "not_supported", confidence=0.95))
    assert summarise(results)["calibration"]["ece"] == 0.0


def test_fitted_calibration_separates_right_from_wrong() -> None:
    right = [result(f"r{i}", "supported", "supported", confidence=0.8 + i / 100) for i in range(10)]
    wrong = [result(f"w{i}", "unknown", "supported", confidence=0.1 + i / 100) for i in range(10)]
    fitted = fit_calibration(right + wrong)
    assert fitted["dense"] > 0
    assert 0.2 <= fitted["threshold"] <= 0.8
    assert fitted["dev_accuracy"] == 1.0


def test_each_miss_is_put_down_to_the_stage_that_caused_it(tmp_path: Path) -> None:
    results = [
        result("ok", "supported", "supported", cited=("a", "b")),
        result("cite", "supported", "supported", cited=("b", "c", "d", "a")),
        result("oos", "unknown", "informational", gold=()),
        result("shy", "supported", "unknown", raw="supported"),
        result("shy-wrong", "supported", "unknown", raw="not_supported"),
        result("clause", "supported", "not_supported", cited=("b", "a")),
        result("type", "supported", "informational", cited=("a", "b")),
        result("nogold", "supported", "best_effort", gold=()),
    ]
    assert [miss_cause(r) for r in results] == [
        None, "citation_missed", "answered_unanswerable", "abstained_right_verdict",
        "abstained_wrong_verdict", "clause_not_chosen", "type_or_stance", "no_gold_clause",
    ]  # fmt: skip
    counts = summarise(results)["miss_causes"]
    assert list(counts) == [c for c in MISS_CAUSES if c in counts]  # the order reports use
    assert sum(counts.values()) == 7
    settings = {"model": "m", "retrieval_mode": "hybrid", "threshold": 0.5}
    report = build_report(results, "x", settings)
    assert {f["id"]: f["cause"] for f in report.failures}["type"] == "type_or_stance"
    paths = write_report(report, tmp_path)
    md = paths["md"].read_text(encoding="utf-8")
    assert f"| clause_not_chosen | 1 | {MISS_CAUSES['clause_not_chosen']} |" in md
    assert MISS_CAUSES["type_or_stance"] in paths["html"].read_text(encoding="utf-8")


def test_compare_reports_names_what_got_better_and_worse() -> None:
    old = build_report(
        [result("1", "supported", "not_supported"), result("2", "supported", "supported")], "x", {}
    )  # noqa: E501
    new = build_report(
        [result("1", "supported", "supported"), result("2", "supported", "unknown")], "x", {}
    )  # noqa: E501
    lines = compare_reports(json.loads(old.to_json()), json.loads(new.to_json()))
    assert any(line.startswith("better") and " 1:" in line for line in lines)
    assert any(line.startswith("WORSE") and " 2:" in line for line in lines)


def test_in_process_evaluation_writes_all_three_reports(
    assistant: Assistant, tmp_path: Path
) -> None:
    items = load_items(ROOT / "eval" / "questions.jsonl", assistant.corpus, assistant.corpus_at)
    chain = [i for i in items if i.id in {"q001", "q002", "q003"}]  # a follow-up chain
    _, report = evaluate_assistant(assistant, chain, progress=False)
    paths = write_report(report, tmp_path)
    assert report.results[1]["resolved_question"] != report.results[1]["question"]
    html = paths["html"].read_text(encoding="utf-8")
    # a confusion matrix and a risk/calibration figure for the one split (no duplicate "all")
    assert html.count("data:image/png;base64,") == 2
    assert set(report.metrics) == {"test"}
    assert "| test |" in paths["md"].read_text(encoding="utf-8")
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["metrics"]["test"]["n"] == 3


def test_evaluation_over_http_scores_a_running_server(
    assistant: Assistant, server_env: dict[str, str], tmp_path: Path
) -> None:
    items = load_items(ROOT / "eval" / "questions.jsonl", assistant.corpus, assistant.corpus_at)
    sample = [i for i in items if i.split == "dev"][:12]
    env = {**server_env, "ASSISTANT_DATA_DIR": str(tmp_path / "data")}
    with running_api(env, tmp_path, tmp_path / "server.log") as server:
        http_results, _ = evaluate_assistant(assistant, sample, url=server.url, progress=False)
    local_results, _ = evaluate_assistant(assistant, sample, progress=False)
    assert [r.status for r in http_results] == [200] * len(sample)
    assert [r.got_verdict for r in http_results] == [r.got_verdict for r in local_results]
    assert [r.cited_ids for r in http_results] == [r.cited_ids for r in local_results]


def test_evaluation_asks_only_the_documents_named(
    assistant: Assistant, server_env: dict[str, str], tmp_path: Path
) -> None:
    items = load_items(ROOT / "eval" / "questions.jsonl", assistant.corpus, assistant.corpus_at)
    sample = [i for i in items if i.split == "dev"][:4]
    aks = ("aks-support-policies",)
    env = {**server_env, "ASSISTANT_DATA_DIR": str(tmp_path / "data")}
    with running_api(env, tmp_path, tmp_path / "server.log") as server:
        served, report = evaluate_assistant(
            assistant, sample, url=server.url, progress=False, documents=aks
        )
        refused, _ = evaluate_assistant(
            assistant, sample, url=server.url, progress=False, documents=("no-such-policy",)
        )
    local, _ = evaluate_assistant(assistant, sample, progress=False, documents=aks)
    assert [r.status for r in served] == [200] * len(sample)
    assert [r.cited_ids for r in served] == [r.cited_ids for r in local]
    assert report.settings["documents"] == ["aks-support-policies"]
    assert [r.status for r in refused] == [422] * len(sample)  # the filter reached the server
    with pytest.raises(UnknownDocumentError):
        evaluate_assistant(assistant, sample, progress=False, documents=("no-such-policy",))


@pytest.mark.parametrize("split", ["dev", "test"])
def test_every_split_has_each_answer_grounded(assistant: Assistant, split: str) -> None:
    items = load_items(ROOT / "eval" / "questions.jsonl", assistant.corpus, assistant.corpus_at)
    results, _ = evaluate_assistant(
        assistant, [i for i in items if i.split == split][:40], progress=False
    )  # noqa: E501
    assert [r.ungrounded for r in results if r.ungrounded] == []
