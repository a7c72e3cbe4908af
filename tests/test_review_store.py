"""The contract the console's stores pass, on SQLite and on a real redis-server: review states
with an audit trail, listing live conversations, and appending labels to JSON Lines files."""

from __future__ import annotations

import json
import multiprocessing
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.storage.labels import append_record, read_records
from assistant.storage.records import ConversationStore
from assistant.storage.redis_store import RedisConversationStore
from assistant.storage.review import (
    RedisReviewStore,
    ReviewStore,
    SQLiteReviewStore,
    item_id,
)
from assistant.storage.sqlite_store import SQLiteConversationStore

from .test_conversation_store import make_answer

Stores = Callable[[], tuple[ConversationStore, ReviewStore]]


@pytest.fixture(params=["sqlite", "redis"])
def open_stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stores]:
    """Opens a conversation store and a review store of one kind over the same data; a second
    call is another replica."""
    opened: list[ConversationStore | ReviewStore] = []
    prefix = f"test:{uuid.uuid4().hex}:"

    def factory() -> tuple[ConversationStore, ReviewStore]:
        conversations: ConversationStore
        reviews: ReviewStore
        if request.param == "sqlite":
            conversations = SQLiteConversationStore(tmp_path / "c.sqlite3", 3600)
            reviews = SQLiteReviewStore(tmp_path / "review.sqlite3")
        else:
            url = request.getfixturevalue("redis_url")
            conversations = RedisConversationStore(url, 3600, prefix=prefix)
            reviews = RedisReviewStore(url, prefix=prefix)
        opened.extend([conversations, reviews])
        return conversations, reviews

    yield factory
    for store in opened:
        store.close()


def test_items_are_open_until_a_reviewer_acts(open_stores: Stores) -> None:
    _, reviews = open_stores()
    assert reviews.states() == {}
    saved = reviews.set_state("conv:2", "dismissed", "Ana")
    assert (saved.item_id, saved.state, saved.reviewer) == ("conv:2", "dismissed", "Ana")
    assert reviews.states()["conv:2"].state == "dismissed"


def test_states_are_shared_by_replicas_and_the_latest_wins(open_stores: Stores) -> None:
    (_, first), (_, second) = open_stores(), open_stores()
    first.set_state("conv:1", "dismissed", "Ana")
    second.set_state("conv:1", "resolved", "Ben")
    states = first.states()
    assert states["conv:1"].state == "resolved" and states["conv:1"].reviewer == "Ben"


def test_every_action_is_audited_newest_first(open_stores: Stores) -> None:
    _, reviews = open_stores()
    reviews.set_state("conv:1", "dismissed", "Ana")
    reviews.set_state("conv:1", "open", "Ben")
    reviews.set_state("conv:2", "labelled", "Ana", "training:review-1")
    reviews.record("deleted", "conv", "Ben")
    audit = reviews.audit()
    assert [(e.action, e.item_id, e.reviewer) for e in audit] == [
        ("deleted", "conv", "Ben"),
        ("labelled", "conv:2", "Ana"),
        ("open", "conv:1", "Ben"),
        ("dismissed", "conv:1", "Ana"),
    ]
    assert audit[1].detail == "training:review-1"
    assert [e.action for e in reviews.audit(limit=2)] == ["deleted", "labelled"]


def test_an_unknown_state_is_refused(open_stores: Stores) -> None:
    _, reviews = open_stores()
    with pytest.raises(ValueError, match="not one of"):
        reviews.set_state("conv:1", "snoozed", "Ana")
    assert reviews.states() == {} and reviews.audit() == []


def test_forgetting_a_conversation_removes_only_its_states(open_stores: Stores) -> None:
    _, reviews = open_stores()
    reviews.set_state(item_id("gone", 1), "dismissed", "Ana")
    reviews.set_state(item_id("gone", 3), "resolved", "Ana")
    reviews.set_state(item_id("kept", 1), "dismissed", "Ana")
    assert reviews.forget("gone") == 2
    assert set(reviews.states()) == {"kept:1"}
    assert reviews.forget("gone") == 0


def test_conversations_lists_every_live_conversation_with_its_turns(open_stores: Stores) -> None:
    store, _ = open_stores()
    assert store.conversations() == []
    first, _ = store.append(None, make_answer("is istio supported?"))
    store.append(first, make_answer("and helm?", n=2))
    second, _ = store.append(None, make_answer("who patches nodes?"))
    listed = store.conversations()
    assert [c.conversation_id for c in listed] == [first, second]
    assert [t.question for t in listed[0].turns] == ["is istio supported?", "and helm?"]
    assert listed[1].turns[0].answer == make_answer("who patches nodes?")
    store.delete(first)
    assert [c.conversation_id for c in store.conversations()] == [second]


def test_ratings_older_than_the_retention_are_deleted(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    now = [1000.0]
    for kind in ("sqlite", "redis"):
        store: ConversationStore
        if kind == "sqlite":
            store = SQLiteConversationStore(tmp_path / "r.sqlite3", 1e9, clock=lambda: now[0])
        else:
            url = request.getfixturevalue("redis_url")
            prefix = f"test:{uuid.uuid4().hex}:"
            store = RedisConversationStore(url, 1e9, prefix=prefix, clock=lambda: now[0])
        try:
            conversation_id, _ = store.append(None, make_answer())
            store.append(conversation_id, make_answer())
            old = store.add_feedback(conversation_id, 1, "down", "old")
            now[0] = 2000.0
            kept = store.add_feedback(conversation_id, 2, "up", None)  # (one rating a turn)
            assert store.delete_feedback_before(1500.0) == 1, kind
            assert [f.feedback_id for f in store.feedback()] == [kept.feedback_id], kind
            assert store.delete_feedback_before(1500.0) == 0, kind
            assert old.feedback_id not in {f.feedback_id for f in store.feedback()}
            assert store.delete(conversation_id), kind  # the kept rating goes with it
            assert store.feedback() == [], kind
        finally:
            store.close()
            now[0] = 1000.0


def test_labels_append_whole_lines_and_create_the_file(tmp_path: Path) -> None:
    path = tmp_path / "training" / "questions.jsonl"
    append_record(path, {"id": "a", "question": "is istio supported?"})
    path.write_bytes(path.read_bytes() + b'{"id": "hand-written"}')  # no final newline
    append_record(path, {"id": "b", "question": "qué tal?"})
    assert [r["id"] for r in read_records(path)] == ["a", "hand-written", "b"]
    assert path.read_text(encoding="utf-8").endswith('"qué tal?"}\n')


def _append_many(path: str, writer: int) -> None:
    for n in range(50):
        append_record(Path(path), {"id": f"{writer}-{n}", "pad": "x" * 5000})


def test_concurrent_writers_never_interleave_lines(tmp_path: Path) -> None:
    path = tmp_path / "questions.jsonl"
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_append_many, args=(str(path), w)) for w in range(3)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(60)
        assert process.exitcode == 0
    lines = path.read_text(encoding="utf-8").splitlines()
    ids = [json.loads(line)["id"] for line in lines]
    assert len(ids) == 150 and len(set(ids)) == 150
