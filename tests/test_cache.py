"""The answer and query-embedding caches: LRU order, identical answers, dropped on a new index."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.config import Settings
from assistant.policy.corpus import Corpus
from assistant.search.cache import VersionedLRUCache
from assistant.search.embedding import SentenceTransformerEmbedder
from assistant.search.index import SearchIndex
from assistant.service import Assistant, load_policy_synonyms


def test_least_recently_used_entry_is_evicted() -> None:
    cache: VersionedLRUCache[str] = VersionedLRUCache(2)
    cache.put("v1", "a", "A")
    cache.put("v1", "b", "B")
    assert cache.get("v1", "a") == "A"  # "b" is now the least recently used
    cache.put("v1", "c", "C")
    assert cache.get("v1", "b") is None
    assert (cache.get("v1", "a"), cache.get("v1", "c")) == ("A", "C")
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.size, stats.capacity) == (3, 1, 2, 2)
    assert stats.hit_rate == pytest.approx(0.75)


def test_another_version_empties_the_cache() -> None:
    cache: VersionedLRUCache[str] = VersionedLRUCache(4)
    cache.put("v1", "a", "A")
    assert cache.get("v2", "a") is None
    cache.put("v2", "a", "A2")
    assert cache.get("v1", "a") is None  # going back is another change of version
    assert cache.stats().invalidations == 2


def test_capacity_zero_caches_nothing() -> None:
    cache: VersionedLRUCache[str] = VersionedLRUCache(0)
    cache.put("v1", "a", "A")
    assert cache.get("v1", "a") is None
    with pytest.raises(ValueError, match="capacity"):
        VersionedLRUCache(-1)


def _fresh(
    settings: Settings,
    corpus: Corpus,
    index: SearchIndex,
    embedder: SentenceTransformerEmbedder,
    cache_size: int,
) -> Assistant:
    """An assistant with its own caches over the session's corpus, index and model."""
    return Assistant(
        settings.model_copy(update={"cache_size": cache_size}),
        corpus,
        index,
        embedder,
        load_policy_synonyms(settings, corpus),
    )


def test_cached_answers_are_identical_to_computed_ones(
    settings: Settings,
    corpus: Corpus,
    search_index: SearchIndex,
    embedder: SentenceTransformerEmbedder,
) -> None:
    cached = _fresh(settings, corpus, search_index, embedder, cache_size=16)
    uncached = _fresh(settings, corpus, search_index, embedder, cache_size=0)
    questions = ["Is Istio supported?", "who reboots nodes after OS patches?"]
    first = [cached.trace(q) for q in questions]
    again = [cached.trace(q) for q in questions]
    assert again == first == [uncached.trace(q) for q in questions]
    # the same question typed differently is the same cache entry, answered as typed
    spaced = cached.answer("  Is   Istio supported?")
    assert spaced.question == "  Is   Istio supported?"
    assert replace(spaced, question=questions[0]) == first[0].answer
    stats = cached.cache_stats()
    assert (stats["answers"].hits, stats["answers"].misses) == (3, 2)
    assert uncached.cache_stats()["answers"].hits == 0
    # a message only cleaned into the question (no follow-up rewrite) is the same entry; what
    # a follow-up's user typed weighs in answer selection, so a rewrite is its own entry
    cleaned = cached.trace("thanks! Is Istio supported?", questions[0], rewritten=False)
    assert cleaned.decision is first[0].decision
    rewrite = cached.trace("and istio?", questions[0], rewritten=True)
    assert cached.cache_stats()["answers"].misses == 3
    assert rewrite.answer.resolved_question == first[0].answer.resolved_question


def test_query_embeddings_are_cached_per_query(
    settings: Settings,
    corpus: Corpus,
    search_index: SearchIndex,
    embedder: SentenceTransformerEmbedder,
) -> None:
    assistant = _fresh(settings, corpus, search_index, embedder, cache_size=16)
    vector = assistant.retriever.embed_query("kured reboots")
    assert assistant.retriever.embed_query("kured reboots") is vector
    assert not vector.flags.writeable
    assert assistant.cache_stats()["embeddings"].hits == 1


def test_a_new_index_invalidates_cached_answers(
    settings: Settings,
    corpus: Corpus,
    search_index: SearchIndex,
    embedder: SentenceTransformerEmbedder,
) -> None:
    assistant = _fresh(settings, corpus, search_index, embedder, cache_size=16)
    before = assistant.answer("Is Helm supported?")
    assistant.answer("Is Helm supported?")
    assert assistant.cache_stats()["answers"].hits == 1
    rebuilt = SearchIndex(
        replace(search_index.manifest, build_id="rebuilt", built_at="2099-01-01T00:00:00Z"),
        search_index.clause_ids,
        search_index.dense,
        search_index.lexical,
    )
    assert rebuilt.manifest.version != search_index.manifest.version
    assistant.use_index(rebuilt)
    after = assistant.answer("Is Helm supported?")
    stats = assistant.cache_stats()
    assert (stats["answers"].hits, stats["answers"].misses) == (1, 2)
    assert stats["answers"].invalidations == 1
    assert stats["embeddings"].invalidations == 1
    assert after == before  # the same vectors, so the same answer, but computed again
