"""Question → verdict and cited clause, on the real model, index and corpus. The cases were
written for the seed revision, so they are asked as of a date it was in force."""

from __future__ import annotations

import pytest

from assistant.answer.compose import compose_answer
from assistant.evaluation.grounding import GroundingChecker
from assistant.models import Decision, Frame, Hit, Selection, Verdict
from assistant.policy.corpus import Corpus
from assistant.policy.markdown import visible_text
from assistant.service import Assistant

from .conftest import SEED_AS_OF

V = Verdict
SEED = Selection(as_of=SEED_AS_OF)
CASES: list[tuple[str, Verdict, str]] = [
    # scope
    ("Is Istio supported?", V.NOT_SUPPORTED, "Istio, Helm, Envoy"),
    ("can I get help with my Istio mesh?", V.NOT_SUPPORTED, "Istio, Helm, Envoy"),
    ("Will Microsoft support Envoy?", V.NOT_SUPPORTED, "Istio, Helm, Envoy"),
    ("Is Helm supported?", V.BEST_EFFORT, "such as Helm and Kured"),
    ("does support cover Kured?", V.BEST_EFFORT, "such as Helm and Kured"),
    ("is a custom NSG rule ok?", V.NOT_SUPPORTED, "customizing NSG rules"),
    (
        "Our NSG failed to update, will Microsoft support that?",
        V.SUPPORTED,
        "NSG failure to update",
    ),
    ("Can I block outbound port 443 with a firewall?", V.NOT_SUPPORTED, "outbound port 443"),
    ("Is whitelisting URLs supported?", V.NOT_SUPPORTED, "whitelisting URLs"),
    ("Are alpha Kubernetes features supported on AKS?", V.NOT_SUPPORTED, "alpha and beta features"),
    (
        "do you support third-party closed-source security scanners?",
        V.NOT_SUPPORTED,
        "Third-party closed-source software",
    ),
    ("Is a multicloud federated setup supported?", V.NOT_SUPPORTED, "multicloud or multivendor"),
    ("Do you support Azure CNI networking problems?", V.SUPPORTED, "Azure CNI"),
    ("Is DNS resolution trouble in my cluster supported?", V.SUPPORTED, "DNS resolution"),
    (
        "Are ingress controller configurations supported?",
        V.SUPPORTED,
        "Ingress controllers and ingress or load balancer configurations",
    ),
    ("Is etcd supported?", V.SUPPORTED, "Etcd. Support includes"),
    ("Are public preview features supported?", V.BEST_EFFORT, "Features in public preview"),
    (
        "Can Microsoft Support advise on tuning my AKS cluster?",
        V.SUPPORTED,
        "can advise on AKS cluster functionality",
    ),
    (
        "will support help me use application workloads in kubernetes?",
        V.NOT_SUPPORTED,
        "Questions about how to use Kubernetes",
    ),
    ("Is network latency between pods supported?", V.SUPPORTED, "Network performance and latency"),
    # responsibility
    ("Who reboots nodes after OS patches?", V.CUSTOMER_RESPONSIBILITY, "responsible for rebooting"),
    (
        "Who is responsible for Kubernetes upgrades?",
        V.CUSTOMER_RESPONSIBILITY,
        "executing Kubernetes upgrades",
    ),
    ("who manages the kubernetes API server?", V.MICROSOFT_RESPONSIBILITY, "API server"),
    ("who backs up etcd?", V.MICROSOFT_RESPONSIBILITY, "backups of all etcd data"),
    ("Who is responsible for worker nodes?", V.SHARED_RESPONSIBILITY, "shared responsibility"),
    (
        "who fixes the kubelet when it breaks on a node?",
        V.MICROSOFT_RESPONSIBILITY,
        "automatically remediated",
    ),
    ("who patches sshd on the nodes?", V.MICROSOFT_RESPONSIBILITY, "automatically patched"),
    (
        "who is responsible for rebooting to get a security patch applied?",
        V.CUSTOMER_RESPONSIBILITY,
        "responsible for rebooting",
    ),
    (
        "Who patches clusters when a security flaw is found in AKS?",
        V.MICROSOFT_RESPONSIBILITY,
        "the AKS team will patch all affected clusters",
    ),
    (
        "who restores a node after I break it?",
        V.MICROSOFT_RESPONSIBILITY,
        "automatically restore the worker node",
    ),
    # facts
    ("How often is etcd backed up?", V.INFORMATIONAL, "every 30 minutes"),
    ("Can I access the etcd backups myself?", V.INFORMATIONAL, "aren't directly available"),
    ("where do AKS worker nodes show up in the portal?", V.INFORMATIONAL, "regular Azure IaaS"),
    ("what resource group are the node VMs in?", V.INFORMATIONAL, "prefixed with MC"),
    ("when is preview support available?", V.INFORMATIONAL, "business hours only"),
    ("How do I run upgrades?", V.INFORMATIONAL, "Azure control panel or the Azure CLI"),
    (
        "what happens if I make destructive changes to a worker node?",
        V.INFORMATIONAL,
        "automatically restore the worker node",
    ),
    (
        "Can Microsoft Support see the logs on my nodes?",
        V.INFORMATIONAL,
        "can't sign in to, execute commands in, or view logs",
    ),
    (
        "What does a known-issue filing explain?",
        V.INFORMATIONAL,
        "including links to upstream bugs",
    ),
    ("where should I look for a fully customizable solution?", V.INFORMATIONAL, "AKS Engine"),
    # abstention: off-topic and out-of-policy questions
    ("What's the weather in Paris tomorrow?", V.UNKNOWN, ""),
    ("Give me a recipe for banana bread", V.UNKNOWN, ""),
    ("How much does an AKS cluster cost per month?", V.UNKNOWN, ""),
    ("Does AKS support Windows node pools?", V.UNKNOWN, ""),
    ("How do I configure the cluster autoscaler?", V.UNKNOWN, ""),
    ("Who won the football world cup?", V.UNKNOWN, ""),
]


@pytest.mark.parametrize(("question", "verdict", "quote"), CASES, ids=[c[0] for c in CASES])
def test_question_gets_verdict_and_cites_the_clause(
    assistant: Assistant, question: str, verdict: Verdict, quote: str
) -> None:
    answer = assistant.answer(question, selection=SEED)
    assert answer.verdict is verdict, (answer.verdict, answer.answer)
    if quote:  # the clause is quoted in the answer (with its lead-in)
        assert quote in answer.answer, answer.answer
        assert answer.citations


@pytest.mark.parametrize("question", [c[0] for c in CASES])
def test_every_answer_is_grounded(assistant: Assistant, question: str) -> None:
    answer = assistant.answer(question, selection=SEED)
    seed = assistant.corpus_at(SEED_AS_OF)
    grounding = GroundingChecker(seed).check(answer.answer, [c.text for c in answer.citations])
    assert grounding.ungrounded == ()
    texts = {d.doc_id: d.text for d in seed.documents}
    for citation in answer.citations:
        assert citation.version == "2020-01-24"
        clause = seed.clause(citation.clause_id)
        assert clause is not None and citation.text == clause.text
        source = texts[clause.doc_id][clause.start : clause.end]
        assert visible_text(source, texts[clause.doc_id]) == citation.text
        assert citation.url.startswith("https://learn.microsoft.com/azure/aks/support-policies#")


def test_unknown_answers_say_the_policy_does_not_say(assistant: Assistant) -> None:
    answer = assistant.answer("What's the weather in Paris tomorrow?")
    assert answer.answer.startswith("The policy doesn't say.")
    assert answer.confidence < assistant.decider.threshold


def test_markdown_and_html_carry_the_same_citations(assistant: Assistant) -> None:
    answer = assistant.answer("Is Helm supported?", selection=SEED)
    for citation in answer.citations:
        assert f"[{citation.n}]" in answer.answer
        assert citation.url in answer.answer_markdown
        assert f'id="cite-{citation.n}"' in answer.answer_html
    assert "<script" not in assistant.answer("<script>alert(1)</script> Istio?").answer_html


@pytest.mark.parametrize(
    "question",
    [
        "Is Kubernetes 1.29 supported on v1.28.3 with kube-proxy?",
        "we upgraded on 2024-05-01 to 1.29.2; is node.kubernetes.io/exclude-from-lb ok?",
    ],
)
def test_versions_dates_and_dotted_names_survive_cleaning(
    assistant: Assistant, question: str
) -> None:
    assert assistant.answer(question).resolved_question == question


def test_a_lead_in_is_never_quoted_alone(assistant: Assistant) -> None:
    answer = assistant.answer("can you help me?", selection=SEED)
    first = answer.citations[0]
    if first.text.rstrip().endswith(":"):
        assert len(answer.citations) > 1
        assert f"{first.text} [1] {answer.citations[1].text} [2]" in answer.answer


def test_function_words_are_no_sign_of_an_unknown_subject(assistant: Assistant) -> None:
    # pronouns and quantifiers are not words "the policy never uses": only content words count
    for question in ("do you patch each of those nodes for us", "how many nodes do you patch"):
        assert assistant.trace(question).decision.signals.unknown == 0.0, question
    assert assistant.trace("do you patch our quasar flux nodes").decision.signals.unknown > 0


@pytest.mark.parametrize(
    ("question", "verdict"),
    [
        ("Is Pod IP address management supported with bring your own CNI?", V.NOT_SUPPORTED),
        ("Are Azure load balancers supported with bring your own CNI?", V.SUPPORTED),
        ("who triggers the kubernetes version upgrade?", V.CUSTOMER_RESPONSIBILITY),
        ("who provides the CSI drivers for persistent storage?", V.MICROSOFT_RESPONSIBILITY),
        ("who handles kubernetes version upgrades?", V.SHARED_RESPONSIBILITY),
    ],
)
def test_a_row_whose_columns_differ_answers_with_the_cell_asked_about(
    assistant: Assistant, question: str, verdict: Verdict
) -> None:
    answer = assistant.answer(question)
    assert answer.citations and "|" in answer.citations[0].text
    assert answer.verdict is verdict


def test_a_sentence_that_goes_on_from_the_quoted_one_is_quoted_with_it(
    seed_corpus: Corpus,
) -> None:
    """ "These reboots occur only on the node level …" goes on from "These reboot operations are
    automated …" (another stance): the answer quotes both; a sentence that neither shares the
    stance nor goes on is cited, not quoted."""
    (automated,) = [c for c in seed_corpus.clauses if c.text.startswith("These reboot operations")]
    decision = Decision(
        Verdict.MICROSOFT_RESPONSIBILITY, 0.9, Frame.RESPONSIBILITY, (Hit(automated, 1.0),)
    )
    composition = compose_answer(decision, seed_corpus, 3)
    assert [p.text.split()[:2] for p in composition.passages] == [
        ["These", "reboot"],
        ["These", "reboots"],
    ]
    (duty,) = [
        c
        for c in seed_corpus.clauses
        if c.text.startswith("The customer is responsible for rebooting or")
    ]
    following = seed_corpus.next_clause(duty)
    assert following is not None and following.text.startswith("If users don't apply")
    alone = Decision(Verdict.CUSTOMER_RESPONSIBILITY, 0.9, Frame.RESPONSIBILITY, (Hit(duty, 1.0),))
    assert [p.text for p in compose_answer(alone, seed_corpus, 3).passages] == [duty.text]
