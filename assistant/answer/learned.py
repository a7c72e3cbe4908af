"""Learned question typing, answer selection and abstention: linear models over
document-agnostic features, trained by `assistant train` and stored beside the index."""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
import zlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from assistant.answer.query import cue_features, names_condition
from assistant.answer.routing import documents_named
from assistant.answer.verdict import FRAME_STANCES, VerdictDecider, frame_of_verdict, verdict_for
from assistant.config import TRAINING_QUESTIONS
from assistant.errors import IndexMismatchError, IndexNotFoundError
from assistant.models import (
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
from assistant.search.terms import COMMON_WORDS

MODELS_FILE = "learned.npz"
MODELS_MANIFEST = "learned.json"
MODELS_FORMAT = 11  # 6: a threshold for policies the training questions are not about; 7: and
# for documents served beside the ones they are about; 8: the training questions' neighbours;
# 9: an asker for the documents they are not about; 10: a typer over the question's n-grams;
# 11: selection features of a follow-up's own words
_RETRAIN_HINT = "run `assistant train` to retrain them"

# what a question asks for: the three answer frames, or nothing the policy answers
TYPES = ("scope", "responsibility", "fact", "none")
FRAMES = (Frame.SCOPE, Frame.RESPONSIBILITY, Frame.FACT)
STANCES = tuple(Stance)


def type_of_verdict(verdict: Verdict) -> str:
    """The question type a labelled verdict implies: the frame that maps a clause to it."""
    frame = frame_of_verdict(verdict)
    return "none" if frame is None else frame.value


def training_hash(training_file: Path | None, policies: Sequence[Path] = ()) -> str | None:
    """SHA-256 of the training file's bytes and of what training reads of each further
    training policy (its `policy/` files and its questions, names and bytes); None when no
    training file exists."""
    if training_file is None or not training_file.exists():
        return None
    digest = hashlib.sha256(training_file.read_bytes())
    for folder in policies:
        read = [p for p in (folder / "policy").rglob("*") if p.is_file()]
        for path in sorted([*read, folder / TRAINING_QUESTIONS]):
            digest.update(f"\0{folder.name}/{path.relative_to(folder).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def softmax(z: np.ndarray) -> np.ndarray:
    """Class probabilities from scores, along the last axis."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return np.asarray(e / e.sum(axis=-1, keepdims=True))


@dataclass(frozen=True)
class LinearModel:
    """Standardised features times weights plus bias, through a softmax (several classes) or
    a sigmoid (one)."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray  # (classes, features), one row for a binary model
    intercept: np.ndarray

    def proba(self, features: np.ndarray) -> np.ndarray:
        """One row of class probabilities per feature row (P(positive) for a binary model)."""
        z = ((features - self.mean) / self.scale) @ self.coef.T + self.intercept
        if self.coef.shape[0] == 1:
            return np.asarray(1.0 / (1.0 + np.exp(-z[:, 0])))
        return softmax(z)

    def scores(self, features: np.ndarray) -> np.ndarray:
        """A ranking model's score of each row (a model trained on pairs of rows has no
        intercept to use)."""
        return np.asarray(((features - self.mean) / self.scale) @ self.coef[0])

    def choice(self, features: np.ndarray) -> np.ndarray:
        """A ranking model's probability that each row is the one to choose: the softmax of
        the rows' scores."""
        z = self.scores(features)
        e = np.exp(z - z.max())
        return np.asarray(e / e.sum())

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The model's arrays under prefixed names, for saving."""
        return {f"{prefix}_{k}": v for k, v in asdict(self).items()}

    @classmethod
    def from_arrays(cls, data: dict[str, np.ndarray], prefix: str) -> LinearModel:
        """The model saved under `prefix`."""
        return cls(
            *(np.asarray(data[f"{prefix}_{k}"]) for k in ("mean", "scale", "coef", "intercept"))
        )


# The question's words and letter n-grams, hashed into this many columns.
NGRAM_COLUMNS = 2**16
_NGRAM_WORD = re.compile(r"\w+")


def ngram_features(question: str) -> tuple[np.ndarray, np.ndarray]:
    """A question's words, word pairs and the 2–4-letter pieces of each word (padded with a
    space), hashed (CRC-32) into `NGRAM_COLUMNS` columns: the columns and their L2-normalised
    counts. They read how a question is worded ("who has to", "supported?") and survive typing
    slips the embedding does not."""
    words = _NGRAM_WORD.findall(question.lower())
    counts: dict[int, float] = {}
    for column in (
        *(c for word in words for c in _word_columns(word)),
        *(_column(f"{a} {b}") for a, b in zip(words, words[1:], strict=False)),
    ):
        counts[column] = counts.get(column, 0.0) + 1.0
    columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
    values = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
    norm = float(np.linalg.norm(values))
    return columns, values / norm if norm else values


def _column(gram: str) -> int:
    return zlib.crc32(gram.encode()) % NGRAM_COLUMNS


@functools.lru_cache(maxsize=2**16)
def _word_columns(word: str) -> tuple[int, ...]:
    """The columns of a word and of its 2–4-letter pieces (a word recurs: computed once)."""
    padded = f" {word} "
    pieces = [f"#{padded[i : i + n]}" for n in (2, 3, 4) for i in range(len(padded) - n + 1)]
    return tuple(_column(g) for g in (word, *pieces))


@dataclass(frozen=True)
class NgramTyper:
    """A multinomial logistic regression over `ngram_features` (one row of weights per type)."""

    coef: np.ndarray  # (types, NGRAM_COLUMNS)
    intercept: np.ndarray

    def proba(self, question: str) -> np.ndarray:
        """The question's type probabilities (in `TYPES` order)."""
        columns, values = ngram_features(question)
        return softmax(self.coef[:, columns] @ values + self.intercept)


def type_probabilities(
    typer: LinearModel, ngram_typer: NgramTyper, question: str, vector: np.ndarray
) -> np.ndarray:
    """A question's type probabilities: the mean of the embedding typer's and the n-gram
    typer's (each reads what the other misses: the subject, the wording)."""
    embedded = typer.proba(question_features(question, vector)[None, :])[0]
    return np.asarray((embedded + ngram_typer.proba(question)) / 2)


def clause_key(text: str) -> str:
    """A clause's key among the neighbours: the hash of its text (the same in every version
    that keeps the text)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Neighbours:
    """The training questions' embeddings (unit length), each with a clause that answers it
    (by `clause_key`, and its document; a question two clauses answer has two rows): a
    question close to one of them supports that clause, so a rewording of a training question
    finds what it taught."""

    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype="<U16"))
    documents: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=str))

    @classmethod
    def of(cls, rows: Sequence[tuple[np.ndarray, Clause]]) -> Neighbours:
        """Neighbours from (question embedding, a clause that answers it) rows."""
        if not rows:
            return cls()
        vectors = np.stack([v / (np.linalg.norm(v) or 1.0) for v, _ in rows])
        return cls(
            vectors.astype(np.float32),
            np.asarray([clause_key(c.text) for _, c in rows], dtype="<U16"),
            np.asarray([c.doc_id for _, c in rows], dtype=str),
        )

    @functools.cached_property
    def _rows(self) -> dict[str, np.ndarray]:
        rows: dict[str, list[int]] = {}
        for n, key in enumerate(self.keys.tolist()):
            rows.setdefault(key, []).append(n)
        return {k: np.asarray(v) for k, v in rows.items()}

    @functools.cached_property
    def _documents(self) -> frozenset[str]:
        return frozenset(self.documents.tolist())

    def support(self, vector: np.ndarray, pool: Sequence[Hit]) -> np.ndarray:
        """Per candidate, the highest cosine similarity of the question to a training question
        its clause answers (0 when none does). A clause of a document no training question is
        about (a policy served beside) could not have any: it gets the best candidate's, and
        the selector's score decides."""
        if not len(self.keys):
            return np.zeros(len(pool))
        unit = (vector / (np.linalg.norm(vector) or 1.0)).astype(np.float32)
        similarity = self.vectors @ unit
        rows = self._rows
        known = [h.clause.doc_id in self._documents for h in pool]
        values = [
            float(similarity[rows[key]].max()) if key in rows else 0.0
            for key in (clause_key(h.clause.text) for h in pool)
        ]
        best = max((v for v, k in zip(values, known, strict=True) if k), default=0.0)
        return np.asarray([v if k else best for v, k in zip(values, known, strict=True)])


@dataclass(frozen=True)
class ModelsManifest:
    """What the learned models were trained from; checked before they are served."""

    training_hash: str
    corpus_hash: str
    model: str
    items: int
    seed: int
    threshold: float
    trained_at: str
    train_seconds: float
    models_format: int = MODELS_FORMAT
    asked_of: str = ""  # the policy folder the training questions were asked of; "": the served
    # the threshold for a policy the questions are not about (None: `threshold`)
    unseen_threshold: float | None = None
    # the served documents the training questions are about; the others (a policy served
    # beside them) are answered at `unseen_threshold`. Empty: every document or, with
    # `asked_of`, none
    trained_documents: tuple[str, ...] = ()

    def __post_init__(self) -> None:  # JSON gives a list
        object.__setattr__(self, "trained_documents", tuple(self.trained_documents))

    @property
    def serving_threshold(self) -> float:
        """The abstention threshold for the policy served: `unseen_threshold` when the training
        questions were asked of another policy, else `threshold`."""
        if self.asked_of and self.unseen_threshold is not None:
            return self.unseen_threshold
        return self.threshold

    def knows(self, doc_id: str) -> bool:
        """Whether the training questions are about this served document: not when they were
        asked of another policy, nor for a document served beside the ones they quote."""
        trained = self.trained_documents
        return not self.asked_of and (not trained or doc_id in trained)

    def threshold_for(self, doc_id: str) -> float:
        """The abstention threshold for an answer from this served document: the serving
        threshold, or `unseen_threshold` for a document served beside the ones the training
        questions are about."""
        unseen = self.unseen_threshold
        if unseen is not None and self.trained_documents and doc_id not in self.trained_documents:
            return unseen
        return self.serving_threshold


@dataclass(frozen=True)
class LearnedModels:
    """The question typer, the answer selector, the askers and the abstainer, with their
    manifest."""

    manifest: ModelsManifest
    typer: LinearModel
    selector: LinearModel
    abstainer: LinearModel
    asker: LinearModel
    form_asker: LinearModel  # the asker of a document the training questions are not about
    reranker: LinearModel  # over the selector's score and the neighbours' support
    neighbours: Neighbours
    ngram_typer: NgramTyper

    def save(self, folder: Path) -> None:
        """Write the models into `folder` (the index folder)."""
        arrays = {
            **self.typer.arrays("typer"),
            **self.selector.arrays("selector"),
            **self.abstainer.arrays("abstainer"),
            **self.asker.arrays("asker"),
            **self.form_asker.arrays("form_asker"),
            **self.reranker.arrays("reranker"),
            "neighbours_vectors": self.neighbours.vectors,
            "neighbours_keys": self.neighbours.keys,
            "neighbours_documents": self.neighbours.documents,
            "ngram_coef": self.ngram_typer.coef.astype(np.float32),
            "ngram_intercept": self.ngram_typer.intercept,
        }
        np.savez(folder / MODELS_FILE, **arrays)  # type: ignore[arg-type]
        (folder / MODELS_MANIFEST).write_text(
            json.dumps(asdict(self.manifest), indent=2), encoding="utf-8"
        )

    @classmethod
    def load(cls, folder: Path) -> LearnedModels:
        """The models in `folder`; IndexNotFoundError when there are none, IndexMismatchError
        when they are of another format or unreadable."""
        if not (folder / MODELS_MANIFEST).exists() or not (folder / MODELS_FILE).exists():
            raise IndexNotFoundError(f"no learned models in {str(folder)!r}; {_RETRAIN_HINT}")
        try:
            manifest = ModelsManifest(
                **json.loads((folder / MODELS_MANIFEST).read_text(encoding="utf-8"))
            )
            if manifest.models_format != MODELS_FORMAT:  # its arrays may be others
                raise IndexMismatchError(
                    f"learned models were trained for format {manifest.models_format} "
                    f"(expected {MODELS_FORMAT}); {_RETRAIN_HINT}"
                )
            with np.load(folder / MODELS_FILE) as data:
                arrays = {k: data[k] for k in data.files}
            return cls(
                manifest,
                LinearModel.from_arrays(arrays, "typer"),
                LinearModel.from_arrays(arrays, "selector"),
                LinearModel.from_arrays(arrays, "abstainer"),
                LinearModel.from_arrays(arrays, "asker"),
                LinearModel.from_arrays(arrays, "form_asker"),
                LinearModel.from_arrays(arrays, "reranker"),
                Neighbours(
                    arrays["neighbours_vectors"],
                    arrays["neighbours_keys"],
                    arrays["neighbours_documents"],
                ),
                NgramTyper(arrays["ngram_coef"], arrays["ngram_intercept"]),
            )
        except (TypeError, ValueError, KeyError, OSError) as exc:
            raise IndexMismatchError(f"unreadable learned models ({exc}); {_RETRAIN_HINT}") from exc

    def check(self, training: str | None, corpus: Corpus, model: str) -> None:
        """Refuse models trained on other training questions (`training`: their
        `training_hash`), corpus or embedding model (`load` refuses another format)."""
        m, problems = self.manifest, []
        if training is None:
            problems.append("a training file that is not configured now")
        elif m.training_hash != training:
            problems.append("different training questions (they have changed since)")
        if m.corpus_hash != corpus.content_hash:
            problems.append("a different corpus (the policy documents have changed since)")
        if m.model != model:
            problems.append(f"model {m.model!r} (configured: {model!r})")
        if problems:
            raise IndexMismatchError(
                f"learned models were trained for {'; '.join(problems)}; {_RETRAIN_HINT}"
            )


def question_features(question: str, vector: np.ndarray) -> np.ndarray:
    """The question's embedding followed by the frame rules' cue features."""
    return np.concatenate([vector.astype(np.float64), np.asarray(cue_features(question))])


def candidates(
    rules: VerdictDecider, question: str, hits: Sequence[Hit], selection: Selection | None = None
) -> list[Hit]:
    """The clauses an answer is chosen from: the retrieved hits (top k), clauses naming one of
    the question's rare terms, and the exceptions noted under the top three; never all (and
    only clauses the selection allows)."""
    allowed = selection or Selection()
    head = list(hits)
    head += rules.rescue(rules.salient_terms(question), hits, allowed)
    seen = {h.clause.clause_id for h in head}
    floor = min((h.score for h in head), default=0.0)
    for hit in list(head[:3]):
        for child in rules.corpus.children(hit.clause.clause_id):
            if child.clause_id not in seen and allowed.allows(child):
                seen.add(child.clause_id)
                head.append(Hit(clause=child, score=floor))
    return head


def candidate_features(
    rules: VerdictDecider,
    question: str,
    type_probs: np.ndarray,
    pool: Sequence[Hit],
    bridges: str = "",
    own: str = "",
) -> np.ndarray:
    """One row of document-agnostic features per candidate: retrieval scores and ranks, the
    rules' ranking, rare-term weight and coverage, clause shape, and stance crossed with the
    question-type probabilities. `own` is what the user typed when `question` is a follow-up's
    rewrite: the clauses naming its own rare terms ("and who has to *trigger* them?") stand out."""
    frame = FRAMES[int(np.argmax(type_probs[:3]))]
    ruled = rules.rank_evidence(question, frame, pool, bridges)
    rule_rank = {h.clause.clause_id: n for n, h in enumerate(ruled)}
    terms = rules.salient_terms(question)
    bridged = rules.salient_terms(bridges) - terms
    total = rules.term_weight(terms) or 1.0
    best_fused = max((h.score for h in pool), default=0.0) or 1.0
    dense = [h.dense_score for h in pool if h.dense_score is not None]
    best_dense = max(dense, default=0.0)
    best_lexical = max((h.lexical_score or 0.0 for h in pool), default=0.0) or 1.0
    weights = [rules.weight(terms, h.clause.clause_id) / total for h in pool]
    best_weight = max(weights, default=0.0)
    own_terms = rules.salient_terms(own) - COMMON_WORDS if own else set()
    own_total = rules.term_weight(own_terms) or 1.0
    owns = [rules.weight(own_terms, h.clause.clause_id) / own_total for h in pool]
    best_own = max(owns, default=0.0)
    retrieved = {id(h) for h in pool if h.dense_rank is not None or h.lexical_rank is not None}
    condition = 1.0 if names_condition(question) else 0.0
    # whether the question names the clause's document (constant, so without effect, when
    # one document is served)
    named = documents_named(rules.corpus.documents, question)
    rows = []
    for position, (hit, weight, owned) in enumerate(zip(pool, weights, owns, strict=True)):
        clause = hit.clause
        cid = clause.clause_id
        stance = _stance_onehot(clause.stance)
        rows.append(
            [
                hit.score / best_fused,
                1.0 / (1 + position) if id(hit) in retrieved else 0.0,
                hit.dense_score or 0.0,
                (hit.dense_score - best_dense) if hit.dense_score is not None else -1.0,
                1.0 / hit.dense_rank if hit.dense_rank else 0.0,
                (hit.lexical_score or 0.0) / best_lexical,
                1.0 / hit.lexical_rank if hit.lexical_rank else 0.0,
                weight,
                weight - best_weight,
                owned,
                owned - best_own,
                rules.indexed_weight(terms, cid) / total,
                rules.weight(bridged, cid) / total,
                0.0 if id(hit) in retrieved else 1.0,
                1.0 if clause.kind == "item" else 0.0,
                1.0 if clause.text.rstrip().endswith(":") else 0.0,
                1.0 if rules.corpus.children(cid) else 0.0,
                1.0 if clause.parent_id and clause.kind != "item" else 0.0,
                1.0 if clause.kind == "row" else 0.0,
                1.0 / (1 + rule_rank.get(cid, len(pool))),
                1.0 if rule_rank.get(cid) == 0 else 0.0,
                math.log1p(len(clause.text)) / 6.0,
                sum(
                    float(p)
                    for p, f in zip(type_probs[:3], FRAMES, strict=True)
                    if clause.stance in FRAME_STANCES[f]
                ),
                *stance,
                *np.outer(stance, type_probs[:3]).ravel(),
                condition * (clause.stance is Stance.CONDITIONAL),
                1.0 if clause.doc_id in named else 0.0,
            ]
        )
    return np.asarray(rows, dtype=np.float64)


def selection_probabilities(
    selector: LinearModel, reranker: LinearModel, features: np.ndarray, support: np.ndarray
) -> np.ndarray:
    """Each candidate's probability of being the clause to answer with: the selector scores
    its features, the reranker that score and the training questions' support."""
    return reranker.choice(reranker_features(selector.scores(features), support))


def reranker_features(scores: np.ndarray, support: np.ndarray) -> np.ndarray:
    """What the reranker weighs per candidate: the selector's score (relative to the best)
    and the neighbours' support (and its gap to the best). A policy the training questions
    are not about has no support, and the selector alone ranks its clauses."""
    return np.column_stack([scores - scores.max(), support, support - support.max()])


def asker_features(type_probs: np.ndarray, question: str, stance: Stance) -> np.ndarray:
    """What the asker weighs: the question's type probabilities and cue words, the chosen
    clause's stance, and the stance crossed with the probability of a fact question."""
    onehot = _stance_onehot(stance)
    return np.concatenate(
        [type_probs, np.asarray(cue_features(question)), onehot, float(type_probs[2]) * onehot]
    )


def form_asker_features(question: str, stance: Stance) -> np.ndarray:
    """What the asker of a document the training questions are not about weighs: the
    question's cue words and the chosen clause's stance, not the type probabilities (the typer
    reads the subjects of the policies it was trained on, which mislead on another)."""
    return np.concatenate([np.asarray(cue_features(question)), _stance_onehot(stance)])


def _stance_onehot(stance: Stance) -> np.ndarray:
    """A stance as a one-hot vector over `STANCES`."""
    onehot = np.zeros(len(STANCES))
    onehot[STANCES.index(stance)] = 1.0
    return onehot


def answer_frame(
    asker: LinearModel,
    type_probs: np.ndarray,
    question: str,
    stance: Stance,
    by_form: bool = False,
) -> Frame:
    """The frame the chosen clause answers in: the likeliest type's, except that a question
    typed a fact whose clause takes a stance gets the stance (in the likelier frame that admits
    it) when the asker says it asks for the stance (`by_form`: `asker` is the form asker)."""
    frame = FRAMES[int(np.argmax(type_probs[:3]))]
    if frame is not Frame.FACT or stance is Stance.INFORMATIONAL:
        return frame
    features = (
        form_asker_features(question, stance)
        if by_form
        else asker_features(type_probs, question, stance)
    )
    if float(asker.proba(features[None, :])[0]) >= 0.5:
        return frame
    fitting = [n for n in (0, 1) if stance in FRAME_STANCES[FRAMES[n]]]
    return FRAMES[max(fitting, key=lambda n: float(type_probs[n]))]


def frame_fit(type_probs: np.ndarray, pool: Sequence[Hit]) -> np.ndarray:
    """Per candidate, the probability that its stance can answer the question's type."""
    return np.asarray(
        [
            sum(
                float(p)
                for p, f in zip(type_probs[:3], FRAMES, strict=True)
                if h.clause.stance in FRAME_STANCES[f]
            )
            for h in pool
        ]
    )


def abstention_features(
    type_probs: np.ndarray, select_probs: np.ndarray, chosen: float, signals: Sequence[float]
) -> np.ndarray:
    """What the abstainer weighs: how answerable the question looks, how sure the selection
    is, and the evidence signals of the chosen clause; then every product of two of them, so
    that one signal can count for more when another is weak (a sure selection of a clause
    that shares no word with the question)."""
    ordered = np.sort(select_probs)[::-1]
    second = float(ordered[1]) if len(ordered) > 1 else 0.0
    base = np.asarray(
        [
            float(type_probs[3]),
            float(type_probs[:3].max()),
            chosen,
            chosen - second,
            *signals,
        ],
        dtype=np.float64,
    )
    return np.concatenate([base, np.outer(base, base)[np.triu_indices(len(base))]])


class LearnedDecider:
    """The verdict stage with learned components where the settings choose them; the rules
    decider supplies the rest, the term statistics and the out-of-scope override."""

    def __init__(
        self,
        rules: VerdictDecider,
        models: LearnedModels,
        typing: bool = True,
        selection: bool = True,
        abstention: bool = True,
        removed: frozenset[str] = frozenset(),
    ) -> None:
        self.rules = rules
        self.models = models
        self.typing = typing
        self.selection = selection
        self.abstention = abstention
        self.removed = removed  # words earlier versions of the policy used and this one doesn't
        self.threshold = models.manifest.serving_threshold if abstention else rules.threshold

    def using(self, rules: VerdictDecider, removed: frozenset[str] = frozenset()) -> LearnedDecider:
        """The same models and settings over another version's rules decider (`removed`: the
        words earlier versions used that it doesn't)."""
        return LearnedDecider(
            rules, self.models, self.typing, self.selection, self.abstention, removed
        )

    def forced_unknown(self, question: str, signals: Signals) -> bool:
        """The hard overrides of abstention: a reviewed out-of-scope topic, or a question
        whose every salient word this version never uses while an earlier one named it ("Is
        Kured supported?" once the policy no longer names Kured). Words a policy never used
        are left to the abstainer: on a new document they are often the user's words for the
        policy's ("sev", "ticket"), and the answer is still found."""
        return bool(signals.off_topic) or (
            signals.unknown >= 1.0 and bool(self.rules.unknown_terms(question) & self.removed)
        )

    def decide(
        self,
        question: str,
        vector: np.ndarray,
        rule_frame: Frame,
        hits: Sequence[Hit],
        bridges: str,
        selection: Selection | None = None,
        own: str = "",
    ) -> Decision:
        """The verdict for a question whose query embedding is `vector`; only clauses the
        selection allows are considered. `own`: what the user typed, when `question` is a
        follow-up's rewrite of it."""
        type_probs = type_probabilities(
            self.models.typer, self.models.ngram_typer, question, vector
        )
        frame = FRAMES[int(np.argmax(type_probs[:3]))] if self.typing else rule_frame
        if not hits:
            return Decision(Verdict.UNKNOWN, 0.0, frame, ())
        pool = candidates(self.rules, question, hits, selection)
        select = selection_probabilities(
            self.models.selector,
            self.models.reranker,
            candidate_features(self.rules, question, type_probs, pool, bridges, own),
            self.models.neighbours.support(vector, pool),
        ) * frame_fit(type_probs, pool)
        if self.selection:
            order = np.argsort(-select, kind="stable")
            chosen = {id(pool[i]) for i in order}
            ranked = [pool[i] for i in order] + [h for h in hits if id(h) not in chosen]
            top = float(select[order[0]])
            # the labelling rule "an exception beats its list" holds whatever the ranker says
            ranked = self.rules.prefer_named_exception(self.rules.salient_terms(question), ranked)
        else:
            ranked = self.rules.rank_evidence(question, frame, hits, bridges, selection)
            at = {h.clause.clause_id: float(p) for h, p in zip(pool, select, strict=True)}
            top = at.get(ranked[0].clause.clause_id, 0.0)
        signals = self.rules.signals(question, ranked, selection)
        stance = self.rules.stance_asked(question, ranked[0].clause)
        if self.typing:
            known = self.models.manifest.knows(ranked[0].clause.doc_id)
            asker = self.models.asker if known else self.models.form_asker
            frame = answer_frame(asker, type_probs, question, stance, by_form=not known)
        raw = verdict_for(frame, stance)
        if self.abstention:
            features = abstention_features(
                type_probs,
                select,
                top,
                (signals.dense, signals.coverage, signals.unknown, signals.off_topic),
            )
            confidence = float(self.models.abstainer.proba(features[None, :])[0])
            threshold = self.models.manifest.threshold_for(ranked[0].clause.doc_id)
            if self.forced_unknown(question, signals):
                confidence = min(confidence, threshold / 2)
        else:
            confidence = self.rules.calibration.confidence(signals)
            threshold = self.threshold
        # the confidence reported is the one compared (a question at 0.22996 is not answered
        # at 0.23 when it reports 0.23)
        confidence = round(confidence, 4)
        verdict = raw if confidence >= threshold else Verdict.UNKNOWN
        return Decision(verdict, confidence, frame, tuple(ranked), raw, signals)
