"""Clarification: conflicting or middling evidence keeps the best reading and suggests questions."""

from __future__ import annotations

from assistant.dialogue.clarification import Clarifier, clause_topic, suggest_questions
from assistant.models import Clause, Decision, Frame, Hit, Verdict
from assistant.policy.corpus import Corpus


def clause(corpus: Corpus, fragment: str) -> Clause:
    """The clause whose text contains `fragment`."""
    return next(c for c in corpus.clauses if fragment in c.text)


def hit(c: Clause, score: float, dense: float) -> Hit:
    return Hit(clause=c, score=score, dense_score=dense)


ISTIO = "These projects might include Istio"
OSS = "Third-party open-source projects that"
KUBENET = "Kubenet (basic)"
KURED = "best-effort support for third-party open-source projects such as Helm and Kured"
INTEGRATES = "Where the third-party open-source tool integrates"
LATENCY = "Network performance and latency"


def decision(corpus: Corpus, confidence: float, *evidence: tuple[str, float, float]) -> Decision:
    hits = tuple(hit(clause(corpus, f), s, d) for f, s, d in evidence)
    verdict = Verdict(hits[0].clause.stance.value) if confidence >= 0.5 else Verdict.UNKNOWN
    return Decision(verdict, confidence, Frame.SCOPE, hits)


def test_clause_topics_are_short_phrases_from_the_clause(seed_corpus: Corpus) -> None:
    corpus = seed_corpus  # the cases quote the seed revision
    assert clause_topic(clause(corpus, OSS)) == ("third-party open-source projects")
    assert clause_topic(clause(corpus, KURED)) == (
        "best-effort support for third-party open-source projects"
    )
    assert clause_topic(clause(corpus, "Customers are responsible for executing")) == (
        "executing Kubernetes upgrades"
    )
    assert clause_topic(clause(corpus, "DNS services (for example")) == "DNS services"


def test_a_clause_naming_the_question_terms_settles_it(seed_corpus: Corpus) -> None:
    corpus = seed_corpus  # the cases quote the seed revision
    found = decision(
        corpus, 0.9, (OSS, 0.032, 0.45), (KURED, 0.033, 0.49), (INTEGRATES, 0.031, 0.41)
    )
    assert Clarifier().conflicts("Is Istio supported?", found) == []
    assert Clarifier().suggestions("Is Istio supported?", found) is None


def test_disagreeing_clauses_at_similar_scores_ask_for_clarification(seed_corpus: Corpus) -> None:
    corpus = seed_corpus  # the cases quote the seed revision
    found = decision(
        corpus,
        0.9,
        (OSS, 0.032, 0.45),
        (KURED, 0.033, 0.49),
        (INTEGRATES, 0.031, 0.41),
        (LATENCY, 0.03, 0.3),
    )
    question = "Are third-party open-source projects supported?"
    assert [h.clause.text for h in Clarifier().conflicts(question, found)] == [
        clause(corpus, KURED).text
    ]
    suggestions = Clarifier().suggestions(question, found)
    assert suggestions is not None and 2 <= len(suggestions) <= 4
    assert suggestions[0] == (
        "What does the policy say about best-effort support for third-party open-source projects?"
    )


def test_far_lower_scores_do_not_conflict(seed_corpus: Corpus) -> None:
    corpus = seed_corpus  # the cases quote the seed revision
    found = decision(corpus, 0.9, (OSS, 0.032, 0.6), (KURED, 0.02, 0.3))
    assert Clarifier().conflicts("Are open-source projects supported?", found) == []


def test_middling_confidence_asks_for_clarification(seed_corpus: Corpus) -> None:
    corpus = seed_corpus  # the cases quote the seed revision
    found = decision(corpus, 0.45, (LATENCY, 0.032, 0.5), (KURED, 0.03, 0.3), (KUBENET, 0.029, 0.3))
    suggestions = Clarifier(0.3, 0.6).suggestions("latency?", found)
    assert suggestions is not None and len(suggestions) >= 2
    assert Clarifier(0.3, 0.4).suggestions("latency?", found) is None
    low = decision(corpus, 0.1, (LATENCY, 0.032, 0.5), (KURED, 0.03, 0.3))
    assert Clarifier().suggestions("latency?", low) is None


def test_suggestions_use_other_sections_headings(seed_corpus: Corpus) -> None:
    corpus = seed_corpus  # the cases quote the seed revision
    top = clause(corpus, ISTIO)
    others = [clause(corpus, "Customers are responsible for executing"), clause(corpus, KURED)]
    assert suggest_questions(top, others) == (
        "What does the policy say about customer responsibilities for AKS worker nodes?",
        "What does the policy say about best-effort support for third-party open-source projects?",
    )
