"""Small talk: which messages get a fixed reply, and how the replies are rendered."""

from __future__ import annotations

import pytest

from assistant.answer.suggestions import starter_questions
from assistant.dialogue.smalltalk import (
    EXAMPLE_QUESTIONS,
    INTENTS,
    SmallTalk,
    detect_intent,
    strip_pleasantries,
)
from assistant.policy.corpus import Corpus, load_corpus
from tests.conftest import CORPUS_DIR

TRAINING_POLICIES = CORPUS_DIR / "training" / "policies"


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("hi", "greeting"),
        ("Hello there!", "greeting"),
        ("good morning 👋", "greeting"),
        ("thanks", "thanks"),
        ("ok thank you so much!", "thanks"),
        ("perfect, thx", "thanks"),
        ("bye", "goodbye"),
        ("that's all, have a nice day", "goodbye"),
        ("What can you do?", "capabilities"),
        ("help", "capabilities"),
        ("are you a bot?", "capabilities"),
        ("talk to a human", "handoff"),
        ("Can I speak with a real person?", "handoff"),
        ("connect me to an agent please", "handoff"),
        ("I need to escalate this", "handoff"),
        ("agent", "handoff"),
        ("is microsoft hiring?", "out_of_domain"),
        ("what's the contoso stock price", "out_of_domain"),
        ("any job openings at northwind?", "out_of_domain"),
        ("who is the ceo of fabrikam?", "out_of_domain"),
        ("who is responsible for hiring decisions?", None),
        ("hi, is istio supported?", None),
        ("Is Istio supported?", None),
        ("can Microsoft Support sign in to my nodes?", None),
        ("who helps with NSG issues?", None),
        ("", None),
    ],
)
def test_detect_intent(message: str, intent: str | None) -> None:
    found = detect_intent(message)
    assert (found.name if found else None) == intent


def test_only_handoff_replies_are_handoffs() -> None:
    assert {i.name: i.kind for i in INTENTS}["handoff"] == "handoff"
    assert {i.kind for i in INTENTS if i.name != "handoff"} == {"smalltalk"}


def test_strip_pleasantries() -> None:
    assert strip_pleasantries("Hi, is Istio supported? thanks!") == "is Istio supported?"
    assert strip_pleasantries("hey - who patches nodes") == "who patches nodes"
    assert strip_pleasantries("thanks") == "thanks"


@pytest.fixture(scope="module")
def smalltalk(corpus: Corpus) -> SmallTalk:
    return SmallTalk.for_corpus(corpus)


@pytest.mark.parametrize(
    "question",
    ["whats the weather in seattle tmrw", "tell me a joke", "how do i make cold brew at home"],
)
def test_off_topic_messages(smalltalk: SmallTalk, question: str) -> None:
    assert smalltalk.is_off_topic(question)


@pytest.mark.parametrize(
    "question",
    ["is aks hipaa compliant?", "who reboots my nodes", "etcd backups?", "istio"],
)
def test_policy_words_keep_a_message_on_topic(smalltalk: SmallTalk, question: str) -> None:
    assert not smalltalk.is_off_topic(question)


@pytest.mark.parametrize(
    "intent", ["greeting", "thanks", "goodbye", "capabilities", "handoff", "out_of_domain"]
)
def test_every_intent_has_a_template(smalltalk: SmallTalk, intent: str) -> None:
    kind = "handoff" if intent == "handoff" else "smalltalk"
    answer = smalltalk.reply("<b>hi</b>", intent, kind)
    assert answer.kind == kind and answer.verdict.value == "unknown"
    assert answer.citations == () and answer.confidence == 0.0
    assert answer.suggestions == EXAMPLE_QUESTIONS[:3]
    assert answer.question == answer.resolved_question == "<b>hi</b>"
    assert answer.answer and "\n" not in answer.answer
    assert answer.answer_html.startswith(f'<div class="answer kind-{kind} intent-{intent}">')
    assert answer.answer_html.count("<p>") == answer.answer_markdown.count("\n\n") + 1


def test_html_replies_are_escaped(smalltalk: SmallTalk) -> None:
    html = smalltalk.reply("hi", "capabilities").answer_html
    assert "&#34;and who does that?&#34;" in html or "&quot;and who does that?&quot;" in html


def test_replies_name_the_served_policy(smalltalk: SmallTalk) -> None:
    for intent in ("greeting", "capabilities", "out_of_domain", "thanks", "goodbye", "handoff"):
        text = smalltalk.reply("hi", intent).answer
        assert "the Support Policies for Azure Kubernetes Service (AKS)" in text, intent


def test_another_policy_gets_its_own_name_and_questions() -> None:
    """A policy dropped in is named by its title, and the AKS example questions (whose words it
    doesn't use) give way to questions about its own largest sections."""
    other = load_corpus(TRAINING_POLICIES / "tailspin-desk" / "policy")
    talk = SmallTalk.for_corpus(other)
    assert talk.suggestions == starter_questions(other) and talk.suggestions
    assert not set(talk.suggestions) & set(EXAMPLE_QUESTIONS)
    phrases = " ".join(talk.fixed_phrases())
    assert "the Tailspin ServiceDesk support policy" in phrases
    assert "AKS" not in phrases and "Kubernetes" not in phrases and "Microsoft" not in phrases
