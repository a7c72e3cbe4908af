"""The contract every conversation store passes: SQLite, and Redis on a real redis-server."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.config import SqliteSynchronous
from assistant.errors import (
    ConversationNotFoundError,
    StoreUnavailableError,
    TurnNotFoundError,
)
from assistant.models import Answer, Citation, Stance, Verdict
from assistant.storage.records import ConversationStore, answer_from_dict, answer_to_dict
from assistant.storage.redis_store import RedisConversationStore
from assistant.storage.sqlite_store import SQLiteConversationStore
from tests.servers import free_port

StoreFactory = Callable[..., ConversationStore]
SHORT_TTL = 0.4


def make_answer(question: str = "Is Istio supported?", n: int = 1) -> Answer:
    """A small answer with one citation, as the engine returns them."""
    citation = Citation(
        n=1,
        clause_id=f"doc:section:{n}",
        document="Support policies",
        section="AKS support coverage",
        text="Third-party open-source projects <b>such as</b> Istio.",
        score=0.03,
        url="https://example.test/policy#aks-support-coverage",
        stance=Stance.NOT_SUPPORTED,
    )
    return Answer(
        question=question,
        resolved_question=question.capitalize(),
        verdict=Verdict.NOT_SUPPORTED,
        confidence=0.9,
        answer="Not supported. [1]",
        answer_markdown="**Not supported.** [[1]](https://example.test)",
        answer_html="<p>Not supported.</p>",
        citations=(citation,),
        suggestions=("What about Helm?",),
        kind="answer",
    )


@pytest.fixture(params=["sqlite", "redis"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Opens stores of one kind over the same data: a second call is another replica."""
    opened: list[ConversationStore] = []
    prefix = f"test:{uuid.uuid4().hex}:"

    def factory(ttl_seconds: float = 3600) -> ConversationStore:
        store: ConversationStore
        if request.param == "sqlite":
            store = SQLiteConversationStore(tmp_path / "data" / "c.sqlite3", ttl_seconds)
        else:
            url = request.getfixturevalue("redis_url")
            store = RedisConversationStore(url, ttl_seconds, prefix=prefix)
        opened.append(store)
        return store

    yield factory
    for store in opened:
        store.close()


def test_answers_round_trip_through_json() -> None:
    answer = make_answer()
    assert answer_from_dict(answer_to_dict(answer)) == answer


def test_first_append_creates_a_conversation(make_store: StoreFactory) -> None:
    store = make_store()
    conversation_id, turn = store.append(None, make_answer())
    assert len(conversation_id) >= 22
    assert turn.turn == 1
    assert turn.clause_ids == ("doc:section:1",)
    assert turn.verdict == "not_supported" and turn.kind == "answer"


def test_turns_are_stored_with_the_full_answer(make_store: StoreFactory) -> None:
    store = make_store()
    first, second = make_answer("is istio supported?"), make_answer("and helm?", n=2)
    conversation_id, _ = store.append(None, first)
    _, turn = store.append(conversation_id, second)
    assert turn.turn == 2
    conversation = store.get(conversation_id)
    assert conversation is not None
    assert [t.turn for t in conversation.turns] == [1, 2]
    assert [t.answer for t in conversation.turns] == [first, second]
    assert conversation.turns[1].resolved_question == "And helm?"
    assert conversation.created_at <= conversation.turns[0].created_at <= conversation.updated_at
    assert conversation.updated_at == conversation.turns[1].created_at


def test_unknown_conversations(make_store: StoreFactory) -> None:
    store = make_store()
    assert store.get("no-such-id") is None
    with pytest.raises(ConversationNotFoundError):
        store.append("no-such-id", make_answer())
    assert store.delete("no-such-id") is False


def test_ids_are_unguessable(make_store: StoreFactory) -> None:
    store = make_store()
    ids = {store.append(None, make_answer())[0] for _ in range(20)}
    assert len(ids) == 20


def test_concurrent_appends_get_consecutive_turn_numbers(make_store: StoreFactory) -> None:
    replicas = [make_store(), make_store()]
    conversation_id, _ = replicas[0].append(None, make_answer())
    numbers: list[int] = []
    lock = threading.Lock()

    def ask(store: ConversationStore) -> None:
        for _ in range(5):
            _, turn = store.append(conversation_id, make_answer())
            with lock:
                numbers.append(turn.turn)

    threads = [threading.Thread(target=ask, args=(replicas[i % 2],)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(numbers) == list(range(2, 32))
    conversation = replicas[1].get(conversation_id)
    assert conversation is not None
    assert [t.turn for t in conversation.turns] == list(range(1, 32))


def test_replicas_share_conversations(make_store: StoreFactory) -> None:
    a, b = make_store(), make_store()
    conversation_id, _ = a.append(None, make_answer())
    _, turn = b.append(conversation_id, make_answer("and helm?"))
    assert turn.turn == 2
    conversation = a.get(conversation_id)
    assert conversation is not None and len(conversation.turns) == 2


def test_conversations_expire_after_their_last_turn(make_store: StoreFactory) -> None:
    store = make_store(ttl_seconds=SHORT_TTL)
    conversation_id, _ = store.append(None, make_answer())
    time.sleep(SHORT_TTL * 0.6)
    store.append(conversation_id, make_answer())  # a new turn keeps it alive
    time.sleep(SHORT_TTL * 0.6)
    assert store.get(conversation_id) is not None
    time.sleep(SHORT_TTL * 1.2)
    assert store.get(conversation_id) is None
    with pytest.raises(ConversationNotFoundError):
        store.append(conversation_id, make_answer())
    with pytest.raises(ConversationNotFoundError):
        store.add_feedback(conversation_id, 1, "up", None)


def test_external_keys_map_to_one_live_conversation(make_store: StoreFactory) -> None:
    a, b = make_store(), make_store()
    conversation_id = a.conversation_for_key("slack:T1:C1:1700000000.000100")
    assert b.conversation_for_key("slack:T1:C1:1700000000.000100") == conversation_id
    assert a.conversation_for_key("slack:T1:C1:1700000000.000200") != conversation_id
    assert a.get(conversation_id) is not None
    _, turn = b.append(conversation_id, make_answer())
    assert turn.turn == 1
    assert a.delete(conversation_id)
    replacement = b.conversation_for_key("slack:T1:C1:1700000000.000100")
    assert replacement != conversation_id


def test_concurrent_key_lookups_agree(make_store: StoreFactory) -> None:
    replicas = [make_store(), make_store()]
    found: list[str] = []
    lock = threading.Lock()

    def look_up(store: ConversationStore) -> None:
        conversation_id = store.conversation_for_key("thread-42")
        with lock:
            found.append(conversation_id)

    threads = [threading.Thread(target=look_up, args=(replicas[i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(found)) == 1


def test_an_expired_key_gets_a_new_conversation(make_store: StoreFactory) -> None:
    store = make_store(ttl_seconds=SHORT_TTL)
    first = store.conversation_for_key("thread-7")
    store.append(first, make_answer())
    time.sleep(SHORT_TTL * 1.5)
    second = store.conversation_for_key("thread-7")
    assert second != first
    assert store.get(second) is not None


def test_feedback_is_recorded_with_the_rated_turn(make_store: StoreFactory) -> None:
    store = make_store()
    conversation_id, _ = store.append(None, make_answer("is istio supported?"))
    store.append(conversation_id, make_answer("and helm?", n=2))
    down = store.add_feedback(conversation_id, 2, "down", "Helm is best effort")
    up = store.add_feedback(conversation_id, 1, "up", None)
    assert down.feedback_id != up.feedback_id
    assert (down.turn, down.rating, down.comment) == (2, "down", "Helm is best effort")
    assert (down.question, down.resolved_question) == ("and helm?", "And helm?")
    assert (down.verdict, down.kind, down.clause_ids) == (
        "not_supported",
        "answer",
        ("doc:section:2",),
    )
    assert make_store().feedback() == [down, up]


def test_feedback_needs_a_known_turn(make_store: StoreFactory) -> None:
    store = make_store()
    conversation_id, _ = store.append(None, make_answer())
    for turn in (0, 2, 99):
        with pytest.raises(TurnNotFoundError):
            store.add_feedback(conversation_id, turn, "up", None)
    with pytest.raises(ConversationNotFoundError):
        store.add_feedback("no-such-id", 1, "up", None)
    assert store.feedback() == []


def test_delete_removes_the_conversation_its_keys_and_its_feedback(
    make_store: StoreFactory,
) -> None:
    store = make_store()
    kept_id, _ = store.append(None, make_answer())
    kept = store.add_feedback(kept_id, 1, "up", None)
    conversation_id = store.conversation_for_key("thread-9")
    store.append(conversation_id, make_answer())
    store.add_feedback(conversation_id, 1, "down", "wrong")
    assert store.delete(conversation_id) is True
    assert store.get(conversation_id) is None
    assert store.feedback() == [kept]
    assert store.conversation_for_key("thread-9") != conversation_id
    assert store.delete(conversation_id) is False


def test_feedback_outlives_expiry_until_its_conversation_is_deleted(
    make_store: StoreFactory,
) -> None:
    store = make_store(ttl_seconds=SHORT_TTL)
    conversation_id, _ = store.append(None, make_answer())
    store.add_feedback(conversation_id, 1, "down", None)
    time.sleep(SHORT_TTL * 1.5)
    assert store.get(conversation_id) is None
    assert len(store.feedback()) == 1
    assert store.delete(conversation_id) is True
    assert store.feedback() == []


def test_an_unreachable_redis_is_reported_as_unavailable() -> None:
    store = RedisConversationStore(f"redis://127.0.0.1:{free_port()}/0", 60)
    with pytest.raises(StoreUnavailableError):
        store.get("anything")
    store.close()


def test_a_bad_store_location_is_reported_as_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreUnavailableError):
        SQLiteConversationStore(blocker / "c.sqlite3", 60)


@pytest.mark.parametrize(
    ("synchronous", "level"),
    [(None, 1), ("normal", 1), ("full", 2)],  # NORMAL is the default
)
def test_sqlite_store_is_durable_and_in_wal_mode(
    tmp_path: Path, synchronous: SqliteSynchronous | None, level: int
) -> None:
    path = tmp_path / "c.sqlite3"
    if synchronous is None:
        store = SQLiteConversationStore(path, 60)
    else:
        store = SQLiteConversationStore(path, 60, synchronous=synchronous)
    conversation_id, _ = store.append(None, make_answer())
    db = store._connection()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == level
    store.close()
    reopened = SQLiteConversationStore(path, 60)
    conversation = reopened.get(conversation_id)
    assert conversation is not None and conversation.turns[0].answer == make_answer()
    reopened.close()


@pytest.mark.parametrize("ttl", [0, -1])
def test_stores_need_a_positive_ttl(ttl: float, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="ttl_seconds"):
        SQLiteConversationStore(tmp_path / "c.sqlite3", ttl)
    with pytest.raises(ValueError, match="ttl_seconds"):
        RedisConversationStore("redis://127.0.0.1:1/0", ttl)


def _numbers(conversation: object) -> list[int]:
    return [t.turn for t in conversation.turns]  # type: ignore[attr-defined]


def test_transcripts_are_read_a_page_at_a_time(make_store: StoreFactory) -> None:
    store = make_store()
    conversation_id, _ = store.append(None, make_answer("q1"))
    for n in range(2, 8):
        store.append(conversation_id, make_answer(f"q{n}", n=n))
    whole = store.get(conversation_id)
    assert whole is not None and _numbers(whole) == [1, 2, 3, 4, 5, 6, 7]
    assert whole.turn_count == 7
    page = store.get(conversation_id, after=2, limit=3)
    assert page is not None and _numbers(page) == [3, 4, 5] and page.turn_count == 7
    assert [t.question for t in page.turns] == ["q3", "q4", "q5"]
    last = store.get(conversation_id, after=5, limit=3)
    assert last is not None and _numbers(last) == [6, 7]
    beyond = store.get(conversation_id, after=7, limit=3)
    assert beyond is not None and _numbers(beyond) == [] and beyond.turn_count == 7


def test_recent_reads_only_the_last_turns(make_store: StoreFactory) -> None:
    store = make_store()
    conversation_id, _ = store.append(None, make_answer("q1"))
    for n in range(2, 6):
        store.append(conversation_id, make_answer(f"q{n}", n=n))
    recent = store.recent(conversation_id, 2)
    assert recent is not None and _numbers(recent) == [4, 5] and recent.turn_count == 5
    assert [t.question for t in recent.turns] == ["q4", "q5"]
    everything = store.recent(conversation_id, 50)
    assert everything is not None and _numbers(everything) == [1, 2, 3, 4, 5]
    none = store.recent(conversation_id, 0)
    assert none is not None and _numbers(none) == [] and none.turn_count == 5
    assert store.recent("no-such-id", 2) is None


def test_a_conversation_takes_at_most_max_turns(make_store: StoreFactory) -> None:
    from assistant.errors import ConversationFullError

    store = make_store()
    conversation_id, _ = store.append(None, make_answer(), max_turns=3)
    store.append(conversation_id, make_answer(), max_turns=3)
    store.append(conversation_id, make_answer(), max_turns=3)
    with pytest.raises(ConversationFullError, match="limit of 3 turns"):
        store.append(conversation_id, make_answer(), max_turns=3)
    conversation = store.get(conversation_id)
    assert conversation is not None and conversation.turn_count == 3


def test_a_later_rating_of_a_turn_replaces_the_earlier(make_store: StoreFactory) -> None:
    store = make_store()
    conversation_id, _ = store.append(None, make_answer())
    store.append(conversation_id, make_answer("and helm?", n=2))
    for n in range(20):
        store.add_feedback(conversation_id, 1, "up" if n % 2 else "down", f"take {n}")
    other = store.add_feedback(conversation_id, 2, "up", None)
    latest = store.add_feedback(conversation_id, 1, "down", "final word")
    kept = make_store().feedback()
    assert kept == [other, latest]
    assert store.delete(conversation_id)
    assert store.feedback() == []
