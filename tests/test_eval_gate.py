"""CI gate: quality on the held-out `test` split must not drop below eval/thresholds.toml."""

from __future__ import annotations

import tomllib

import pytest

from assistant.evaluation.harness import load_items
from assistant.evaluation.runner import evaluate_assistant
from assistant.service import Assistant

from .conftest import ROOT, Learned

THRESHOLDS = tomllib.loads((ROOT / "eval" / "thresholds.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def test_split_metrics(assistant: Assistant) -> dict[str, object]:
    items = load_items(ROOT / "eval" / "questions.jsonl", assistant.corpus)
    _, report = evaluate_assistant(
        assistant, [i for i in items if i.split == "test"], progress=False
    )
    return report.metrics["test"]


@pytest.mark.parametrize("metric", sorted(THRESHOLDS["test"]))
def test_test_split_meets_threshold(test_split_metrics: dict[str, object], metric: str) -> None:
    value: object = test_split_metrics
    for key in metric.split("."):
        value = value[key]  # type: ignore[index]
    assert isinstance(value, float | int)
    assert value >= THRESHOLDS["test"][metric], f"{metric} = {value}"


def test_no_answer_on_the_test_split_is_ungrounded(test_split_metrics: dict[str, object]) -> None:
    assert test_split_metrics["grounding_rate"] == 1.0


@pytest.fixture(scope="module")
def learned_test_split_metrics(learned: Learned) -> dict[str, object]:
    items = load_items(ROOT / "eval" / "questions.jsonl", learned.assistant.corpus)
    _, report = evaluate_assistant(
        learned.assistant, [i for i in items if i.split == "test"], progress=False
    )
    return report.metrics["test"]


@pytest.mark.parametrize("metric", sorted(THRESHOLDS["test_learned"]))
def test_the_learned_components_meet_their_threshold(
    learned_test_split_metrics: dict[str, object], metric: str
) -> None:
    value: object = learned_test_split_metrics
    for key in metric.split("."):
        value = value[key]  # type: ignore[index]
    assert isinstance(value, float | int)
    assert value >= THRESHOLDS["test_learned"][metric], f"{metric} = {value}"
