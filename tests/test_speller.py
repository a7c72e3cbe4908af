"""Spelling correction towards the policy's words, and abbreviations of its heading words,
over the real held-out documents (no model: the dictionary is given)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answer.query import Speller
from assistant.policy.corpus import Corpus, load_corpus
from assistant.service import headings_of, policy_texts

ROOT = Path(__file__).resolve().parents[1]
DICTIONARY = {"what", "counts", "as", "is", "a", "the", "for", "on", "tech", "around"}


def speller(folder: str) -> Speller:
    corpus: Corpus = load_corpus(ROOT / folder)
    return Speller(policy_texts(corpus), DICTIONARY, min_length=5, headings=headings_of(corpus))


@pytest.fixture(scope="module")
def clouddb() -> Speller:
    return speller("eval/documents/clouddb/policy")


def test_an_unknown_word_that_begins_one_heading_word_is_that_word(clouddb: Speller) -> None:
    assert clouddb.correct("what counts as sev 3") == "what counts as severity 3"
    assert clouddb.correct("Sev 1 response time") == "severity 1 response time"
    assert clouddb.correct("escal path for a P1?") == "escalation path for a P1?"
    # a number written onto it stays a number
    assert clouddb.correct("for a sev1 incident") == "for a severity 1 incident"
    # one letter short is a misspelling, corrected as before
    assert clouddb.correct("severit") == "severity"


@pytest.mark.parametrize(
    ("word", "why"),
    [
        ("se", "too short to say which word"),
        ("sup", "begins two heading words: support and supported"),
        ("tech", "a word of its own (in the dictionary)"),
    ],
)
def test_words_that_are_not_abbreviations_stay(clouddb: Speller, word: str, why: str) -> None:
    assert clouddb.correct(f"is {word} on the list") == f"is {word} on the list", why


def test_only_heading_words_are_expanded() -> None:
    # "around" is in the ARO text but in no heading: "aro" is the product, not "around"
    aro = speller("eval/documents/aro/policy")
    assert aro.correct("is aro fully managed") == "is aro fully managed"
    assert aro.correct("any config requirements") == "any configuration requirements"


def test_a_heading_word_and_its_plural_are_one_word() -> None:
    aks = speller("corpus")  # "Shared responsibility", "Customer responsibilities"
    assert aks.correct("who has resp for node images") == "who has responsibility for node images"
