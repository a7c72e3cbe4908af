"""The HTTP API: `create_app(settings)` builds a FastAPI app over one shared `Assistant`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import anyio
from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant import __version__
from assistant.config import Settings
from assistant.dialogue.conversation import Conversations
from assistant.errors import (
    AssistantError,
    ClauseNotFoundError,
    ConversationNotFoundError,
    InvalidDateError,
    InvalidFeedbackError,
    InvalidQuestionError,
    NotInForceError,
    StoreUnavailableError,
    TurnNotFoundError,
    UnknownDocumentError,
)
from assistant.models import Selection
from assistant.service import Assistant
from assistant.slack.bot import SLACK_PATHS, add_slack
from assistant.storage.records import MAX_COMMENT_CHARS, Conversation, ConversationStore, Turn
from assistant.storage.stores import open_store
from assistant.web.operations import add_access_control, add_operations, record_turn
from assistant.web.state import State
from assistant.web.widget_routes import add_widget

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error with an HTTP status, rendered as `{"error": {"code", "message"}}`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    """The JSON error shape every endpoint uses."""
    return {"error": {"code": code, "message": message, **extra}}


class BodyLimitMiddleware:
    """Answers 413 to request bodies larger than `limit` bytes, declared or streamed.

    The body is read (up to the limit) before the app runs, so an oversized stream is refused
    cleanly instead of failing half-way through parsing.
    """

    def __init__(self, app: ASGIApp, limit: int, exempt: tuple[str, ...] = ()) -> None:
        self.app, self.limit, self.exempt = app, limit, exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._reject(scope, receive, send)
            return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            if size > self.limit:
                await self._reject(scope, receive, send)
                return
            if message["type"] != "http.request" or not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse(
            error_body("body_too_large", f"request body exceeds {self.limit} bytes"),
            status_code=413,
        )
        await response(scope, receive, send)


class AskRequest(BaseModel):
    """A question, optionally continuing a conversation."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"question": "Is Istio supported?", "conversation_id": None}]
        },
    )

    question: StrictStr = Field(description="1 to `max_question_chars` characters after trimming.")
    conversation_id: StrictStr | None = Field(None, max_length=64)
    documents: list[StrictStr] | None = Field(
        None,
        max_length=50,
        description="Answer only from these policy documents (ids from GET /v1/documents); "
        "unset: all of them.",
    )
    as_of: StrictStr | None = Field(
        None,
        max_length=10,
        description="Answer from the policy versions in force on this date (YYYY-MM-DD); "
        "unset: the current ones. A conversation keeps the date it was asked with.",
    )


class CitationOut(BaseModel):
    """A numbered, verbatim clause."""

    n: int
    clause_id: str
    document: str
    section: str
    text: str
    score: float
    url: str
    stance: str
    version: str = Field(description="The document version the text is quoted from.")


class ChangeOut(BaseModel):
    """A cited clause that changed: added, changed or removed at `version`."""

    change: str
    clause_id: str
    version: str
    previous_version: str
    previous_text: str


class TurnOut(BaseModel):
    """One turn: the message, the question answered for it, and the full answer."""

    turn: int
    kind: str = Field(description="answer, clarification, smalltalk or handoff.")
    question: str
    resolved_question: str
    verdict: str
    confidence: float
    answer: str
    answer_markdown: str
    answer_html: str
    citations: list[CitationOut]
    suggestions: list[str]
    as_of: str | None = Field(None, description="The date whose policy versions answered.")
    changes: list[ChangeOut] = Field(
        default_factory=list, description="Cited clauses that changed, with their earlier text."
    )
    created_at: str = Field(description="When the turn was answered (ISO 8601, UTC).")


class AskResponse(TurnOut):
    """A grounded answer with its verdict and citations, as a turn of a conversation."""

    conversation_id: str


class TranscriptResponse(BaseModel):
    """A conversation's turns, oldest first."""

    conversation_id: str
    created_at: str
    updated_at: str
    turns: list[TurnOut]


class FeedbackRequest(BaseModel):
    """A rating of one turn of a conversation."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"conversation_id": "…", "turn": 1, "rating": "down", "comment": "…"}]
        },
    )

    conversation_id: StrictStr = Field(max_length=64)
    turn: StrictInt = Field(ge=1)
    rating: Literal["up", "down"]
    comment: StrictStr | None = Field(None, max_length=MAX_COMMENT_CHARS)


class FeedbackResponse(BaseModel):
    """Where a rating was recorded."""

    status: Literal["recorded"] = "recorded"
    feedback_id: str


def get_state(request: Request) -> State:
    """The app's state."""
    state: State = request.app.state.assistant_state
    return state


def ask_limiter(app: FastAPI) -> anyio.CapacityLimiter:
    """The worker pool questions are answered on: `settings.workers` at once, the rest wait in
    line, so a burst neither blocks the event loop nor piles CPU-bound threads on the cores."""
    limiter: anyio.CapacityLimiter | None = getattr(app.state, "ask_limiter", None)
    if limiter is None:  # created on the event loop, by the first question
        limiter = app.state.ask_limiter = anyio.CapacityLimiter(
            app.state.assistant_state.settings.workers
        )
    return limiter


def get_assistant(state: Annotated[State, Depends(get_state)]) -> Assistant:
    """The ready assistant, or 503 while it is loading or failed to load."""
    if state.assistant is None:
        raise ApiError(503, "not_ready", state.load_error or "the assistant is still loading")
    return state.assistant


def get_conversations(state: Annotated[State, Depends(get_state)]) -> Conversations:
    """The conversations façade, or 503 while the assistant is loading or failed to load."""
    if state.conversations is None:
        raise ApiError(503, "not_ready", state.load_error or "the assistant is still loading")
    return state.conversations


StateDep = Annotated[State, Depends(get_state)]
AssistantDep = Annotated[Assistant, Depends(get_assistant)]
ConversationsDep = Annotated[Conversations, Depends(get_conversations)]

# Status codes for the package's own errors wherever they surface.
ERROR_STATUS: dict[type[AssistantError], int] = {
    ConversationNotFoundError: 404,
    TurnNotFoundError: 404,
    ClauseNotFoundError: 404,
    InvalidQuestionError: 422,
    InvalidFeedbackError: 422,
    StoreUnavailableError: 503,
    UnknownDocumentError: 404,
    NotInForceError: 422,
    InvalidDateError: 422,
}


def _timestamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")


def _turn_fields(turn: Turn) -> dict[str, Any]:
    answer = turn.answer
    return dict(
        turn=turn.turn,
        kind=answer.kind,
        question=answer.question,
        resolved_question=answer.resolved_question,
        verdict=answer.verdict.value,
        confidence=answer.confidence,
        answer=answer.answer,
        answer_markdown=answer.answer_markdown,
        answer_html=answer.answer_html,
        citations=[
            CitationOut(**{**c.__dict__, "stance": c.stance.value}) for c in answer.citations
        ],
        suggestions=list(answer.suggestions),
        as_of=answer.as_of,
        changes=[ChangeOut(**asdict(c)) for c in answer.changes],
        created_at=_timestamp(turn.created_at),
    )


def _transcript_response(conversation: Conversation) -> TranscriptResponse:
    return TranscriptResponse(
        conversation_id=conversation.conversation_id,
        created_at=_timestamp(conversation.created_at),
        updated_at=_timestamp(conversation.updated_at),
        turns=[TurnOut(**_turn_fields(t)) for t in conversation.turns],
    )


def create_app(
    settings: Settings | None = None,
    assistant: Assistant | None = None,
    store: ConversationStore | None = None,
) -> FastAPI:
    """Build the API; loads the assistant at start-up unless one is passed in, and opens the
    conversation store the settings name unless one is passed in."""
    settings = settings or Settings()
    owns_store = store is None
    state = State(settings, store or open_store(settings))
    state.assistant = assistant

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if state.assistant is None:
            try:
                state.assistant = await anyio.to_thread.run_sync(Assistant.from_settings, settings)
            except AssistantError as exc:
                state.load_error = str(exc)
                log.error("assistant not ready: %s", exc)
        yield
        if owns_store:
            state.store.close()

    app = FastAPI(
        title="Policy Assistant",
        version=__version__,
        description="Answers support-policy questions in the policy's own words, with citations.",
        lifespan=lifespan,
    )
    app.state.assistant_state = state
    # Slack's button payloads carry the whole message; the Slack routes set their own limit.
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body_bytes, exempt=SLACK_PATHS)
    add_access_control(app, settings)  # inside CORS: the widget can read a 401 or 429
    _add_error_handlers(app)
    _add_routes(app)
    add_widget(app, settings)
    add_slack(app, settings, lambda: state.conversations)
    add_operations(app, settings)  # outermost: ids, logs, metrics and headers on everything
    return app


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message), status_code=exc.status)

    @app.exception_handler(AssistantError)
    async def assistant_error(request: Request, exc: AssistantError) -> JSONResponse:
        status = next((s for t, s in ERROR_STATUS.items() if isinstance(exc, t)), 500)
        if status == 500:
            log.error("unhandled %s on %s: %s", exc.code, request.url.path, exc)
        return JSONResponse(error_body(exc.code, str(exc)), status_code=status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return JSONResponse(error_body("invalid_json", "request body is not valid JSON"), 422)
        details = [
            {
                "field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"),
                "problem": e["msg"],
            }
            for e in errors
        ]
        message = "; ".join(f"{d['field'] or 'body'}: {d['problem']}" for d in details)
        return JSONResponse(error_body("invalid_request", message, details=details), 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}
        code = codes.get(exc.status_code, "http_error")
        return JSONResponse(error_body(code, str(exc.detail)), exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body("internal_error", "the server failed to answer"), 500)


def _add_routes(app: FastAPI) -> None:
    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"])
    def readyz(state: StateDep) -> JSONResponse:
        """The index is loaded and the model is ready to answer."""
        if state.assistant is None:
            message = state.load_error or "the assistant is still loading"
            return JSONResponse(error_body("not_ready", message), status_code=503)
        manifest = state.assistant.index.manifest
        return JSONResponse(
            {"status": "ready", "model": manifest.model, "clauses": manifest.clause_count}
        )

    @app.post("/v1/ask", response_model=AskResponse, tags=["questions"])
    async def ask(
        body: AskRequest, conversations: ConversationsDep, request: Request
    ) -> AskResponse:
        """Answer a message (a question, a follow-up or small talk) with a verdict and numbered
        citations; without `conversation_id` it starts a conversation."""
        try:
            reply = await anyio.to_thread.run_sync(
                conversations.ask,
                body.question,
                body.conversation_id,
                Selection(tuple(body.documents or ()), body.as_of),
                limiter=ask_limiter(request.app),
            )
        except InvalidQuestionError as exc:
            raise ApiError(422, exc.code, f"question: {exc}") from exc
        except UnknownDocumentError as exc:
            raise ApiError(422, exc.code, f"documents: {exc}") from exc
        except (NotInForceError, InvalidDateError) as exc:
            raise ApiError(422, exc.code, str(exc)) from exc
        record_turn(request.app, reply.conversation_id, reply.turn)
        return AskResponse(conversation_id=reply.conversation_id, **_turn_fields(reply.turn))

    @app.get(
        "/v1/conversations/{conversation_id}",
        response_model=TranscriptResponse,
        tags=["conversations"],
    )
    def transcript(conversation_id: str, conversations: ConversationsDep) -> TranscriptResponse:
        """A conversation's transcript: every turn with its full answer, oldest first."""
        return _transcript_response(conversations.transcript(conversation_id))

    @app.delete("/v1/conversations/{conversation_id}", status_code=204, tags=["conversations"])
    def delete_conversation(conversation_id: str, conversations: ConversationsDep) -> Response:
        """Delete a conversation and all feedback on it."""
        conversations.delete(conversation_id)
        return Response(status_code=204)

    @app.post(
        "/v1/feedback", status_code=201, response_model=FeedbackResponse, tags=["conversations"]
    )
    def feedback(body: FeedbackRequest, conversations: ConversationsDep) -> FeedbackResponse:
        """Rate a turn up or down, with an optional comment of up to 1000 characters."""
        recorded = conversations.record_feedback(
            body.conversation_id, body.turn, body.rating, body.comment
        )
        return FeedbackResponse(feedback_id=recorded.feedback_id)

    @app.get("/v1/clauses/{clause_id}", tags=["policy"])
    def clause(
        clause_id: str, assistant: AssistantDep, version: str | None = None
    ) -> dict[str, Any]:
        """One clause with its section, stance and neighbouring clauses, as in the current
        version of its document or in `version` (an earlier one)."""
        try:
            return assistant.describe_clause(clause_id, version)
        except ClauseNotFoundError as exc:
            raise ApiError(404, exc.code, str(exc)) from exc

    @app.get("/v1/documents", tags=["policy"])
    def documents(assistant: AssistantDep) -> dict[str, Any]:
        """The policy documents with their versions and clause counts."""
        return {"documents": assistant.describe_documents()}

    @app.get("/v1/documents/{document_id}/clauses", tags=["policy"])
    def document_clauses(document_id: str, assistant: AssistantDep) -> dict[str, Any]:
        """A document's clauses for review: id, section, kind, text and stance, in order."""
        try:
            clauses = assistant.document_clauses(document_id)
        except UnknownDocumentError as exc:
            raise ApiError(404, exc.code, str(exc)) from exc
        return {"document": document_id, "clauses": clauses}

    @app.get("/v1/documents/{document_id}/changes", tags=["policy"])
    def document_changes(
        document_id: str,
        assistant: AssistantDep,
        since: Annotated[str | None, Query(alias="from")] = None,
        until: Annotated[str | None, Query(alias="to")] = None,
    ) -> dict[str, Any]:
        """Clauses added, removed and changed (with stance before and after) between two
        versions of a document: by default the one before the current and the current."""
        try:
            return assistant.document_changes(document_id, since, until)
        except UnknownDocumentError as exc:
            raise ApiError(404, exc.code, str(exc)) from exc
        except InvalidDateError as exc:
            raise ApiError(422, exc.code, str(exc)) from exc
