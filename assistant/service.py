"""The `Assistant` facade: question in, grounded answer out, over a loaded corpus and index."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

from assistant.answer.compose import compose_answer
from assistant.answer.learned import LearnedDecider, LearnedModels, file_hash
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
from assistant.answer.suggestions import load_word_forms
from assistant.answer.training import Example, fit_models, load_training_items
from assistant.answer.verdict import Calibration, VerdictDecider
from assistant.config import Settings
from assistant.errors import (
    ClauseNotFoundError,
    IndexMismatchError,
    IndexNotFoundError,
    UnknownDocumentError,
)
from assistant.models import Answer, Clause, Decision, Hit, Selection
from assistant.policy.corpus import Corpus, document_file, load_corpus
from assistant.policy.stance import assign_stances, load_overrides
from assistant.search.cache import CacheStats, VersionedLRUCache
from assistant.search.embedding import Embedder, load_embedder
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

log = logging.getLogger(__name__)


def load_policy(settings: Settings) -> Corpus:
    """The corpus with every clause's stance decided (rules, then each document's reviewed
    overrides, `<document-id>.stance-overrides.toml`)."""
    corpus = load_corpus(settings.corpus_dir)
    clauses: list[Clause] = []
    for doc in corpus.documents:
        path = document_file(settings.corpus_dir, doc.doc_id, "stance-overrides")
        own = tuple(c for c in corpus.clauses if c.doc_id == doc.doc_id)
        clauses += assign_stances(own, load_overrides(path))
    return replace(corpus, clauses=tuple(clauses), _by_id={}, _children={}, _position={})


def data_files(settings: Settings, corpus: Corpus, kind: str) -> list[Path]:
    """The reviewed data files of a kind that apply: each document's own file in the corpus
    folder (`<document-id>.<kind>.toml`), then the one the settings name, if any."""
    named = {"synonyms": settings.synonyms_file, "out-of-scope": settings.topics_file}.get(kind)
    paths = [document_file(settings.corpus_dir, d.doc_id, kind) for d in corpus.documents]
    return [p for p in [*paths, named] if p is not None and p.exists()]


def load_policy_synonyms(settings: Settings, corpus: Corpus) -> tuple[Synonym, ...]:
    """Every applicable synonym entry (see `data_files`)."""
    return tuple(s for p in data_files(settings, corpus, "synonyms") for s in load_synonyms(p))


def load_policy_topics(settings: Settings, corpus: Corpus) -> tuple[Topic, ...]:
    """Every applicable out-of-scope topic (see `data_files`), as written."""
    return tuple(t for p in data_files(settings, corpus, "out-of-scope") for t in load_topics(p))


def stale_topics(settings: Settings, corpus: Corpus) -> list[str]:
    """One problem line for each out-of-scope term the policy text itself uses (such terms are
    reported here and by a warning at start-up, and never applied)."""
    problems = []
    for path in data_files(settings, corpus, "out-of-scope"):
        for topic, term in covered_terms(load_topics(path), policy_texts(corpus)):
            problems.append(
                f"{path}: out-of-scope topic {topic!r} names {term!r}, which the policy covers"
            )
    return problems


def policy_texts(corpus: Corpus) -> list[str]:
    """The words of the policy as they read: clauses, their lead-ins and headings."""
    texts = [c.text for c in corpus.clauses] + [c.context for c in corpus.clauses if c.context]
    return texts + [" ".join(s.path) for s in corpus.sections]


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


class Assistant:
    """Answers policy questions; build one per process with `from_settings` and share it."""

    def __init__(
        self,
        settings: Settings,
        corpus: Corpus,
        index: SearchIndex,
        embedder: Embedder,
        synonyms: tuple[Synonym, ...],
        models: LearnedModels | None = None,
    ) -> None:
        self.settings = settings
        self.corpus = corpus
        self.index = index
        self.embedder = embedder
        self.synonyms = synonyms
        self.retriever = Retriever(
            corpus,
            index,
            embedder,
            mode=settings.retrieval_mode,
            rrf_k=settings.rrf_k,
            cache=VersionedLRUCache(settings.cache_size),
        )
        self.answers: VersionedLRUCache[Trace] = VersionedLRUCache(settings.cache_size)
        texts = policy_texts(corpus)
        topics = load_policy_topics(settings, corpus)
        covered = covered_terms(topics, texts)
        for topic, term in covered:  # `assistant policy check` reports these too
            log.warning("out-of-scope topic %r: the policy covers %r; not applied", topic, term)
        self.decider = VerdictDecider(
            corpus,
            Calibration.load(settings.calibration_file),
            settings.abstain_threshold,
            without_terms(topics, {term for _, term in covered}),
            known_terms=tuple(term for syn in synonyms for term in syn.terms),
        )
        self.learned = (
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
        self.renderer = Renderer()
        load_word_forms()  # here, not on the first request (see load_word_forms)
        self.policy_words = words_of(texts)
        self.speller = Speller(  # corrects towards policy words; synonym terms are left alone
            texts,
            dictionary=embedder.known_words() | words_of(t for syn in synonyms for t in syn.terms),
            min_length=5,
        )

    @classmethod
    def from_settings(cls, settings: Settings, embedder: Embedder | None = None) -> Assistant:
        """Load the policy, the model and the index (building it when missing)."""
        corpus = load_policy(settings)
        if (settings.index_dir / MANIFEST).exists():  # refuse a stale index before the model loads
            manifest = read_manifest(settings.index_dir)
            check_manifest(manifest, settings.model, corpus, settings.embedding_backend)
        embedder = embedder or load_embedder(settings)
        index = ensure_index(settings, corpus, embedder)
        synonyms = load_policy_synonyms(settings, corpus)
        models = None
        if uses_learning(settings):
            models = cls.learned_models(settings, corpus, index, embedder, synonyms)
        return cls(settings, corpus, index, embedder, synonyms, models)

    @classmethod
    def learned_models(
        cls,
        settings: Settings,
        corpus: Corpus,
        index: SearchIndex,
        embedder: Embedder,
        synonyms: tuple[Synonym, ...],
    ) -> LearnedModels | None:
        """The trained models in the index folder. Stale ones are refused (or retrained when the
        settings build on start); without any, the rules answer (or they are trained first when
        the settings build on start and a training file exists)."""
        trainable = settings.training_file is not None and settings.training_file.exists()
        try:
            models = LearnedModels.load(settings.index_dir)
        except IndexNotFoundError:
            if not (settings.build_index_on_start and trainable):
                log.warning(
                    "no learned models in %s; answering with the rules (run `assistant train`)",
                    settings.index_dir,
                )
                return None
        else:
            try:
                models.check(settings.training_file, corpus, settings.model)
                return models
            except IndexMismatchError:
                if not (settings.build_index_on_start and trainable):
                    raise
        log.info("training the learned models into %s", settings.index_dir)
        return train(cls(settings, corpus, index, embedder, synonyms))[0]

    def normalise(self, question: str) -> str:
        """The question as it will be answered; raises InvalidQuestionError when unusable."""
        return normalise_question(question, self.settings.max_question_chars)

    def check_selection(self, selection: Selection) -> None:
        """Raise UnknownDocumentError when the selection names a document the corpus lacks."""
        known = {d.doc_id for d in self.corpus.documents}
        unknown = [d for d in selection.documents if d not in known]
        if unknown:
            raise UnknownDocumentError(
                f"no policy document {', '.join(map(repr, unknown))}; "
                f"the documents are {', '.join(sorted(known))}"
            )

    def trace(
        self, question: str, resolved: str | None = None, selection: Selection | None = None
    ) -> Trace:
        """Answer a question and keep the retrieval and decision that produced the answer;
        `resolved` is the standalone question to answer in its place (a follow-up's rewrite);
        `selection` limits the documents quoted (raises UnknownDocumentError)."""
        selection = selection or Selection()
        self.check_selection(selection)
        # the length limit applies to what the user typed, not to a follow-up's rewrite (which
        # resolve_followup keeps within the limit too)
        text = self.normalise(question)
        if resolved is not None:
            text = normalise_question(resolved, 2 * self.settings.max_question_chars)
        # everything below depends on the normalised text and selection alone (and on the
        # index): cache it
        key = (text, selection)
        version = self.index.manifest.version
        cached = self.answers.get(version, key)
        if cached is not None:
            return replace(cached, answer=replace(cached.answer, question=question))
        prepared = self._prepare(text)
        resolved, query, bridges = prepared.resolved, prepared.query, prepared.bridges
        vector = self.retriever.embed_query(query) if self.learned else None
        allow = selection.allows if selection.documents else None
        hits = tuple(self.retriever.retrieve(query, self.settings.top_k, allow, vector))
        frame = frame_question(resolved)
        if self.learned is not None and vector is not None:
            decision = self.learned.decide(resolved, vector, frame, hits, bridges, selection)
        else:
            decision = self.decider.decide(resolved, frame, hits, bridges, selection)
        composition = compose_answer(decision, self.corpus, self.settings.citations_max)
        rendered = self.renderer.render(composition)
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
        )
        trace = Trace(answer, query, hits, decision)
        self.answers.put(version, key, trace)
        return trace

    def prepare(self, question: str) -> Prepared:
        """The question normalised, without injected instructions, spelling corrected, with its
        synonym expansion (the search query) and bridge terms."""
        return self._prepare(self.normalise(question))

    def _prepare(self, text: str) -> Prepared:
        resolved = self.speller.correct(strip_injections(text))
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

    def describe_clause(self, clause_id: str) -> dict[str, object]:
        """A clause with its document, section, stance and the clauses before and after it."""
        clause = self.corpus.clause(clause_id)
        if clause is None:
            raise ClauseNotFoundError(f"no clause with id {clause_id!r}")
        doc = self.corpus.document(clause.doc_id)
        before, after = self.corpus.previous_clause(clause), self.corpus.next_clause(clause)
        neighbours = {
            "previous": before.clause_id if before else None,
            "next": after.clause_id if after else None,
        }
        return {
            "clause_id": clause.clause_id,
            "document": {"id": doc.doc_id, "title": doc.title, "version": doc.version},
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
        """Each document's id, title, version, source and clause count."""
        return [
            {
                "id": doc.doc_id,
                "title": doc.title,
                "version": doc.version,
                "source_url": doc.source_url,
                "clauses": sum(1 for c in self.corpus.clauses if c.doc_id == doc.doc_id),
                "sections": sum(1 for s in self.corpus.sections if s.doc_id == doc.doc_id),
            }
            for doc in self.corpus.documents
        ]


def training_examples(assistant: Assistant) -> list[Example]:
    """The configured training questions run through the assistant's query pipeline."""
    path = assistant.settings.training_file
    if path is None or not path.exists():
        raise IndexNotFoundError(
            f"no training questions at {str(path)!r} (ASSISTANT_TRAINING_FILE)"
        )
    items = load_training_items(path)
    prepared = [assistant.prepare(item.question) for item in items]
    vectors = assistant.embedder.embed([p.query for p in prepared])
    examples = []
    for item, p, vector in zip(items, prepared, vectors, strict=True):
        hits = assistant.retriever.retrieve(p.query, assistant.settings.top_k, vector=vector)
        ids = [assistant.corpus.find_quote(q) for q in item.gold_quotes]
        gold = None if None in ids else frozenset(str(i) for i in ids)
        examples.append(Example(item, p.resolved, vector, tuple(hits), p.bridges, gold))
    return examples


def train(assistant: Assistant) -> tuple[LearnedModels, dict[str, object]]:
    """Fit the learned components on the configured training questions and save them into the
    index folder; returns them with their cross-validated training metrics."""
    examples = training_examples(assistant)
    path = assistant.settings.training_file
    assert path is not None  # training_examples checked it
    models, metrics = fit_models(
        examples, assistant.decider, file_hash(path), assistant.settings.model
    )
    models.save(assistant.settings.index_dir)
    return models, metrics
