"""Fit the learned components on labelled training questions (seeded, a few seconds of CPU)."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, StratifiedGroupKFold, StratifiedKFold
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from assistant.answer.followup import resolve_followup
from assistant.answer.followup_words import AGENT
from assistant.answer.learned import (
    FRAMES,
    NGRAM_COLUMNS,
    TYPES,
    LearnedDecider,
    LearnedModels,
    LinearModel,
    ModelsManifest,
    Neighbours,
    NgramTyper,
    abstention_features,
    answer_frame,
    asker_features,
    candidate_features,
    candidates,
    form_asker_features,
    frame_fit,
    ngram_features,
    question_features,
    reranker_features,
    selection_probabilities,
    softmax,
    type_of_verdict,
)
from assistant.answer.miss_causes import in_report_order, wrong_verdict_cause
from assistant.answer.query import frame_question
from assistant.answer.verdict import VerdictDecider, verdict_for
from assistant.errors import CorpusError, TrainingDataError
from assistant.models import Clause, Hit, Stance, Verdict

SEED = 16
FOLDS = 5
SELECT_C = 1.0  # the answer selector's (pairs of candidates of one question)
ASK_C = 1.0  # the asker's
TYPE_C = 0.03  # the question typer's inverse regularisation (384 embedding dimensions)
NGRAM_C = 4.0  # the n-gram typer's (65,536 hashed columns, a few hundred used a question)
_SERVED_SHARE = 0.5  # a version is the served one when this share of its quotes resolve


@dataclass(frozen=True)
class TrainingItem:
    """One labelled training question."""

    id: str
    question: str
    question_type: str
    verdict: Verdict
    gold_quotes: tuple[str, ...]
    version: str
    previous: tuple[str, ...] = ()  # a follow-up's earlier messages, oldest first
    provider: str = AGENT  # who provides the support of the policy it is asked of
    plans: frozenset[str] = frozenset()  # the names that policy gives its plans

    @property
    def standalone(self) -> str:
        """The question as the pipeline gets it: a follow-up rewritten from its earlier messages
        by the follow-up rules, as a conversation rewrites it."""
        if not self.previous:
            return self.question
        earlier: list[str] = []
        for message in (*self.previous, self.question):
            resolved = resolve_followup(message, earlier, provider=self.provider, plans=self.plans)
            earlier.append(resolved.question)
        return earlier[-1]


@dataclass(frozen=True)
class Example:
    """A training item run through the query pipeline: what the models see at answer time."""

    item: TrainingItem
    resolved: str
    vector: np.ndarray
    hits: tuple[Hit, ...]
    bridges: str
    gold_ids: frozenset[str] | None  # None when a gold quote names no clause of this corpus
    decider: VerdictDecider  # the rules decider of the version the item is asked of

    @property
    def own(self) -> str:
        """What the user typed, when `resolved` is a follow-up's rewrite of it ("" otherwise)."""
        standalone = self.item.standalone
        return self.item.question if standalone != self.item.question else ""


def load_training_items(
    path: Path, provider: str = AGENT, plans: frozenset[str] = frozenset()
) -> list[TrainingItem]:
    """The labelled questions of a training file (JSONL), asked of a policy whose support
    `provider` provides and whose plans `plans` names."""
    try:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
        return [
            TrainingItem(
                str(r["id"]),
                str(r["question"]),
                str(r["question_type"]),
                Verdict(r["expected_verdict"]),
                tuple(r.get("gold_quotes", ())),
                str(r.get("version", "")),
                tuple(str(m) for m in r.get("previous", ())),
                provider,
                plans,
            )
            for r in rows
        ]
    except (OSError, ValueError, KeyError) as exc:
        raise CorpusError(f"cannot read training questions {str(path)!r}: {exc}") from exc


def _fit(features: np.ndarray, labels: np.ndarray, c: float) -> LinearModel:
    mean, scale = _standardise(features)
    model = _logistic((features - mean) / scale, labels, c)
    return _stored(mean, scale, model.coef_, model.intercept_)


def _ngram_matrix(questions: Sequence[str]) -> csr_matrix:
    """The questions' `ngram_features`, one sparse row each."""
    rows = [ngram_features(q) for q in questions]
    indptr = np.cumsum([0, *(len(columns) for columns, _ in rows)])
    columns = np.concatenate([c for c, _ in rows]) if rows else np.zeros(0, dtype=np.int64)
    values = np.concatenate([v for _, v in rows]) if rows else np.zeros(0)
    return csr_matrix((values, columns, indptr), shape=(len(rows), NGRAM_COLUMNS))


def _fit_ngram(features: csr_matrix, labels: np.ndarray) -> NgramTyper:
    """The n-gram typer fitted on sparse `ngram_features` rows (stored at float32 precision)."""
    model = _logistic(features, labels, NGRAM_C)
    return NgramTyper(_rounded(model.coef_), _rounded(model.intercept_))


def _ngram_proba(model: NgramTyper, features: csr_matrix) -> np.ndarray:
    """The n-gram typer's type probabilities for sparse feature rows."""
    return softmax(np.asarray(features @ model.coef.T) + model.intercept)


def _fit_pairwise(
    features: np.ndarray, labels: np.ndarray, groups: np.ndarray, c: float
) -> LinearModel:
    """A linear scorer trained on pairs (a clause to choose, one not to) of the same
    question: logistic regression on their standardised feature differences, both ways."""
    mean, scale = _standardise(features)
    x = (features - mean) / scale
    diffs = []
    for g in np.unique(groups):
        rows = np.flatnonzero(groups == g)
        good, bad = rows[labels[rows] == 1], rows[labels[rows] == 0]
        diffs += [x[a] - x[b] for a in good for b in bad]
    pairs = np.asarray(diffs)
    both_ways = np.r_[np.ones(len(pairs)), np.zeros(len(pairs))]
    model = _logistic(np.vstack([pairs, -pairs]), both_ways, c, intercept=False)
    return _stored(mean, scale, model.coef_, np.zeros(1))


def _standardise(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The columns' means and scales (1 for a constant column)."""
    scaler = StandardScaler().fit(features)
    return scaler.mean_, np.where(scaler.scale_ > 0, scaler.scale_, 1.0)


def _logistic(
    x: np.ndarray | csr_matrix, labels: np.ndarray, c: float, intercept: bool = True
) -> LogisticRegression:
    model = LogisticRegression(C=c, max_iter=3000, fit_intercept=intercept, random_state=SEED)
    with threadpool_limits(1):  # small problems: threads only contend (and vary the result)
        model.fit(x, labels)
    return model


def _stored(*arrays: np.ndarray) -> LinearModel:
    """The model from its mean, scale, coefficients and intercept, at float32 precision: the
    embeddings vary in the last bits between runs, the models don't."""
    return LinearModel(*(_rounded(a) for a in arrays))


def _rounded(array: np.ndarray) -> np.ndarray:
    """The array at float32 precision (kept as float64)."""
    return array.astype(np.float32).astype(np.float64)


def served_versions(examples: Sequence[Example]) -> set[str]:
    """Versions whose answerable items mostly quote clauses of the served corpus."""
    counts: Counter[str] = Counter()
    resolved: Counter[str] = Counter()
    for e in examples:
        if e.item.verdict is not Verdict.UNKNOWN:
            counts[e.item.version] += 1
            resolved[e.item.version] += e.gold_ids is not None
    return {v for v, n in counts.items() if resolved[v] >= _SERVED_SHARE * n}


def typing_label(example: Example, served: set[str]) -> int | None:
    """The question-type class an example teaches, None when it teaches none: an out-of-policy
    question about another version of the policy may be answered by this one."""
    item = example.item
    if item.verdict is Verdict.UNKNOWN and item.question_type != "off_topic":
        return TYPES.index("none") if item.version in served else None
    return TYPES.index(type_of_verdict(item.verdict))


@dataclass
class _Selection:
    """One example's candidate pool and feature rows."""

    example: Example
    pool: list[Hit]
    rows: np.ndarray
    labels: np.ndarray


def fit_models(
    examples: Sequence[Example],
    rules: VerdictDecider,
    training_hash: str,
    model_name: str,
    progress: Callable[[str], None] = lambda _: None,
    others: Sequence[VerdictDecider] = (),
) -> tuple[LearnedModels, dict[str, Any]]:
    """Fit typer, selector, asker and abstainer, with out-of-fold predictions for what each later
    stage learns from; returns the models and cross-validated training metrics. `rules`
    decides the policy the models serve, `others` the further training policies."""
    started = time.perf_counter()
    # "nothing the policy answers" is taught from questions about a policy in force now
    current = [rules, *others]
    served = served_versions([e for e in examples if any(e.decider is d for d in current)])
    typed = [(e, typing_label(e, served)) for e in examples]
    typed_examples = [e for e, label in typed if label is not None]
    x_type = np.stack([question_features(e.resolved, e.vector) for e in typed_examples])
    y_type = np.asarray([label for _, label in typed if label is not None])
    x_ngram = _ngram_matrix([e.resolved for e in typed_examples])
    oof_type = np.zeros((len(typed_examples), len(TYPES)))
    # a question's variants (a lead, a tag, a typing slip) share its fold: the typers meet it
    # as a new question is met, not through a near-copy of its words
    type_folds = StratifiedGroupKFold(FOLDS, shuffle=True, random_state=SEED)
    for train, held in type_folds.split(x_type, y_type, families(typed_examples)):
        embedded = _fit(x_type[train], y_type[train], TYPE_C).proba(x_type[held])
        worded = _ngram_proba(_fit_ngram(x_ngram[train], y_type[train]), x_ngram[held])
        oof_type[held] = (embedded + worded) / 2
    typer = _fit(x_type, y_type, TYPE_C)
    ngram_typer = _fit_ngram(x_ngram, y_type)
    progress(f"question types: {len(typed_examples)} questions")
    type_probs = {id(e): oof_type[n] for n, e in enumerate(typed_examples)}

    # each question is supported by the neighbours of the other folds, as a new question is
    # by all of them
    fold_of = {id(e): _fold(e) for e in typed_examples}
    entries = [(fold_of[id(e)], row) for e in typed_examples for row in _neighbour_rows(e)]
    banks = [Neighbours.of([row for f, row in entries if f != fold]) for fold in range(FOLDS)]
    neighbours = Neighbours.of([row for _, row in entries])

    def support(e: Example, pool: Sequence[Hit]) -> np.ndarray:
        return banks[fold_of[id(e)]].support(e.vector, pool)

    selections = []
    for e in typed_examples:
        if e.gold_ids is None or e.item.verdict is Verdict.UNKNOWN:
            continue
        pool = candidates(e.decider, e.resolved, e.hits)
        frame = FRAMES[TYPES.index(type_of_verdict(e.item.verdict))]
        # the clause to choose is a gold one whose stance gives the labelled verdict
        labels = np.asarray(
            [
                h.clause.clause_id in e.gold_ids
                and verdict_for(frame, e.decider.stance_asked(e.resolved, h.clause))
                == e.item.verdict
                for h in pool
            ],
            dtype=int,
        )
        if labels.any():
            rows = candidate_features(
                e.decider, e.resolved, type_probs[id(e)], pool, e.bridges, e.own
            )
            selections.append(_Selection(e, pool, rows, labels))
    if not selections:
        raise TrainingDataError(
            "no training question quotes a clause of this corpus whose stance gives its "
            "labelled verdict; nothing to learn answer selection from"
        )
    x_sel = np.concatenate([s.rows for s in selections])
    y_sel = np.concatenate([s.labels for s in selections])
    groups = np.concatenate([np.full(len(s.pool), n) for n, s in enumerate(selections)])
    # the reranker learns from the selector's out-of-fold scores, as it meets new questions
    oof_scores = np.zeros(len(y_sel))
    for train, held in GroupKFold(FOLDS).split(x_sel, y_sel, groups):
        fold = _fit_pairwise(x_sel[train], y_sel[train], groups[train], SELECT_C)
        oof_scores[held] = fold.scores(x_sel[held])
    selector = _fit_pairwise(x_sel, y_sel, groups, SELECT_C)
    x_rerank = np.concatenate(
        [
            reranker_features(oof_scores[groups == n], support(s.example, s.pool))
            for n, s in enumerate(selections)
        ]
    )
    oof_sel = np.zeros(len(y_sel))
    for train, held in GroupKFold(FOLDS).split(x_rerank, y_sel, groups):
        fold = _fit_pairwise(x_rerank[train], y_sel[train], groups[train], SELECT_C)
        for g in np.unique(groups[held]):
            oof_sel[groups == g] = fold.choice(x_rerank[groups == g])
    reranker = _fit_pairwise(x_rerank, y_sel, groups, SELECT_C)
    progress(f"answer selection: {len(selections)} questions, {len(y_sel)} candidates")

    # the asker: does a question answered by a clause with a stance ask for the stance or a fact
    asked: list[tuple[Example, Stance, int]] = []
    for e in typed_examples:
        if e.gold_ids is None or e.item.verdict is Verdict.UNKNOWN or not e.item.gold_quotes:
            continue
        gold = e.decider.corpus.clause(str(e.decider.corpus.find_quote(e.item.gold_quotes[0])))
        if gold is None:
            continue
        gold_stance = e.decider.stance_asked(e.resolved, gold)
        if gold_stance is Stance.INFORMATIONAL:
            continue
        fact = e.item.verdict is Verdict.INFORMATIONAL
        asked_frame = FRAMES[TYPES.index(type_of_verdict(e.item.verdict))]
        if not fact and verdict_for(asked_frame, gold_stance) != e.item.verdict:
            continue
        asked.append((e, gold_stance, int(fact)))
    x_ask = np.stack([asker_features(type_probs[id(e)], e.resolved, st) for e, st, _ in asked])
    y_ask = np.asarray([label for _, _, label in asked])
    asker = _fit(x_ask, y_ask, ASK_C)
    # on a document the questions are not about: what the question's words say it asks
    x_form = np.stack([form_asker_features(e.resolved, st) for e, st, _ in asked])
    form_asker = _fit(x_form, y_ask, ASK_C)
    fold_askers: dict[int, LinearModel] = {}
    oof_ask, oof_form = np.zeros(len(y_ask)), np.zeros(len(y_ask))
    for train, held in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(x_ask, y_ask):
        fold = _fit(x_ask[train], y_ask[train], ASK_C)
        oof_ask[held] = fold.proba(x_ask[held])
        oof_form[held] = _fit(x_form[train], y_ask[train], ASK_C).proba(x_form[held])
        fold_askers.update({id(asked[n][0]): fold for n in held})
    progress(f"asker: {len(asked)} questions answered by a clause with a stance")

    # abstention learns from out-of-fold types and selections: P(the raw verdict is right)
    select_probs = {
        id(s.example): oof_sel[groups == n] * frame_fit(type_probs[id(s.example)], s.pool)
        for n, s in enumerate(selections)
    }
    abstain_rows: list[np.ndarray] = []
    targets: list[int] = []
    expected: list[Verdict] = []
    for e in typed_examples:
        answerable = e.item.verdict is not Verdict.UNKNOWN
        if answerable and id(e) not in select_probs:
            continue  # its gold clause is not in this corpus or not among the candidates
        pool = candidates(e.decider, e.resolved, e.hits) if e.hits else []
        if not pool:
            continue
        probs = type_probs[id(e)]
        sel = select_probs.get(id(e))
        if sel is None:
            features = candidate_features(e.decider, e.resolved, probs, pool, e.bridges, e.own)
            chosen = selection_probabilities(selector, reranker, features, support(e, pool))
            sel = chosen * frame_fit(probs, pool)
        top = int(np.argmax(sel))
        ranked = [pool[top]] + [h for n, h in enumerate(pool) if n != top]
        stance = e.decider.stance_asked(e.resolved, ranked[0].clause)
        frame = answer_frame(fold_askers.get(id(e), asker), probs, e.resolved, stance)
        raw = verdict_for(frame, stance)
        signals = e.decider.signals(e.resolved, ranked)
        abstain_rows.append(
            abstention_features(
                probs,
                sel,
                float(sel[top]),
                (signals.dense, signals.coverage, signals.unknown, signals.off_topic),
            )
        )
        targets.append(int(raw == e.item.verdict))
        expected.append(e.item.verdict)
    x_abs, y_abs = np.stack(abstain_rows), np.asarray(targets)
    oof_abs = np.zeros(len(y_abs))
    for train, held in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(x_abs, y_abs):
        oof_abs[held] = _fit(x_abs[train], y_abs[train], 1.0).proba(x_abs[held])
    abstainer = _fit(x_abs, y_abs, 1.0)
    outcomes = np.column_stack(
        [oof_abs, y_abs == 1, [v is Verdict.UNKNOWN for v in expected]]
    ).astype(float)
    threshold = best_threshold([outcomes])
    seconds = round(time.perf_counter() - started, 2)
    manifest = ModelsManifest(
        training_hash=training_hash,
        corpus_hash=rules.corpus.content_hash,
        model=model_name,
        items=len(examples),
        seed=SEED,
        threshold=threshold,
        trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
        train_seconds=seconds,
    )
    hit1 = np.mean([s.labels[int(np.argmax(select_probs[id(s.example)]))] for s in selections])
    rule_hit1 = np.mean(
        [
            s.example.decider.rank_evidence(
                s.example.resolved,
                FRAMES[int(np.argmax(type_probs[id(s.example)][:3]))],
                s.example.hits,
                s.example.bridges,
            )[0].clause.clause_id
            in (s.example.gold_ids or ())
            for s in selections
        ]
    )
    metrics = {
        "served_versions": sorted(served),
        "typing_items": len(typed_examples),
        "typing_cv_accuracy": round(float(np.mean(oof_type.argmax(axis=1) == y_type)), 4),
        "selection_items": len(selections),
        "selection_cv_hit@1": round(float(hit1), 4),
        "selection_rules_hit@1": round(float(rule_hit1), 4),
        "asker_items": len(y_ask),
        "asker_cv_accuracy": round(float(np.mean((oof_ask >= 0.5) == y_ask)), 4),
        "asker_fact_share": round(float(np.mean(y_ask)), 4),
        "form_asker_cv_accuracy": round(float(np.mean((oof_form >= 0.5) == y_ask)), 4),
        "abstention_items": len(y_abs),
        "abstention_threshold": threshold,
        "verdict_cv_accuracy": round(accuracy_at(outcomes, threshold), 4),
        "seconds": seconds,
    }
    models = LearnedModels(
        manifest, typer, selector, abstainer, asker, form_asker, reranker, neighbours, ngram_typer
    )
    return models, metrics


# What a written question's variants add to it: a greeting or lead, a tag, a plea, "??".
_VARIANT_WRAPPERS = re.compile(
    r"^(?:quick q|hey|hi|aks question)\s*[:,-]?\s+|\s*\((?:on|in) [^)]*\)$|\s+pls$"
)
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def _variant_words(question: str) -> tuple[str, ...]:
    """A question's words without what its variants add (case, punctuation, a lead or tag)."""
    text = question.lower().strip()
    text = _VARIANT_WRAPPERS.sub("", _VARIANT_WRAPPERS.sub("", text))
    return tuple(_NOT_WORD.sub(" ", text).split())


def _one_slip_apart(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two word lists differ by a typing slip: in one word, whose two spellings keep
    the same letters but one (swapped, dropped or doubled)."""
    if len(a) != len(b):
        return False
    differ = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    if len(differ) != 1:
        return not differ
    x, y = differ[0]
    return abs(len(x) - len(y)) <= 1 and len(x) >= 5 and sorted(set(x)) == sorted(set(y))


def families(examples: Sequence[Example]) -> list[int]:
    """Per example, its family: the questions that are one question written again (the same
    words in another version, with a lead or tag, or with a typing slip). Folds keep a family
    together, so that out-of-fold predictions meet a question as a new one is met, not through
    its near-copy in another fold."""
    words = [_variant_words(e.item.question) for e in examples]
    parent = list(range(len(examples)))

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    by_words: dict[tuple[str, ...], int] = {}
    by_length: dict[tuple[str, int], list[int]] = {}
    for n, (e, w) in enumerate(zip(examples, words, strict=True)):
        if w in by_words:
            parent[root(n)] = root(by_words[w])
            continue
        by_words[w] = n
        block = by_length.setdefault((e.item.verdict.value, len(w)), [])
        for m in block:
            if _one_slip_apart(w, words[m]):
                parent[root(n)] = root(m)
                break
        block.append(n)
    return [root(n) for n in range(len(examples))]


def _fold(example: Example) -> int:
    """The example's fold for its neighbours' support, from its id and wording (the same in
    every run)."""
    digest = hashlib.sha256(f"{example.item.id}\0{example.item.question}".encode()).hexdigest()
    return int(digest, 16) % FOLDS


def _neighbour_rows(example: Example) -> list[tuple[np.ndarray, Clause]]:
    """The example as neighbours: its embedding with each clause that answers it."""
    if example.gold_ids is None or example.item.verdict is Verdict.UNKNOWN:
        return []
    clauses = (example.decider.corpus.clause(i) for i in sorted(example.gold_ids))
    return [(example.vector, c) for c in clauses if c is not None]


# How far below the best out-of-fold accuracy a threshold may be and still count as as good
# (a few questions in a thousand).
_THRESHOLD_TOLERANCE = 0.002


def accuracy_at(outcomes: np.ndarray, threshold: float) -> float:
    """Verdict accuracy with abstention below `threshold`, from rows of (confidence, raw
    verdict right, labelled unknown): an answer is right when its raw verdict is, an
    abstention when the item is labelled unknown."""
    answered = outcomes[:, 0] >= threshold
    return float(np.mean(np.where(answered, outcomes[:, 1], outcomes[:, 2])))


def best_threshold(groups: Sequence[np.ndarray]) -> float:
    """The abstention threshold (0.05 to 0.95 by 0.01): the median of those whose mean
    accuracy over groups of outcome rows (see `accuracy_at`; each group counts once) is within
    `_THRESHOLD_TOLERANCE` of the best. Out-of-fold accuracy is flat over a wide band, where
    the single best is a few borderline questions' pick and moves far on any retraining; the
    middle of the band does not."""
    grid = [round(t, 2) for t in np.arange(0.05, 0.96, 0.01)]
    accuracy = [float(np.mean([accuracy_at(g, t) for g in groups])) for t in grid]
    best = max(accuracy)
    near = [t for t, a in zip(grid, accuracy, strict=True) if a >= best - _THRESHOLD_TOLERANCE]
    return near[(len(near) - 1) // 2]


@dataclass(frozen=True)
class PolicyExamples:
    """One training policy's examples and the rules decider of its version in force."""

    name: str
    examples: list[Example]
    decider: VerdictDecider


@dataclass(frozen=True)
class HeldOut:
    """How models answered one policy's questions: the scores, and per question its outcome
    row (confidence, raw verdict right, labelled unknown)."""

    scores: dict[str, Any]
    outcomes: np.ndarray


def held_out_policies(
    policies: Sequence[PolicyExamples], training_hash: str, model_name: str
) -> dict[str, HeldOut]:
    """Per policy, how models fitted on the other policies' questions answer its questions:
    an estimate for a policy nobody wrote training questions for (cross-validation within
    the questions of the same policies reads their subjects too)."""
    if len(policies) < 2:
        raise TrainingDataError("cross-policy scores need training questions about two policies")
    held_out = {}
    for held in policies:
        rest = [p for p in policies if p is not held]
        models, _ = fit_models(
            [e for p in rest for e in p.examples],
            rest[0].decider,
            training_hash,
            model_name,
            others=[p.decider for p in rest[1:]],
        )
        # asked of the other policies, as a policy nobody wrote questions for is answered
        unseen = replace(models, manifest=replace(models.manifest, asked_of=rest[0].name))
        held_out[held.name] = answered(unseen, held.examples)
    return held_out


def cross_policy_scores(
    policies: Sequence[PolicyExamples], training_hash: str, model_name: str
) -> dict[str, dict[str, Any]]:
    """The scores of `held_out_policies`."""
    return {
        name: run.scores
        for name, run in held_out_policies(policies, training_hash, model_name).items()
    }


def unseen_threshold(held_out: dict[str, HeldOut]) -> float:
    """The abstention threshold for a policy the training questions are not about: the best
    for models answering questions about a policy they never saw, each policy counting once."""
    return best_threshold([run.outcomes for run in held_out.values()])


def answered_scores(models: LearnedModels, examples: Sequence[Example]) -> dict[str, Any]:
    """Verdict accuracy (abstention included) of the models on some examples, how often an
    answerable question gets its labelled type, and why the wrong verdicts went wrong."""
    return answered(models, examples).scores


def answered(models: LearnedModels, examples: Sequence[Example]) -> HeldOut:
    """The models' answers to some examples: their scores (`answered_scores`) and outcomes."""
    typed = typed_right = 0
    causes = []
    rows = []
    for e in examples:
        decider = LearnedDecider(e.decider, models)
        decision = decider.decide(
            e.resolved, e.vector, frame_question(e.resolved), e.hits, e.bridges, own=e.own
        )
        unknown = e.item.verdict is Verdict.UNKNOWN
        # an answer the hard overrides withhold stays withheld whatever the threshold
        forced = decision.signals is not None and decider.forced_unknown(
            e.resolved, decision.signals
        )
        confidence = 0.0 if forced else decision.confidence
        rows.append((confidence, decision.raw_verdict == e.item.verdict, unknown))
        if decision.verdict != e.item.verdict:
            first = decision.evidence[0].clause.clause_id if decision.evidence else None
            causes.append(
                wrong_verdict_cause(
                    e.item.verdict.value,
                    decision.verdict.value,
                    decision.raw_verdict.value,
                    sorted(e.gold_ids or ()),
                    first,
                )
            )
        if not unknown:
            typed += 1
            typed_right += decision.frame.value == type_of_verdict(e.item.verdict)
    scores = {
        "items": len(examples),
        "verdict_accuracy": round((len(examples) - len(causes)) / max(len(examples), 1), 4),
        "typing_accuracy": round(typed_right / max(typed, 1), 4),
        "why_wrong": in_report_order(causes),
    }
    return HeldOut(scores, np.asarray(rows, dtype=float).reshape(-1, 3))
