"""Decide a verdict and its confidence from the retrieved clauses and the question frame."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import Stemmer
from bm25s.stopwords import STOPWORDS_EN_PLUS

from assistant.answer.limits import breaks_limit, misstates_period, names_other_version
from assistant.answer.query import Topic
from assistant.errors import CorpusError
from assistant.models import (
    RESPONSIBILITY_STANCES,
    Clause,
    Decision,
    Frame,
    Hit,
    Selection,
    Signals,
    Stance,
    Verdict,
)
from assistant.policy.corpus import Corpus
from assistant.policy.provider import UNNAMED, document_providers
from assistant.policy.stance import answers_by_column
from assistant.search.index import tokenize

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
    "us",
    "mine",
    "our",
    "we",
    "im",
    "i",
    "me",
    "my",
    "do",
    "did",
    "what",
    "who",
    "how",
    "whi",
    "when",
    "where",
    "which",
    "whose",
    "true",
    "realli",
    "actual",
    "just",
    "also",
    "still",
    "ani",
}
# The function words of English (pronouns, quantifiers, auxiliaries) are no sign that a question
# is about something the policy never mentions: "how many versions do you support" asks about
# versions. Words that bound what is asked are not among them: negations, conditions, times,
# particles, "only", "own".
_BOUNDING_WORDS = {
    "only", "own", "not", "no", "nor", "if", "while", "until", "once", "before", "after",
    "during", "against", "off", "out", "up", "down", "over", "under", "above", "below",
    "between", "through", "other", "same", "more", "most", "few", "all", "again", "further",
    "than", "too", "very",
}  # fmt: skip
_FUNCTION_WORDS = (frozenset(STOPWORDS_EN_PLUS) - _BOUNDING_WORDS) | {"many", "much", "one", "lot"}
_RERANK_DEPTH = 8
_FRAME_DEPTH = 3
_RARE_DF = 2
_FIT_SHARE = 0.5
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# stances that state a rule outright, which a conditional clause qualifies
_RULE_STANCES = frozenset({Stance.SUPPORTED, Stance.NOT_SUPPORTED, Stance.BEST_EFFORT})
FRAME_STANCES: dict[Frame, frozenset[Stance]] = {
    Frame.SCOPE: frozenset(Stance) - {Stance.INFORMATIONAL},
    Frame.RESPONSIBILITY: RESPONSIBILITY_STANCES | {Stance.SUPPORTED},
    Frame.FACT: frozenset(Stance),
}


@dataclass(frozen=True)
class Calibration:
    """Logistic map from evidence features to P(verdict is right); fitted on the dev split."""

    bias: float = -1.2
    dense: float = 2.3
    coverage: float = 1.7
    unknown: float = -2.1
    off_topic: float = -3.0
    threshold: float = 0.35

    def confidence(self, e: Signals) -> float:
        """Confidence in [0, 1]."""
        z = (
            self.bias
            + self.dense * e.dense
            + self.coverage * e.coverage
            + self.unknown * e.unknown
            + self.off_topic * e.off_topic
        )
        return 1.0 / (1.0 + math.exp(-z))

    @classmethod
    def load(cls, path: Path | None) -> Calibration:
        """The calibration in a JSON file, or the defaults when there is none."""
        if path is None or not path.exists():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        keys = ("bias", "dense", "coverage", "unknown", "off_topic", "threshold")
        missing = [k for k in keys if k not in data]
        if missing:
            raise CorpusError(
                f"calibration file {str(path)!r} lacks {', '.join(missing)}; "
                "run `assistant eval --calibrate` to refit it"
            )
        return cls(**{k: float(data[k]) for k in keys})


class VerdictDecider:
    """Picks the decisive clause among the hits and turns its stance into a verdict."""

    def __init__(
        self,
        corpus: Corpus,
        calibration: Calibration,
        threshold: float | None = None,
        topics: tuple[Topic, ...] = (),
        known_terms: tuple[str, ...] = (),
    ) -> None:
        self.corpus = corpus
        self.topics = topics
        self.calibration = calibration
        self.threshold = calibration.threshold if threshold is None else threshold
        self._stemmer = Stemmer.Stemmer("english")
        # the provider's own name says no more of what is asked than "Microsoft" does
        names = [n for n in document_providers(corpus).values() if n != UNNAMED]
        generic = [*_GENERIC, *(w.lower() for n in names for w in n.split() if w != "and")]
        self._generic = set(self._stem(" ".join(generic))) | set(generic)
        self._function = set(self._stem(" ".join(_FUNCTION_WORDS))) | _FUNCTION_WORDS
        self._tokens = {c.clause_id: set(self._stem(c.text)) for c in corpus.clauses}
        self._known = set(self._stem(" ".join(known_terms)))  # words the synonym file maps
        self._indexed = {c.clause_id: set(self._stem(c.indexed_text)) for c in corpus.clauses}
        df = Counter(t for tokens in self._tokens.values() for t in tokens)
        # terms the policy uses in only a few clauses, and where (reading order), for rescue
        self._rare_positions: dict[str, list[int]] = {}
        for position, clause in enumerate(corpus.clauses):
            for term in self._tokens[clause.clause_id]:
                if df[term] <= _RARE_DF:
                    self._rare_positions.setdefault(term, []).append(position)
        self._document_words: dict[str, set[str]] = {}
        for clause in corpus.clauses:
            words = self._document_words.setdefault(clause.doc_id, set())
            words.update(self._tokens[clause.clause_id])
        n = max(len(corpus.clauses), 1)
        self._idf = {t: math.log(1 + n / f) for t, f in df.items()}
        self._max_idf = max(self._idf.values(), default=1.0)

    def _stem(self, text: str) -> list[str]:
        return tokenize([text], self._stemmer)[0]

    def salient_terms(self, question: str) -> set[str]:
        """Stemmed question words that name what is asked about."""
        return {t for t in self._stem(question) if t not in self._generic and len(t) > 1}

    def stance_asked(self, question: str, clause: Clause) -> Stance:
        """The clause's stance, or, for a table row whose columns say different things (a
        sentence whose parts do), the stance of the one cell (part) the question singles out:
        the one with the most question words that no other uses ("pod-to-pod traffic" in the
        "Microsoft doesn't support" column; "trigger" in the "Customer provides" one; "review
        schemas" after "…, but does not"). A question that states a quantity beyond a limit
        the clause sets ("a driver about 2 years old" and "supported for 18 months") is not
        supported, unless the clause states a responsibility; so is a version a supported
        clause's list leaves out ("Windows Server 2012" against "Windows Server 2019 and
        2022"). A question claiming another support period than the clause's ("supported for
        5 years, right?" against "14 months") gets the clause as information. A row's cell
        is singled out by its column's header too ("what does the customer provide for
        scaling?"); not a plan table's, whose cells answer yes or no under plans: "phone support
        on basic?" names a condition, and gets the row's `conditional`."""
        if clause.stance not in RESPONSIBILITY_STANCES and breaks_limit(question, clause.text):
            return Stance.NOT_SUPPORTED
        if misstates_period(question, clause.text):
            return Stance.INFORMATIONAL
        if clause.stance is Stance.SUPPORTED and names_other_version(question, clause.text):
            return Stance.NOT_SUPPORTED
        if not clause.cell_stances or answers_by_column(clause):
            return clause.stance
        terms = self.salient_terms(question) - self._function  # "from" singles out nothing
        # a row's cell is named by its column's header too ("Basic" over a ❌)
        heads = clause.header if clause.kind == "row" else ()
        words = [
            set(self._stem(f"{heads[i] if i < len(heads) else ''} {piece}"))
            for i, piece in enumerate(clause.pieces)
        ]
        scores = [
            len(terms & own.difference(*(w for j, w in enumerate(words) if j != i)))
            if stance is not None
            else 0
            for i, (stance, own) in enumerate(zip(clause.cell_stances, words, strict=False))
        ]
        best = max(scores, default=0)
        if best and scores.count(best) == 1:
            return clause.cell_stances[scores.index(best)] or clause.stance
        return clause.stance

    def rescue(
        self, terms: set[str], hits: Sequence[Hit], selection: Selection | None = None
    ) -> list[Hit]:
        """Clauses naming a term the policy uses only a few times, when retrieval missed them:
        a question about "Kured" must see the one clause that names Kured."""
        seen = {h.clause.clause_id for h in hits[:_RERANK_DEPTH]}
        floor = min((h.score for h in hits[:_RERANK_DEPTH]), default=0.0)
        positions = {p for t in terms for p in self._rare_positions.get(t, ())}
        clauses = [self.corpus.clauses[p] for p in sorted(positions)]
        allowed = selection or Selection()
        return [
            Hit(clause=c, score=floor)
            for c in clauses
            if c.clause_id not in seen and allowed.allows(c)
        ]

    def weight(self, terms: set[str], clause_id: str) -> float:
        """Summed idf of the terms the clause's own text uses."""
        return sum(self._idf.get(t, 0.0) for t in terms & self._tokens[clause_id])

    def rank_evidence(
        self,
        question: str,
        frame: Frame,
        hits: Sequence[Hit],
        bridges: str = "",
        selection: Selection | None = None,
    ) -> list[Hit]:
        """Hits reordered so that clauses naming the question's rarer terms come first, a clause
        that speaks to the question's frame beats one that doesn't, and a noted exception comes
        before the list item it qualifies when it names the same thing. `bridges` are policy
        words standing in for question words the policy never uses; they count half, so
        "linkerd" weighs a little like "Istio" and "Envoy"."""
        terms = self.salient_terms(question)
        ranked = self._by_term_strength(
            terms, self.salient_terms(bridges) - terms, hits, selection or Selection()
        )
        if not ranked:
            return ranked
        ranked = self._fit_frame(frame, terms, ranked)
        ranked = self._prefer_rule(terms, ranked)
        ranked = self.prefer_named_exception(terms, ranked)
        return self._prefer_exception(terms, ranked)

    def _by_term_strength(
        self, terms: set[str], bridged: set[str], hits: Sequence[Hit], selection: Selection
    ) -> list[Hit]:
        head = list(hits[:_RERANK_DEPTH]) + self.rescue(terms, hits, selection)
        best = max((h.score for h in head), default=0.0)

        def strength(hit: Hit) -> float:
            cid = hit.clause.clause_id
            weight = self.weight(terms, cid) + 0.5 * self.weight(bridged, cid)
            return hit.score / best + 0.15 * weight

        return sorted(head, key=strength, reverse=True) + list(hits[_RERANK_DEPTH:])

    def _fit_frame(self, frame: Frame, terms: set[str], ranked: list[Hit]) -> list[Hit]:
        """A clause that speaks to the question's frame first, if it names at least half of
        what the best clause names of the question."""
        preferred = FRAME_STANCES[frame]
        floor = _FIT_SHARE * self.weight(terms, ranked[0].clause.clause_id)
        fit = next(
            (
                h
                for h in ranked[:_FRAME_DEPTH]
                if h.clause.stance in preferred and self.weight(terms, h.clause.clause_id) >= floor
            ),
            None,
        )
        return _first(fit, ranked)

    def _prefer_rule(self, terms: set[str], ranked: list[Hit]) -> list[Hit]:
        """A section's plain rule before the conditions it makes exceptions for, unless the
        question names something of a condition: "are beta features supported?" is answered by
        "AKS doesn't support alpha and beta features", not by "in two scenarios, beta features
        might be rolled out"."""
        top = ranked[0].clause
        if top.stance is not Stance.CONDITIONAL:
            return ranked
        named = terms & self._tokens[top.clause_id]
        rule = next(
            (
                h
                for h in ranked[1:_RERANK_DEPTH]
                if h.clause.stance in _RULE_STANCES
                and h.clause.section_anchor == top.section_anchor
                and h.clause.doc_id == top.doc_id
                and named <= self._tokens[h.clause.clause_id]
            ),
            None,
        )
        return _first(rule, ranked)

    def prefer_named_exception(self, terms: set[str], ranked: list[Hit]) -> list[Hit]:
        """An exception before the list it singles a thing out of: when the deciding clause
        names what is asked among others ("Istio, Helm, or Envoy" aren't supported) and another
        clause names it alone with another scope stance ("best-effort support for projects like
        Helm"), the exception decides."""
        top = ranked[0].clause
        named = terms & self._tokens[top.clause_id]
        if top.stance not in _RULE_STANCES or not named or top.text.count(",") < 2:
            return ranked
        exception = next(
            (
                h
                for h in ranked[1:_RERANK_DEPTH]
                if h.clause.stance in _RULE_STANCES
                and h.clause.stance != top.stance
                and named <= self._tokens[h.clause.clause_id]
                and self._names_alone(named, h.clause.text)
            ),
            None,
        )
        return _first(exception, ranked)

    def _names_alone(self, terms: set[str], text: str) -> bool:
        """Whether a sentence of the text names the terms without listing other things."""
        return any(
            "," not in sentence and terms <= set(self._stem(sentence))
            for sentence in _SENTENCE_END.split(text)
        )

    def _prefer_exception(self, terms: set[str], ranked: list[Hit]) -> list[Hit]:
        top = ranked[0]
        top_weight = self.weight(terms, top.clause.clause_id)
        for child in self.corpus.children(top.clause.clause_id):
            weight = self.weight(terms, child.clause_id)
            if child.stance != top.clause.stance and weight > 0 and weight >= top_weight:
                existing = next((h for h in ranked if h.clause.clause_id == child.clause_id), None)
                promoted = existing or replace(
                    top, clause=child, dense_rank=None, lexical_rank=None
                )
                return [promoted] + [h for h in ranked if h is not existing]
        return ranked

    def term_weight(self, terms: set[str]) -> float:
        """Summed idf of the terms, a word the policy never uses weighing like its rarest."""
        return sum(self._idf.get(t, self._max_idf) for t in terms)

    def indexed_weight(self, terms: set[str], clause_id: str) -> float:
        """Summed idf of the terms the clause's indexed text (section, lead-in, text) uses."""
        return sum(self._idf.get(t, 0.0) for t in terms & self._indexed[clause_id])

    def signals(
        self, question: str, ranked: Sequence[Hit], selection: Selection | None = None
    ) -> Signals:
        """Confidence features for the decisive (first) hit; a word counts as unknown when
        the selected documents (all when none is) never use it."""
        terms = self.salient_terms(question)
        # a word the policy never uses weighs like its rarest word: it is what is asked about
        total = sum(self._idf.get(t, self._max_idf) for t in terms)
        found = sum(
            self._idf.get(t, 0.0) for t in terms & self._indexed[ranked[0].clause.clause_id]
        )
        # the share of its content words the policy never uses (a pronoun is no sign of that)
        content = terms - self._function
        unknown = len(self._unknown(content, selection))
        return Signals(
            dense=max((h.dense_score or 0.0) for h in ranked[:3]),
            coverage=found / total if total else 0.0,
            unknown=unknown / len(content) if content else 0.0,
            off_topic=1.0 if self.uncovered_topic(question, ranked) else 0.0,
        )

    def unknown_terms(self, question: str) -> set[str]:
        """The question's content words (stemmed) that neither the policy nor its synonym
        files use."""
        return self._unknown(self.salient_terms(question) - self._function)

    def _unknown(self, content: set[str], selection: Selection | None = None) -> set[str]:
        if selection is None or not selection.documents:
            return {t for t in content if t not in self._idf and t not in self._known}
        used = self._words_of(selection.documents)
        return {t for t in content if t not in used and t not in self._known}

    def _words_of(self, documents: tuple[str, ...]) -> set[str]:
        """The (stemmed) words the documents' clauses use."""
        if len(documents) == 1:
            return self._document_words.get(documents[0], set())
        return set().union(*(self._document_words.get(d, set()) for d in documents))

    @property
    def vocabulary(self) -> frozenset[str]:
        """The (stemmed) words the policy's clauses use."""
        return frozenset(self._idf)

    def uncovered_topic(self, question: str, ranked: Sequence[Hit]) -> Topic | None:
        """A subject the question names that the policy doesn't cover and no top clause names
        (a topic of one document's, only when the first clause is that document's)."""
        lowered = question.lower()
        evidence = " ".join(h.clause.text for h in ranked[:_FRAME_DEPTH]).lower()
        first = ranked[0].clause.doc_id if ranked else ""
        for topic in self.topics:
            if topic.document and topic.document != first:
                continue
            term = topic.named_in(lowered)
            if term is not None and term not in evidence:
                return topic
        return None

    def decide(
        self,
        question: str,
        frame: Frame,
        hits: Sequence[Hit],
        bridges: str = "",
        selection: Selection | None = None,
    ) -> Decision:
        """The verdict for a question, `unknown` when the evidence is too weak; only clauses
        the selection allows are considered."""
        if not hits:
            return Decision(Verdict.UNKNOWN, 0.0, frame, ())
        ranked = self.rank_evidence(question, frame, hits, bridges, selection)
        signals = self.signals(question, ranked, selection)
        confidence = self.calibration.confidence(signals)
        raw = verdict_for(frame, self.stance_asked(question, ranked[0].clause))
        verdict = raw if confidence >= self.threshold else Verdict.UNKNOWN
        return Decision(verdict, round(confidence, 4), frame, tuple(ranked), raw, signals)


def _first(hit: Hit | None, ranked: list[Hit]) -> list[Hit]:
    """The ranking with `hit` moved to the front (unchanged when there is none)."""
    return ranked if hit is None else [hit] + [h for h in ranked if h is not hit]


_SCOPE_VERDICTS = frozenset(
    {Verdict.SUPPORTED, Verdict.NOT_SUPPORTED, Verdict.BEST_EFFORT, Verdict.CONDITIONAL}
)
_RESPONSIBILITY_VERDICTS = frozenset(
    {
        Verdict.CUSTOMER_RESPONSIBILITY,
        Verdict.MICROSOFT_RESPONSIBILITY,
        Verdict.SHARED_RESPONSIBILITY,
    }
)


def frame_of_verdict(verdict: Verdict) -> Frame | None:
    """The frame a verdict answers (the inverse of `verdict_for`); None for `unknown`."""
    if verdict in _SCOPE_VERDICTS:
        return Frame.SCOPE
    if verdict in _RESPONSIBILITY_VERDICTS:
        return Frame.RESPONSIBILITY
    return Frame.FACT if verdict is Verdict.INFORMATIONAL else None


def verdict_for(frame: Frame, stance: Stance) -> Verdict:
    """How a clause stance answers a question of a given frame."""
    if frame is Frame.FACT:
        return Verdict.INFORMATIONAL
    if frame is Frame.RESPONSIBILITY and stance is Stance.SUPPORTED:
        return Verdict.MICROSOFT_RESPONSIBILITY
    return Verdict(stance.value)
