"""The `Assistant` facade: question in, grounded answer out, over a loaded corpus and index."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

from assistant.answer.compose import compose_answer
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
from assistant.answer.verdict import Calibration, VerdictDecider
from assistant.config import Settings
from assistant.errors import ClauseNotFoundError, IndexNotFoundError, UnknownDocumentError
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
        self.renderer = Renderer()
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
        return cls(settings, corpus, index, embedder, load_policy_synonyms(settings, corpus))

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
        resolved = self.speller.correct(strip_injections(text))
        query = expand_query(resolved, self.synonyms)
        allow = selection.allows if selection.documents else None
        hits = tuple(self.retriever.retrieve(query, self.settings.top_k, allow))
        bridges = bridge_terms(resolved, self.synonyms, self.policy_words)
        decision = self.decider.decide(resolved, frame_question(resolved), hits, bridges, selection)
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
