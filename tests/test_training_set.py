"""The training questions are sound, quote their policy version verbatim and stay apart from the
evaluation questions."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from assistant.evaluation.overlap import near_duplicates
from assistant.models import Verdict
from assistant.policy.corpus import load_corpus
from assistant.policy.stance_model import labelled_positions, labels_file, load_stance_labels
from assistant.search.embedding import SentenceTransformerEmbedder

from .conftest import ROOT

TRAINING = ROOT / "corpus" / "training" / "questions.jsonl"
TYPES = {"scope", "responsibility", "fact", "procedure", "out_of_policy", "off_topic"}
VERSIONS = {  # each version's text as the repository serves it (the seed as an earlier version)
    "2020-01-24": ROOT / "corpus" / "history" / "aks-support-policies" / "2020-01-24.md",
    "2026-08-27": ROOT / "corpus" / "aks-support-policies.md",
}


POLICIES = ROOT / "corpus" / "training" / "policies"


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def training_items() -> list[dict[str, object]]:
    return read_jsonl(TRAINING)


def policy_folders() -> list[Path]:
    return sorted(p for p in POLICIES.iterdir() if p.is_dir())


def assert_well_formed(item: dict[str, object]) -> None:
    assert item["question_type"] in TYPES, item
    assert item["source"] == "written", item
    assert Verdict(item["expected_verdict"]), item
    unknown = item["expected_verdict"] == Verdict.UNKNOWN
    assert unknown == (item["question_type"] in {"out_of_policy", "off_topic"}), item
    assert (not item["gold_quotes"]) == unknown, item


def visible(markdown: str) -> str:
    """Markdown source with links reduced to their text and emphasis and code markers removed."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"\[([^\]]*)\]\[[^\]]*\]", r"\1", text)
    text = re.sub(r"(?<!\w)_([^_\n]+)_(?!\w)", r"\1", text)
    return text.replace("**", "").replace("`", "")


def test_every_item_is_well_formed() -> None:
    items = training_items()
    assert len({i["id"] for i in items}) == len(items)
    for item in items:
        assert_well_formed(item)
        assert item["version"] in VERSIONS, item


def test_size_and_mix() -> None:
    items = training_items()
    assert len(items) >= 1200
    versions = Counter(i["version"] for i in items)
    assert versions["2026-08-27"] >= 0.6 * len(items)
    types = Counter((i["version"], i["question_type"]) for i in items)
    assert all(types[(v, t)] >= 10 for v in VERSIONS for t in TYPES), types


def test_gold_quotes_are_verbatim_text_of_their_version() -> None:
    texts = {v: visible(path.read_text(encoding="utf-8")) for v, path in VERSIONS.items()}
    missing = [
        (i["id"], q)
        for i in training_items()
        for q in i["gold_quotes"]  # type: ignore[attr-defined]
        if q not in texts[str(i["version"])]
    ]
    assert missing == []


def test_every_training_policy_has_sound_questions_that_quote_it() -> None:
    folders = policy_folders()
    assert len(folders) >= 3
    for folder in folders:
        corpus = load_corpus(folder / "policy")
        (document,) = corpus.documents
        items = read_jsonl(folder / "questions.jsonl")
        assert len(items) >= 200 and len({i["id"] for i in items}) == len(items)
        assert {i["question_type"] for i in items} == TYPES
        for item in items:
            assert_well_formed(item)
            assert item["version"] == document.version, item
            for quote in item["gold_quotes"]:  # type: ignore[attr-defined]
                assert corpus.find_quote(quote) is not None, (item["id"], quote)


def test_every_training_policy_has_a_reviewed_stance_for_every_clause() -> None:
    """`<document-id>.stances.jsonl` labels each clause once (the stance model learns from it),
    with labels that agree with the stances the policy's own questions imply."""
    for folder in policy_folders():
        corpus = load_corpus(folder / "policy")
        (document,) = corpus.documents
        labels = load_stance_labels(labels_file(folder / "policy", document.doc_id))
        positions = labelled_positions(corpus.clauses, labels)
        assert sorted(i for i, _ in positions) == list(range(len(corpus.clauses))), folder.name
        assert {label.version for label in labels} == {document.version}
        stance = dict(positions)
        implied = [  # a scope question's verdict is its clause's stance
            (corpus.clauses.index(corpus.clause(str(corpus.find_quote(i["gold_quotes"][0])))), i)
            for i in read_jsonl(folder / "questions.jsonl")
            if i["question_type"] == "scope"
        ]
        agree = [stance[n].value == i["expected_verdict"] for n, i in implied]
        assert sum(agree) >= 0.9 * len(agree), folder.name


def test_no_training_question_is_a_near_duplicate_of_an_evaluation_question(
    embedder: SentenceTransformerEmbedder,
) -> None:
    # the served policy's evaluation questions and the held-out policies' ones
    held_out = sorted(ROOT.glob("eval/documents/*/questions.jsonl"))
    files = [ROOT / "eval" / "questions.jsonl", *held_out]
    evaluation = [e for f in files for e in read_jsonl(f)]
    training = [
        *training_items(),
        *(i for folder in policy_folders() for i in read_jsonl(folder / "questions.jsonl")),
    ]
    close = near_duplicates(
        [str(i["question"]) for i in training], [str(e["question"]) for e in evaluation], embedder
    )
    # names the evaluation item by id only: its text stays unread
    assert [(training[o.first]["id"], evaluation[o.second]["id"]) for o in close] == []
