"""Clarification: when the evidence disagrees or confidence is middling, keep the best reading
and offer follow-up questions that lead to the other readings."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.answer.suggestions import heading_question, topic_question
from assistant.models import RESPONSIBILITY_STANCES, Clause, Decision, Frame, Hit, Stance, Verdict
from assistant.search.terms import COMMON_WORDS, POLICY_WORDS, TermCounter

CLARIFICATION = "clarification"

# Stances that answer each frame; two different ones near the top disagree.
CONFLICTING: dict[Frame, frozenset[Stance]] = {
    Frame.SCOPE: frozenset(
        {Stance.SUPPORTED, Stance.NOT_SUPPORTED, Stance.BEST_EFFORT, Stance.CONDITIONAL}
    ),
    Frame.RESPONSIBILITY: RESPONSIBILITY_STANCES,
    Frame.FACT: frozenset(),
}

MIN_SUGGESTIONS, MAX_SUGGESTIONS = 2, 4
MAX_TOPIC_WORDS = 10
# A sentence that opens with a condition ("Where X, Microsoft supports Y") is about its main clause.
_OPENING_CONDITION = re.compile(
    r"^(?:(?:where|when|if|although|because|as|since|while|unless)\b[^,]*|by contrast|"
    r"currently|instead|alternatively|however|therefore|in addition|in many cases|"
    r"because of this|for example|(?:in|on|with) (?:\w+\s+){0,2}\w+),\s*(?:but |and )?|"
    r"^(?:but|and|so)\s+",
    re.IGNORECASE,
)
# Words a topic must not end on (a cut mid-phrase) or start with (no noun phrase).
_DANGLING = frozenset(
    "a an and are as at be by for from in is not of on or that the their to with".split()
)
# Who does what, at the start of a sentence: the topic is what follows.
_ACTOR_VERB = re.compile(
    r"^(?:(?:the )?(?:microsoft(?: support)?|microsoft and the aks team|aks(?: team)?|azure|"
    r"customers?|users?|you|it|this|they)\s+)"
    r"(?:(?:can(?:'t|not)?|does(?:n't| not)?|do(?:n't| not)?|will|won't|might|may|must|should|"
    r"is|are|isn't|aren't|has|have)\s+)?(?:not\s+)?(?:(?:responsible for|required to|"
    r"provides?|supports?|offers?|gives?|appl(?:y|ies)|patch(?:es)?|deliver(?:s)?|limits?|"
    r"takes?|manages?|be)\s+)?",
    re.IGNORECASE,
)
# Where a clause's topic ends: the rest is examples, conditions or a second sentence.
_TOPIC_END = re.compile(
    r"\.\s|;\s|:\s|\s\(|\s-\s|\s\u2014\s| such as | for example|, such|, which|\.$|"
    r"(?<=\w\w) that (?!is\b)| which | to (?:ensure|apply|make|get)\b"
)


@dataclass(frozen=True)
class Clarifier:
    """Decides when an answer needs clarifying and which questions to suggest.

    Evidence disagrees when a clause among the first `window` has a different stance for the
    question's frame than the decisive clause, with a fused score at least `score_ratio` of the
    best one, a cosine similarity within `dense_margin` of the decisive clause's, and at least
    as many of the question's content words as the decisive clause names.
    """

    min_confidence: float = 0.3
    max_confidence: float = 0.6
    score_ratio: float = 0.96
    dense_margin: float = 0.05
    window: int = 3
    counter: TermCounter = field(default_factory=TermCounter, compare=False, repr=False)
    titles: frozenset[str] = frozenset()  # documents' titles: never suggested as a topic

    def _named(self, terms: set[str], clause: Clause) -> int:
        return len(terms & self.counter.terms(clause.text))

    def conflicts(self, question: str, decision: Decision) -> list[Hit]:
        """Evidence clauses whose stance disagrees with the decisive one at similar scores."""
        stances = CONFLICTING[decision.frame]
        if not decision.evidence or decision.evidence[0].clause.stance not in stances:
            return []
        top = decision.evidence[0]
        best = max(h.score for h in decision.evidence[: self.window])
        terms = self.counter.terms(question, COMMON_WORDS | POLICY_WORDS)
        named = self._named(terms, top.clause)
        return [
            hit
            for hit in decision.evidence[1 : self.window]
            if hit.clause.stance in stances
            and hit.clause.stance != top.clause.stance
            and hit.score >= self.score_ratio * best
            and (hit.dense_score or 0.0) >= (top.dense_score or 0.0) - self.dense_margin
            and self._named(terms, hit.clause) >= named
        ]

    def is_middling(self, decision: Decision) -> bool:
        """Confidence too high to dismiss and too low to state the verdict plainly."""
        return self.min_confidence <= decision.confidence < self.max_confidence

    def suggestions(self, question: str, decision: Decision) -> tuple[str, ...] | None:
        """2 to 4 follow-up questions when the answer to `question` needs clarifying, else None."""
        if not decision.evidence:
            return None
        conflicts = self.conflicts(question, decision)
        middling = self.is_middling(decision)
        if not conflicts and not middling:
            return None
        if decision.verdict is Verdict.UNKNOWN and not middling:
            return None
        top = decision.evidence[0].clause
        others = [h for h in decision.evidence[1:] if h not in conflicts]
        candidates = [h.clause for h in conflicts] + [h.clause for h in others]
        if decision.verdict is Verdict.UNKNOWN:
            candidates.insert(0, top)  # abstained: the closest clause is a reading too
        questions = suggest_questions(top, candidates, self.titles)
        return questions if len(questions) >= MIN_SUGGESTIONS else None


def clause_topic(clause: Clause) -> str:
    """A short phrase naming what a clause is about, cut from its own words."""
    text = clause.text.strip()
    if clause.kind != "item":
        text = _OPENING_CONDITION.sub("", text)
    end = _TOPIC_END.search(text)
    topic = _ACTOR_VERB.sub("", text[: end.start()] if end else text)
    words = topic.split()
    if len(words) > MAX_TOPIC_WORDS:
        comma = topic.find(", ", len(" ".join(words[:4])))
        words = (topic[:comma] if comma > 0 else topic).split()[:MAX_TOPIC_WORDS]
    while words and words[-1].lower().strip(",.;:") in _DANGLING:
        words.pop()
    topic = " ".join(words).rstrip(",.;:")
    if len(words) < 2 and not clause.kind == "item" or words and words[0].lower() in _DANGLING:
        return ""
    if len(topic) > 1 and topic[0].isupper() and topic[1].islower():
        topic = topic[0].lower() + topic[1:]
    return topic


def suggest_questions(
    top: Clause, candidates: Sequence[Clause], titles: frozenset[str] = frozenset()
) -> tuple[str, ...]:
    """Questions about each candidate: its section when that differs from the decisive clause's
    (and is not a document's title), else its own topic; distinct, at most MAX_SUGGESTIONS."""
    used_headings = {top.section_path[-1], *titles}
    questions: list[str] = []
    for clause in candidates:
        heading = clause.section_path[-1]
        topic = clause_topic(clause)
        if heading not in used_headings or (not topic and heading not in titles):
            used_headings.add(heading)
            question = heading_question(heading)
        else:
            question = topic_question(topic)
        if question and question not in questions:
            questions.append(question)
        if len(questions) == MAX_SUGGESTIONS:
            break
    return tuple(questions)
