"""A learned stance classifier: logistic regression on a clause's sentence embedding and the
votes of the stance rules, trained on reviewed stance labels (`<document-id>.stances.jsonl`).

The embedding carries what a clause says in any wording; the rule votes carry the document's
structure (lead-ins, headings, table cells). Vectors come from the caller (the search layer owns
the embedder), so this module needs nothing but numpy and scikit-learn.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

from assistant.errors import CorpusError
from assistant.models import Clause, Stance
from assistant.policy.stance import RuleStance

# The learned stance replaces a rule's only where the rules fell back to the default
# (`informational`, no rule fired) or the model is at least this sure.
CONFIDENT = 0.8


@dataclass(frozen=True)
class StanceLabel:
    """A reviewed stance for the clause of one document version that `quote` identifies."""

    version: str
    quote: str
    stance: Stance


def load_stance_labels(path: Path) -> list[StanceLabel]:
    """The reviewed stance labels in a JSON Lines file (version, quote, stance per line)."""
    labels = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            label = StanceLabel(str(row["version"]), str(row["quote"]), Stance(row["stance"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise CorpusError(f"{path}:{number}: bad stance label ({exc})") from exc
        labels.append(label)
    return labels


def labelled_positions(
    clauses: tuple[Clause, ...], labels: list[StanceLabel]
) -> list[tuple[int, Stance]]:
    """(clause position, stance) for each label whose quote identifies one clause: the clause
    whose text is the quote, else the only clause containing it (other labels are skipped)."""
    found = []
    for label in labels:
        matches = [i for i, c in enumerate(clauses) if label.quote in c.text]
        exact = [i for i in matches if clauses[i].text == label.quote]
        chosen = exact or matches
        if len(chosen) == 1:
            found.append((chosen[0], label.stance))
    return found


def stance_text(clause: Clause) -> str:
    """What the classifier reads of a clause: its lead-in or table header, then its text."""
    return f"{clause.context}\n{clause.text}".strip()


class StanceClassifier:
    """Multinomial logistic regression over [embedding, rule votes]; deterministic."""

    def __init__(self, c: float = 4.0, seed: int = 0) -> None:
        self._votes = DictVectorizer(sparse=False)
        self._model = LogisticRegression(
            C=c, max_iter=5000, class_weight="balanced", random_state=seed
        )

    def _features(self, vectors: np.ndarray, rules: list[RuleStance], fit: bool) -> np.ndarray:
        votes = [{**r.features, f"rule={r.stance.value}": 1.0, f"by={r.rule}": 1.0} for r in rules]
        table = self._votes.fit_transform(votes) if fit else self._votes.transform(votes)
        return np.hstack([vectors, np.asarray(table, dtype=np.float32)])

    def fit(
        self, vectors: np.ndarray, rules: list[RuleStance], stances: list[Stance]
    ) -> StanceClassifier:
        """Learn from labelled clauses: their vectors, rule results and reviewed stances."""
        if len(set(stances)) < 2:
            raise ValueError("stance labels need at least two different stances")
        self._model.fit(self._features(vectors, rules, fit=True), [s.value for s in stances])
        return self

    def predict(self, vectors: np.ndarray, rules: list[RuleStance]) -> list[tuple[Stance, float]]:
        """The most probable stance of each clause with its probability."""
        probabilities = self._model.predict_proba(self._features(vectors, rules, fit=False))
        classes = self._model.classes_
        return [(Stance(classes[row.argmax()]), float(row.max())) for row in probabilities]


def combine(rule: RuleStance, learned: Stance, probability: float) -> Stance:
    """The rules' stance, unless they only fell back to the default or the model is sure."""
    if rule.rule == "none" or probability >= CONFIDENT:
        return learned
    return rule.stance
