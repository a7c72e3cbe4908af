"""Buttons: 👍 and 👎 (with its optional comment dialog) reach the store; suggestions ask the
follow-up in the thread."""

from __future__ import annotations

import json
import time
from typing import Any

from tests.slack.conftest import SlackBot
from tests.slack.fake_slack import BOT_USER, TEAM, Call, message_from, wait_until


def answered_mention(bot: SlackBot, channel: str, user: str, question: str) -> tuple[str, Call]:
    """Mention the bot with a question; the thread ts and the bot's reply."""
    ts = bot.slack.next_ts()
    event = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER}> {question}"}
    assert bot.client.event({**event, "ts": ts, "channel": channel}).status_code == 200
    [reply] = bot.slack.wait_for("chat.postMessage", channel=channel)
    return ts, reply


def ratings(bot: SlackBot, conversation_id: str) -> list[tuple[int, str, str | None]]:
    store = bot.store()
    try:
        return [
            (f.turn, f.rating, f.comment)
            for f in store.feedback()
            if f.conversation_id == conversation_id
        ]
    finally:
        store.close()


def opened_view(bot: SlackBot, ref: dict[str, Any]) -> dict[str, Any]:
    """The dialog the bot opened (views.open) for rating this turn."""

    def found() -> list[dict[str, Any]]:
        views = [c.body["view"] for c in bot.slack.find("views.open")]
        return [v for v in views if json.loads(v["private_metadata"]) == ref]

    wait_until(lambda: bool(found()))
    [view] = found()
    return view


def view_payload(kind: str, view: dict[str, Any], user: str, comment: str | None) -> dict[str, Any]:
    """A view_submission or view_closed payload for the dialog the bot opened."""
    values = {"comment": {"comment": {"type": "plain_text_input", "value": comment}}}
    return {
        "type": kind,
        "team": {"id": TEAM, "domain": "test"},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A0TEST",
        "token": "legacy",
        "view": {**view, "id": "V0TEST", "state": {"values": values}},
    }


def test_thumbs_up_is_recorded(slack_bot: SlackBot, channel: str, user: str) -> None:
    _, reply = answered_mention(slack_bot, channel, user, "Is Istio supported?")
    ref = json.loads(reply.button("feedback_up")["value"])
    url = slack_bot.slack.response_url(f"{channel}-up")

    response = slack_bot.client.click(
        reply.button("feedback_up"),
        user=user,
        channel=channel,
        message=message_from(reply),
        response_url=url,
    )

    assert response.status_code == 200
    [thanks] = slack_bot.slack.wait_for("response_url", path=f"/response/{channel}-up")
    assert thanks.body["response_type"] == "ephemeral"
    assert thanks.body["text"] == "Thanks for the feedback!"
    assert ratings(slack_bot, ref["c"]) == [(1, "up", None)]


def test_thumbs_down_asks_for_a_comment_and_records_it(
    slack_bot: SlackBot, channel: str, user: str
) -> None:
    _, reply = answered_mention(slack_bot, channel, user, "Is Istio supported?")
    ref = json.loads(reply.button("feedback_down")["value"])
    response = slack_bot.client.click(
        reply.button("feedback_down"),
        user=user,
        channel=channel,
        message=message_from(reply),
        response_url=slack_bot.slack.response_url(f"{channel}-down"),
    )
    assert response.status_code == 200

    view = opened_view(slack_bot, ref)
    assert view["callback_id"] == "feedback_comment"
    assert view["notify_on_close"] is True
    assert ratings(slack_bot, ref["c"]) == [], "stored when the dialog is sent or closed"

    comment = "It should mention the service mesh add-on."
    submitted = slack_bot.client.interaction(view_payload("view_submission", view, user, comment))
    assert submitted.status_code == 200
    assert submitted.text == "", "an empty acknowledgement closes the dialog"
    wait_until(lambda: bool(ratings(slack_bot, ref["c"])))
    assert ratings(slack_bot, ref["c"]) == [(1, "down", comment)]


def test_closing_the_comment_dialog_still_records_thumbs_down(
    slack_bot: SlackBot, channel: str, user: str
) -> None:
    _, reply = answered_mention(slack_bot, channel, user, "Is Istio supported?")
    ref = json.loads(reply.button("feedback_down")["value"])
    slack_bot.client.click(
        reply.button("feedback_down"),
        user=user,
        channel=channel,
        message=message_from(reply),
        response_url=slack_bot.slack.response_url(f"{channel}-down"),
    )
    view = opened_view(slack_bot, ref)
    closed = slack_bot.client.interaction(view_payload("view_closed", view, user, None))
    assert closed.status_code == 200
    wait_until(lambda: bool(ratings(slack_bot, ref["c"])))
    assert ratings(slack_bot, ref["c"]) == [(1, "down", None)]


def test_a_suggestion_is_asked_in_the_thread_of_the_same_conversation(
    slack_bot: SlackBot, channel: str, user: str
) -> None:
    root, reply = answered_mention(slack_bot, channel, user, "who patches node OS?")
    suggestion = reply.button("suggest_0")
    asked = json.loads(suggestion["value"])["q"]
    ref = json.loads(reply.button("feedback_up")["value"])

    response = slack_bot.client.click(
        suggestion,
        user=user,
        channel=channel,
        message=message_from(reply),
        response_url=slack_bot.slack.response_url(f"{channel}-suggest"),
        block_id="suggestions",
    )

    assert response.status_code == 200
    _, answer = slack_bot.slack.wait_for("chat.postMessage", count=2, channel=channel)
    assert answer.body["thread_ts"] == root
    assert answer.block("question")["elements"][0]["text"] == f"<@{user}> asked: {asked}"
    assert json.loads(answer.button("feedback_up")["value"]) == {"c": ref["c"], "t": 2}


def test_a_button_on_an_expired_conversation_gets_a_polite_reply(
    slack_bot: SlackBot, channel: str, user: str
) -> None:
    _, reply = answered_mention(slack_bot, channel, user, "Is Istio supported?")
    button = {**reply.button("feedback_up"), "value": json.dumps({"c": "gone", "t": 1})}
    slack_bot.client.click(
        button,
        user=user,
        channel=channel,
        message=message_from(reply),
        response_url=slack_bot.slack.response_url(f"{channel}-gone"),
    )
    [sorry] = slack_bot.slack.wait_for("response_url", path=f"/response/{channel}-gone")
    assert sorry.body["text"] == "That conversation has expired, so I couldn't record your rating."


def test_button_clicks_carrying_a_large_message_are_accepted(
    slack_bot: SlackBot, channel: str, user: str
) -> None:
    # Slack sends the whole message with a click; it can exceed the API's body limit.
    _, reply = answered_mention(slack_bot, channel, user, "who patches node OS?")
    message = message_from(reply)
    message["blocks"] = message["blocks"] * 6  # about 40 blocks, ~30 KB form-encoded
    started = time.monotonic()
    response = slack_bot.client.click(
        reply.button("feedback_up"),
        user=user,
        channel=channel,
        message=message,
        response_url=slack_bot.slack.response_url(f"{channel}-big"),
    )
    assert response.status_code == 200, response.text
    assert time.monotonic() - started < 3
    slack_bot.slack.wait_for("response_url", path=f"/response/{channel}-big")
