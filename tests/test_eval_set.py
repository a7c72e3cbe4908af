"""The labelled question file is sound and covers the whole policy."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from assistant.evaluation.harness import (
    CATEGORIES,
    CorpusAt,
    load_items,
    resolve_quote,
    validate_items,
)
from assistant.policy.corpus import Corpus

from .conftest import ROOT

QUESTIONS = ROOT / "eval" / "questions.jsonl"


def raw_items() -> list[dict[str, object]]:
    return [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line]


def test_the_labelled_file_validates(corpus: Corpus, corpus_at: CorpusAt) -> None:
    assert validate_items(raw_items(), corpus, corpus_at) == []


def test_the_validator_reports_each_kind_of_problem(corpus: Corpus) -> None:
    bad = [
        {"id": "a", "question": "q", "category": "scope", "expected_verdict": "maybe",
         "split": "dev", "gold_quotes": ["not in the policy"]},
        {"id": "a", "question": "q", "category": "nope", "expected_verdict": "unknown",
         "split": "train", "follow_up_of": "z", "expected_facts": ["zebra"]},
    ]  # fmt: skip
    problems = "\n".join(validate_items(bad, corpus))
    expected = [
        "unknown verdict", "does not identify one clause", "duplicate id", "unknown category",
        "unknown split", "not an earlier item", "not policy text",
    ]  # fmt: skip
    for fragment in expected:
        assert fragment in problems


def test_size_splits_and_categories(corpus: Corpus, corpus_at: CorpusAt) -> None:
    items = load_items(QUESTIONS, corpus, corpus_at)
    assert len(items) >= 200
    per_split = Counter(i.split for i in items)
    assert per_split["dev"] >= 80 and per_split["test"] >= 80
    assert set(Counter(i.category for i in items)) == set(CATEGORIES)


def test_every_list_item_and_exception_is_a_gold_clause(seed_corpus: Corpus) -> None:
    # the items were written for the seed revision, and cover every list item and exception
    corpus = seed_corpus
    quotes = [q for item in raw_items() for q in item.get("gold_quotes", [])]  # type: ignore[attr-defined]
    gold = {cid for q in quotes if (cid := resolve_quote(str(q), corpus)) is not None}
    items = [c.clause_id for c in corpus.clauses if c.kind == "item"]
    exceptions = [c.clause_id for c in corpus.clauses if c.parent_id and c.kind == "sentence"]
    assert [cid for cid in items + exceptions if cid not in gold] == []
    sections = {c.section_anchor for c in corpus.clauses}
    covered = {corpus.clause(cid).section_anchor for cid in gold}  # type: ignore[union-attr]
    assert sections - covered == set()


def test_gold_quotes_resolve_after_ids_shift(
    corpus: Corpus, corpus_at: CorpusAt, tmp_path: Path
) -> None:
    # A sentence added at the top of a section shifts ordinals; quotes still find their clauses.
    from assistant.policy.corpus import load_corpus

    text = (corpus.documents[0].text).replace(
        "## AKS support coverage\n\n", "## AKS support coverage\n\nA new opening sentence.\n\n"
    )
    (tmp_path / "aks-support-policies.md").write_text(text, encoding="utf-8")
    shifted = load_corpus(tmp_path)
    before = {
        i.id: [corpus.clause(c).text for c in i.gold_clause_ids]
        for i in load_items(QUESTIONS, corpus, corpus_at)
        if i.as_of is None
    }  # type: ignore[union-attr]  # noqa: E501
    after = {
        i.id: [shifted.clause(c).text for c in i.gold_clause_ids]
        for i in load_items(QUESTIONS, shifted, corpus_at)
        if i.as_of is None
    }  # type: ignore[union-attr]  # noqa: E501
    assert before == after
