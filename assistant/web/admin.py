"""The support team console at `/admin` (server-rendered pages, a little vanilla JavaScript) and
its JSON API at `/admin/api/...`: review queues, labelling into the training or evaluation set,
dismiss/resolve with an audit trail, an overview, transcripts and deleting conversations."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs, quote

import anyio
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from assistant.config import Settings
from assistant.evaluation.harness import validate_items
from assistant.models import Verdict
from assistant.storage.labels import append_record
from assistant.storage.records import Conversation
from assistant.storage.review import REVIEW_STATES, ReviewStore, open_review_store
from assistant.web.console_auth import (
    CSRF_FIELD,
    CSRF_HEADER,
    ConsoleAuth,
    Session,
    clean_reviewer,
    csrf_ok,
    same_site,
)
from assistant.web.console_models import (
    AuditResponse,
    ClausesResponse,
    ConversationOut,
    ItemDetail,
    ItemsResponse,
    OverviewResponse,
    StateOut,
)
from assistant.web.responses import error_response
from assistant.web.review import (
    QUESTION_TYPES,
    QUEUES,
    ReviewData,
    ReviewItem,
    iso,
    labelled_record,
    overview,
    prune_ratings,
    search_clauses,
)
from assistant.web.state import State

log = logging.getLogger(__name__)
audit_log = logging.getLogger("assistant.audit")

CONSOLE_DIR = Path(__file__).resolve().parent / "console"
CONSOLE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
VERDICTS = tuple(v.value for v in Verdict)
STATE_FILTERS = ("open", "all", *REVIEW_STATES[1:])

templates = Jinja2Templates(
    env=Environment(
        loader=PackageLoader("assistant.web", "templates"), autoescape=select_autoescape()
    )
)


class ConsoleError(Exception):
    """A refusal: JSON for the API, a redirect to sign in or an error page for the console."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class StateRequest(BaseModel):
    """A review state to set on an item."""

    model_config = ConfigDict(extra="forbid")

    state: Literal["open", "dismissed", "resolved"]


class LabelRequest(BaseModel):
    """A reviewer's label for an item: the expected verdict and the clauses that decide it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "expected_verdict": "not_supported",
                    "clause_ids": ["aks-support-policies:aks-support-coverage:3"],
                    "question_type": "scope",
                    "target": "training",
                }
            ]
        },
    )

    expected_verdict: Literal[VERDICTS]  # type: ignore[valid-type]
    clause_ids: list[Annotated[StrictStr, Field(max_length=100)]] = Field(
        default_factory=list, max_length=8, description="Empty with `unknown`: policy doesn't say."
    )
    question_type: Literal[QUESTION_TYPES] = "scope"  # type: ignore[valid-type]
    target: Literal["training", "dev"] = Field(
        "training", description="The training set, or the evaluation set's dev split."
    )


class LabelResponse(BaseModel):
    """Where the label was written, and the record as written."""

    status: Literal["labelled"] = "labelled"
    file: str
    record: dict[str, Any]


class Console:
    """The console's collaborators: settings, sign-in, the app's state and the review store."""

    def __init__(self, settings: Settings, state: State) -> None:
        self.settings, self.state = settings, state
        self.auth = ConsoleAuth(settings)
        self._reviews: ReviewStore | None = None

    @property
    def reviews(self) -> ReviewStore:
        """The review store, opened on first use."""
        if self._reviews is None:
            self._reviews = open_review_store(self.settings)
        return self._reviews

    def close(self) -> None:
        """Close the review store."""
        if self._reviews is not None:
            self._reviews.close()

    def data(self) -> ReviewData:
        """One read of conversations, ratings (past their retention deleted first) and review
        states."""
        prune_ratings(self.settings, self.state.store)
        return ReviewData.read(self.state.store, self.reviews.states())

    def item(self, item_id: str) -> tuple[ReviewItem, ReviewData]:
        """A queue item by id; ConsoleError 404 when it is in no queue."""
        data = self.data()
        for item in data.items(self.settings):
            if item.item_id == item_id:
                return item, data
        raise ConsoleError(404, "item_not_found", f"no review item {item_id!r}")

    def audit(self, action: str, item: str, reviewer: str, detail: str = "") -> None:
        """Log an audit line (never question text)."""
        audit_log.info(
            "console %s",
            action,
            extra={
                "fields": {
                    "event": "audit",
                    "action": action,
                    "item": item,
                    "reviewer": reviewer,
                    "detail": detail,
                }
            },
        )

    def set_state(self, item_id: str, state: str, reviewer: str) -> dict[str, Any]:
        """Dismiss, resolve or reopen an item."""
        self.item(item_id)
        saved = self.reviews.set_state(item_id, state, reviewer)
        self.audit(state, item_id, reviewer)
        return {"item_id": item_id, "state": saved.state, "reviewer": saved.reviewer}

    def label(self, item_id: str, body: LabelRequest, reviewer: str) -> LabelResponse:
        """Append the labelled item to the training set or the dev split; mark it labelled."""
        assistant = self.state.assistant
        if assistant is None:
            raise ConsoleError(503, "not_ready", "the assistant is still loading")
        item, _ = self.item(item_id)
        try:
            record = labelled_record(
                item,
                assistant,
                body.expected_verdict,
                body.clause_ids,
                body.question_type,
                reviewer,
                body.target,
            )
        except ValueError as exc:
            raise ConsoleError(422, "invalid_label", str(exc)) from exc
        path = self.settings.training_file
        if body.target == "dev":
            path = self.settings.eval_file
            problems = validate_items([record], assistant.corpus)
            if problems:
                raise ConsoleError(422, "invalid_label", "; ".join(problems))
        if path is None:
            raise ConsoleError(
                503, "label_file_unwritable", "no training file is configured (training_file)"
            )
        try:
            append_record(path, record)
        except (OSError, TimeoutError) as exc:  # a read-only folder, a lock held too long
            log.error("cannot append a label to %s: %s", path, type(exc).__name__)
            raise ConsoleError(
                503, "label_file_unwritable", f"cannot write to {path}: {type(exc).__name__}"
            ) from exc
        self.reviews.set_state(item_id, "labelled", reviewer, f"{body.target}:{record['id']}")
        self.audit("labelled", item_id, reviewer, f"{body.target}:{record['id']}")
        return LabelResponse(file=str(path), record=record)

    def delete(self, conversation_id: str, reviewer: str) -> None:
        """Delete a conversation, its ratings and its review states."""
        if not self.state.store.delete(conversation_id):
            raise ConsoleError(404, "conversation_not_found", "unknown or expired conversation")
        self.reviews.forget(conversation_id)
        self.reviews.record("deleted", conversation_id, reviewer)
        self.audit("deleted", conversation_id, reviewer)

    def transcript(self, conversation_id: str) -> Conversation:
        """A live conversation; ConsoleError 404 when unknown or expired."""
        conversation = self.state.store.get(conversation_id)
        if conversation is None:
            raise ConsoleError(404, "conversation_not_found", "unknown or expired conversation")
        return conversation

    def retention(self) -> dict[str, Any]:
        """How long conversations and ratings are kept (shown to staff)."""
        hours = self.settings.conversation_ttl_seconds / 3600
        days = self.settings.feedback_retention_days
        ratings = (
            f"kept {days:g} days, then deleted"
            if days is not None
            else "kept until their conversation is deleted from the console or the API"
        )
        return {
            "conversation_hours": round(hours, 2),
            "rating_days": days,
            "conversations": f"kept {hours:g} hours after their last message, then deleted",
            "ratings": ratings,
            "questions_logged": self.settings.log_questions,
        }


def _console(request: Request) -> Console:
    console: Console = request.app.state.console
    return console


def api_session(request: Request) -> Session:
    """The API caller's session (admin key or cookie + CSRF header on writes), else 401/404."""
    console = _console(request)
    if not console.auth.enabled:
        raise ConsoleError(404, "not_found", "Not Found")
    session = console.auth.session(request)
    if session is None:
        raise ConsoleError(401, "missing_admin_key", "sign in or send the admin key as Bearer")
    if request.method not in ("GET", "HEAD") and not csrf_ok(
        session, request, request.headers.get(CSRF_HEADER)
    ):
        raise ConsoleError(403, "csrf_failed", "missing or wrong X-CSRF-Token header")
    return session


def page_session(request: Request) -> Session:
    """The console page's session; 404 without an admin key, a redirect to sign in without
    a session."""
    console = _console(request)
    if not console.auth.enabled:
        raise ConsoleError(404, "not_found", "Not Found")
    session = console.auth.session(request)
    if session is None:
        raise ConsoleError(303, "sign_in", "/admin/login?next=" + quote(request.url.path))
    return session


ApiSession = Annotated[Session, Depends(api_session)]
PageSession = Annotated[Session, Depends(page_session)]
ConsoleDep = Annotated[Console, Depends(_console)]


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    response = templates.TemplateResponse(request, f"admin/{name}", context, status_code=status)
    response.headers["Content-Security-Policy"] = CONSOLE_CSP
    response.headers["Cache-Control"] = "no-store"
    return response


async def _form(request: Request, session: Session) -> dict[str, list[str]]:
    fields = parse_qs((await request.body()).decode("utf-8", "replace"), max_num_fields=50)
    token = _first(fields, CSRF_FIELD)
    if not csrf_ok(session, request, token):
        raise ConsoleError(403, "csrf_failed", "the form expired or came from another site")
    return fields


def _first(fields: dict[str, list[str]], name: str, default: str = "") -> str:
    return (fields.get(name) or [default])[0]


def _safe_next(target: str) -> str:
    return target if target.startswith("/admin") and "//" not in target else "/admin"


api = APIRouter(prefix="/admin/api", tags=["console"])
pages = APIRouter(include_in_schema=False)


@api.get("/items", response_model=ItemsResponse)
def list_items(
    session: ApiSession,
    console: ConsoleDep,
    queue: Annotated[Literal["down", "unknown", "clarification", "low"] | None, Query()] = None,
    state: Annotated[Literal["open", "all", "dismissed", "resolved", "labelled"], Query()] = "open",
) -> dict[str, Any]:
    """Review items, newest first: rated down, abstained, clarifications, low confidence."""
    items = _filter(console.data().items(console.settings), queue, state)
    return {"items": [i.payload() for i in items]}


@api.get("/items/{item_id}", response_model=ItemDetail)
def get_item(item_id: str, session: ApiSession, console: ConsoleDep) -> dict[str, Any]:
    """One item with its whole conversation."""
    item, data = console.item(item_id)
    conversation = data.by_id.get(item.conversation_id)
    return {**item.payload(), "conversation": _turns(conversation)}


@api.post("/items/{item_id}/state", response_model=StateOut)
def set_item_state(
    item_id: str, body: StateRequest, session: ApiSession, console: ConsoleDep
) -> dict[str, Any]:
    """Dismiss, resolve or reopen an item (audited)."""
    return console.set_state(item_id, body.state, session.reviewer)


@api.post("/items/{item_id}/label", status_code=201, response_model=LabelResponse)
def label_item(
    item_id: str, body: LabelRequest, session: ApiSession, console: ConsoleDep
) -> LabelResponse:
    """Append the item, labelled, to the training set (or the evaluation dev split)."""
    return console.label(item_id, body, session.reviewer)


@api.get("/overview", response_model=OverviewResponse)
def get_overview(session: ApiSession, console: ConsoleDep) -> dict[str, Any]:
    """Answers per day, verdict mix, abstention rate, ratings, top unanswered, traffic."""
    return {
        **overview(console.data(), console.state.assistant),
        "retention": console.retention(),
    }


@api.get("/clauses", response_model=ClausesResponse)
def find_clauses(
    session: ApiSession,
    console: ConsoleDep,
    q: Annotated[str, Query(max_length=500)] = "",
) -> dict[str, Any]:
    """Clauses matching a search, for picking the clause(s) that answer an item."""
    assistant = console.state.assistant
    if assistant is None:
        raise ConsoleError(503, "not_ready", "the assistant is still loading")
    return {"clauses": search_clauses(assistant, q)}


@api.get("/conversations/{conversation_id}", response_model=ConversationOut)
def get_conversation(
    conversation_id: str, session: ApiSession, console: ConsoleDep
) -> dict[str, Any]:
    """A conversation's transcript for staff."""
    return {
        "conversation_id": conversation_id,
        "turns": _turns(console.transcript(conversation_id)),
    }


@api.delete("/conversations/{conversation_id}", status_code=204)
def delete_conversation(conversation_id: str, session: ApiSession, console: ConsoleDep) -> Response:
    """Delete a conversation, its ratings and review states (audited)."""
    console.delete(conversation_id, session.reviewer)
    return Response(status_code=204)


@api.get("/audit", response_model=AuditResponse)
def get_audit(
    session: ApiSession,
    console: ConsoleDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """The newest reviewer actions."""
    return {"audit": [{**e.__dict__, "at": iso(e.at)} for e in console.reviews.audit(limit)]}


def _filter(items: list[ReviewItem], queue: str | None, state: str) -> list[ReviewItem]:
    return [
        i
        for i in items
        if (queue is None or queue in i.queues) and (state == "all" or i.state == state)
    ]


def _turns(conversation: Conversation | None) -> list[dict[str, Any]]:
    if conversation is None:
        return []
    return [
        {
            "turn": t.turn,
            "question": t.question,
            "resolved_question": t.resolved_question,
            "kind": t.kind,
            "verdict": t.verdict,
            "confidence": t.confidence,
            "answer": t.answer.answer,
            "created_at": iso(t.created_at),
        }
        for t in conversation.turns
    ]


# ------------------------------------------------------------------ pages


@pages.get("/admin/login")
def login_page(request: Request, console: ConsoleDep, next: str = "/admin") -> Response:
    """The sign-in form."""
    if not console.auth.enabled:
        raise ConsoleError(404, "not_found", "Not Found")
    return _page(request, "login.html", {"next": _safe_next(next), "error": None})


@pages.post("/admin/login")
async def login(request: Request, console: ConsoleDep) -> Response:
    """Check the admin key and set the session cookie."""
    if not console.auth.enabled:
        raise ConsoleError(404, "not_found", "Not Found")
    fields = parse_qs((await request.body()).decode("utf-8", "replace"), max_num_fields=10)
    target = _safe_next(_first(fields, "next", "/admin"))
    reviewer = clean_reviewer(_first(fields, "reviewer"))
    if not same_site(request):
        raise ConsoleError(403, "csrf_failed", "sign in from the console's own page")
    if not reviewer or not console.auth.key_matches(_first(fields, "key")):
        error = "Enter your name and the admin key." if not reviewer else "That key is not valid."
        console.audit("sign_in_failed", "-", reviewer or "-")
        return _page(request, "login.html", {"next": target, "error": error}, status=401)
    response = RedirectResponse(target, status_code=303)
    console.auth.sign_in(response, request, reviewer)
    await anyio.to_thread.run_sync(console.reviews.record, "signed_in", "-", reviewer)
    console.audit("signed_in", "-", reviewer)
    return response


@pages.post("/admin/logout")
async def logout(request: Request, session: PageSession, console: ConsoleDep) -> Response:
    """Clear the session cookie."""
    await _form(request, session)
    response = RedirectResponse("/admin/login", status_code=303)
    console.auth.sign_out(response, request)
    return response


@pages.get("/admin")
def queue_page(
    request: Request,
    session: PageSession,
    console: ConsoleDep,
    queue: str = "down",
    state: str = "open",
) -> Response:
    """A review queue."""
    queue = queue if queue in QUEUES else "down"
    state = state if state in STATE_FILTERS else "open"
    items = console.data().items(console.settings)
    counts = {q: len(_filter(items, q, state)) for q in QUEUES}
    return _page(
        request,
        "queue.html",
        {
            "session": session,
            "queues": QUEUES,
            "queue": queue,
            "state": state,
            "states": STATE_FILTERS,
            "counts": counts,
            "items": _filter(items, queue, state),
            "iso": iso,
            "retention": console.retention(),
        },
    )


@pages.get("/admin/overview")
async def overview_page(request: Request, session: PageSession, console: ConsoleDep) -> Response:
    """Answers per day, verdicts, abstentions, ratings, unanswered questions, traffic."""
    data = await anyio.to_thread.run_sync(console.data)
    stats = await anyio.to_thread.run_sync(overview, data, console.state.assistant)
    peak = max((d["answers"] for d in stats["answers_per_day"]), default=1)
    return _page(
        request,
        "overview.html",
        {"session": session, "stats": stats, "peak": peak, "retention": console.retention()},
    )


@pages.get("/admin/items/{item_id}")
def item_page(
    request: Request, item_id: str, session: PageSession, console: ConsoleDep
) -> Response:
    """One item: its question, answer, conversation, label form and actions."""
    item, data = console.item(item_id)
    return _page(
        request,
        "item.html",
        {
            "session": session,
            "item": item,
            "queues": QUEUES,
            "conversation": data.by_id.get(item.conversation_id),
            "verdicts": VERDICTS,
            "question_types": QUESTION_TYPES,
            "iso": iso,
            "message": request.query_params.get("done"),
            "retention": console.retention(),
        },
    )


@pages.post("/admin/items/{item_id}/state")
async def item_state_form(
    request: Request, item_id: str, session: PageSession, console: ConsoleDep
) -> Response:
    """Dismiss, resolve or reopen an item from its page."""
    fields = await _form(request, session)
    state = _first(fields, "state")
    if state not in ("open", "dismissed", "resolved"):
        raise ConsoleError(422, "invalid_state", f"state: {state!r}")
    await anyio.to_thread.run_sync(console.set_state, item_id, state, session.reviewer)
    return RedirectResponse(f"/admin/items/{quote(item_id)}?done={state}", status_code=303)


@pages.post("/admin/items/{item_id}/label")
async def item_label_form(
    request: Request, item_id: str, session: PageSession, console: ConsoleDep
) -> Response:
    """Label an item from its page."""
    fields = await _form(request, session)
    doesnt_say = _first(fields, "doesnt_say") == "on"
    try:
        body = LabelRequest(
            expected_verdict="unknown" if doesnt_say else _first(fields, "expected_verdict"),
            clause_ids=[] if doesnt_say else fields.get("clause_id", []),
            question_type=_first(fields, "question_type", "scope"),
            target=_first(fields, "target", "training"),
        )
    except ValueError as exc:
        raise ConsoleError(422, "invalid_label", str(exc).splitlines()[0]) from exc
    result = await anyio.to_thread.run_sync(console.label, item_id, body, session.reviewer)
    done = f"labelled:{result.record['id']}"
    return RedirectResponse(f"/admin/items/{quote(item_id)}?done={quote(done)}", status_code=303)


@pages.get("/admin/conversations/{conversation_id}")
def conversation_page(
    request: Request, conversation_id: str, session: PageSession, console: ConsoleDep
) -> Response:
    """A conversation's transcript for staff (the handoff's transcript link)."""
    return _page(
        request,
        "conversation.html",
        {
            "session": session,
            "conversation": console.transcript(conversation_id),
            "iso": iso,
            "retention": console.retention(),
        },
    )


@pages.post("/admin/conversations/{conversation_id}/delete")
async def delete_form(
    request: Request, conversation_id: str, session: PageSession, console: ConsoleDep
) -> Response:
    """Delete a conversation from the console."""
    await _form(request, session)
    await anyio.to_thread.run_sync(console.delete, conversation_id, session.reviewer)
    return RedirectResponse("/admin?done=deleted", status_code=303)


@pages.get("/admin/console.js")
def console_script(console: ConsoleDep) -> FileResponse:
    """The console's script: clause search and confirmations."""
    return _asset(console, "console.js", "text/javascript; charset=utf-8")


@pages.get("/admin/console.css")
def console_stylesheet(console: ConsoleDep) -> FileResponse:
    """The console's stylesheet."""
    return _asset(console, "console.css", "text/css; charset=utf-8")


def _asset(console: Console, name: str, media_type: str) -> FileResponse:
    if not console.auth.enabled:
        raise ConsoleError(404, "not_found", "Not Found")
    return FileResponse(CONSOLE_DIR / name, media_type=media_type)


def add_console(app: FastAPI, settings: Settings, state: State) -> Console:
    """Mount the console and its API; both answer 404 without `ASSISTANT_ADMIN_KEY`."""
    console = app.state.console = Console(settings, state)

    @app.exception_handler(ConsoleError)
    async def refused(request: Request, exc: ConsoleError) -> Response:
        if exc.status == 303:
            return RedirectResponse(exc.message, status_code=303)
        if request.url.path.startswith("/admin/api/") or exc.code == "not_found":
            headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
            return error_response(exc.status, exc.code, exc.message, headers=headers)
        return _page(
            request,
            "error.html",
            {"status": exc.status, "message": exc.message, "session": None},
            status=exc.status,
        )

    app.include_router(api)
    app.include_router(pages)
    return console
