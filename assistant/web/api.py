"""The HTTP API: `create_app(settings)` builds a FastAPI app over one shared `Assistant`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from http import HTTPStatus
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
from assistant.dialogue.handoff import handoff_link, notify_handoff
from assistant.dialogue.smalltalk import HANDOFF
from assistant.errors import (
    AssistantError,
    ClauseNotFoundError,
    ConversationFullError,
    ConversationNotFoundError,
    IndexMismatchError,
    IndexNotFoundError,
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
from assistant.slack.mount import SLACK_PATHS, add_slack
from assistant.storage.records import (
    MAX_COMMENT_CHARS,
    Conversation,
    ConversationStore,
    Turn,
    iso_timestamp,
)
from assistant.storage.stores import open_store
from assistant.web.admin import add_console
from assistant.web.api_docs import add_api_docs
from assistant.web.openapi import add_openapi
from assistant.web.operations import add_access_control, add_operations, record_turn
from assistant.web.review import prune_ratings
from assistant.web.starters import add_starters
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

    question: StrictStr = Field(description="The message, 1 to 2000 characters after trimming.")
    conversation_id: StrictStr | None = Field(
        None, max_length=64, description="Continue this conversation; omit to start one."
    )
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

    n: int = Field(description="The number the answer's [n] markers refer to.")
    clause_id: str = Field(description="Stable id of the clause (see GET /v1/clauses/{id}).")
    document: str = Field(description="Title of the policy document.")
    section: str = Field(description='Section path, headings joined by " > ".')
    text: str = Field(description="The clause, verbatim.")
    score: float = Field(description="Retrieval score (higher is closer); for ordering only.")
    url: str = Field(description="Link to the clause's section in the source document.")
    stance: str = Field(description="What the clause says: supported, not_supported, ….")
    version: str = Field(description="The document version the text is quoted from.")


class ChangeOut(BaseModel):
    """A cited clause that changed: added, changed or removed at `version`."""

    change: str = Field(description="added, changed or removed.")
    clause_id: str = Field(description="The clause's stable id.")
    version: str = Field(description="The version (ISO date) the change took effect.")
    previous_version: str = Field(description="The version before it.")
    previous_text: str = Field(description="What the clause said before; empty when added.")


class TurnOut(BaseModel):
    """One turn: the message, the question answered for it, and the full answer."""

    turn: int = Field(description="1 for the conversation's first turn, then 2, 3, ….")
    kind: str = Field(description="answer, clarification, smalltalk or handoff.")
    question: str = Field(description="The message as sent.")
    resolved_question: str = Field(
        description="The standalone question answered (a follow-up rewritten with its subject)."
    )
    rewritten: bool = Field(
        description="True when resolved_question differs from question in more than case, "
        'spacing and punctuation: show it ("Answering: …").'
    )
    verdict: str = Field(description="supported, not_supported, …, informational or unknown.")
    confidence: float = Field(description="Calibrated confidence in the verdict, 0 to 1.")
    answer: str = Field(description="Plain text with [n] citation markers.")
    answer_markdown: str = Field(description="The answer as Markdown with linked citations.")
    answer_html: str = Field(description="The answer as an escaped HTML fragment.")
    citations: list[CitationOut] = Field(description="The clauses the answer cites, in order.")
    suggestions: list[str] = Field(
        description="Follow-up questions; for a clarification, the readings to choose from."
    )
    as_of: str | None = Field(None, description="The date whose policy versions answered.")
    changes: list[ChangeOut] = Field(
        default_factory=list, description="Cited clauses that changed, with their earlier text."
    )
    provider: str = Field(
        "",
        description="Who provides the support, as the policy names them: the "
        "`microsoft_responsibility` verdict and stance are theirs (\"This is Fabrikam's "
        'responsibility."); empty in fixed replies.',
    )
    created_at: str = Field(description="When the turn was answered (ISO 8601, UTC).")


class HandoffOut(BaseModel):
    """Where the user can continue with a person (`ASSISTANT_HANDOFF_URL`), and the staff-only
    transcript link it carries."""

    url: str
    conversation_id: str
    transcript_url: str


class AskResponse(TurnOut):
    """A grounded answer with its verdict and citations, as a turn of a conversation."""

    conversation_id: str = Field(description="Send it back to continue the conversation.")
    handoff: HandoffOut | None = Field(  # left out of the body unless offered
        None,
        description="Only on handoff turns, when `ASSISTANT_HANDOFF_URL` is set.",
        exclude_if=lambda handoff: handoff is None,
    )


class TranscriptResponse(BaseModel):
    """A page of a conversation's turns, oldest first."""

    conversation_id: str = Field(description="The conversation's id.")
    created_at: str = Field(description="When it started (ISO 8601, UTC).")
    updated_at: str = Field(description="When its last turn was answered (ISO 8601, UTC).")
    turns: list[TurnOut] = Field(description="This page's turns, oldest first.")
    turn_count: int = Field(description="Turns the conversation has in all.")
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null on the last page."
    )


MAX_PAGE_TURNS = 100


class FeedbackRequest(BaseModel):
    """A rating of one turn of a conversation."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"conversation_id": "…", "turn": 1, "rating": "down", "comment": "…"}]
        },
    )

    conversation_id: StrictStr = Field(max_length=64, description="The rated conversation.")
    turn: StrictInt = Field(ge=1, le=1_000_000, description="The rated turn's number.")
    rating: Literal["up", "down"] = Field(description="up (helpful) or down (not helpful).")
    comment: StrictStr | None = Field(
        None,
        max_length=MAX_COMMENT_CHARS,
        description=f"Optional, at most {MAX_COMMENT_CHARS} characters.",
    )


class FeedbackResponse(BaseModel):
    """Where a rating was recorded."""

    status: Literal["recorded"] = Field("recorded", description="Always recorded.")
    feedback_id: str = Field(description="The stored rating's id.")
    handoff: HandoffOut | None = Field(  # left out of the body unless offered
        None,
        description="Only on a thumbs-down, when `ASSISTANT_HANDOFF_URL` is set.",
        exclude_if=lambda handoff: handoff is None,
    )


# The dependencies are coroutines: FastAPI runs a plain function dependency on a worker thread,
# two thread hops (and, under load, a thread each) per question for an attribute lookup.
async def get_state(request: Request) -> State:
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


async def get_assistant(state: Annotated[State, Depends(get_state)]) -> Assistant:
    """The ready assistant, or 503 while it is loading or failed to load."""
    if state.assistant is None:
        raise ApiError(503, "not_ready", state.load_error or "the assistant is still loading")
    return state.assistant


async def get_conversations(state: Annotated[State, Depends(get_state)]) -> Conversations:
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
    ConversationFullError: 409,
    TurnNotFoundError: 404,
    ClauseNotFoundError: 404,
    InvalidQuestionError: 422,
    InvalidFeedbackError: 422,
    StoreUnavailableError: 503,
    UnknownDocumentError: 404,
    NotInForceError: 422,
    InvalidDateError: 422,
}


# What anonymous clients are told when the service cannot answer: never a file path or a
# host:port (the server log has the detail).
STORE_UNAVAILABLE_MESSAGE = "the conversation store is unavailable; try again shortly"


def public_load_error(exc: AssistantError) -> str:
    """Why the assistant is not ready, without the paths the exception names."""
    if isinstance(exc, IndexNotFoundError):
        return "no index has been built; run `assistant index build` to build it"
    if isinstance(exc, IndexMismatchError):
        return "the index does not match the model or corpus; run `assistant index build`"
    return f"the assistant failed to load ({exc.code}); see the server log"


def _turn_fields(turn: Turn) -> dict[str, Any]:
    answer = turn.answer
    return dict(
        turn=turn.turn,
        kind=answer.kind,
        question=answer.question,
        resolved_question=answer.resolved_question,
        rewritten=answer.rewritten,
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
        provider=answer.provider,
        created_at=iso_timestamp(turn.created_at),
    )


def _transcript_response(conversation: Conversation) -> TranscriptResponse:
    last = conversation.turns[-1].turn if conversation.turns else None
    more = last is not None and last < conversation.turn_count
    return TranscriptResponse(
        conversation_id=conversation.conversation_id,
        created_at=iso_timestamp(conversation.created_at),
        updated_at=iso_timestamp(conversation.updated_at),
        turns=[TurnOut(**_turn_fields(t)) for t in conversation.turns],
        turn_count=conversation.turn_count,
        next_after=last if more else None,
    )


def _offer_handoff(
    request: Request, conversations: Conversations, conversation_id: str, reason: str
) -> HandoffOut | None:
    """The handoff link for a conversation, and its transcript sent to the webhook."""
    settings = conversations.settings
    link = handoff_link(settings, conversation_id, str(request.base_url))
    if settings.handoff_webhook:
        notify_handoff(settings, conversations.transcript(conversation_id), reason, link)
    return HandoffOut(**link.payload()) if link else None


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
                state.load_error = public_load_error(exc)
                log.error("assistant not ready: %s", exc)
        yield
        app.state.console.close()
        if owns_store:
            state.store.close()

    app = FastAPI(
        title="Policy Assistant",
        version=__version__,
        description="Answers support-policy questions in the policy's own words, with citations.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.assistant_state = state
    # Slack's button payloads carry the whole message; the Slack routes set their own limit.
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body_bytes, exempt=SLACK_PATHS)
    add_access_control(app, settings)  # inside CORS: the widget can read a 401 or 429
    _add_error_handlers(app)
    _add_routes(app)
    add_console(app, settings, state)
    add_widget(app, settings)
    add_api_docs(app)
    add_starters(app)
    add_slack(app, settings, lambda: state.conversations)
    add_operations(app, settings)  # outermost: ids, logs, metrics and headers on everything
    add_openapi(app, settings)  # after add_operations: prunes the errors it documents
    return app


def _route(request: Request) -> str:
    """The route template a request matched, for logs (its path may hold a conversation id)."""
    return str(getattr(request.scope.get("route"), "path", "unmatched"))


def _lowercase_first(text: str) -> str:
    """Pydantic's "Field required" as "field required", like every other error message."""
    return text[:1].lower() + text[1:]


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message), status_code=exc.status)

    @app.exception_handler(AssistantError)
    async def assistant_error(request: Request, exc: AssistantError) -> JSONResponse:
        status = next((s for t, s in ERROR_STATUS.items() if isinstance(exc, t)), 500)
        message = str(exc)
        if status == 500:
            log.error("unhandled %s on %s: %s", exc.code, _route(request), exc)
        if isinstance(exc, StoreUnavailableError):
            log.warning("%s on %s: %s", exc.code, _route(request), exc)
            message = STORE_UNAVAILABLE_MESSAGE
        return JSONResponse(error_body(exc.code, message), status_code=status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return JSONResponse(error_body("invalid_json", "request body is not valid JSON"), 422)
        details = [
            {
                "field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"),
                "problem": _lowercase_first(str(e["msg"])),
            }
            for e in errors
        ]
        message = "; ".join(f"{d['field'] or 'body'}: {d['problem']}" for d in details)
        return JSONResponse(error_body("invalid_request", message, details=details), 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}
        code = codes.get(exc.status_code, "http_error")
        message = str(exc.detail)
        if message == HTTPStatus(exc.status_code).phrase:  # "Not Found" -> "not found"
            message = message.lower()
        return JSONResponse(error_body(code, message), exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, _route(request))
        return JSONResponse(error_body("internal_error", "the server failed to answer"), 500)


def _add_routes(app: FastAPI) -> None:
    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        """The process is up (answered on the event loop: no wait for a worker thread)."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"])
    def readyz(state: StateDep) -> JSONResponse:
        """The index is loaded, the model is ready to answer and the conversation store
        answers."""
        if state.assistant is None:
            message = state.load_error or "the assistant is still loading"
            return JSONResponse(error_body("not_ready", message), status_code=503)
        try:
            state.store.get("readyz-probe")  # a round trip, as every /v1 request makes
        except StoreUnavailableError as exc:
            log.warning("not ready: %s", exc)
            body = error_body(exc.code, STORE_UNAVAILABLE_MESSAGE)
            return JSONResponse(body, status_code=503)
        manifest = state.assistant.index.manifest
        return JSONResponse(
            {"status": "ready", "model": manifest.model, "clauses": manifest.clause_count}
        )

    # The widget's anonymous surface (WIDGET_PREFIX) serves the same handlers: no key, with its
    # own per-client rate and concurrency limits (add_access_control).
    @app.post(
        "/widget/v1/ask",
        response_model=AskResponse,
        include_in_schema=False,
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
            raise ApiError(422, exc.code, str(exc)) from exc
        except UnknownDocumentError as exc:
            raise ApiError(422, exc.code, f"documents: {exc}") from exc
        except (NotInForceError, InvalidDateError) as exc:
            raise ApiError(422, exc.code, str(exc)) from exc
        record_turn(request.app, reply.conversation_id, reply.turn)
        handoff = None
        if reply.turn.kind == HANDOFF:
            handoff = _offer_handoff(request, conversations, reply.conversation_id, "handoff")
        return AskResponse(
            conversation_id=reply.conversation_id, handoff=handoff, **_turn_fields(reply.turn)
        )

    @app.get(
        "/widget/v1/conversations/{conversation_id}",
        response_model=TranscriptResponse,
        include_in_schema=False,
    )
    @app.get(
        "/v1/conversations/{conversation_id}",
        response_model=TranscriptResponse,
        tags=["conversations"],
    )
    def transcript(
        conversation_id: str,
        conversations: ConversationsDep,
        after: Annotated[int, Query(ge=0, le=2**31, description="Turns numbered above this.")] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE_TURNS, description="Most turns.")] = (
            MAX_PAGE_TURNS
        ),
    ) -> TranscriptResponse:
        """A page of a conversation's transcript: up to `limit` turns numbered above `after`,
        each with its full answer, oldest first; `next_after` continues it."""
        return _transcript_response(conversations.transcript(conversation_id, after, limit))

    @app.delete("/v1/conversations/{conversation_id}", status_code=204, tags=["conversations"])
    def delete_conversation(conversation_id: str, conversations: ConversationsDep) -> Response:
        """Delete a conversation and all feedback on it."""
        conversations.delete(conversation_id)
        return Response(status_code=204)

    @app.post(
        "/widget/v1/feedback",
        status_code=201,
        response_model=FeedbackResponse,
        include_in_schema=False,
    )
    @app.post(
        "/v1/feedback",
        status_code=201,
        response_model=FeedbackResponse,
        tags=["conversations"],
    )
    def feedback(
        body: FeedbackRequest, conversations: ConversationsDep, request: Request
    ) -> FeedbackResponse:
        """Rate a turn up or down, with an optional comment of up to 1000 characters; a
        thumbs-down offers the handoff link when one is configured."""
        recorded = conversations.record_feedback(
            body.conversation_id, body.turn, body.rating, body.comment
        )
        prune_ratings(conversations.settings, conversations.store)
        handoff = None
        if body.rating == "down":
            handoff = _offer_handoff(request, conversations, body.conversation_id, "rated_down")
        return FeedbackResponse(feedback_id=recorded.feedback_id, handoff=handoff)

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
