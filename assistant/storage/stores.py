"""Open the configured conversation store."""

from __future__ import annotations

from assistant.config import Settings
from assistant.storage.records import SQLITE_FILE, ConversationStore


def open_store(settings: Settings) -> ConversationStore:
    """Redis when `redis_url` is set (replicas share conversations), else SQLite in `data_dir`."""
    if settings.redis_url:
        from assistant.storage.redis_store import RedisConversationStore

        return RedisConversationStore(settings.redis_url, settings.conversation_ttl_seconds)
    from assistant.storage.sqlite_store import SQLiteConversationStore

    return SQLiteConversationStore(
        settings.data_dir / SQLITE_FILE,
        settings.conversation_ttl_seconds,
        synchronous=settings.sqlite_synchronous,
    )
