"""Decide a verdict and its confidence from the retrieved clauses and the question frame."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import Stemmer

from .index import tokenize
from .models import Decision, Frame, Hit, Stance, Verdict

# Words that say nothing about *what* is asked: every clause of a support policy shares them.
_GENERIC = {
    "aks",
    "azur",
    "microsoft",
    "ms",
    "msft",
    "kubernet",
    "k8s",
    "cluster",
    "support",
    "help",
    "issu",
    "question",
    "polici",
    "use",
    "can",
    "get",
    "ok",
    "okay",
    "allow",
    "cover",
    "work",
    "thing",
    "stuff",
    "pleas",
    "need",
    "want",
    "know",
    "tell",
    "doe",
    "will",
    "would",
    "should",
    "could",
    "may",
    "might",
    "handl",
    "take",
    "care",
    "respons",
    "job",
    "happen",
    "abl",
}


@dataclass(frozen=True)
class Calibration:
    """Maps evidence strength to a confidence in [0, 1] with a logistic curve."""

    dense_weight: float = 12.0
    term_weight: float = 1.0
    bias: float = -4.5

    def confidence(self, dense: float, matched_terms: int) -> float:
        """Confidence for the best clause's cosine similarity and its matched question terms."""
        z = self.bias + self.dense_weight * dense + self.term_weight * min(matched_terms, 3)
        return 1.0 / (1.0 + math.exp(-z))


class VerdictDecider:
    """Picks the decisive clause among the hits and turns its stance into a verdict."""

    def __init__(self, threshold: float, calibration: Calibration | None = None) -> None:
        self.threshold = threshold
        self.calibration = calibration or Calibration()
        self._stemmer = Stemmer.Stemmer("english")

    def salient_terms(self, question: str) -> set[str]:
        """Stemmed question words that name what is asked about."""
        return {
            t for t in tokenize([question], self._stemmer)[0] if t not in _GENERIC and len(t) > 1
        }

    def _matched(self, hit: Hit, terms: set[str]) -> int:
        return len(terms & set(tokenize([hit.clause.text], self._stemmer)[0]))

    def rank_evidence(self, question: str, hits: Sequence[Hit]) -> list[Hit]:
        """Hits reordered so a clause naming more of the question's terms comes first, and a
        noted exception comes before the list item it qualifies."""
        terms = self.salient_terms(question)
        matched = {h.clause.clause_id: self._matched(h, terms) for h in hits}
        head = sorted(hits[:3], key=lambda h: -matched[h.clause.clause_id])
        ranked = list(head) + list(hits[3:])
        top = ranked[0]
        for hit in ranked[1:]:
            is_exception = (
                hit.clause.parent_id == top.clause.clause_id
                and hit.clause.stance != top.clause.stance
            )
            if is_exception and matched[hit.clause.clause_id] >= max(
                matched[top.clause.clause_id], 1
            ):
                ranked.remove(hit)
                ranked.insert(0, hit)
                break
        return ranked

    def decide(self, question: str, frame: Frame, hits: Sequence[Hit]) -> Decision:
        """The verdict for a question, `unknown` when the evidence is too weak."""
        if not hits:
            return Decision(Verdict.UNKNOWN, 0.0, frame, ())
        ranked = self.rank_evidence(question, hits)
        top = ranked[0]
        dense = max((h.dense_score or 0.0) for h in ranked[:3])
        confidence = self.calibration.confidence(
            dense, self._matched(top, self.salient_terms(question))
        )
        verdict = (
            _verdict_for(frame, top.clause.stance)
            if confidence >= self.threshold
            else Verdict.UNKNOWN
        )
        return Decision(verdict, round(confidence, 4), frame, tuple(ranked))


def _verdict_for(frame: Frame, stance: Stance) -> Verdict:
    if frame is Frame.FACT:
        return Verdict.INFORMATIONAL
    return Verdict(stance.value)
