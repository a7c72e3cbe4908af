"""Suggested and starter questions are grammatical questions built from the policy's headings
and clause topics; an answer quotes its deciding clause and marks the context it depends on."""

from __future__ import annotations

import pytest

from assistant.answer.suggestions import (
    ABOUT,
    heading_question,
    noun_phrase,
    starter_questions,
    title_headings,
    topic_question,
)
from assistant.dialogue.clarification import clause_topic
from assistant.models import Selection
from assistant.policy.corpus import Corpus
from assistant.service import Assistant

from .conftest import SEED_AS_OF

PREFIX = ABOUT.split("{")[0]
# Base-form verbs a phrase cut from a clause may open with; none may follow "about".
VERBS = {
    "notify",
    "manage",
    "use",
    "apply",
    "run",
    "create",
    "delete",
    "configure",
    "ensure",
    "provide",
    "install",
    "deploy",
    "contact",
    "open",
    "make",
    "get",
    "keep",
    "reboot",
}
DANGLING = {"a", "an", "and", "of", "or", "the", "to", "for", "with", "in", "on", "by"}


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("notify customers of this requirement", "notifying customers of this requirement"),
        ("use the API server", "using the API server"),
        ("Shared responsibility", "shared responsibility"),
        (
            "Microsoft responsibilities for AKS worker nodes",
            "Microsoft responsibilities for AKS worker nodes",
        ),
        ("AKS support coverage", "AKS support coverage"),
        ("support tickets", "support tickets"),
        ("preview features or feature flags", "preview features or feature flags"),
    ],
)
def test_noun_phrase(phrase: str, expected: str) -> None:
    assert noun_phrase(phrase) == expected


def test_a_heading_that_asks_is_kept_as_its_question() -> None:
    assert heading_question("What is supported?") == "What is supported?"


def assert_well_formed(question: str) -> None:
    assert question.endswith("?") and question[0].isupper(), question
    assert "  " not in question and " ?" not in question, question
    words = question.rstrip("?").split()
    assert words[-1].lower() not in DANGLING, question
    if question.startswith(PREFIX):
        following = question[len(PREFIX) :].split()[0]
        assert following not in VERBS, question


def test_every_heading_and_clause_topic_makes_a_well_formed_question(corpus: Corpus) -> None:
    questions = [heading_question(s.path[-1]) for s in corpus.sections]
    questions += [q for c in corpus.clauses if (q := topic_question(clause_topic(c)))]
    assert len(questions) > 50
    for question in questions:
        assert_well_formed(question)


def test_answers_suggest_well_formed_questions_never_about_the_whole_policy(
    assistant: Assistant, corpus: Corpus
) -> None:
    titles = title_headings(corpus)
    asked = [
        "Is Helm supported?",
        "Who patches worker nodes?",
        "Can I SSH into nodes?",
        "Are preview features supported?",
        "Who is responsible for NSGs?",
        "How often is etcd backed up?",
        "Is Windows Server supported?",
    ]
    suggested = [s for q in asked for s in assistant.answer(q).suggestions]
    assert suggested
    for question in suggested:
        assert_well_formed(question)
        assert not any(title in question for title in titles), question


def test_starter_questions_come_from_the_largest_sections(corpus: Corpus) -> None:
    starters = starter_questions(corpus)
    assert len(starters) == 4 and len(set(starters)) == 4
    assert "What does the policy say about division of responsibility?" in starters
    for question in starters:
        assert_well_formed(question)


def test_the_deciding_clause_is_quoted_and_its_context_marked_as_context(
    assistant: Assistant, corpus: Corpus
) -> None:
    # Kured is named only by the seed revision
    answer = assistant.answer("Is Kured supported?", selection=Selection(as_of=SEED_AS_OF))
    decisive = answer.citations[0].text
    clause = next(c for c in assistant.corpus_at(SEED_AS_OF).clauses if c.text == decisive)
    assert clause.context and not clause.context.endswith(":")
    says = answer.answer.split("The policy says: ", 1)[1]
    assert says.startswith(decisive + " [1] Context: " + " ".join(clause.context.split()))
    assert "*Context: " in answer.answer_markdown
    assert '<span class="context-label">Context:</span>' in answer.answer_html


def test_a_list_lead_in_is_read_before_its_item(assistant: Assistant) -> None:
    # the seed revision lists unsupported projects under a lead-in
    answer = assistant.answer("Is Istio supported?", selection=Selection(as_of=SEED_AS_OF))
    says = answer.answer.split("The policy says: ", 1)[1]
    assert says.startswith("Microsoft doesn't provide technical support for the following: ")
    assert "Context:" not in answer.answer
