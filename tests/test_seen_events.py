"""Seen Slack event ids: contract tests every implementation passes, the in-process bound, and
the layered cache falling back when the shared store is down."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.errors import StoreUnavailableError
from assistant.storage.seen_events import (
    LayeredSeenEvents,
    MemorySeenEvents,
    RedisSeenEvents,
    SeenEvents,
    SQLiteSeenEvents,
)


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class Stores:
    """Makes stores of one kind; stores of a shared kind made by one `Stores` share their data,
    like replicas."""

    def __init__(self, kind: str, folder: Path, redis_url: Callable[[], str]) -> None:
        self.kind, self.folder, self.redis_url = kind, folder, redis_url
        self.made: list[SeenEvents] = []

    def make(self, ttl: float, clock: Clock) -> SeenEvents:
        """A store with this TTL and clock (Redis keeps its own time)."""
        store: SeenEvents
        if self.kind == "memory":
            store = MemorySeenEvents(ttl, clock=clock)
        elif self.kind == "sqlite":
            store = SQLiteSeenEvents(self.folder / "seen.sqlite3", ttl, clock=clock)
        elif self.kind == "redis":
            store = RedisSeenEvents(self.redis_url(), ttl, prefix=f"test:{self.folder.name}:")
        else:
            shared = SQLiteSeenEvents(self.folder / "seen.sqlite3", ttl, clock=clock)
            store = LayeredSeenEvents(MemorySeenEvents(ttl, clock=clock), shared)
        self.made.append(store)
        return store


@pytest.fixture(params=["memory", "sqlite", "redis", "layered"])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stores]:
    """Stores of each kind in turn."""
    made = Stores(request.param, tmp_path, lambda: str(request.getfixturevalue("redis_url")))
    yield made
    for store in made.made:
        store.close()


def test_an_event_is_claimed_once(stores: Stores) -> None:
    seen = stores.make(3600, Clock())
    assert seen.claim("Ev1") is True
    assert seen.claim("Ev1") is False
    assert seen.claim("Ev1") is False
    assert seen.claim("Ev2") is True


def test_two_replicas_agree(stores: Stores) -> None:
    clock = Clock()
    one, two = stores.make(3600, clock), stores.make(3600, clock)
    assert one.claim("Ev1") is True
    if stores.kind == "memory":  # by design: replicas share the store behind this cache
        assert two.claim("Ev1") is True
        return
    assert two.claim("Ev1") is False
    assert two.claim("Ev2") is True
    assert one.claim("Ev2") is False


def test_concurrent_claims_have_one_winner(stores: Stores) -> None:
    clock = Clock()
    replicas = [stores.make(3600, clock) for _ in range(1 if stores.kind == "memory" else 2)]
    results: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def claim(store: SeenEvents) -> None:
        barrier.wait()
        won = store.claim("EvRace")
        with lock:
            results.append(won)

    threads = [
        threading.Thread(target=claim, args=(replicas[i % len(replicas)],)) for i in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]


def test_ids_are_forgotten_after_the_ttl(stores: Stores) -> None:
    clock = Clock()
    if stores.kind == "redis":
        seen = stores.make(0.2, clock)
        assert seen.claim("EvT") is True
        assert seen.claim("EvT") is False
        time.sleep(0.4)
        assert seen.claim("EvT") is True
        return
    seen = stores.make(60, clock)
    assert seen.claim("EvT") is True
    clock.now += 59
    assert seen.claim("EvT") is False
    clock.now += 2
    assert seen.claim("EvT") is True


def test_the_in_process_cache_is_bounded() -> None:
    seen = MemorySeenEvents(3600, capacity=3, clock=Clock())
    for n in range(5):
        assert seen.claim(f"Ev{n}")
    assert len(seen._seen) == 3
    assert seen.claim("Ev4") is False
    assert seen.claim("Ev0") is True, "the oldest were forgotten"


class DownStore:
    """A shared store that cannot be reached."""

    def claim(self, event_id: str) -> bool:
        raise StoreUnavailableError("redis: connection refused")

    def close(self) -> None:
        pass


def test_the_layered_store_falls_back_to_the_process_when_the_shared_one_is_down(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen = LayeredSeenEvents(MemorySeenEvents(), DownStore())
    assert seen.claim("Ev1") is True, "an event is answered rather than dropped"
    assert seen.claim("Ev1") is False, "this process still remembers it"
    assert "deduplicating in-process only" in caplog.text


@pytest.mark.parametrize("ttl", [0, -1])
def test_constructors_refuse_a_bad_ttl(ttl: float, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="ttl_seconds must be positive"):
        MemorySeenEvents(ttl)
    with pytest.raises(ValueError, match="ttl_seconds must be positive"):
        SQLiteSeenEvents(tmp_path / "x.sqlite3", ttl)
