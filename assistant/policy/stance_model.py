"""A learned stance model: logistic regression on a clause's sentence embedding, its kind and
its words (tf-idf), trained on reviewed stance labels (`<document-id>.stances.jsonl`) of
several documents, for the clauses the stance rules have no rule for (they fall back to
`informational`). It is not served (on held-out policies' answers it did no better than the
rules, docs/learning.md): it is measured (`assistant policy stances`) and suggests stances to
review (`assistant policy review-stances`).

The embedding carries what a clause says in any wording, the words what the rules' cue lists
would; vectors come from the caller (the search layer owns the embedder), and predicting needs
nothing but numpy (fitting imports scikit-learn).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.errors import CorpusError
from assistant.models import Clause, Stance
from assistant.policy.stance import RuleStance, rule_stances
from assistant.policy.versions import document_versions

LABELS_SUFFIX = ".stances.jsonl"
KINDS = ("sentence", "item", "row", "note")
# what scikit-learn's TfidfVectorizer reads as a word (two or more word characters); linear time
_WORD = re.compile(r"\b\w\w+\b")


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


def labels_file(corpus_dir: Path, doc_id: str) -> Path:
    """Where a document's reviewed stance labels are kept: beside its current file."""
    return corpus_dir / f"{doc_id}{LABELS_SUFFIX}"


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


@dataclass(frozen=True)
class LabelledClauses:
    """The labelled clauses of one document version, with the rules' verdict on each."""

    document: str
    version: str
    clauses: tuple[Clause, ...]
    rules: list[RuleStance]
    stances: list[Stance]


def labelled_clauses(corpus_dir: Path) -> list[LabelledClauses]:
    """Every version of every document in `corpus_dir` that has reviewed stance labels."""
    found = []
    for current in sorted(corpus_dir.glob("*.md")):
        path = labels_file(corpus_dir, current.stem)
        if not path.exists():
            continue
        labels = load_stance_labels(path)
        for version in document_versions(corpus_dir, current):
            own = [label for label in labels if label.version == version.version]
            positions = labelled_positions(version.clauses, own)
            if positions:
                rules = rule_stances(version.clauses)
                found.append(
                    LabelledClauses(
                        current.stem,
                        version.version,
                        tuple(version.clauses[i] for i, _ in positions),
                        [rules[i] for i, _ in positions],
                        [stance for _, stance in positions],
                    )
                )
    return found


def stance_text(clause: Clause) -> str:
    """What the model reads of a clause: its lead-in or table header, then its text."""
    return f"{clause.context}\n{clause.text}".strip()


def _words(text: str) -> Counter[str]:
    return Counter(_WORD.findall(text.lower()))


def stance_features(
    vocabulary: tuple[str, ...], idf: np.ndarray, vectors: np.ndarray, clauses: list[Clause]
) -> np.ndarray:
    """One row per clause: its vector, its kind and its words' tf-idf (sublinear, l2)."""
    position = {word: i for i, word in enumerate(vocabulary)}
    words = np.zeros((len(clauses), len(vocabulary)))
    for row, clause in enumerate(clauses):
        for word, count in _words(stance_text(clause)).items():
            if word in position:
                words[row, position[word]] = (1.0 + math.log(count)) * idf[position[word]]
    norms = np.linalg.norm(words, axis=1, keepdims=True)
    words = np.divide(words, norms, out=np.zeros_like(words), where=norms > 0)
    kinds = np.array([[clause.kind == k for k in KINDS] for clause in clauses], dtype=float)
    return np.hstack([np.asarray(vectors, dtype=float).reshape(len(clauses), -1), kinds, words])


@dataclass(frozen=True)
class StanceModel:
    """Multinomial logistic regression over [embedding, kind one-hot, tf-idf of the words]
    (standardised); numpy only, deterministic."""

    classes: tuple[Stance, ...]
    vocabulary: tuple[str, ...]
    idf: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray  # (classes, features)
    intercept: np.ndarray

    def predict(self, vectors: np.ndarray, clauses: list[Clause]) -> list[tuple[Stance, float]]:
        """The most probable stance of each clause with its probability."""
        if not clauses:
            return []
        features = stance_features(self.vocabulary, self.idf, vectors, clauses)
        z = ((features - self.mean) / self.scale) @ self.coef.T
        z = z + self.intercept
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        return [(self.classes[int(row.argmax())], float(row.max())) for row in p]


def fit_stance_model(
    vectors: np.ndarray, clauses: list[Clause], stances: list[Stance], c: float = 4.0
) -> StanceModel:
    """Learn from labelled clauses (their vectors, the clauses and their reviewed stances):
    words seen in two or more clauses form the vocabulary; seeded, deterministic."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    if len(set(stances)) < 2:
        raise ValueError("stance labels need at least two different stances")
    tfidf = TfidfVectorizer(min_df=2, sublinear_tf=True).fit([stance_text(c) for c in clauses])
    vocabulary = tuple(str(w) for w in tfidf.get_feature_names_out())
    features = stance_features(vocabulary, tfidf.idf_, vectors, clauses)
    mean, scale = features.mean(axis=0), features.std(axis=0)
    scale[scale < 1e-9] = 1.0
    model = LogisticRegression(C=c, max_iter=5000, random_state=0)
    model.fit((features - mean) / scale, [s.value for s in stances])
    coef, intercept = model.coef_, model.intercept_
    if len(model.classes_) == 2:  # one row for two classes: as a softmax of -z/2 and z/2
        coef, intercept = (
            np.vstack([-coef / 2, coef / 2]),
            np.hstack([-intercept / 2, intercept / 2]),
        )
    return StanceModel(
        tuple(Stance(str(s)) for s in model.classes_),
        vocabulary,
        tfidf.idf_,
        mean,
        scale,
        coef,
        intercept,
    )


def combine(rule: RuleStance, learned: Stance) -> Stance:
    """The rules' stance, unless they had no rule for the clause (fell back to the default)."""
    return learned if rule.rule == "none" else rule.stance
