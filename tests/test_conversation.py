"""Conversations on the real corpus and model: follow-up chains, small talk, clarification,
transcripts and feedback through the `Conversations` façade."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.dialogue.conversation import Conversations
from assistant.errors import (
    ConversationNotFoundError,
    InvalidFeedbackError,
    InvalidQuestionError,
    TurnNotFoundError,
)
from assistant.models import Selection
from assistant.service import Assistant
from assistant.storage.records import feedback_rows
from assistant.storage.sqlite_store import SQLiteConversationStore

from .conftest import SEED_AS_OF

SEED = Selection(as_of=SEED_AS_OF)  # the chains were written for the seed revision

# One step of a chain: the message, the question it must resolve to, the verdict expected
# (None where the engine, tuned separately, still wavers) and a verbatim fragment of a clause
# the answer must cite (None: not asserted).
Step = tuple[str, str, str | None, str | None]

CHAINS: dict[str, list[Step]] = {
    "open-source projects": [
        ("Is Istio supported?", "Is Istio supported?", "not_supported",
         "These projects might include Istio, Helm, Envoy"),
        ("what about Kured?", "Is Kured supported?", "best_effort",
         "best-effort support for third-party open-source projects such as Helm and Kured"),
        ("and Envoy?", "Is Envoy supported?", "not_supported",
         "These projects might include Istio, Helm, Envoy"),
    ],
    "helm then istio": [
        ("Is Helm supported?", "Is Helm supported?", "best_effort", "such as Helm and Kured"),
        ("and Istio too?", "Is Istio supported?", "not_supported", "might include Istio"),
    ],
    "reboots then upgrades": [
        ("who reboots nodes after OS patches?", "who reboots nodes after OS patches?",
         "customer_responsibility", "reboot worker nodes to apply OS-level patches"),
        ("and kubernetes upgrades?", "Who is responsible for kubernetes upgrades?",
         "customer_responsibility", "Customers are responsible for executing Kubernetes upgrades"),
    ],
    "etcd backups": [
        ("how often is etcd backed up?", "how often is etcd backed up?", "informational",
         "backups of all etcd data every 30 minutes"),
        ("can I get those backups?", "Can I get etcd backups?", None,
         "These backups aren't directly available to customers or users"),
        ("so who's on the hook for them then", "Who's on the hook for etcd backups then?",
         "microsoft_responsibility", "backups of all etcd data every 30 minutes"),
    ],
    "etcd backup frequency": [
        ("Does Microsoft back up etcd?", "Does Microsoft back up etcd?",
         "microsoft_responsibility", "backups of all etcd data every 30 minutes"),
        ("how often?", "How often does Microsoft back up etcd?", None, "every 30 minutes"),
    ],
    "coredns then etcd": [
        ("Who manages CoreDNS?", "Who manages CoreDNS?", "microsoft_responsibility",
         "DNS services"),
        ("and etcd?", "Who is responsible for etcd?", "microsoft_responsibility", "Etcd"),
    ],
    "api server then etcd": [
        ("Does Microsoft support the API server?", "Does Microsoft support the API server?",
         "supported", "API server"),
        ("and etcd?", "Is etcd supported?", "supported", "Etcd. Support includes"),
    ],
    "networking": [
        ("Is kubenet networking supported?", "Is kubenet networking supported?", "supported",
         "Kubenet"),
        ("what about network performance and latency?",
         "Is network performance and latency supported?", "supported",
         "Network performance and latency"),
    ],
    "multicloud then closed source": [
        ("Is a multicloud setup supported?", "Is a multicloud setup supported?",
         "not_supported", "multicloud or multivendor"),
        ("what about closed-source security scanners?",
         "Are closed-source security scanners supported?", "not_supported",
         "Third-party closed-source software"),
    ],
    "alpha features": [
        ("Does AKS support alpha features?", "Does AKS support alpha features?",
         "not_supported", "doesn't support alpha and beta features"),
        ("even if the AKS team asked us to try them?",
         "Does AKS support alpha features even if the AKS team asked us to try them?",
         "conditional", None),
        ("and if they're behind a feature flag?",
         "Does AKS support alpha features if they're behind a feature flag?", "conditional",
         None),
    ],
    "nsg rules": [
        ("Is customizing NSG rules supported?", "Is customizing NSG rules supported?", None,
         "customizing NSG rules"),
        ("what about whitelisting URLs?", "Is whitelisting URLs supported?", "not_supported",
         "whitelisting URLs"),
        ("and NSG bugs?", "Are NSG bugs supported?", "supported",
         "issues and bugs related to network security groups"),
    ],
    "nsg then port 443": [
        ("Can I change the NSG rules on the node subnet?",
         "Can I change the NSG rules on the node subnet?", None, "customizing NSG rules"),
        ("what about blocking outbound port 443?", "Is blocking outbound port 443 supported?",
         "not_supported", "block outbound port 443"),
    ],
    "node components": [
        ("Who fixes kubelet on worker nodes?", "Who fixes kubelet on worker nodes?",
         "microsoft_responsibility", "Kubelet"),
        ("and the docker daemon?", "Who is responsible for the docker daemon?",
         "microsoft_responsibility", "Docker or Moby daemon"),
    ],
    "kubelet then kube-proxy": [
        ("Who is responsible for the kubelet on worker nodes?",
         "Who is responsible for the kubelet on worker nodes?", "microsoft_responsibility",
         "Kubelet"),
        ("and kube-proxy?", "Who is responsible for kube-proxy?", "microsoft_responsibility",
         "Kube-proxy"),
    ],
    "preview features": [
        ("Are preview features supported?", "Are preview features supported?", "best_effort",
         "best effort"),
        ("can I use them in production?", "Can I use preview features in production?", None,
         "aren't meant for production"),
    ],
    "worker nodes": [
        ("Where do worker nodes show up in the portal?",
         "Where do worker nodes show up in the portal?", "informational", "Azure portal"),
        ("can I ssh into them?", "Can I ssh into worker nodes?", "informational",
         "Secure Shell (SSH)"),
    ],
    "sshd then os patches": [
        ("who patches sshd on the worker nodes?", "who patches sshd on the worker nodes?",
         "microsoft_responsibility", "automatically patched"),
        ("and the OS patches, do I need to reboot for those?",
         "Do I need to reboot for the OS patches?", "customer_responsibility",
         "reboot worker nodes"),
    ],
    "ingress": [
        ("Is ingress controller configuration supported?",
         "Is ingress controller configuration supported?", "supported",
         "Ingress controllers and ingress or load balancer configurations"),
        ("what about writing my own custom ingress controller?",
         "Is writing my own custom ingress controller supported?", "not_supported",
         "create custom ingress controllers"),
    ],
    "small talk between questions": [
        ("hi", "hi", "unknown", None),
        ("Is Istio supported?", "Is Istio supported?", "not_supported", "might include Istio"),
        ("thanks", "thanks", "unknown", None),
        ("and Envoy?", "Is Envoy supported?", "not_supported", "might include Istio, Helm, Envoy"),
    ],
}  # fmt: skip


@pytest.fixture()
def conversations(assistant: Assistant, tmp_path: Path) -> Iterator[Conversations]:
    """The façade over the real assistant and a fresh SQLite store."""
    store = SQLiteConversationStore(tmp_path / "conversations.sqlite3", 3600)
    yield Conversations(assistant, store)
    store.close()


@pytest.mark.parametrize("name", list(CHAINS))
def test_follow_up_chains(conversations: Conversations, name: str) -> None:
    conversation_id = None
    for number, (message, resolved, verdict, cited) in enumerate(CHAINS[name], 1):
        reply = conversations.ask(message, conversation_id, SEED)
        conversation_id, answer = reply.conversation_id, reply.answer
        where = f"{name} turn {number}: {message!r}"
        assert reply.turn.turn == number, where
        assert answer.question == message, where
        assert answer.resolved_question == resolved, where
        if verdict is not None:
            assert answer.verdict.value == verdict, where
        if cited is None:
            continue
        assert answer.kind in ("answer", "clarification"), where
        texts = [c.text for c in answer.citations]
        assert any(cited in text for text in texts), f"{where}: cited {texts}"
    transcript = conversations.transcript(str(conversation_id))
    assert [t.resolved_question for t in transcript.turns] == [s[1] for s in CHAINS[name]]


@pytest.mark.parametrize(
    ("message", "kind", "intent_words"),
    [
        ("Hello!", "smalltalk", "AKS"),
        ("thanks a lot", "smalltalk", "welcome"),
        ("What can you do?", "smalltalk", "responsible"),
        ("bye", "smalltalk", "Goodbye"),
        ("Can I talk to a human?", "handoff", "support request"),
        ("I want to speak with a real person about my istio issue", "handoff", "support request"),
        ("whats the weather in seattle tomorrow?", "smalltalk", "only answer questions"),
        ("got a good banana bread recipe?", "smalltalk", "only answer questions"),
    ],
)
def test_small_talk_gets_a_fixed_reply_without_a_verdict(
    conversations: Conversations, message: str, kind: str, intent_words: str
) -> None:
    answer = conversations.ask(message).answer
    assert answer.kind == kind
    assert answer.verdict.value == "unknown" and answer.confidence == 0.0
    assert answer.citations == ()
    assert 2 <= len(answer.suggestions) <= 4
    assert intent_words in answer.answer
    assert answer.answer_html.startswith(f'<div class="answer kind-{kind}')
    assert "\n\n" in answer.answer_markdown or "." in answer.answer_markdown


def test_small_talk_suggestions_are_answerable(conversations: Conversations) -> None:
    for suggestion in conversations.ask("hi").answer.suggestions:
        answer = conversations.ask(suggestion).answer
        assert answer.kind in ("answer", "clarification")
        assert answer.verdict.value != "unknown", suggestion


def test_a_greeting_before_a_question_is_not_small_talk(conversations: Conversations) -> None:
    answer = conversations.ask("hi, is istio supported? thanks").answer
    assert answer.kind in ("answer", "clarification")
    assert answer.resolved_question == "is istio supported?"
    assert answer.verdict.value == "not_supported"


def test_conflicting_evidence_asks_for_clarification(conversations: Conversations) -> None:
    answer = conversations.ask("Are preview features supported?", selection=SEED).answer
    assert answer.kind == "clarification"
    assert answer.verdict.value == "best_effort"  # the best reading is still given
    assert answer.citations
    assert 2 <= len(answer.suggestions) <= 4
    assert len(set(answer.suggestions)) == len(answer.suggestions)
    assert all(s.endswith("?") for s in answer.suggestions)
    assert any("preview features" in s for s in answer.suggestions)
    assert not any("n't" in s for s in answer.suggestions)  # phrases, not cut-off sentences


def test_unknown_and_empty_conversations(conversations: Conversations) -> None:
    with pytest.raises(ConversationNotFoundError):
        conversations.ask("and helm?", "no-such-conversation")
    with pytest.raises(ConversationNotFoundError):
        conversations.transcript("no-such-conversation")
    with pytest.raises(ConversationNotFoundError):
        conversations.delete("no-such-conversation")
    with pytest.raises(InvalidQuestionError):
        conversations.ask("   ")


def test_external_keys_continue_one_conversation(conversations: Conversations) -> None:
    first = conversations.ask_by_key("slack:T1:C1:1700000000.1", "Is Istio supported?")
    second = conversations.ask_by_key("slack:T1:C1:1700000000.1", "what about kured?")
    other = conversations.ask_by_key("slack:T1:C1:1700000000.2", "what about kured?")
    assert first.conversation_id == second.conversation_id != other.conversation_id
    assert (second.turn.turn, second.answer.resolved_question) == (2, "Is kured supported?")
    assert (other.turn.turn, other.answer.resolved_question) == (1, "what about kured?")


def test_feedback_is_recorded_exported_and_deleted(conversations: Conversations) -> None:
    reply = conversations.ask("Is Istio supported?")
    follow = conversations.ask("what about kured?", reply.conversation_id)
    conversations.record_feedback(reply.conversation_id, 2, "down", "Kured is best effort")
    with pytest.raises(InvalidFeedbackError):
        conversations.record_feedback(reply.conversation_id, 1, "meh")
    with pytest.raises(InvalidFeedbackError):
        conversations.record_feedback(reply.conversation_id, 1, "up", "x" * 1001)
    with pytest.raises(TurnNotFoundError):
        conversations.record_feedback(reply.conversation_id, 3, "up")
    (row,) = feedback_rows(conversations.store)
    assert row["question"] == "what about kured?"
    assert row["resolved_question"] == "Is kured supported?"
    assert row["got_verdict"] == follow.answer.verdict.value
    assert row["gold_clause_ids"] == [c.clause_id for c in follow.answer.citations]
    assert (row["expected_verdict"], row["rating"], row["comment"]) == (
        "",
        "down",
        "Kured is best effort",
    )
    conversations.record_feedback(reply.conversation_id, 2, "up")  # changed their mind
    (changed,) = feedback_rows(conversations.store)
    assert (changed["turn"], changed["rating"], changed["comment"]) == (2, "up", "")
    conversations.delete(reply.conversation_id)
    assert feedback_rows(conversations.store) == []
