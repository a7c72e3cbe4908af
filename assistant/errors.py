"""Exceptions the package raises; adapters translate them for their users."""


class AssistantError(Exception):
    """Base class for the assistant's own errors."""

    code = "assistant_error"


class CorpusError(AssistantError):
    """A corpus file is missing or malformed."""

    code = "corpus_error"


class IndexNotFoundError(AssistantError):
    """No built index where the settings say it should be."""

    code = "index_not_found"


class IndexMismatchError(AssistantError):
    """The built index does not match the configured model or the current corpus."""

    code = "index_mismatch"


class TrainingDataError(AssistantError):
    """The training questions quote no clause of the corpus they would train on."""

    code = "training_data"


class ClauseNotFoundError(AssistantError):
    """No clause has the requested id."""

    code = "clause_not_found"


class InvalidQuestionError(AssistantError):
    """A question is empty or too long after normalisation."""

    code = "invalid_question"


class ConversationNotFoundError(AssistantError):
    """No conversation has the requested id, or it expired."""

    code = "conversation_not_found"


class TurnNotFoundError(AssistantError):
    """The conversation has no turn with the requested number."""

    code = "turn_not_found"


class InvalidFeedbackError(AssistantError):
    """A feedback rating or comment is not acceptable."""

    code = "invalid_feedback"


class StoreUnavailableError(AssistantError):
    """The conversation store cannot be reached (Redis down, disk full)."""

    code = "store_unavailable"


class UnknownDocumentError(AssistantError):
    """No policy document has the requested id."""

    code = "unknown_document"


class ConversationFullError(AssistantError):
    """The conversation has as many turns as a conversation may have."""

    code = "conversation_full"


class IndexUnreadableError(AssistantError):
    """An index file is truncated, corrupt or cannot be read."""

    code = "index_unreadable"


class NotInForceError(AssistantError):
    """The requested date is before the first version of every policy document."""

    code = "not_in_force"


class InvalidDateError(AssistantError):
    """A date parameter is not a YYYY-MM-DD date."""

    code = "invalid_date"
