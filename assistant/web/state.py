"""What the HTTP app holds once started (its assistant, store and conversations façade)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.config import Settings
from assistant.dialogue.conversation import Conversations
from assistant.storage.records import ConversationStore

if TYPE_CHECKING:
    from assistant.service import Assistant


class State:
    """What the app holds once started: the assistant (when ready) and the conversation store."""

    def __init__(self, settings: Settings, store: ConversationStore) -> None:
        self.settings = settings
        self.store = store
        self.assistant: Assistant | None = None
        self.load_error: str | None = None
        self._conversations: Conversations | None = None

    @property
    def conversations(self) -> Conversations | None:
        """The conversations façade over the current assistant, once one is ready (a reload
        swaps `assistant`; the façade follows it)."""
        assistant, conversations = self.assistant, self._conversations
        if assistant is None:
            return None
        if conversations is None or conversations.assistant is not assistant:
            conversations = self._conversations = Conversations(
                assistant, self.store, settings=self.settings
            )
        return conversations
