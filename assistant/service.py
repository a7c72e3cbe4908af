"""The `Assistant` facade: question in, grounded answer out, over a loaded corpus and index."""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.answer.compose import Composition, compose_answer, list_changes, with_changes
from assistant.answer.learned import LearnedDecider, LearnedModels, training_hash
from assistant.answer.query import (
    Speller,
    Synonym,
    Topic,
    bridge_terms,
    covered_terms,
    expand_query,
    frame_question,
    load_synonyms,
    load_topics,
    normalise_question,
    strip_injections,
    without_terms,
    words_of,
)
from assistant.answer.render import Renderer
from assistant.answer.routing import documents_named
from assistant.answer.verdict import Calibration, VerdictDecider
from assistant.answer.word_forms import WordForms, use_word_forms
from assistant.config import TRAINING_QUESTIONS, Settings
from assistant.errors import (
    ClauseNotFoundError,
    IndexMismatchError,
    IndexNotFoundError,
    InvalidDateError,
    NotInForceError,
    TrainingDataError,
    UnknownDocumentError,
)
from assistant.models import Answer, Change, Decision, Frame, Hit, Selection, Verdict
from assistant.policy.corpus import Corpus
from assistant.policy.plans import plan_names
from assistant.policy.provider import document_providers, provider_name
from assistant.policy.stance import assign_stances, load_overrides
from assistant.policy.versions import (
    ClauseChange,
    Era,
    Version,
    check_as_of,
    data_file,
    diff_versions,
    era_at,
    eras,
    load_versions,
)
from assistant.search.cache import CacheStats, VersionedLRUCache
from assistant.search.embedding import Embedder, load_embedder, resolve_model_path
from assistant.search.index import (
    MANIFEST,
    SearchIndex,
    build_index,
    check_manifest,
    load_index,
    read_manifest,
    save_index,
)
from assistant.search.retrieval import Retriever
from assistant.search.tuning import encoder_model, tune_model, tuned_model_dir

if TYPE_CHECKING:
    from assistant.answer.training import Example, TrainingItem

log = logging.getLogger(__name__)


def with_stances(settings: Settings, version: Version) -> Version:
    """A document version with every clause's stance decided: rules, then the version's
    reviewed overrides (`<id>.stance-overrides.toml`, or beside a history file)."""
    path = data_file(settings.corpus_dir, version.document, "stance-overrides")
    return replace(version, clauses=assign_stances(version.clauses, load_overrides(path)))


def load_history(settings: Settings) -> list[Era]:
    """Every era of the policy, oldest first, with stances; the last is in force now."""
    versions = load_versions(settings.corpus_dir)
    return eras([[with_stances(settings, v) for v in doc] for doc in versions])


def load_policy(settings: Settings) -> Corpus:
    """The corpus in force now (each document's current file), with stances."""
    return load_history(settings)[-1].corpus()


def data_files(settings: Settings, corpus: Corpus, kind: str) -> list[Path]:
    """The reviewed data files of a kind that apply: each document version's own file
    (`<document-id>.<kind>.toml` beside the current file, `history/<id>/<version>.<kind>.toml`
    beside an earlier one), then the one the settings name, if any."""
    named = {"synonyms": settings.synonyms_file, "out-of-scope": settings.topics_file}.get(kind)
    paths = [data_file(settings.corpus_dir, d, kind) for d in corpus.documents]
    return [p for p in [*paths, named] if p is not None and p.exists()]


def headings_of(corpus: Corpus) -> set[str]:
    """The documents' titles and section headings."""
    return {d.title for d in corpus.documents} | {h for s in corpus.sections for h in s.path}


def load_policy_synonyms(settings: Settings, corpus: Corpus) -> tuple[Synonym, ...]:
    """Every applicable synonym entry (see `data_files`)."""
    return tuple(s for p in data_files(settings, corpus, "synonyms") for s in load_synonyms(p))


def load_policy_topics(settings: Settings, corpus: Corpus) -> tuple[Topic, ...]:
    """Every applicable out-of-scope topic, as written: each document version's own
    (`data_file`; it holds for that document's clauses alone: a topic one policy leaves out
    another may cover), then those of the file the settings name (for every document)."""
    own = tuple(
        replace(topic, document=d.doc_id)
        for d in corpus.documents
        for topic in load_topics(data_file(settings.corpus_dir, d, "out-of-scope"))
    )
    return own + load_topics(settings.topics_file)


def covered_topic_terms(topics: Sequence[Topic], corpus: Corpus) -> list[tuple[Topic, str]]:
    """(topic, term) for each out-of-scope term that the text of the topic's document (of every
    document, for a topic of all) uses."""
    covered = []
    for document in dict.fromkeys(t.document for t in topics):
        group = tuple(t for t in topics if t.document == document)
        found = set(covered_terms(group, policy_texts(corpus, document)))
        covered += [(t, term) for t in group for term in t.terms if (t.name, term) in found]
    return covered


def stale_topics(settings: Settings, corpus: Corpus) -> list[str]:
    """One problem line for each out-of-scope term the policy text itself uses (such terms are
    reported here and by a warning at start-up, and never applied)."""
    return [
        f"{_topics_file(settings, corpus, topic)}: out-of-scope topic {topic.name!r} names "
        f"{term!r}, which the policy covers"
        for topic, term in covered_topic_terms(load_policy_topics(settings, corpus), corpus)
    ]


def _topics_file(settings: Settings, corpus: Corpus, topic: Topic) -> Path | None:
    """The out-of-scope file a topic was read from."""
    document = next((d for d in corpus.documents if d.doc_id == topic.document), None)
    if document is None:
        return settings.topics_file
    return data_file(settings.corpus_dir, document, "out-of-scope")


def policy_texts(corpus: Corpus, document: str = "") -> list[str]:
    """The words of the policy (of one document, when named) as they read: clauses, their
    lead-ins and headings."""
    clauses = [c for c in corpus.clauses if not document or c.doc_id == document]
    texts = [c.text for c in clauses] + [c.context for c in clauses if c.context]
    sections = [s for s in corpus.sections if not document or s.doc_id == document]
    return texts + [" ".join(s.path) for s in sections]


def history_index_dir(settings: Settings, era: Era) -> Path:
    """Where the index of an earlier era lives: beside the current index's folder."""
    return settings.index_dir.with_name(settings.index_dir.name + ".history") / (
        era.start or "undated"
    )


def ensure_era_index(
    settings: Settings, era: Era, corpus: Corpus, embedder: Embedder
) -> SearchIndex:
    """An earlier era's index: loaded when it matches, else built (it is small) and saved."""
    folder = history_index_dir(settings, era)
    backend = getattr(embedder, "backend", None)
    try:
        return load_index(folder, embedder.model_name, corpus, backend)
    except (IndexNotFoundError, IndexMismatchError):
        log.info("building the index of the policy in force from %s", era.start)
    index = build_index(corpus, embedder, settings.dense_index)
    try:
        save_index(index, folder)
    except OSError as exc:  # a read-only deployment still serves it from memory
        log.warning("cannot save %s: %s", folder, exc)
    return index


def ensure_index(settings: Settings, corpus: Corpus, embedder: Embedder) -> SearchIndex:
    """Load the index, building it first when it is missing and the settings allow."""
    try:
        backend = getattr(embedder, "backend", None)
        return load_index(settings.index_dir, embedder.model_name, corpus, backend)
    except IndexNotFoundError:
        if not settings.build_index_on_start:
            raise
        log.info("no index in %s; building it", settings.index_dir)
        index = build_index(corpus, embedder, settings.dense_index)
        save_index(index, settings.index_dir)
        return index


def word_forms_for(folder: Path, texts: Sequence[str], save: bool = False) -> WordForms:
    """The word-forms table saved with the index when it covers the words of `texts` (every
    version's `policy_texts`), else one computed now (and saved when `save`): lemminflect's
    tables take over a second to load with the GIL held, which would stall every other request
    on the first suggestion."""
    saved = WordForms.load(folder)
    if saved is not None and saved.covers(texts):
        return saved
    forms = WordForms.compute(texts)
    if save:
        try:
            forms.save(folder)
        except OSError as exc:  # a read-only deployment computes it on each start
            log.warning("cannot save the word-forms table in %s: %s", folder, exc)
    return forms


def uses_learning(settings: Settings) -> bool:
    """True when the settings choose a learned component."""
    methods = (settings.question_typing, settings.answer_selection, settings.abstention)
    return "learned" in methods


@dataclass(frozen=True)
class Prepared:
    """A question made ready for retrieval: cleaned and corrected, expanded, bridged."""

    resolved: str
    query: str
    bridges: str


@dataclass(frozen=True)
class Trace:
    """An answer with the intermediate values that produced it (for evaluation and debugging)."""

    answer: Answer
    query: str
    hits: tuple[Hit, ...]
    decision: Decision


@dataclass(frozen=True)
class Asked:
    """A question as every version's view answers it: spelling corrected, its search query
    (with synonym expansions), the query's vector and the question's frame."""

    resolved: str
    query: str
    vector: np.ndarray
    frame: Frame
    own: str = ""  # what the user typed, when `resolved` is a follow-up's rewrite of it


@dataclass
class View:
    """The policy in force from `start`: its corpus, index, retriever and verdict decider, and
    the clauses that changed from the era before (by clause id)."""

    start: str
    era: Era
    corpus: Corpus
    retriever: Retriever
    decider: VerdictDecider
    changes: dict[str, ClauseChange]
    synonyms: tuple[Synonym, ...] = ()
    words: frozenset[str] = frozenset()  # the words this era's policy uses


def era_of(corpus: Corpus) -> Era:
    """A corpus as one era (for an assistant built without history)."""
    versions = tuple(
        Version(
            doc,
            tuple(s for s in corpus.sections if s.doc_id == doc.doc_id),
            tuple(c for c in corpus.clauses if c.doc_id == doc.doc_id),
        )
        for doc in corpus.documents
    )
    return Era(min((v.version for v in versions), default=""), versions)


def era_changes(before: Era | None, after: Era) -> dict[str, ClauseChange]:
    """What changed from one era to the next, document by document, by clause id."""
    if before is None:
        return {}
    old = {v.document.doc_id: v for v in before.versions}
    changes: dict[str, ClauseChange] = {}
    for version in after.versions:
        prior = old.get(version.document.doc_id)
        if prior is not None and prior.version != version.version:
            changes.update({c.clause_id: c for c in diff_versions(prior, version)})
    return changes


# "what changed in the policy?", "did anything change about NSGs?", "what's new?"
_CHANGE_QUESTION = re.compile(
    r"\bwhat(?:'s| has| have| did)?\s+(?:\w+\s+)?chang(?:ed|es)\b|"
    r"\b(?:did|has|have)\s+(?:anything|something|\w+)\s+(?:\w+\s+)?changed?\b|"
    r"\bwhat(?:'s| is) new\b|\bany changes\b|\bchanges? (?:to|in) the (?:\w+ )?polic",
    re.IGNORECASE,
)
_CHANGE_WORDS = frozenset(
    "what whats chang changed change changes new anyth anything someth something did has have "
    "polici policy support aks about in to the any".split()
)
CHANGES_LISTED = 8


def is_change_question(question: str) -> bool:
    """True when a question asks what changed in the policy."""
    return _CHANGE_QUESTION.search(question.replace("\u2019", "'")) is not None


class Assistant:
    """Answers policy questions; build one per process with `from_settings` and share it."""

    def __init__(
        self,
        settings: Settings,
        corpus: Corpus,
        index: SearchIndex,
        embedder: Embedder,
        synonyms: tuple[Synonym, ...],
        history: Sequence[tuple[Era, SearchIndex]] = (),
        current: Era | None = None,
        models: LearnedModels | None = None,
    ) -> None:
        """`corpus`/`index`: the policy in force now (the `current` era); `history`: the
        earlier eras with their indexes, oldest first."""
        self.settings = settings
        self.corpus = corpus
        self.index = index
        self.embedder = embedder
        self.synonyms = synonyms
        self.calibration = Calibration.load(settings.calibration_file)
        self.retriever = self._retriever(corpus, index)
        self.answers: VersionedLRUCache[Trace] = VersionedLRUCache(settings.cache_size)
        self.decider = self._decider(corpus, warn=True)
        self.learned = (  # the learned components answer from the current version
            None
            if models is None
            else LearnedDecider(
                self.decider,
                models,
                typing=settings.question_typing == "learned",
                selection=settings.answer_selection == "learned",
                abstention=settings.abstention == "learned",
            )
        )
        # who the provider's responsibility is said to be ("This is Microsoft's responsibility."):
        # the setting, else the name each document gives (the most common one for no document)
        self.provider = settings.provider_name or provider_name(corpus)
        self.providers = {
            doc_id: settings.provider_name or name
            for doc_id, name in document_providers(corpus).items()
        }
        # the names the policy gives its plans or tiers, which follow-ups may swap
        self.plans = plan_names(corpus)
        self.renderer = Renderer(self.provider)
        self.views: list[View] = []
        previous: Era | None = None
        for era, era_index in history:
            era_corpus = era.corpus()
            # each era's own synonyms (none when this assistant is built without any)
            era_synonyms = load_policy_synonyms(settings, era_corpus) if synonyms else ()
            self.views.append(
                View(
                    era.start,
                    era,
                    era_corpus,
                    self._retriever(era_corpus, era_index),
                    self._decider(era_corpus, warn=False, synonyms=era_synonyms),
                    era_changes(previous, era),
                    era_synonyms,
                    frozenset(words_of(policy_texts(era_corpus))),
                )
            )
            previous = era
        now = current or era_of(corpus)
        self.views.append(
            View(
                now.start,
                now,
                corpus,
                self.retriever,
                self.decider,
                era_changes(previous, now),
                synonyms,
                frozenset(words_of(policy_texts(corpus))),
            )
        )
        # the learned deciders by view: the models are document-agnostic, so every version
        # answers with them (over its own rules decider, knowing what earlier versions named)
        self.learned_for = {}
        if self.learned is not None:
            named: frozenset[str] = frozenset()
            for view in self.views:
                words = view.decider.vocabulary
                self.learned_for[view.start] = self.learned.using(view.decider, named - words)
                named |= words
        # every version's words, so a question about an earlier one is not "corrected" away
        texts = [t for view in self.views for t in policy_texts(view.corpus)]
        # saved beside an index built on start, as `assistant index build` saves it
        use_word_forms(word_forms_for(settings.index_dir, texts, settings.build_index_on_start))
        self.policy_words = words_of(texts)
        self.speller = Speller(  # corrects towards policy words; synonym terms are left alone
            texts,
            dictionary=embedder.known_words() | words_of(t for syn in synonyms for t in syn.terms),
            min_length=5,
            headings=[h for view in self.views for h in headings_of(view.corpus)],
        )

    def _retriever(self, corpus: Corpus, index: SearchIndex) -> Retriever:
        return Retriever(
            corpus,
            index,
            self.embedder,
            mode=self.settings.retrieval_mode,
            rrf_k=self.settings.rrf_k,
            cache=VersionedLRUCache(self.settings.cache_size),
            query_max_tokens=self.settings.query_max_tokens,
        )

    def _decider(
        self, corpus: Corpus, warn: bool, synonyms: tuple[Synonym, ...] | None = None
    ) -> VerdictDecider:
        topics = load_policy_topics(self.settings, corpus)
        covered = covered_topic_terms(topics, corpus)
        for topic, term in covered if warn else ():  # `assistant policy check` reports these too
            log.warning(
                "out-of-scope topic %r: the policy covers %r; not applied", topic.name, term
            )
        return VerdictDecider(
            corpus,
            self.calibration,
            self.settings.abstain_threshold,
            without_terms(topics, covered),
            known_terms=tuple(
                term
                for syn in (self.synonyms if synonyms is None else synonyms)
                for term in syn.terms
            ),
        )

    @classmethod
    def from_settings(cls, settings: Settings, embedder: Embedder | None = None) -> Assistant:
        """Load the policy (every version), the model and the indexes (building them when
        missing)."""
        all_eras = load_history(settings)
        corpus = all_eras[-1].corpus()
        if embedder is None and settings.build_index_on_start:
            ensure_encoder(settings, all_eras)
        if (settings.index_dir / MANIFEST).exists():  # refuse a stale index before the model loads
            manifest = read_manifest(settings.index_dir)
            model = embedder.model_name if embedder else encoder_model(settings)
            check_manifest(manifest, model, corpus, settings.embedding_backend)
        embedder = embedder or load_embedder(settings)
        index = ensure_index(settings, corpus, embedder)
        history = [
            (era, ensure_era_index(settings, era, era.corpus(), embedder)) for era in all_eras[:-1]
        ]
        synonyms = load_policy_synonyms(settings, corpus)
        models = None
        if uses_learning(settings):
            models = cls.learned_models(
                settings, corpus, index, embedder, synonyms, history, all_eras[-1]
            )
        return cls(settings, corpus, index, embedder, synonyms, history, all_eras[-1], models)

    @classmethod
    def learned_models(
        cls,
        settings: Settings,
        corpus: Corpus,
        index: SearchIndex,
        embedder: Embedder,
        synonyms: tuple[Synonym, ...],
        history: Sequence[tuple[Era, SearchIndex]] = (),
        current: Era | None = None,
    ) -> LearnedModels | None:
        """The trained models in the index folder. Stale ones are refused (or retrained when the
        settings build on start); without any, the rules answer (or they are trained first when
        the settings build on start and a training file exists). Training asks every question
        of the version it is labelled for (`history`: the earlier eras), as `assistant train`
        does."""
        trainable = settings.training_file is not None and settings.training_file.exists()
        try:
            models = LearnedModels.load(settings.index_dir)
            training = training_hash(settings.training_file, settings.training_policies())
            models.check(training, corpus, embedder.model_name)
            return models
        except IndexNotFoundError:
            if not (settings.build_index_on_start and trainable):
                log.warning(
                    "no learned models in %s; answering with the rules (run `assistant train`)",
                    settings.index_dir,
                )
                return None
        except IndexMismatchError:  # stale, of another format or unreadable
            if not (settings.build_index_on_start and trainable):
                raise
        log.info("training the learned models into %s", settings.index_dir)
        try:
            rules = settings.with_rules()
            return train(cls(rules, corpus, index, embedder, synonyms, history, current))[0]
        except TrainingDataError as exc:
            log.warning("learned models not trained: %s", exc)
            return None

    def normalise(self, question: str) -> str:
        """The question as it will be answered; raises InvalidQuestionError when unusable."""
        return normalise_question(question, self.settings.max_question_chars)

    def view(self, as_of: str | None) -> View:
        """The policy in force on a date (now when None); raises NotInForceError before the
        first version and InvalidQuestionError for a malformed date."""
        if as_of is None:
            return self.views[-1]
        try:
            check_as_of(as_of)
        except ValueError as exc:
            raise InvalidDateError(f"as_of: {exc}") from exc
        era = era_at([v.era for v in self.views], as_of)
        if era is None:
            first = min(v.start for v in self.views)
            raise NotInForceError(
                f"as_of: no policy version was in force on {as_of}; the first is from {first}"
            )
        return next(v for v in self.views if v.era is era)

    def view_of_version(self, version: str) -> View:
        """The latest view in which a document has this version (the current view when none
        has: a training item about no known version is asked of the policy in force now)."""
        return self.views[era_with_version([v.era for v in self.views], version)]

    def corpus_at(self, as_of: str | None) -> Corpus:
        """The corpus in force on a date (now when None)."""
        return self.view(as_of).corpus

    def check_selection(self, selection: Selection) -> None:
        """Raise UnknownDocumentError when the selection names a document the corpus lacks,
        NotInForceError or InvalidDateError for an `as_of` no version answers."""
        known = {d.doc_id for v in self.views for d in v.corpus.documents}
        unknown = [d for d in selection.documents if d not in known]
        if unknown:
            raise UnknownDocumentError(
                f"no policy document {', '.join(map(repr, unknown))}; "
                f"the documents are {', '.join(sorted(known))}"
            )
        self.view(selection.as_of)

    def documents_named(self, question: str) -> tuple[str, ...]:
        """The served documents a question names by their titles, when it names some but not
        all of them (else none: any of them may answer)."""
        documents = self.corpus.documents
        named = documents_named(documents, question)
        if len(named) == len(documents):
            return ()
        return tuple(d.doc_id for d in documents if d.doc_id in named)

    def trace(
        self,
        question: str,
        resolved: str | None = None,
        selection: Selection | None = None,
        rewritten: bool = False,
    ) -> Trace:
        """Answer a question and keep the retrieval and decision that produced the answer;
        `resolved` is the standalone question to answer in its place (a follow-up's rewrite
        when `rewritten`, else the question only cleaned); `selection` limits the documents
        quoted and picks the date whose versions answer (raises UnknownDocumentError,
        NotInForceError, InvalidDateError)."""
        selection = selection or Selection()
        self.check_selection(selection)
        # the length limit applies to what the user typed, not to a follow-up's rewrite (which
        # resolve_followup keeps within the limit too)
        typed = text = self.normalise(question)
        if resolved is not None:
            text = normalise_question(resolved, 2 * self.settings.max_question_chars)
        # what the user typed weighs in answer selection only beside a follow-up's rewrite
        own = typed if rewritten and text != typed else ""
        # everything below depends on the normalised texts and selection alone (and on the
        # index): cache it
        key = (text, own, selection)
        version = self.index.manifest.version
        cached = self.answers.get(version, key)
        if cached is not None:
            return replace(cached, answer=replace(cached.answer, question=question))
        view = self.view(selection.as_of)
        resolved = self.speller.correct(strip_injections(text))
        # a question that names a served document (of those selected) is answered from it alone
        selection = selection.narrowed(self.documents_named(resolved))
        query = expand_query(resolved, view.synonyms)
        # embedded and typed once: every version's view answers the same question
        asked = Asked(
            resolved, query, view.retriever.embed_query(query), frame_question(resolved), own
        )
        hits, decision = self._decide(view, asked, selection)
        if is_change_question(resolved):
            composition = self._changes_listing(view, resolved, selection)
            decision = replace(decision, verdict=Verdict.INFORMATIONAL, confidence=1.0)
        else:
            composition = compose_answer(decision, view.corpus, self.settings.citations_max)
            changes = self._changes_for(view, decision, asked, selection, composition)
            composition = with_changes(composition, changes, view.corpus)
        quoted = decision.evidence[0].clause.doc_id if decision.evidence else ""
        provider = self.providers.get(quoted, self.provider)
        rendered = self.renderer.render(composition, provider)
        answer = Answer(
            question=question,
            resolved_question=resolved,
            verdict=decision.verdict,
            confidence=decision.confidence,
            answer=rendered.text,
            answer_markdown=rendered.markdown,
            answer_html=rendered.html,
            citations=composition.citations,
            suggestions=composition.suggestions,
            as_of=selection.as_of,
            provider=provider,
            changes=tuple(
                Change(c.change, c.clause_id, c.version, c.previous_version, c.previous_text)
                for c in composition.changed
            ),
        )
        trace = Trace(answer, query, hits, decision)
        self.answers.put(version, key, trace)
        return trace

    def _decide(
        self, view: View, asked: Asked, selection: Selection
    ) -> tuple[tuple[Hit, ...], Decision]:
        allow = selection.allows if selection.documents else None
        learned = self.learned_for.get(view.start)
        hits = tuple(view.retriever.retrieve(asked.query, self.settings.top_k, allow, asked.vector))
        bridges = bridge_terms(asked.resolved, view.synonyms, view.words)
        if learned is not None:
            decision = learned.decide(
                asked.resolved, asked.vector, asked.frame, hits, bridges, selection, asked.own
            )
            return hits, decision
        return hits, view.decider.decide(asked.resolved, asked.frame, hits, bridges, selection)

    def _changes_for(
        self,
        view: View,
        decision: Decision,
        asked: Asked,
        selection: Selection,
        composition: Composition,
    ) -> list[ClauseChange]:
        """Changes to note in an answer: quoted clauses added or changed in this era, and the
        previous era's best answer when that clause has since been removed or changed (also
        when the policy no longer says: "Is Kured supported?")."""
        if not view.changes:
            return []
        quoted = [c.clause_id for c in composition.citations[: len(composition.passages)]]
        noted = []
        if decision.verdict is not Verdict.UNKNOWN:  # what is closest is not what the policy says
            noted = [view.changes[i] for i in quoted if i in view.changes]
        before = self.views[self.views.index(view) - 1]
        _, earlier = self._decide(before, asked, selection)
        if earlier.verdict is not Verdict.UNKNOWN and earlier.evidence:
            change = view.changes.get(earlier.evidence[0].clause.clause_id)
            if change is not None and change.change != "added" and change not in noted:
                noted.append(change)
        return noted

    def _changes_listing(self, view: View, question: str, selection: Selection) -> Composition:
        """An informational list of the changes in this era that the question names (all of
        them when it names nothing in particular)."""
        changes = [
            c
            for c in view.changes.values()
            if not selection.documents or c.clause_id.split(":", 1)[0] in selection.documents
        ]
        terms = view.decider.salient_terms(question) - _CHANGE_WORDS
        if terms:
            changes = [
                c
                for c in changes
                if terms
                & view.decider.salient_terms(" ".join([c.text, c.previous_text, c.section]))
            ]
        # substance first: stances that changed, removals, additions, then rewordings
        order = {"removed": 1, "added": 2, "changed": 3}
        changes.sort(
            key=lambda c: (
                0 if c.stance != c.previous_stance and c.change == "changed" else order[c.change]
            )
        )
        return list_changes(changes, view.corpus, CHANGES_LISTED)

    def prepare(self, question: str) -> Prepared:
        """The question normalised, without injected instructions, spelling corrected, with its
        synonym expansion (the search query) and bridge terms."""
        resolved = self.speller.correct(strip_injections(self.normalise(question)))
        return Prepared(
            resolved,
            expand_query(resolved, self.synonyms),
            bridge_terms(resolved, self.synonyms, self.policy_words),
        )

    @property
    def threshold(self) -> float:
        """The confidence below which the verdict is `unknown`."""
        return self.decider.threshold if self.learned is None else self.learned.threshold

    def answer(
        self, question: str, resolved: str | None = None, selection: Selection | None = None
    ) -> Answer:
        """The grounded, cited answer to one question (answered as `resolved` when given)."""
        return self.trace(question, resolved, selection).answer

    def use_index(self, index: SearchIndex) -> None:
        """Serve another (rebuilt) index; answers cached from the previous one are not reused."""
        self.index = self.retriever.index = index

    def cache_stats(self) -> dict[str, CacheStats]:
        """Hits, misses and sizes of the answer and query-embedding caches."""
        embeddings = self.retriever.cache
        stats = {"answers": self.answers.stats()}
        if embeddings is not None:
            stats["embeddings"] = embeddings.stats()
        return stats

    def versions(self, doc_id: str) -> list[Version]:
        """A document's versions, oldest first; raises UnknownDocumentError."""
        self.check_selection(Selection((doc_id,)))
        found: dict[str, Version] = {}
        for view in self.views:
            for version in view.era.versions:
                if version.document.doc_id == doc_id:
                    found.setdefault(version.version, version)
        return list(found.values())

    def describe_clause(self, clause_id: str, version: str | None = None) -> dict[str, object]:
        """A clause with its document, section, stance and the clauses before and after it,
        as in the current version or in `version` (ClauseNotFoundError when it has none)."""
        corpus = self.corpus
        if version is not None:
            doc_id = clause_id.split(":", 1)[0]
            try:
                chosen = [v for v in self.versions(doc_id) if v.version == version]
            except UnknownDocumentError:
                chosen = []
            if not chosen:
                raise ClauseNotFoundError(
                    f"no version {version!r} of a document with {clause_id!r}"
                )
            corpus = Era(version, (chosen[0],)).corpus()
        clause = corpus.clause(clause_id)
        if clause is None:
            where = f" in version {version}" if version else ""
            raise ClauseNotFoundError(f"no clause with id {clause_id!r}{where}")
        doc = corpus.document(clause.doc_id)
        before, after = corpus.previous_clause(clause), corpus.next_clause(clause)
        neighbours = {
            "previous": before.clause_id if before else None,
            "next": after.clause_id if after else None,
        }
        return {
            "clause_id": clause.clause_id,
            "document": {"id": doc.doc_id, "title": doc.title, "version": doc.version},
            "version": doc.version,
            "section": {
                "path": list(clause.section_path),
                "anchor": clause.section_anchor,
                "url": doc.url(clause.section_anchor),
            },
            "text": clause.text,
            "context": clause.context,
            "stance": clause.stance.value,
            "kind": clause.kind,
            "parent_id": clause.parent_id,
            "offsets": {"start": clause.start, "end": clause.end},
            "neighbours": neighbours,
        }

    def document_changes(
        self, doc_id: str, since: str | None = None, until: str | None = None
    ) -> dict[str, object]:
        """Clause-level changes of a document between two of its versions (by default the
        one before the current and the current); raises UnknownDocumentError, and
        ClauseNotFoundError-free InvalidDateError for a version the document lacks."""
        versions = self.versions(doc_id)
        by_name = {v.version: v for v in versions}
        for name in (since, until):
            if name is not None and name not in by_name:
                raise InvalidDateError(
                    f"{doc_id} has no version {name!r}; its versions are {', '.join(by_name)}"
                )
        new = by_name[until] if until else versions[-1]
        older = [v for v in versions if v.version < new.version]
        old = by_name[since] if since else (older[-1] if older else new)
        changes = diff_versions(old, new) if old is not new else []
        return {
            "document": doc_id,
            "from": old.version,
            "to": new.version,
            "changes": [asdict(c) for c in changes],
        }

    def document_clauses(self, doc_id: str) -> list[dict[str, object]]:
        """A document's clauses for review: id, section, kind, text and stance, in order."""
        self.check_selection(Selection((doc_id,)))
        return [
            {
                "clause_id": c.clause_id,
                "section": " > ".join(c.section_path),
                "kind": c.kind,
                "text": c.text,
                "context": c.context,
                "stance": c.stance.value,
            }
            for c in self.corpus.clauses
            if c.doc_id == doc_id
        ]

    def describe_documents(self) -> list[dict[str, object]]:
        """Each document's id, title, current version, every version, source and counts."""
        return [
            {
                "id": doc.doc_id,
                "title": doc.title,
                "version": doc.version,
                "versions": [v.version for v in self.versions(doc.doc_id)],
                "source_url": doc.source_url,
                "clauses": sum(1 for c in self.corpus.clauses if c.doc_id == doc.doc_id),
                "sections": sum(1 for s in self.corpus.sections if s.doc_id == doc.doc_id),
            }
            for doc in self.corpus.documents
        ]


def era_with_version(eras: Sequence[Era], version: str) -> int:
    """The position of the latest era in which a document has this version (the last era, the
    one in force now, when none has)."""
    return next(
        (
            n
            for n in reversed(range(len(eras)))
            if any(v.version == version for v in eras[n].versions)
        ),
        len(eras) - 1,
    )


def ensure_encoder(settings: Settings, eras: Sequence[Era]) -> None:
    """Fine-tune the model on the training questions when the settings want a tuned model
    that is not there yet (about 1.5 min on 2 idle cores, 2 GB of memory)."""
    out = tuned_model_dir(settings)
    if out is None or (out / "modules.json").exists():
        return
    # the training module (and scikit-learn with it) is imported only to build
    from assistant.answer.training import load_training_items

    assert settings.training_file is not None  # tuned_model_dir checked it
    items = load_training_items(settings.training_file)
    pairs = tuning_pairs(items, eras)
    teaching = None if pairs else training_policy_settings(settings)
    if teaching is not None:  # another policy served alone
        pairs = tuning_pairs(items, load_history(teaching))
    if not pairs:  # the tuned folder then holds the model as published
        log.warning("no training question quotes a clause of this corpus; model not tuned")
    log.info("fine-tuning %s on %d questions into %s", settings.model, len(pairs), out)
    tune_model(resolve_model_path(settings.model), pairs, out, os.cpu_count() or 1)


def tuning_pairs(items: Sequence[TrainingItem], eras: Sequence[Era]) -> list[tuple[str, str]]:
    """Each answerable training question with the indexed text of its first gold clause, in
    the version it is about (the current one when no era has that version)."""
    corpora = [era.corpus() for era in eras]
    pairs = []
    for item in items:
        if item.verdict is Verdict.UNKNOWN or not item.gold_quotes:
            continue
        corpus = corpora[era_with_version(eras, item.version)]
        clause_id = corpus.find_quote(item.gold_quotes[0])
        clause = None if clause_id is None else corpus.clause(str(clause_id))
        if clause is not None:
            pairs.append((item.standalone, clause.indexed_text))
    return pairs


def training_examples(assistant: Assistant) -> list[Example]:
    """The configured training questions run through the assistant's query pipeline."""
    # training needs scikit-learn; serving does not import it
    from assistant.answer.training import Example, load_training_items

    path = assistant.settings.training_file
    if path is None or not path.exists():
        raise IndexNotFoundError(
            f"no training questions at {str(path)!r} (ASSISTANT_TRAINING_FILE)"
        )
    items = load_training_items(path, assistant.provider, assistant.plans)
    if not any(
        assistant.view_of_version(item.version).corpus.find_quote(quote) is not None
        for item in items
        for quote in item.gold_quotes[:1]
    ):
        raise TrainingDataError(
            f"none of the {len(items)} training questions in {str(path)!r} quotes a clause of "
            "this corpus, so there is nothing to learn from; the rules answer (write training "
            "questions about it, or set ASSISTANT_TRAINING_POLICY_DIR to the policy they were "
            "written about: docs/training.md)"
        )
    prepared = [assistant.prepare(item.standalone) for item in items]
    # embedded as serving embeds them (their head), in one batch
    vectors = assistant.embedder.embed(
        [assistant.retriever.embedded_text(p.query) for p in prepared]
    )
    examples = []
    for item, p, vector in zip(items, prepared, vectors, strict=True):
        view = assistant.view_of_version(item.version)
        hits = view.retriever.retrieve(p.query, assistant.settings.top_k, vector=vector)
        ids = [view.corpus.find_quote(q) for q in item.gold_quotes]
        gold = None if None in ids else frozenset(str(i) for i in ids)
        bridges = bridge_terms(p.resolved, view.synonyms, view.words)
        examples.append(Example(item, p.resolved, vector, tuple(hits), bridges, gold, view.decider))
    return examples


def train(
    assistant: Assistant, cross_policy: bool = False
) -> tuple[LearnedModels, dict[str, object]]:
    """Fit the learned components on the configured training questions (and those of the
    further training policies) and save them into the index folder; returns them with their
    cross-validated training metrics (and, with `cross_policy`, each policy's scores under
    models fitted on the other policies' questions)."""
    from assistant.answer.training import (
        PolicyExamples,
        fit_models,
        held_out_policies,
        unseen_threshold,
    )

    settings = assistant.settings
    with tempfile.TemporaryDirectory(prefix="training-policy-") as scratch:
        try:
            teacher, examples = assistant, training_examples(assistant)
        except TrainingDataError:  # none of the questions is about the served policy
            other = training_policy_assistant(assistant, Path(scratch) / "teacher")
            if other is None:
                raise
            teacher, examples = other, training_examples(other)
        further = further_policy_assistants(assistant, Path(scratch) / "policies")
        policies = [
            PolicyExamples(
                "+".join(d.doc_id for d in teacher.corpus.documents), examples, teacher.decider
            ),
            *(
                PolicyExamples(folder.name, training_examples(other), other.decider)
                for folder, other in zip(settings.training_policies(), further, strict=True)
            ),
        ]
        training = training_hash(settings.training_file, settings.training_policies())
        assert training is not None  # training_examples checked the file
        models, metrics = fit_models(
            [e for p in policies for e in p.examples],
            teacher.decider,
            training,
            assistant.embedder.model_name,
            others=[other.decider for other in further],
        )
        # models serving a policy the questions are not about abstain as models answering
        # questions about a policy they never saw do best; so do answers from a document
        # served beside the ones they are about
        trained = _quoted_documents(teacher, examples) if teacher is assistant else ()
        beside = [
            d.doc_id
            for d in assistant.corpus.documents
            if teacher is assistant and d.doc_id not in trained
        ]
        unseen = None
        if cross_policy or ((teacher is not assistant or beside) and len(policies) > 1):
            held_out = held_out_policies(policies, training, assistant.embedder.model_name)
            unseen = metrics["unseen_threshold"] = unseen_threshold(held_out)
            if cross_policy:
                metrics["cross_policy"] = {name: run.scores for name, run in held_out.items()}
    # the models serve this assistant's policy: they are checked against it
    asked_of = "" if teacher is assistant else str(teacher.settings.corpus_dir)
    models = replace(
        models,
        manifest=replace(
            models.manifest,
            corpus_hash=assistant.corpus.content_hash,
            asked_of=asked_of,
            unseen_threshold=unseen,
            trained_documents=trained if beside else (),
        ),
    )
    models.save(settings.index_dir)
    return models, {
        **metrics,
        "asked_of": asked_of or "the served policy",
        **({"documents_beside": beside} if beside and unseen else {}),
        "training_policies": [f.name for f in settings.training_policies()],
    }


def _quoted_documents(assistant: Assistant, examples: Sequence[Example]) -> tuple[str, ...]:
    """The served documents whose clauses the training questions quote, in corpus order."""
    quoted = set()
    for example in examples:
        corpus = assistant.view_of_version(example.item.version).corpus
        clauses = (corpus.clause(i) for i in example.gold_ids or ())
        quoted |= {c.doc_id for c in clauses if c is not None}
    return tuple(d.doc_id for d in assistant.corpus.documents if d.doc_id in quoted)


def further_policy_assistants(assistant: Assistant, scratch: Path) -> list[Assistant]:
    """One assistant per further training policy, answering with the rules over it with its
    own questions as training file (indexes built into `scratch` with this assistant's
    model)."""
    return [
        rules_assistant(
            assistant.settings.model_copy(
                update={
                    "corpus_dir": folder / "policy",
                    "training_file": folder / TRAINING_QUESTIONS,
                }
            ),
            scratch / folder.name,
            assistant.embedder,
        )
        for folder in assistant.settings.training_policies()
    ]


def rules_assistant(settings: Settings, scratch: Path, embedder: Embedder) -> Assistant:
    """An assistant answering with the rules under these settings, its indexes built into
    `scratch` with `embedder` (training asks its questions of such an assistant)."""
    update = {"index_dir": scratch, "build_index_on_start": True}
    return Assistant.from_settings(settings.with_rules().model_copy(update=update), embedder)


def training_policy_settings(settings: Settings) -> Settings | None:
    """The settings serving the policy the training questions were written about
    (`training_policy_dir`), None when it is unset, missing or the served folder itself."""
    folder = settings.other_training_policy()
    return None if folder is None else settings.model_copy(update={"corpus_dir": folder})


def training_policy_assistant(assistant: Assistant, scratch: Path) -> Assistant | None:
    """An assistant answering with the rules over the policy the training questions were
    written about (its indexes built into `scratch` with this assistant's model), None when
    there is none: the learned models read no words of one text, so what they learn there
    answers any policy."""
    teaching = training_policy_settings(assistant.settings)
    if teaching is None:
        return None
    log.info(
        "the served policy has none of the clauses the training questions quote; asking them "
        "of the policy in %s",
        teaching.corpus_dir,
    )
    return rules_assistant(teaching, scratch, assistant.embedder)
