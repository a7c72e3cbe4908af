"""The held-out policy documents under eval/documents/ parse, and their labelled questions are
sound: valid fields, verbatim gold quotes that each identify one clause of that document,
policy-text facts, follow-ups that continue an earlier item of the same split. No model, no
index: the documents are read the way the service reads a corpus folder (`load_policy`)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from assistant.config import Settings
from assistant.evaluation.harness import (
    CATEGORIES,
    SPLITS,
    VERDICTS,
    load_items,
    resolve_quote,
    validate_items,
)
from assistant.models import Clause
from assistant.policy.corpus import Corpus
from assistant.service import load_policy

from .conftest import ROOT

DOCUMENTS = ROOT / "eval" / "documents"
# folder name -> (document id, clause count) as written; a changed count means the text or the
# parser changed and the labels should be checked again
EXPECTED = {
    "aro": ("aro-support-policy", 76),
    "clouddb": ("fabrikam-clouddb-support", 62),
}


def _policy(name: str) -> Corpus:
    return load_policy(Settings(_env_file=None, corpus_dir=DOCUMENTS / name / "policy"))


def _raw(name: str) -> list[dict[str, Any]]:
    text = (DOCUMENTS / name / "questions.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module", params=sorted(EXPECTED))
def document(request: pytest.FixtureRequest) -> tuple[str, Corpus, list[dict[str, Any]]]:
    name = str(request.param)
    return name, _policy(name), _raw(name)


def test_the_folders_are_the_ones_listed() -> None:
    assert sorted(p.name for p in DOCUMENTS.iterdir() if p.is_dir()) == sorted(EXPECTED)


def test_each_document_parses_into_sections_and_clauses(
    document: tuple[str, Corpus, list[dict[str, Any]]],
) -> None:
    name, corpus, _ = document
    doc_id, count = EXPECTED[name]
    assert [d.doc_id for d in corpus.documents] == [doc_id]
    assert corpus.documents[0].title and corpus.documents[0].version
    assert len(corpus.clauses) == count
    assert len({c.clause_id for c in corpus.clauses}) == count
    kinds = Counter(c.kind for c in corpus.clauses)
    assert kinds["item"] and kinds["sentence"] and kinds["row"] and kinds["note"]
    for clause in corpus.clauses:
        assert clause.text.strip() == clause.text and clause.text
        assert clause.stance  # every clause got a stance from the rules
        source = corpus.documents[0].text[clause.start : clause.end]
        assert _words(clause)[:1] == _words_of(source)[:1], clause.clause_id


def _words(clause: Clause) -> list[str]:
    return _words_of(clause.text)


def _words_of(text: str) -> list[str]:
    return "".join(ch if ch.isalnum() else " " for ch in text).split()


def test_every_item_has_valid_fields(document: tuple[str, Corpus, list[dict[str, Any]]]) -> None:
    _, _, raw = document
    ids = [r["id"] for r in raw]
    assert len(ids) == len(set(ids))
    for r in raw:
        assert r["category"] in CATEGORIES, r["id"]
        assert r["expected_verdict"] in VERDICTS, r["id"]
        assert r["split"] in SPLITS, r["id"]
        assert isinstance(r["question"], str) and r["question"].strip(), r["id"]
        assert 0 <= len(r["expected_facts"]) <= 3, r["id"]
        if r["expected_verdict"] == "unknown":
            assert r["gold_quotes"] == [] and r["expected_facts"] == [], r["id"]
        else:
            assert 1 <= len(r["gold_quotes"]) <= 3, r["id"]
        if r["category"] in ("out_of_scope", "unanswerable"):
            assert r["expected_verdict"] == "unknown", r["id"]
        assert ("follow_up_of" in r) == (r["category"] == "follow_up"), r["id"]


def test_every_gold_quote_identifies_one_clause_of_its_document(
    document: tuple[str, Corpus, list[dict[str, Any]]],
) -> None:
    _, corpus, raw = document
    unresolved = [
        (r["id"], q) for r in raw for q in r["gold_quotes"] if resolve_quote(q, corpus) is None
    ]
    assert unresolved == []


def test_the_project_validator_and_loader_accept_the_file(
    document: tuple[str, Corpus, list[dict[str, Any]]],
) -> None:
    name, corpus, raw = document
    assert validate_items(raw, corpus) == []
    items = load_items(DOCUMENTS / name / "questions.jsonl", corpus)
    assert all(i.gold_clause_ids or i.expected_verdict == "unknown" for i in items)


def test_follow_ups_continue_an_earlier_item_of_the_same_split(
    document: tuple[str, Corpus, list[dict[str, Any]]],
) -> None:
    _, _, raw = document
    seen: dict[str, str] = {}
    for r in raw:
        if "follow_up_of" in r:
            assert r["follow_up_of"] in seen, r["id"]
            assert seen[r["follow_up_of"]] == r["split"], r["id"]
        seen[r["id"]] = r["split"]


def test_size_splits_and_category_mix(document: tuple[str, Corpus, list[dict[str, Any]]]) -> None:
    _, _, raw = document
    assert 70 <= len(raw) <= 90
    splits = Counter(r["split"] for r in raw)
    assert abs(splits["dev"] - splits["test"]) <= len(raw) // 10
    assert set(Counter(r["category"] for r in raw)) == set(CATEGORIES)
    for category in CATEGORIES:
        per_split = Counter(r["split"] for r in raw if r["category"] == category)
        assert per_split["dev"] and per_split["test"], category
