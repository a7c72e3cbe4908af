"""Conversations in Redis, so several replicas of the service share them.

Layout under a key prefix (default `assistant:`):
`conversation:{id}` hash (created_at, updated_at) · `conversation:{id}:turns` list of turn
records (JSON; turn n is element n-1) · `conversation:{id}:keys` set of external keys ·
`key:{key}` → conversation id · `conversation:{id}:feedback` set of feedback ids ·
`feedback` and `feedback:turns` hashes (feedback id → record JSON, rated turn JSON).
Conversation keys expire `ttl_seconds` after the last turn; feedback has no expiry.
Every multi-key change runs as one Lua script, so concurrent replicas never interleave.
Durability is the Redis server's (AOF `appendfsync always` for the SQLite store's guarantee).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

import redis

from assistant.errors import (
    ConversationFullError,
    ConversationNotFoundError,
    StoreUnavailableError,
    TurnNotFoundError,
)
from assistant.models import Answer
from assistant.storage.records import (
    Conversation,
    Feedback,
    Turn,
    answer_from_dict,
    answer_to_dict,
    feedback_for_turn,
    full_message,
    new_conversation_id,
    new_feedback_id,
    turn_from_answer,
)

T = TypeVar("T")

# KEYS: meta, turns, keys set. ARGV: turn JSON, now, ttl ms, key prefix, most turns (0: no
# limit). 0: no conversation; -1: the conversation is full.
_APPEND = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local most = tonumber(ARGV[5])
if most > 0 and redis.call('LLEN', KEYS[2]) >= most then return -1 end
local n = redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[1], 'updated_at', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
for _, key in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  redis.call('PEXPIRE', ARGV[4] .. key, ARGV[3])
end
return n
"""

# KEYS: meta. ARGV: now, ttl ms. 0 when the id is taken.
_CREATE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'created_at', ARGV[1], 'updated_at', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""

# KEYS: key → id. ARGV: new id, now, ttl ms, conversation prefix, the key itself.
_FOR_KEY = """
local id = redis.call('GET', KEYS[1])
if id and redis.call('EXISTS', ARGV[4] .. id) == 1 then return id end
local meta = ARGV[4] .. ARGV[1]
redis.call('HSET', meta, 'created_at', ARGV[2], 'updated_at', ARGV[2])
redis.call('PEXPIRE', meta, ARGV[3])
redis.call('SADD', meta .. ':keys', ARGV[5])
redis.call('PEXPIRE', meta .. ':keys', ARGV[3])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return ARGV[1]
"""

# KEYS: meta, turns, feedback hash, feedback turns hash, conversation feedback set.
# ARGV: feedback id, turn number, record JSON. {-1}: no conversation, {-2}: no turn.
# The meta hash's `rated:N` field names turn N's rating: a later rating replaces it.
_FEEDBACK = """
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
local turn = redis.call('LINDEX', KEYS[2], tonumber(ARGV[2]) - 1)
if not turn then return {-2} end
local earlier = redis.call('HGET', KEYS[1], 'rated:' .. ARGV[2])
if earlier then
  redis.call('HDEL', KEYS[3], earlier)
  redis.call('HDEL', KEYS[4], earlier)
  redis.call('SREM', KEYS[5], earlier)
end
redis.call('HSET', KEYS[1], 'rated:' .. ARGV[2], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[4], ARGV[1], turn)
redis.call('SADD', KEYS[5], ARGV[1])
return {1, turn}
"""

# KEYS: meta, turns, keys set, feedback set, feedback hash, feedback turns hash.
# ARGV: key prefix. Returns how many things were removed.
_DELETE = """
local removed = 0
for _, key in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  redis.call('DEL', ARGV[1] .. key)
end
for _, id in ipairs(redis.call('SMEMBERS', KEYS[4])) do
  removed = removed + redis.call('HDEL', KEYS[5], id)
  redis.call('HDEL', KEYS[6], id)
end
removed = removed + redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
return removed
"""


# KEYS: feedback hash, feedback turns hash. ARGV: cutoff, conversation key prefix.
# Returns how many ratings were removed.
_PRUNE_FEEDBACK = """
local removed = 0
local records = redis.call('HGETALL', KEYS[1])
for i = 1, #records, 2 do
  local data = cjson.decode(records[i + 1])
  if tonumber(data['created_at']) < tonumber(ARGV[1]) then
    redis.call('HDEL', KEYS[1], records[i])
    redis.call('HDEL', KEYS[2], records[i])
    redis.call('SREM', ARGV[2] .. data['conversation_id'] .. ':feedback', records[i])
    removed = removed + 1
  end
end
return removed
"""


class RedisConversationStore:
    """Conversations, key mappings and feedback in a Redis server shared by replicas."""

    def __init__(
        self,
        url: str,
        ttl_seconds: float,
        prefix: str = "assistant:",
        clock: Callable[[], float] = time.time,
    ) -> None:
        if ttl_seconds <= 0:
            raise ValueError(f"ttl_seconds must be positive, not {ttl_seconds!r}")
        self.ttl_seconds = ttl_seconds
        self.prefix = prefix
        self.clock = clock
        try:
            self.client = redis.Redis.from_url(
                url, decode_responses=True, socket_timeout=10, socket_connect_timeout=5
            )
        except ValueError as exc:
            raise StoreUnavailableError(f"redis_url: {exc}") from exc
        self._append = self.client.register_script(_APPEND)
        self._create = self.client.register_script(_CREATE)
        self._for_key = self.client.register_script(_FOR_KEY)
        self._feedback = self.client.register_script(_FEEDBACK)
        self._delete = self.client.register_script(_DELETE)
        self._prune_feedback = self.client.register_script(_PRUNE_FEEDBACK)

    @property
    def _ttl_ms(self) -> int:
        return max(1, int(self.ttl_seconds * 1000))

    def _conversation_keys(self, conversation_id: str) -> tuple[str, str, str, str]:
        meta = f"{self.prefix}conversation:{conversation_id}"
        return meta, f"{meta}:turns", f"{meta}:keys", f"{meta}:feedback"

    def _call(self, action: Callable[[], T]) -> T:
        try:
            return action()
        except redis.RedisError as exc:
            raise StoreUnavailableError(f"redis: {exc}") from exc

    def get(
        self, conversation_id: str, after: int = 0, limit: int | None = None
    ) -> Conversation | None:
        """The conversation with its turns numbered above `after` (at most `limit`), or None
        when unknown or expired."""
        if limit is not None and limit < 1:
            return self._read(conversation_id, 1, 0, lambda count: count + 1)  # no turns
        last = -1 if limit is None else after + limit - 1
        return self._read(conversation_id, max(0, after), last, lambda count: after + 1)

    def recent(self, conversation_id: str, count: int) -> Conversation | None:
        """The conversation with only its last `count` turns, or None when unknown or expired."""
        if count < 1:
            return self._read(conversation_id, 1, 0, lambda total: total + 1)
        return self._read(conversation_id, -count, -1, lambda total: max(1, total - count + 1))

    def _read(
        self, conversation_id: str, start: int, stop: int, first: Callable[[int], int]
    ) -> Conversation | None:
        """The conversation with the turn records LRANGE `start` `stop` returns; `first` gives
        the number of the first of them from the turn count."""
        meta, turns, _, _ = self._conversation_keys(conversation_id)

        def read() -> list[Any]:
            pipe = self.client.pipeline(transaction=True)
            pipe.hmget(meta, "created_at", "updated_at")
            pipe.llen(turns)
            pipe.lrange(turns, start, stop)
            return cast(list[Any], pipe.execute())

        (created_at, updated_at), count, records = self._call(read)
        if created_at is None:
            return None
        number = first(int(count))
        return Conversation(
            conversation_id,
            float(created_at),
            float(updated_at),
            tuple(_turn_from_json(n, r) for n, r in enumerate(records, number)),
            int(count),
        )

    def _new_conversation(self) -> str:
        while True:
            conversation_id = new_conversation_id()
            meta = self._conversation_keys(conversation_id)[0]
            created = self._call(
                lambda: self._create(keys=[meta], args=[self.clock(), self._ttl_ms])  # noqa: B023
            )
            if created:
                return conversation_id

    def append(
        self, conversation_id: str | None, answer: Answer, max_turns: int | None = None
    ) -> tuple[str, Turn]:
        """Add a turn (a new conversation when the id is None); return the id and the turn."""
        if conversation_id is None:
            conversation_id = self._new_conversation()
        meta, turns, keys, _ = self._conversation_keys(conversation_id)
        now = self.clock()
        record = json.dumps({"answer": answer_to_dict(answer), "created_at": now})
        number = self._call(
            lambda: self._append(
                keys=[meta, turns, keys],
                args=[record, now, self._ttl_ms, f"{self.prefix}key:", max_turns or 0],
            )
        )
        if not number:
            raise ConversationNotFoundError("unknown or expired conversation_id")
        if int(number) < 0:
            raise ConversationFullError(full_message(max_turns or 0))
        return conversation_id, turn_from_answer(int(number), answer, now)

    def conversation_for_key(self, key: str) -> str:
        """The live conversation an external key maps to, created and mapped when needed."""
        conversation_prefix = f"{self.prefix}conversation:"
        found = self._call(
            lambda: self._for_key(
                keys=[f"{self.prefix}key:{key}"],
                args=[new_conversation_id(), self.clock(), self._ttl_ms, conversation_prefix, key],
            )
        )
        return str(found)

    def delete(self, conversation_id: str) -> bool:
        """Remove a conversation, its key mappings and its feedback; False when none existed."""
        meta, turns, keys, feedback = self._conversation_keys(conversation_id)
        removed = self._call(
            lambda: self._delete(
                keys=[
                    meta,
                    turns,
                    keys,
                    feedback,
                    f"{self.prefix}feedback",
                    f"{self.prefix}feedback:turns",
                ],
                args=[f"{self.prefix}key:"],
            )
        )
        return bool(removed)

    def add_feedback(
        self, conversation_id: str, turn: int, rating: str, comment: str | None
    ) -> Feedback:
        """Record a rating of a turn of a live conversation."""
        if turn < 1:
            raise TurnNotFoundError(f"conversation has no turn {turn}")
        meta, turns, _, feedback_set = self._conversation_keys(conversation_id)
        feedback_id, now = new_feedback_id(), self.clock()
        record = json.dumps(
            {"conversation_id": conversation_id, "turn": turn, "rating": rating,
             "comment": comment, "created_at": now}
        )  # fmt: skip
        result = self._call(
            lambda: self._feedback(
                keys=[
                    meta,
                    turns,
                    f"{self.prefix}feedback",
                    f"{self.prefix}feedback:turns",
                    feedback_set,
                ],
                args=[feedback_id, turn, record],
            )
        )
        if result[0] == -1:
            raise ConversationNotFoundError("unknown or expired conversation_id")
        if result[0] == -2:
            raise TurnNotFoundError(f"conversation has no turn {turn}")
        rated = _turn_from_json(turn, result[1])
        return feedback_for_turn(feedback_id, conversation_id, rated, rating, comment, now)

    def feedback(self) -> list[Feedback]:
        """Every feedback record, oldest first."""

        def read() -> list[Any]:
            pipe = self.client.pipeline(transaction=True)
            pipe.hgetall(f"{self.prefix}feedback")
            pipe.hgetall(f"{self.prefix}feedback:turns")
            return cast(list[Any], pipe.execute())

        records, turns = self._call(read)
        found = []
        for feedback_id, raw in records.items():
            data = json.loads(raw)
            rated = _turn_from_json(int(data["turn"]), turns[feedback_id])
            found.append(
                feedback_for_turn(
                    feedback_id,
                    data["conversation_id"],
                    rated,
                    data["rating"],
                    data["comment"],
                    data["created_at"],
                )
            )
        return sorted(found, key=lambda f: (f.created_at, f.feedback_id))

    def conversations(self) -> list[Conversation]:
        """Every live conversation with its turns, least recently updated first."""
        pattern = f"{self.prefix}conversation:*"
        head = len(f"{self.prefix}conversation:")
        ids = {
            key[head:]
            for key in self._call(lambda: list(self.client.scan_iter(match=pattern, count=500)))
            if ":" not in key[head:]
        }
        ordered = sorted(ids)

        def read() -> list[Any]:
            pipe = self.client.pipeline(transaction=False)
            for conversation_id in ordered:
                meta, turns, _, _ = self._conversation_keys(conversation_id)
                pipe.hgetall(meta)
                pipe.lrange(turns, 0, -1)
            return cast(list[Any], pipe.execute())

        replies = self._call(read) if ordered else []
        found = [
            Conversation(
                conversation_id,
                float(fields["created_at"]),
                float(fields["updated_at"]),
                tuple(_turn_from_json(n, r) for n, r in enumerate(records, 1)),
            )
            for conversation_id, fields, records in zip(
                ordered, replies[::2], replies[1::2], strict=True
            )
            if fields  # expired between the scan and the read
        ]
        return sorted(found, key=lambda c: (c.updated_at, c.conversation_id))

    def delete_feedback_before(self, cutoff: float) -> int:
        """Remove ratings given before `cutoff`; how many went."""
        removed = self._call(
            lambda: self._prune_feedback(
                keys=[f"{self.prefix}feedback", f"{self.prefix}feedback:turns"],
                args=[cutoff, f"{self.prefix}conversation:"],
            )
        )
        return int(removed)

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()


def _turn_from_json(number: int, raw: str) -> Turn:
    data = json.loads(raw)
    return turn_from_answer(number, answer_from_dict(data["answer"]), float(data["created_at"]))
