"""CI gate: quality on the held-out `test` split must not drop below eval/thresholds.toml, for
the items as labelled (each asked of the version its label holds for), for the items asked of
the current version, and for every item asked as of the seed revision."""

from __future__ import annotations

import tomllib

import pytest

from assistant.evaluation.harness import load_items, summarise
from assistant.evaluation.runner import evaluate_assistant
from assistant.service import Assistant

from .conftest import ROOT, SEED_AS_OF, Learned

THRESHOLDS = tomllib.loads((ROOT / "eval" / "thresholds.toml").read_text(encoding="utf-8"))
QUESTIONS = ROOT / "eval" / "questions.jsonl"


@pytest.fixture(scope="module")
def gate_metrics(assistant: Assistant) -> dict[str, dict[str, object]]:
    items = [
        i for i in load_items(QUESTIONS, assistant.corpus, assistant.corpus_at) if i.split == "test"
    ]
    results, report = evaluate_assistant(assistant, items, progress=False)
    current = {i.id for i in items if i.as_of is None}
    seed = load_items(QUESTIONS, assistant.corpus, assistant.corpus_at, as_of=SEED_AS_OF)
    _, seed_report = evaluate_assistant(
        assistant, [i for i in seed if i.split == "test"], progress=False
    )
    return {
        "test": report.metrics["test"],
        "test_current": summarise([r for r in results if r.id in current]),
        "test_seed": seed_report.metrics["test"],
    }


RULES_GATES = ("test", "test_current", "test_seed")  # [test_learned]: the learned gate below
CASES = [(gate, metric) for gate in RULES_GATES for metric in sorted(THRESHOLDS[gate])]


@pytest.mark.parametrize(("gate", "metric"), CASES)
def test_test_split_meets_threshold(
    gate_metrics: dict[str, dict[str, object]], gate: str, metric: str
) -> None:
    value: object = gate_metrics[gate]
    for key in metric.split("."):
        value = value[key]  # type: ignore[index]
    assert isinstance(value, float | int)
    assert value >= THRESHOLDS[gate][metric], f"{gate} {metric} = {value}"


def test_no_answer_on_the_test_split_is_ungrounded(
    gate_metrics: dict[str, dict[str, object]],
) -> None:
    assert all(m["grounding_rate"] == 1.0 for m in gate_metrics.values())


@pytest.fixture(scope="module")
def learned_test_split_metrics(learned: Learned) -> dict[str, object]:
    items = load_items(QUESTIONS, learned.assistant.corpus, learned.assistant.corpus_at)
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
