"""The Slack adapter: `/policy`, @mentions, direct messages and thread follow-ups, built on
slack_bolt over the shared `Conversations`, mounted into the FastAPI app or run alone.

Every listener acknowledges first (Slack wants an answer within 3 seconds) and answers in a lazy
listener. A Slack thread is one conversation: its key (`slack/{team}/{channel}/{thread_ts}`) maps
to a conversation id in the store. A redelivered event (same `event_id`) is answered once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from slack_bolt import Ack, App, BoltContext, BoltRequest, BoltResponse, Respond
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

from assistant.config import Settings
from assistant.dialogue.conversation import Conversations, Reply
from assistant.dialogue.handoff import handoff_link, notify_handoff
from assistant.dialogue.smalltalk import HANDOFF, UNNAMED_POLICY
from assistant.errors import (
    ConversationNotFoundError,
    InvalidFeedbackError,
    InvalidQuestionError,
    StoreUnavailableError,
    TurnNotFoundError,
    UnknownDocumentError,
)
from assistant.models import Selection
from assistant.slack.blocks import (
    ACTION_FEEDBACK_DOWN,
    ACTION_FEEDBACK_UP,
    ACTION_HANDOFF,
    ACTION_SHARE,
    COMMENT_CALLBACK,
    SUGGEST_PATTERN,
    SlackMessage,
    TurnRef,
    answer_message,
    comment_modal,
    handoff_message,
    modal_comment,
    notice_message,
)
from assistant.storage.seen_events import SeenEvents, open_seen_events

if TYPE_CHECKING:
    from assistant.service import Assistant

log = logging.getLogger(__name__)

COMMAND = "/policy"
ROUTES = ("/slack/events", "/slack/commands", "/slack/actions")
# Button clicks carry the whole message they were on (up to 50 blocks), form-encoded.
MAX_BODY_BYTES = 1_048_576
USAGE = (
    "Ask me about {policy}, for example `/policy {example}` or `@Policy Assistant` and your "
    "question. I answer in the policy's own words."
)

ConversationsSource = Callable[[], Conversations | None]
"""Returns the conversations façade, or None while the assistant is still loading."""


class NotReadyError(Exception):
    """The assistant is still loading (or failed to load)."""


@dataclass(frozen=True)
class Place:
    """Where a reply goes: a channel and a thread (None: the top level of a direct message)."""

    team: str
    channel: str
    thread_ts: str | None

    @property
    def key(self) -> str:
        """The conversation key of this thread (or of the direct message's top level)."""
        return "/".join(["slack", self.team, self.channel, *filter(None, [self.thread_ts])])


def command_key(team: str, channel: str, user: str) -> str:
    """The conversation key of one user's `/policy` questions in one channel (their replies
    are private to them, so they make a thread of their own)."""
    return f"slack/{team}/{channel}/command/{user}"


# A label stops at the next `<` as well as at `>`: an unclosed `<@U|` run is read once.
_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^<>]*)?>")
_CHANNEL = re.compile(r"<#[A-Z0-9]+\|([^<>]*)>")
_SPECIAL = re.compile(r"<![^<>]*>")
_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


def question_from_slack(text: str, bot_user_id: str | None = None) -> str:
    """A Slack message's text as a plain question: the bot's mention removed, other mentions,
    channels and links as their labels, `&amp;`/`&lt;`/`&gt;` unescaped."""
    text = _MENTION.sub(lambda m: "" if m[1] == bot_user_id else f"@{m[1]}", text)
    text = _CHANNEL.sub(lambda m: f"#{m[1]}", text)
    text = _SPECIAL.sub("", text)
    text = _LINK.sub(lambda m: m[2] or m[1], text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


def apology(exc: BaseException) -> str:
    """What the user reads when answering failed: polite, and never silence."""
    if isinstance(exc, NotReadyError):
        return "I'm still starting up. Please ask again in a minute."
    if isinstance(exc, InvalidQuestionError):
        return f"Sorry, I can't answer that as asked: {exc}. Please rephrase it."
    if isinstance(exc, ConversationNotFoundError | TurnNotFoundError):
        return "That conversation has expired. Please ask your question again."
    if isinstance(exc, UnknownDocumentError):
        return (
            "Sorry, this channel is set to answer from a policy I don't have. Please ask the "
            "support team to check its documents (ASSISTANT_SLACK_CHANNEL_DOCUMENTS)."
        )
    if isinstance(exc, StoreUnavailableError):
        return "Sorry, I can't reach my conversation store right now. Please try again shortly."
    return "Sorry, something went wrong while answering. Please try again in a moment."


_EXPECTED = (
    NotReadyError,
    InvalidQuestionError,
    ConversationNotFoundError,
    TurnNotFoundError,
    UnknownDocumentError,  # a channel set to a document the policy lacks
    ValueError,  # a button value that isn't ours
)


def apology_message(exc: Exception, doing: str) -> SlackMessage:
    """Log a failure (a traceback only for the unexpected ones) and say sorry for it."""
    if isinstance(exc, _EXPECTED):
        log.info("%s: %s", doing, exc)
    else:
        log.exception("%s failed", doing)
    return notice_message(apology(exc))


def _team(context: BoltContext) -> str:
    return context.team_id or context.enterprise_id or "-"


class SlackBot:
    """The bot's listeners over one conversations façade; `register` adds them to a Bolt app."""

    def __init__(self, conversations: ConversationsSource, seen: SeenEvents) -> None:
        self.conversations = conversations
        self.seen = seen

    def register(self, bolt: App) -> None:
        """Add the middleware and every listener: ack first, the work in a lazy listener."""
        bolt.use(self.skip_redelivered)
        bolt.command(COMMAND)(ack=self.ack_command, lazy=[self.answer_command])
        bolt.event("app_mention", matchers=[self.from_person])(
            ack=self.ack, lazy=[self.answer_mention]
        )
        bolt.event("message", matchers=[self.is_direct_message, self.from_person])(
            ack=self.ack, lazy=[self.answer_direct_message]
        )
        # Other events (bots, edits, the mention of a bot by a bot) are acknowledged and dropped;
        # an unhandled one would get a 404 and Slack would retry it.
        bolt.event("app_mention")(self.ack)
        bolt.event("message")(self.ack)
        bolt.action(SUGGEST_PATTERN)(ack=self.ack, lazy=[self.answer_suggestion])
        bolt.action(ACTION_FEEDBACK_UP)(ack=self.ack, lazy=[self.record_helpful])
        bolt.action(ACTION_FEEDBACK_DOWN)(ack=self.ack, lazy=[self.ask_for_comment])
        bolt.action(ACTION_SHARE)(ack=self.ack, lazy=[self.share_answer])
        bolt.action(ACTION_HANDOFF)(self.ack)  # a link button: Slack opens the URL itself
        bolt.view_submission(COMMENT_CALLBACK)(ack=self.ack, lazy=[self.record_comment])
        bolt.view_closed(COMMENT_CALLBACK)(ack=self.ack, lazy=[self.record_unhelpful])

    # -- middleware and matchers

    def skip_redelivered(
        self, body: dict[str, Any], req: BoltRequest, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        """Answer a redelivered event (an `event_id` already claimed) with 200 and no work."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and not self.seen.claim(event_id):
            retry = req.headers.get("x-slack-retry-num", ["0"])[0]
            log.info("event %s already handled; skipping delivery (retry %s)", event_id, retry)
            return BoltResponse(status=200, body="", headers={"x-slack-no-retry": "1"})
        return next()

    @staticmethod
    def from_person(event: dict[str, Any]) -> bool:
        """A person's new message: not from a bot (this one included), not an edit or join."""
        return not event.get("bot_id") and not event.get("subtype")

    @staticmethod
    def is_direct_message(event: dict[str, Any]) -> bool:
        """A message in a direct-message conversation with the bot."""
        return event.get("channel_type") == "im"

    @staticmethod
    def ack(ack: Ack) -> None:
        """Acknowledge at once; the lazy listener does the work."""
        ack()

    def ack_command(self, ack: Ack, command: dict[str, Any]) -> None:
        """Acknowledge `/policy`; without a question, answer with how to use it."""
        if question_from_slack(command.get("text", "")):
            ack()
        else:
            ack(response_type="ephemeral", **notice_message(self.usage()).payload())

    def usage(self) -> str:
        """How to ask, naming the served policy and its first suggested question."""
        conversations = self.conversations()
        talk = conversations.smalltalk if conversations is not None else None
        policy = talk.policy if talk else UNNAMED_POLICY
        example = next(iter(talk.suggestions if talk else ()), "<your question>")
        return USAGE.format(policy=policy, example=example)

    # -- answering

    def _ready(self) -> Conversations:
        conversations = self.conversations()
        if conversations is None:
            raise NotReadyError
        return conversations

    def _ask(
        self, question: str, key: str, channel: str, conversation_id: str | None = None
    ) -> Reply:
        """Answer in the given conversation when it is still live, else in the key's, from the
        documents the channel is limited to (`ASSISTANT_SLACK_CHANNEL_DOCUMENTS`)."""
        conversations = self._ready()
        only = conversations.assistant.settings.slack_channel_documents.get(channel)
        selection = Selection(tuple(only)) if only else None
        if conversation_id is not None:
            try:
                return conversations.ask(question, conversation_id, selection)
            except ConversationNotFoundError:
                pass
        return conversations.ask_by_key(key, question, selection)

    def _handoff(self, conversation_id: str, reason: str) -> str | None:
        """The handoff URL for a conversation (None when none is configured), with the
        transcript sent to the webhook when one is."""
        conversations = self._ready()
        settings = conversations.assistant.settings
        link = handoff_link(settings, conversation_id, settings.public_url or "")
        if settings.handoff_webhook:
            try:
                transcript = conversations.transcript(conversation_id)
            except ConversationNotFoundError:
                return link.url if link else None
            notify_handoff(settings, transcript, reason, link)
        return link.url if link else None

    def _reply_message(self, reply: Reply, **options: Any) -> SlackMessage:
        """An answer as a message, with the handoff link button on handoff turns."""
        handoff_url = None
        if reply.answer.kind == HANDOFF:
            handoff_url = self._handoff(reply.conversation_id, HANDOFF)
        return answer_message(
            reply.answer, reply.conversation_id, reply.turn.turn, handoff_url=handoff_url, **options
        )

    def _private_answer(
        self,
        question: str,
        key: str,
        channel: str,
        what: str,
        conversation_id: str | None = None,
    ) -> SlackMessage:
        """The answer shown only to the asker (with "Share in channel"), or an apology."""
        try:
            reply = self._ask(question, key, channel, conversation_id)
            return self._reply_message(reply, show_question=True, shareable=True)
        except Exception as exc:
            return apology_message(exc, f"answering {what}")  # question text is never logged

    def _post(self, client: WebClient, place: Place, message: SlackMessage) -> None:
        try:
            client.chat_postMessage(
                channel=place.channel, thread_ts=place.thread_ts, **message.payload()
            )
        except SlackApiError as exc:
            log.error("chat.postMessage to %s failed: %s", place.channel, exc.response.get("error"))

    def _answer_in(
        self,
        client: WebClient,
        place: Place,
        question: str,
        conversation_id: str | None = None,
        asked_by: str | None = None,
    ) -> None:
        """Answer a question in a thread (or a direct message), politely when it fails."""
        if not question:
            self._post(client, place, notice_message(self.usage()))
            return
        try:
            reply = self._ask(question, place.key, place.channel, conversation_id)
            message = self._reply_message(reply, shared_by=asked_by)
        except Exception as exc:
            message = apology_message(exc, f"answering in {place.key}")  # no question text
        self._post(client, place, message)

    def answer_mention(
        self, event: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        """Answer an @mention in the thread it started (or the thread it was made in)."""
        if str(event.get("channel", "")).startswith("D"):
            return  # a mention in a direct message also arrives as the message itself
        place = Place(_team(context), event["channel"], event.get("thread_ts") or event["ts"])
        self._answer_in(
            client, place, question_from_slack(event.get("text", ""), context.bot_user_id)
        )

    def answer_direct_message(
        self, event: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        """Answer a direct message where it was written: at the top level or in its thread."""
        place = Place(_team(context), event["channel"], event.get("thread_ts"))
        self._answer_in(
            client, place, question_from_slack(event.get("text", ""), context.bot_user_id)
        )

    def answer_command(
        self, command: dict[str, Any], context: BoltContext, respond: Respond
    ) -> None:
        """Answer `/policy <question>` privately (ephemeral), with a "Share in channel" button."""
        question = question_from_slack(command.get("text", ""), context.bot_user_id)
        if not question:
            return  # the acknowledgement already showed how to use the command
        channel = command["channel_id"]
        key = command_key(_team(context), channel, command["user_id"])
        message = self._private_answer(question, key, channel, "/policy")
        respond(response_type="ephemeral", **message.payload())

    # -- buttons and the comment dialog

    def answer_suggestion(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        context: BoltContext,
        client: WebClient,
        respond: Respond,
    ) -> None:
        """Ask a suggested follow-up where its message is: privately for a `/policy` answer,
        else in the message's thread."""
        user = body["user"]["id"]
        try:
            ref = TurnRef.decode(action["value"])
        except ValueError:
            log.warning("suggestion button with a foreign value: %r", action.get("value"))
            respond(response_type="ephemeral", replace_original=False, **_sorry())
            return
        question = ref.question or ""
        container = body.get("container", {})
        channel = container.get("channel_id") or body["channel"]["id"]
        if container.get("is_ephemeral") or "message" not in body:
            key = command_key(_team(context), channel, user)
            message = self._private_answer(
                question, key, channel, "suggestion", ref.conversation_id
            )
            respond(response_type="ephemeral", replace_original=False, **message.payload())
            return
        posted = body["message"]
        thread_ts = posted.get("thread_ts")
        if thread_ts is None and not channel.startswith("D"):
            thread_ts = posted["ts"]  # a shared answer at the top level of a channel
        place = Place(_team(context), channel, thread_ts)
        self._answer_in(client, place, question, ref.conversation_id, asked_by=user)

    def _record(self, ref: TurnRef, rating: str, comment: str | None = None) -> str:
        """Store a rating; the text to thank (or apologise to) the user with."""
        try:
            self._ready().record_feedback(ref.conversation_id, ref.turn, rating, comment)
        except (ConversationNotFoundError, TurnNotFoundError):
            return "That conversation has expired, so I couldn't record your rating."
        except InvalidFeedbackError as exc:
            return f"Sorry, I couldn't record that: {exc}."
        except Exception as exc:
            doing = f"recording feedback on {ref.conversation_id} turn {ref.turn}"
            return apology_message(exc, doing).text
        return "Thanks for the feedback!"

    def record_helpful(self, action: dict[str, Any], respond: Respond) -> None:
        """👍: store the rating and thank the user privately."""
        try:
            text = self._record(TurnRef.decode(action["value"]), "up")
        except ValueError:
            text = apology(ValueError())
        respond(response_type="ephemeral", replace_original=False, **notice_message(text).payload())

    def ask_for_comment(
        self, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        """👎: open a dialog for an optional comment (the rating is stored when it is sent or
        closed); when the dialog can't open, store the rating at once."""
        try:
            ref = TurnRef.decode(action["value"])
        except ValueError:
            respond(response_type="ephemeral", replace_original=False, **_sorry())
            return
        try:
            client.views_open(trigger_id=body["trigger_id"], view=comment_modal(ref))
            text = None
        except SlackApiError as exc:
            log.warning(
                "views.open failed (%s); storing the rating without a comment",
                exc.response.get("error"),
            )
            text = self._record(ref, "down")
        url = self._handoff_offer(ref)
        if url is not None:
            message = handoff_message((text or "Sorry that didn't help.") + HANDOFF_TEXT, url)
        elif text is None:
            return
        else:
            message = notice_message(text)
        respond(response_type="ephemeral", replace_original=False, **message.payload())

    def _handoff_offer(self, ref: TurnRef) -> str | None:
        """The handoff URL a thumbs-down offers (None when none is configured or it failed)."""
        try:
            return self._handoff(ref.conversation_id, "rated_down")
        except Exception as exc:
            log.warning("no handoff link for a thumbs-down: %s", type(exc).__name__)
            return None

    def record_comment(self, view: dict[str, Any]) -> None:
        """The comment dialog was sent: store 👎 with its comment."""
        self._record_from_view(view, modal_comment(view))

    def record_unhelpful(self, view: dict[str, Any]) -> None:
        """The comment dialog was closed: store 👎 without a comment."""
        self._record_from_view(view, None)

    def _record_from_view(self, view: dict[str, Any], comment: str | None) -> None:
        try:
            ref = TurnRef.decode(view.get("private_metadata", ""))
        except ValueError:
            log.warning("comment dialog without a turn reference")
            return
        text = self._record(ref, "down", comment)
        if not text.startswith("Thanks"):
            log.warning("rating from the comment dialog not stored: %s", text)

    def share_answer(self, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        """Post a private `/policy` answer in the channel, then remove the private copy."""
        try:
            ref = TurnRef.decode(action["value"])
            turns = self._ready().transcript(ref.conversation_id, ref.turn - 1, 1).turns
            if ref.turn < 1 or not turns:
                raise TurnNotFoundError(f"no turn {ref.turn}")
            turn = turns[0]
            message = answer_message(
                turn.answer, ref.conversation_id, ref.turn, shared_by=body["user"]["id"]
            )
        except Exception as exc:
            notice = apology_message(exc, "sharing an answer")
            respond(response_type="ephemeral", replace_original=False, **notice.payload())
            return
        respond(response_type="in_channel", replace_original=False, **message.payload())
        respond(delete_original=True)


HANDOFF_TEXT = " You can continue with a person from the support team:"


def _sorry() -> dict[str, Any]:
    return notice_message(apology(ValueError())).payload()


def build_bolt_app(
    settings: Settings, conversations: ConversationsSource, seen: SeenEvents | None = None
) -> App:
    """The Bolt app with every listener; it calls the Web API at `slack_api_url` (or Slack's)."""
    if not (settings.slack_bot_token and settings.slack_signing_secret):
        raise ValueError("SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET must both be set")
    bolt = App(
        token=settings.slack_bot_token.get_secret_value(),
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        # auth.test runs on the first request instead of at start-up, so the service starts
        # (and its HTTP API works) while Slack is unreachable
        token_verification_enabled=False,
        # the acknowledgement runs in the request's own thread, so it never waits behind
        # answers being worked on in the listener pool; lazy listeners still answer after it
        process_before_response=True,
    )
    if settings.slack_api_url:
        bolt.client.base_url = settings.slack_api_url  # each request's client copies it
    SlackBot(conversations, seen or open_seen_events(settings)).register(bolt)
    return bolt


def slack_router(bolt: App, signing_secret: str) -> APIRouter:
    """`POST /slack/events`, `/slack/commands` and `/slack/actions`: the signature is checked
    first (401 before the body is even parsed), then the request is dispatched to Bolt."""
    router = APIRouter(tags=["slack"])
    verifier = SignatureVerifier(signing_secret)

    async def dispatch(request: Request) -> Response:
        body = await _read_body(request, MAX_BODY_BYTES)
        if body is None:
            return Response("request body too large", status_code=413)
        if not verifier.is_valid_request(body, dict(request.headers)):
            return JSONResponse(
                {"error": {"code": "invalid_signature", "message": "invalid Slack signature"}},
                status_code=401,
            )
        # Bolt's dispatch blocks (the store claim, waiting for ack()): keep it off the event loop.
        bolt_response = await anyio.to_thread.run_sync(
            bolt.dispatch, to_bolt_request(request, body)
        )
        return to_starlette_response(bolt_response)

    for path in ROUTES:
        router.add_api_route(path, dispatch, methods=["POST"], include_in_schema=False)
    return router


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The request body, or None when it is (declared or streamed) over `limit` bytes."""
    declared = request.headers.get("content-length", "0")
    if not declared.isdigit() or int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def run_socket_mode(settings: Settings, assistant: Assistant) -> None:
    """Serve the bot over Socket Mode (`SLACK_APP_TOKEN`): no public URL needed."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from assistant.storage.stores import open_store

    if not settings.slack_app_token:
        raise ValueError("SLACK_APP_TOKEN must be set for Socket Mode")
    store = open_store(settings)
    try:
        conversations = Conversations(assistant, store)
        bolt = build_bolt_app(settings, lambda: conversations)
        SocketModeHandler(bolt, settings.slack_app_token.get_secret_value()).start()
    finally:
        store.close()
