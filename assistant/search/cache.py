"""A small thread-safe LRU cache whose entries belong to one index version."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")


@dataclass(frozen=True)
class CacheStats:
    """Hits, misses and size of a cache since it was created (clears keep the counts)."""

    hits: int
    misses: int
    size: int
    capacity: int
    invalidations: int

    @property
    def hit_rate(self) -> float:
        """Share of lookups answered from the cache (0 before any lookup)."""
        lookups = self.hits + self.misses
        return self.hits / lookups if lookups else 0.0


class VersionedLRUCache(Generic[V]):
    """Least-recently-used entries for one version (an index's); a lookup or store under
    another version empties it first, so nothing computed from an older index is served."""

    def __init__(self, capacity: int) -> None:
        if capacity < 0:
            raise ValueError(f"capacity: {capacity!r} is negative")
        self.capacity = capacity
        self._entries: OrderedDict[Hashable, V] = OrderedDict()
        self._version: str | None = None
        self._lock = threading.Lock()
        self._hits = self._misses = self._invalidations = 0

    def get(self, version: str, key: Hashable) -> V | None:
        """The value stored under `key` for `version`, or None (counted as a miss)."""
        with self._lock:
            self._follow(version)
            value = self._entries.get(key)
            if value is None:
                self._misses += 1
                return None
            self._entries.move_to_end(key)
            self._hits += 1
            return value

    def put(self, version: str, key: Hashable, value: V) -> None:
        """Store a value computed with `version`, evicting the least recently used entry."""
        if self.capacity == 0:
            return
        with self._lock:
            self._follow(version)
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Drop every entry (the counters stay)."""
        with self._lock:
            self._entries.clear()

    def stats(self) -> CacheStats:
        """The counters and current size."""
        with self._lock:
            return CacheStats(
                self._hits, self._misses, len(self._entries), self.capacity, self._invalidations
            )

    def _follow(self, version: str) -> None:
        if version != self._version:
            if self._version is not None and self._entries:
                self._invalidations += 1
            self._entries.clear()
            self._version = version
