"""Learned question typing, answer selection and abstention: trained on the real training
questions over the real corpus, index and model (the session's `learned` fixture); refused when
stale."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from assistant.answer.learned import (
    FRAMES,
    MODELS_FILE,
    MODELS_FORMAT,
    MODELS_MANIFEST,
    TYPES,
    LearnedDecider,
    LearnedModels,
    Neighbours,
    answer_frame,
    candidate_features,
    candidates,
    ngram_features,
    type_probabilities,
)
from assistant.answer.miss_causes import MISS_CAUSES
from assistant.answer.query import names_condition
from assistant.answer.training import (
    Example,
    PolicyExamples,
    TrainingItem,
    accuracy_at,
    answered_scores,
    best_threshold,
    cross_policy_scores,
    fit_models,
    held_out_policies,
)
from assistant.answer.verdict import FRAME_STANCES
from assistant.config import Settings
from assistant.errors import IndexMismatchError, IndexNotFoundError, TrainingDataError
from assistant.models import Frame, Hit, Selection, Stance, Verdict
from assistant.policy.corpus import load_corpus
from assistant.search.embedding import SentenceTransformerEmbedder
from assistant.search.index import SearchIndex
from assistant.service import Assistant

from .conftest import LEARNED, SEED_AS_OF, Learned


def test_training_is_deterministic(learned: Learned) -> None:
    saved = LearnedModels.load(learned.rules.settings.index_dir)
    again, _ = fit_models(
        learned.examples,
        learned.rules.decider,
        saved.manifest.training_hash,
        saved.manifest.model,
        others=[o.decider for o in learned.others],
    )
    for name in ("typer", "selector", "abstainer", "asker", "form_asker", "reranker"):
        for a, b in zip(
            getattr(saved, name).arrays(name).values(),
            getattr(again, name).arrays(name).values(),
            strict=True,
        ):
            assert np.array_equal(a, b)
    assert np.array_equal(saved.ngram_typer.coef, again.ngram_typer.coef)
    assert np.array_equal(saved.ngram_typer.intercept, again.ngram_typer.intercept)
    assert np.array_equal(saved.neighbours.keys, again.neighbours.keys)
    assert np.allclose(saved.neighbours.vectors, again.neighbours.vectors, atol=1e-6)
    assert saved.manifest.threshold == again.manifest.threshold


def test_training_uses_the_versions_in_force_and_beats_the_rules(learned: Learned) -> None:
    metrics = learned.metrics
    # the served version and each training policy's, not the seed revision of the policy
    in_force = {"2026-08-27", *(o.corpus.documents[0].version for o in learned.others)}
    assert len(learned.others) >= 3 and metrics["served_versions"] == sorted(in_force)
    assert float(metrics["typing_cv_accuracy"]) > 0.85  # type: ignore[arg-type]
    assert float(metrics["selection_cv_hit@1"]) > float(metrics["selection_rules_hit@1"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("question", "verdict"),
    [
        ("is istio supported on aks?", Verdict.NOT_SUPPORTED),
        ("do I have to reboot my worker nodes after OS patches?", Verdict.CUSTOMER_RESPONSIBILITY),
        ("etcd backups - how frequent are they?", Verdict.INFORMATIONAL),
        ("linkerd mesh acting up, can i raise it with azure", Verdict.NOT_SUPPORTED),
        # an exception beats its list: Helm is singled out of "Istio, Helm, or Envoy"
        ("Is Helm supported?", Verdict.BEST_EFFORT),
        ("Is Envoy supported?", Verdict.NOT_SUPPORTED),
    ],
)
def test_the_learned_assistant_answers_from_the_policy(
    learned: Learned, question: str, verdict: Verdict
) -> None:
    answer = learned.assistant.answer(question)
    assert answer.verdict is verdict
    assert answer.citations
    # a change note may cite the earlier version's text too
    texts = {c.text for view in learned.assistant.views for c in view.corpus.clauses}
    assert all(c.text in texts for c in answer.citations)


def test_training_asks_each_item_of_its_own_version(learned: Learned) -> None:
    seed = learned.rules.view(SEED_AS_OF)
    items = [e for e in learned.examples if e.item.version == seed.era.versions[0].version]
    assert items and all(e.decider is seed.decider for e in items)
    seed_texts = {c.clause_id for c in seed.corpus.clauses}
    answerable = [e for e in items if e.item.verdict is not Verdict.UNKNOWN]
    resolved = [e for e in answerable if e.gold_ids is not None]
    assert len(resolved) >= 0.9 * len(answerable)
    assert all(e.gold_ids is not None and e.gold_ids <= seed_texts for e in resolved)


def test_the_asker_only_turns_a_fact_question_to_its_clauses_stance(learned: Learned) -> None:
    """A question typed `fact` and answered by a clause with a stance keeps its fact verdict
    unless the asker says it asks for the stance; every other frame stays the typer's."""
    models = LearnedModels.load(learned.rules.settings.index_dir)
    assert float(learned.metrics["asker_cv_accuracy"]) > 1 - float(  # type: ignore[arg-type]
        learned.metrics["asker_fact_share"]  # type: ignore[arg-type]
    )
    turned = 0
    for e in learned.examples[::7]:
        probs = type_probabilities(models.typer, models.ngram_typer, e.resolved, e.vector)
        typed = FRAMES[int(np.argmax(probs[:3]))]
        for stance in Stance:
            frame = answer_frame(models.asker, probs, e.resolved, stance)
            if typed is not Frame.FACT or stance is Stance.INFORMATIONAL:
                assert frame is typed
            elif frame is not Frame.FACT:
                assert stance in FRAME_STANCES[frame]
                turned += 1
    assert turned > 0


def test_a_document_the_questions_are_not_about_is_asked_by_the_form_asker(
    learned: Learned,
) -> None:
    """Whether a fact question asks for its clause's stance is decided, for a document the
    training questions are not about, from the question's words and the stance alone: the
    typer's probabilities carry the subjects of the policies it was trained on."""
    models = LearnedModels.load(learned.rules.settings.index_dir)
    served = models.manifest
    assert served.knows("aks-support-policies")
    assert not replace(served, asked_of="corpus").knows("aks-support-policies")
    beside = replace(served, trained_documents=("aks-support-policies",))
    assert beside.knows("aks-support-policies") and not beside.knows("aro-support-policy")
    assert float(learned.metrics["form_asker_cv_accuracy"]) > 1 - float(  # type: ignore[arg-type]
        learned.metrics["asker_fact_share"]  # type: ignore[arg-type]
    )
    unseen = replace(models, manifest=replace(served, asked_of="corpus"))
    differ = 0
    for e in learned.examples[::5]:
        if not e.hits:
            continue
        for own, asker, by_form in (
            (models, models.asker, False),
            (unseen, models.form_asker, True),
        ):
            decision = LearnedDecider(e.decider, own).decide(
                e.resolved, e.vector, Frame.FACT, e.hits, e.bridges
            )
            probs = type_probabilities(own.typer, own.ngram_typer, e.resolved, e.vector)
            stance = e.decider.stance_asked(e.resolved, decision.evidence[0].clause)
            assert decision.frame is answer_frame(asker, probs, e.resolved, stance, by_form)
        differ += answer_frame(models.asker, probs, e.resolved, stance) is not answer_frame(
            models.form_asker, probs, e.resolved, stance, True
        )
    assert differ > 0


def test_a_follow_up_item_is_asked_as_its_conversation_rewrites_it() -> None:
    item = TrainingItem(
        "t",
        "and helm?",
        "scope",
        Verdict.BEST_EFFORT,
        (),
        "",
        ("Is Istio supported?", "and kured?"),
    )
    assert item.standalone == "Is helm supported?"
    assert TrainingItem("t", "who patches it?", "fact", Verdict.UNKNOWN, (), "").standalone == (
        "who patches it?"
    )


def test_the_training_follow_ups_are_learned_from_their_rewrites(learned: Learned) -> None:
    follow_ups = [e for e in learned.examples if e.item.previous]
    assert len(follow_ups) >= 250  # the served policy's and the training policies'
    rewritten = [e for e in follow_ups if e.item.standalone != e.item.question]
    assert len(rewritten) >= 0.7 * len(follow_ups)
    assert all(
        e.resolved == learned.rules.prepare(e.item.standalone).resolved for e in rewritten[:20]
    )


def test_a_follow_up_example_keeps_what_the_user_typed(learned: Learned) -> None:
    follow_ups = [e for e in learned.examples if e.item.previous]
    rewritten = [e for e in follow_ups if e.item.standalone != e.item.question]
    assert rewritten and all(e.own == e.item.question for e in rewritten)
    # a question that stands alone, or a follow-up the rules leave as it is, has no own words
    assert all(e.own == "" for e in learned.examples if e.item.standalone == e.item.question)


def test_the_clause_naming_a_follow_ups_own_words_stands_out(learned: Learned) -> None:
    # "and who has to trigger them?" after a question about control-plane upgrades: the
    # rewrite names the control plane, the user's own word is "trigger"
    decider = learned.rules.decider
    rows = [
        c for c in learned.rules.corpus.clauses if c.text.startswith("Kubernetes version upgrades")
    ]
    assert len(rows) == 2
    question = "Who has to trigger kubernetes version upgrades of the control plane?"
    pool = [Hit(clause=c, score=0.5) for c in rows]
    probs = np.asarray([0.1, 0.8, 0.1, 0.0])
    alone = candidate_features(decider, question, probs, pool)
    typed = candidate_features(decider, question, probs, pool, own="and who has to trigger them?")
    differ = np.flatnonzero((alone != typed).any(axis=0))
    assert len(differ) == 2  # the share of the own words' weight, and its gap to the best
    names = [int("Trigger" in c.text) for c in rows]
    assert typed[names.index(1), differ[0]] == 1.0
    assert typed[names.index(0), differ[0]] == 0.0
    assert typed[names.index(0), differ[1]] == -1.0
    assert not alone[:, differ].any()


@pytest.mark.parametrize(
    ("question", "verdict"),
    [
        ("Is Kured supported?", Verdict.BEST_EFFORT),
        ("is istio supported on aks?", Verdict.NOT_SUPPORTED),
        ("Are beta Kubernetes features supported?", Verdict.NOT_SUPPORTED),
        # naming one of the rule's conditions (eval/LABELLING.md: "A rule and its conditions")
        (
            "Are beta Kubernetes features supported if we switched them on with a feature flag?",
            Verdict.CONDITIONAL,
        ),
    ],
)
def test_earlier_versions_answer_with_the_learned_models(
    learned: Learned, question: str, verdict: Verdict
) -> None:
    assistant = learned.assistant
    seed = assistant.view(SEED_AS_OF)
    assert assistant.learned_for[seed.start].rules is seed.decider
    answer = assistant.answer(question, selection=Selection(as_of=SEED_AS_OF))
    assert answer.verdict is verdict
    seed_texts = {c.text for c in seed.corpus.clauses}
    assert answer.citations and answer.citations[0].text in seed_texts


def test_a_reviewed_out_of_scope_topic_still_abstains(learned: Learned) -> None:
    # (the 2026 article covers SLAs, so that topic no longer applies; pricing still does)
    question = "how much does an AKS cluster cost per month?"
    assert learned.assistant.answer(question).verdict is Verdict.UNKNOWN


def test_a_question_only_about_words_the_policy_never_uses_abstains(learned: Learned) -> None:
    # the 2026 article no longer names Kured: "the policy doesn't say", and what it said before
    answer = learned.assistant.answer("Is Kured supported?")
    assert answer.verdict is Verdict.UNKNOWN
    assert any("Kured" in c.previous_text for c in answer.changes)


def test_changed_training_questions_make_the_models_stale(
    learned: Learned, tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    settings = learned.assistant.settings
    assert settings.training_file is not None
    edited = tmp_path / "questions.jsonl"
    edited.write_text(settings.training_file.read_text(encoding="utf-8") + "\n")
    stale = settings.model_copy(update={"training_file": edited})
    with pytest.raises(IndexMismatchError, match="assistant train"):
        Assistant.from_settings(stale, embedder=embedder)


def test_a_changed_training_policy_makes_the_models_stale(
    learned: Learned, tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    settings = learned.assistant.settings
    assert settings.training_policies_dir is not None
    policies = tmp_path / "policies"
    shutil.copytree(settings.training_policies_dir, policies)
    same = settings.model_copy(update={"training_policies_dir": policies})
    assert Assistant.from_settings(same, embedder=embedder).learned is not None
    first = sorted(policies.iterdir())[0] / "questions.jsonl"
    first.write_text(first.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with pytest.raises(IndexMismatchError, match="different training questions"):
        Assistant.from_settings(same, embedder=embedder)


def test_models_of_an_earlier_format_are_named_so_and_retrained_on_start(
    learned: Learned, tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    """Models saved before a format change (format 7 had no reranker or neighbours) are
    refused as such, and a start that builds retrains them instead of failing."""
    old = tmp_path / "index"
    shutil.copytree(learned.rules.settings.index_dir, old)
    manifest = json.loads((old / MODELS_MANIFEST).read_text(encoding="utf-8"))
    manifest["models_format"] = 7
    (old / MODELS_MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with np.load(old / MODELS_FILE) as data:
        kept = {k: data[k] for k in data.files if not k.startswith(("reranker", "neighbours"))}
    np.savez(old / MODELS_FILE, **kept)  # type: ignore[arg-type]
    with pytest.raises(IndexMismatchError, match="format 7 .expected"):
        LearnedModels.load(old)
    served = learned.assistant.settings.model_copy(update={"index_dir": old})
    with pytest.raises(IndexMismatchError, match="format 7"):
        Assistant.from_settings(served, embedder=embedder)
    on_start = served.model_copy(update={"build_index_on_start": True})
    assert Assistant.from_settings(on_start, embedder=embedder).learned is not None
    assert LearnedModels.load(old).manifest.models_format == MODELS_FORMAT


def test_without_models_the_rules_answer(
    settings: Settings,
    search_index: SearchIndex,
    tmp_path: Path,
    embedder: SentenceTransformerEmbedder,
) -> None:
    bare = tmp_path / "index"
    shutil.copytree(settings.index_dir, bare, ignore=shutil.ignore_patterns("learned.*"))
    with pytest.raises(IndexNotFoundError, match="assistant train"):
        LearnedModels.load(bare)
    learned = settings.model_copy(update={**LEARNED, "index_dir": bare})
    assert Assistant.from_settings(learned, embedder=embedder).learned is None


def test_models_trained_on_start_are_the_ones_assistant_train_fits(
    learned: Learned, tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    """A first start trains as `assistant train` does: every question asked of the version it
    is labelled for (the seed's items of the seed), with the rules answering."""
    bare = tmp_path / "index"
    saved_at = learned.rules.settings.index_dir
    shutil.copytree(saved_at, bare, ignore=shutil.ignore_patterns("learned.*"))
    on_start = learned.assistant.settings.model_copy(
        update={"index_dir": bare, "build_index_on_start": True}
    )
    assert Assistant.from_settings(on_start, embedder=embedder).learned is not None
    trained, saved = LearnedModels.load(bare), LearnedModels.load(saved_at)
    assert trained.manifest.items == saved.manifest.items
    assert trained.manifest.threshold == saved.manifest.threshold
    for name in ("typer", "selector", "abstainer", "asker", "form_asker"):
        for a, b in zip(
            getattr(trained, name).arrays(name).values(),
            getattr(saved, name).arrays(name).values(),
            strict=True,
        ):
            assert np.allclose(a, b, atol=1e-6)  # embeddings vary in their last bits


def test_each_training_policy_is_asked_its_own_questions(learned: Learned) -> None:
    for other in learned.others:
        own = [e for e in learned.examples if e.decider is other.decider]
        assert len(own) >= 200
        answerable = [e for e in own if e.item.verdict is not Verdict.UNKNOWN]
        assert all(e.gold_ids is not None for e in answerable)
        ids = {c.clause_id for c in other.corpus.clauses}
        assert all(e.gold_ids is not None and e.gold_ids <= ids for e in answerable)


def _by_policy(learned: Learned) -> tuple[list[PolicyExamples], dict[str, list[Example]]]:
    """The training examples grouped by the policy they are asked of ("aks" or a doc id)."""
    own = {id(o.decider): o.corpus.documents[0].doc_id for o in learned.others}
    groups: dict[str, list[Example]] = {}
    for e in learned.examples:
        groups.setdefault(own.get(id(e.decider), "aks"), []).append(e)
    deciders = {"aks": learned.rules.decider} | {
        o.corpus.documents[0].doc_id: o.decider for o in learned.others
    }
    return [PolicyExamples(name, groups[name], deciders[name]) for name in deciders], groups


def test_cross_policy_scores_hold_each_policy_out(learned: Learned) -> None:
    policies, groups = _by_policy(learned)
    scores = cross_policy_scores(policies, "hash", "model")
    assert set(scores) == {p.name for p in policies}
    for name, score in scores.items():
        assert score["items"] == len(groups[name])
        # models that never saw the policy still beat always giving its commonest verdict
        commonest = Counter(e.item.verdict for e in groups[name]).most_common(1)[0][1]
        assert score["verdict_accuracy"] > commonest / len(groups[name])
        # every wrong verdict has its stage named, as `assistant eval` names a miss's
        wrong = round(score["items"] * (1 - score["verdict_accuracy"]))
        assert set(score["why_wrong"]) <= set(MISS_CAUSES) - {"citation_missed"}
        assert sum(score["why_wrong"].values()) == wrong
    # and fall short of the same models scored on questions they were fitted on
    models = LearnedModels.load(learned.rules.settings.index_dir)
    assert (
        answered_scores(models, groups["aks"])["verdict_accuracy"]
        > scores["aks"]["verdict_accuracy"]
    )
    with pytest.raises(TrainingDataError):
        cross_policy_scores(policies[:1], "hash", "model")


def test_the_threshold_answers_most_items_right_each_group_counting_once() -> None:
    # rows: confidence, raw verdict right, labelled unknown
    sure = np.array([[0.9, 1, 0], [0.8, 1, 0], [0.3, 0, 1], [0.2, 0, 1]], dtype=float)
    unsure = np.array([[0.3, 1, 0], [0.25, 1, 0], [0.1, 0, 1]], dtype=float)
    assert accuracy_at(sure, 0.5) == 1.0 and accuracy_at(sure, 0.1) == 0.5
    assert accuracy_at(unsure, 0.2) == 1.0 and accuracy_at(unsure, 0.5) == 1 / 3
    assert 0.3 < best_threshold([sure]) <= 0.8
    # pooled, the rows of the doubled group would hold the threshold above 0.3; as a group of
    # its own the unsure one counts as much and draws it down to where its answers lie
    assert 0.3 < best_threshold([np.vstack([sure, sure, unsure])]) <= 0.8
    assert 0.2 < best_threshold([np.vstack([sure, sure]), unsure]) <= 0.25


def test_the_threshold_is_the_middle_of_a_flat_band_not_its_spike() -> None:
    # a thousand questions answered equally well anywhere from 0.2 to 0.7, and one borderline
    # question that is right at 0.65 only: the band's middle, not the spike
    sure = np.array([[0.9, 1, 0]] * 900 + [[0.1, 0, 1]] * 100, dtype=float)
    spike = np.vstack([sure, [[0.66, 1, 0], [0.64, 0, 1]]])
    assert best_threshold([sure]) == best_threshold([spike]) == 0.5


def test_held_out_outcomes_withhold_what_the_overrides_withhold(learned: Learned) -> None:
    policies, groups = _by_policy(learned)
    held_out = held_out_policies(policies[:2], "hash", "model")
    aks = held_out["aks"]
    assert aks.outcomes.shape == (len(groups["aks"]), 3)
    # an out-of-scope topic's raw verdict never counts as answered, at any threshold
    off_topic = [
        n for n, e in enumerate(groups["aks"]) if e.decider.signals(e.resolved, e.hits).off_topic
    ]
    assert off_topic and all(aks.outcomes[n, 0] == 0.0 for n in off_topic)
    # the outcomes give the scores' verdict accuracy at the threshold the models served with
    grid = [t / 100 for t in range(5, 96)]
    assert any(abs(accuracy_at(aks.outcomes, t) - aks.scores["verdict_accuracy"]) < 1e-4
               for t in grid)  # fmt: skip


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("and if it's behind a feature flag?", True),
        ("supported as long as we stay on the latest image?", True),
        ("Is Kured supported?", False),
        ("what's the iffy part of the policy", False),
    ],
)
def test_a_question_naming_a_condition_is_recognised(question: str, named: bool) -> None:
    assert names_condition(question) is named


def test_only_words_an_earlier_version_named_force_an_abstention(learned: Learned) -> None:
    assistant = learned.assistant
    seed, current = assistant.views[0], assistant.views[-1]
    assert not assistant.learned_for[seed.start].removed  # nothing came before the seed
    removed = assistant.learned_for[current.start].removed
    kured = current.decider.unknown_terms("Is Kured supported?")
    assert kured and kured <= removed  # named by an earlier version, not by this one
    assert not removed & current.decider.vocabulary
    # a word no version used is left to the abstainer, not forced to "unknown"
    assert not current.decider.unknown_terms("Is Zorblax supported?") & removed


def test_a_rewording_of_training_questions_is_supported_by_the_clause_they_quote(
    learned: Learned,
) -> None:
    # the training questions ask about Linkerd in other words ("will ms support help with
    # linkerd", "linkerd - is that covered by azure support?")
    question = "does azure support cover our linkerd mesh?"
    assistant = learned.rules
    prepared = assistant.prepare(question)
    vector = assistant.embedder.embed([assistant.retriever.embedded_text(prepared.query)])[0]
    hits = assistant.retriever.retrieve(prepared.query, assistant.settings.top_k, vector=vector)
    pool = candidates(assistant.decider, prepared.resolved, hits)
    support = LearnedModels.load(assistant.settings.index_dir).neighbours.support(vector, pool)
    best = pool[int(np.argmax(support))].clause
    assert "Projects like Istio, Helm, or Envoy" in best.text, best.text
    helm = [n for n, h in enumerate(pool) if "best-effort" in h.clause.text]
    assert helm and all(support[n] < support.max() for n in helm)
    assert 0.0 <= support.min() and support.max() <= 1.0


def test_a_document_no_training_question_quotes_gets_the_best_candidates_support(
    embedder: SentenceTransformerEmbedder,
) -> None:
    root = Path(__file__).resolve().parents[1]
    aks = load_corpus(root / "corpus").clauses
    aro = load_corpus(root / "eval" / "documents" / "aro" / "policy").clauses
    istio = next(c for c in aks if "Istio" in c.text)
    reboot = next(c for c in aks if "reboot" in c.text.lower())
    vectors = embedder.embed(["is istio supported", "who reboots the nodes"])
    neighbours = Neighbours.of([(vectors[0], istio), (vectors[1], reboot)])
    pool = [Hit(clause=c, score=0.0) for c in (istio, reboot, aro[0])]
    support = neighbours.support(embedder.embed(["is istio covered by support?"])[0], pool)
    assert support[0] > support[1] > 0.0
    # the ARO clause could have had no training question: the best candidate's support
    assert support[2] == support[0]
    # served alone, a policy no training question quotes has no support at all
    alone = neighbours.support(vectors[0], [Hit(clause=c, score=0.0) for c in aro[:3]])
    assert not alone.any()


def test_a_questions_n_grams_are_its_wording_hashed_and_normalised() -> None:
    columns, values = ngram_features("Who has to reboot the nodes?")
    assert len(columns) == len(set(columns.tolist())) and np.isclose(np.linalg.norm(values), 1.0)
    again, _ = ngram_features("who has to reboot the nodes")
    assert set(columns.tolist()) == set(again.tolist())  # case and punctuation are not words
    # a typing slip keeps most letter pieces: the slipped question is closer than another one
    slipped = dict(zip(*ngram_features("who has to rebot the nodes"), strict=True))
    other = dict(zip(*ngram_features("is istio supported on aks"), strict=True))
    own = dict(zip(columns.tolist(), values, strict=True))

    def cosine(a: dict[int, float]) -> float:
        return sum(v * a.get(int(c), 0.0) for c, v in own.items())

    assert cosine(slipped) > 0.8 > 0.2 > cosine(other)
    assert ngram_features("")[0].size == 0


def test_the_n_gram_typer_reads_how_a_question_is_worded(learned: Learned) -> None:
    """It was fitted on the training questions' wording: a responsibility question's opener
    and a scope question's "supported?" type a question about a subject it never saw."""
    typer = LearnedModels.load(learned.rules.settings.index_dir).ngram_typer
    assert TYPES[int(np.argmax(typer.proba("who has to renew the zorblax licence?")))] == (
        "responsibility"
    )
    assert TYPES[int(np.argmax(typer.proba("is zorblax supported?")))] == "scope"
