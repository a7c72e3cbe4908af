"""Mentions and direct messages, delivered as signed Events API callbacks to a real server:
threaded Block Kit replies, follow-ups in a thread, retries answered once, bots ignored, the
3-second acknowledgement and polite errors."""

from __future__ import annotations

import json
import time

from tests.slack.conftest import MISCONFIGURED_CHANNEL, SCOPED_CHANNEL, SlackBot
from tests.slack.fake_slack import BOT_ID, BOT_USER, Call


def mention(bot: SlackBot, channel: str, user: str, text: str, **fields: str) -> str:
    """Deliver an @mention; returns its ts."""
    ts = bot.slack.next_ts()
    event = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER}> {text}"}
    response = bot.client.event({**event, "ts": ts, "channel": channel, **fields})
    assert response.status_code == 200, response.text
    return ts


def direct_message(bot: SlackBot, channel: str, user: str, text: str, **fields: str) -> str:
    """Deliver a direct message to the bot; returns its ts."""
    ts = bot.slack.next_ts()
    event = {"type": "message", "channel_type": "im", "user": user, "text": text}
    response = bot.client.event({**event, "ts": ts, "channel": channel, **fields})
    assert response.status_code == 200, response.text
    return ts


def turn_ref(reply: Call) -> dict[str, object]:
    """The conversation id and turn the reply's 👍 button carries."""
    value: dict[str, object] = json.loads(reply.button("feedback_up")["value"])
    return value


def assert_within_block_kit_limits(reply: Call) -> None:
    blocks = reply.blocks
    assert 0 < len(blocks) <= 50
    for block in blocks:
        texts = [block.get("text", {})] + [e for e in block.get("elements", [])]
        for text in texts:
            if isinstance(text.get("text"), str):
                assert len(text["text"]) <= 3000
    assert reply.body["text"], "a plain-text fallback for notifications"


def test_a_mention_is_answered_in_its_thread_in_block_kit(
    slack_bot: SlackBot, channel: str, user: str
) -> None:
    ts = mention(slack_bot, channel, user, "Is Istio supported?")

    [reply] = slack_bot.slack.wait_for("chat.postMessage", channel=channel)
    assert reply.body["thread_ts"] == ts
    assert reply.block("verdict")["text"]["text"] == "⛔ *Not supported*"
    assert reply.body["text"].startswith("⛔ Not supported: ")
    answer = reply.blocks[reply.blocks.index(reply.block("verdict")) + 1]["text"]["text"]
    assert "Istio" in answer
    assert any(line.startswith(">") and "Istio" in line for line in answer.splitlines())
    assert "|[1]>" in answer, "citation markers link to the source"
    citation = reply.block("citation_1")
    assert citation["type"] == "context"
    assert citation["elements"][0]["text"].startswith(
        "*[1]* <https://learn.microsoft.com/azure/aks/support-policies#unsupported-scenarios|"
        "AKS support coverage &gt; Unsupported scenarios> (2026-08-27)"
    )
    assert reply.button("feedback_up")["text"]["text"].startswith("👍")
    assert reply.button("feedback_down")["text"]["text"].startswith("👎")
    assert turn_ref(reply)["t"] == 1
    assert_within_block_kit_limits(reply)


def test_a_follow_up_in_the_thread_continues_the_conversation(
    slack_bot: SlackBot, channel: str, user: str
) -> None:
    root = mention(slack_bot, channel, user, "Is Istio supported?")
    slack_bot.slack.wait_for("chat.postMessage", channel=channel)

    mention(slack_bot, channel, user, "what about Kured?", thread_ts=root)

    first, second = slack_bot.slack.wait_for("chat.postMessage", count=2, channel=channel)
    assert second.body["thread_ts"] == root
    assert "Answering: _Is Kured supported?_" in second.block("resolved")["elements"][0]["text"]
    # the current policy no longer names Kured: the answer notes that it was removed
    assert second.block("verdict")["text"]["text"] == "❔ *Policy doesn't say*"
    assert "Removed on 2026-08-27" in second.block_text
    assert turn_ref(second) == {"c": turn_ref(first)["c"], "t": 2}
    store = slack_bot.store()
    try:
        conversation = store.get(str(turn_ref(first)["c"]))
    finally:
        store.close()
    assert conversation is not None
    assert [t.resolved_question for t in conversation.turns] == [
        "Is Istio supported?",
        "Is Kured supported?",
    ]


def test_a_new_mention_starts_a_new_conversation(
    slack_bot: SlackBot, channel: str, user: str
) -> None:
    mention(slack_bot, channel, user, "Is Istio supported?")
    slack_bot.slack.wait_for("chat.postMessage", channel=channel)
    mention(slack_bot, channel, user, "Who reboots nodes after OS patches?")
    first, second = slack_bot.slack.wait_for("chat.postMessage", count=2, channel=channel)
    assert first.body["thread_ts"] != second.body["thread_ts"]
    assert turn_ref(first)["c"] != turn_ref(second)["c"]
    assert second.block("verdict")["text"]["text"] == "👤 *Customer's responsibility*"


def test_direct_messages_are_answered_where_they_are_written(
    slack_bot: SlackBot, user: str
) -> None:
    dm = "D" + user[1:]
    direct_message(slack_bot, dm, user, "Is Istio supported?")
    [first] = slack_bot.slack.wait_for("chat.postMessage", channel=dm)
    assert "thread_ts" not in first.body, "top-level messages get top-level replies"
    assert first.block("verdict")["text"]["text"] == "⛔ *Not supported*"

    direct_message(slack_bot, dm, user, "what about Kured?")
    _, second = slack_bot.slack.wait_for("chat.postMessage", count=2, channel=dm)
    assert turn_ref(second) == {"c": turn_ref(first)["c"], "t": 2}
    assert second.block("verdict")["text"]["text"] == "❔ *Policy doesn't say*"

    root = direct_message(slack_bot, dm, user, "hello")
    direct_message(slack_bot, dm, user, "Is Istio supported?", thread_ts=root)
    replies = slack_bot.slack.wait_for("chat.postMessage", count=4, channel=dm)[2:]
    # the greeting's reply and the threaded answer are handled concurrently: either may land first
    [greeting] = [r for r in replies if "thread_ts" not in r.body]
    [in_thread] = [r for r in replies if "thread_ts" in r.body]
    assert "verdict" not in {b.get("block_id") for b in greeting.blocks}
    assert in_thread.body["thread_ts"] == root
    assert turn_ref(in_thread)["t"] == 1, "a thread in a DM is a conversation of its own"


def test_a_redelivered_event_gets_one_reply(slack_bot: SlackBot, channel: str, user: str) -> None:
    event = {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER}> Is Istio supported?",
        "ts": slack_bot.slack.next_ts(),
        "channel": channel,
    }
    event_id = slack_bot.client.new_event_id()
    first = slack_bot.client.event(event, event_id=event_id)
    retries = [slack_bot.client.event(event, event_id=event_id, retry=n) for n in (1, 2)]

    assert first.status_code == 200
    assert [r.status_code for r in retries] == [200, 200]
    assert all(r.headers.get("x-slack-no-retry") == "1" for r in retries)
    slack_bot.slack.wait_for("chat.postMessage", channel=channel)
    time.sleep(1.5)  # a second reply, were there one, would have been posted by now
    assert len(slack_bot.slack.find("chat.postMessage", channel=channel)) == 1


def test_a_redelivery_racing_the_first_delivery_gets_no_reply(
    slack_bot: SlackBot, channel: str, user: str
) -> None:
    slack_bot.slack.delays[channel] = 2.0  # the first answer is still being posted
    event = {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER}> Is Istio supported?",
        "ts": slack_bot.slack.next_ts(),
        "channel": channel,
    }
    event_id = slack_bot.client.new_event_id()
    assert slack_bot.client.event(event, event_id=event_id).status_code == 200
    assert slack_bot.client.event(event, event_id=event_id, retry=1).status_code == 200
    slack_bot.slack.wait_for("chat.postMessage", channel=channel)
    time.sleep(1.5)
    assert len(slack_bot.slack.find("chat.postMessage", channel=channel)) == 1


def test_the_bots_own_messages_and_other_bots_are_ignored(slack_bot: SlackBot, user: str) -> None:
    dm = "D" + user[1:]
    ignored = [
        # the bot's own reply, echoed back as a message event
        {"type": "message", "channel_type": "im", "user": BOT_USER, "bot_id": BOT_ID},
        # another bot
        {"type": "message", "channel_type": "im", "subtype": "bot_message", "bot_id": "B0OTHER"},
        {"type": "message", "channel_type": "im", "user": "U0OTHER", "bot_id": "B0OTHER"},
        # an edit
        {"type": "message", "channel_type": "im", "subtype": "message_changed"},
    ]
    for event in ignored:
        ts = slack_bot.slack.next_ts()
        response = slack_bot.client.event(
            {**event, "text": "Is Istio supported?", "ts": ts, "channel": dm}
        )
        assert response.status_code == 200, response.text
    bot_mention = {
        "type": "app_mention",
        "user": "U0OTHER",
        "bot_id": "B0OTHER",
        "text": f"<@{BOT_USER}> Is Istio supported?",
        "ts": slack_bot.slack.next_ts(),
        "channel": "C" + user[1:],
    }
    assert slack_bot.client.event(bot_mention).status_code == 200

    direct_message(slack_bot, dm, user, "Is Kured supported?")
    [reply] = slack_bot.slack.wait_for("chat.postMessage", channel=dm)
    time.sleep(1.0)
    assert len(slack_bot.slack.find("chat.postMessage", channel=dm)) == 1
    assert "Kured" in reply.block_text
    assert not slack_bot.slack.find("chat.postMessage", channel="C" + user[1:])


def test_events_are_acknowledged_within_three_seconds_while_answering_takes_longer(
    slack_bot: SlackBot, channel: str, user: str
) -> None:
    slack_bot.slack.delays[channel] = 4.0  # Slack is slow to take the answer
    started = time.monotonic()
    ts = mention(slack_bot, channel, user, "Is Istio supported?")
    acknowledged = time.monotonic() - started

    [reply] = slack_bot.slack.wait_for("chat.postMessage", channel=channel)
    answered = reply.at - started
    assert acknowledged < 1.0, f"acknowledged after {acknowledged:.2f}s"
    assert answered > 3.5, f"answered after {answered:.2f}s"
    assert reply.body["thread_ts"] == ts


def test_a_question_that_cannot_be_answered_gets_a_polite_reply(
    slack_bot: SlackBot, channel: str, user: str
) -> None:
    ts = mention(slack_bot, channel, user, "is Istio supported? " * 200)  # too long
    [reply] = slack_bot.slack.wait_for("chat.postMessage", channel=channel)
    assert reply.body["thread_ts"] == ts
    assert reply.body["text"].startswith("Sorry, I can't answer that as asked: ")
    assert "rephrase" in reply.block_text
    server_log = (slack_bot.data_dir.parent / "server.log").read_text(encoding="utf-8")
    assert "is Istio supported? is Istio" not in server_log  # no question text in the logs


def test_a_bare_mention_gets_usage_help(slack_bot: SlackBot, channel: str, user: str) -> None:
    mention(slack_bot, channel, user, "")
    [reply] = slack_bot.slack.wait_for("chat.postMessage", channel=channel)
    assert "/policy Is Istio supported?" in reply.body["text"]


def test_url_verification_echoes_the_challenge(slack_bot: SlackBot) -> None:
    body = json.dumps({"type": "url_verification", "token": "x", "challenge": "c-123"})
    response = slack_bot.client.post("/slack/events", body.encode(), "application/json")
    assert response.status_code == 200
    assert response.json() == {"challenge": "c-123"}


def test_a_channel_set_to_some_documents_answers_from_them_only(
    slack_bot: SlackBot, user: str
) -> None:
    mention(slack_bot, SCOPED_CHANNEL, user, "Is Istio supported?")
    [reply] = slack_bot.slack.wait_for("chat.postMessage", channel=SCOPED_CHANNEL)
    assert reply.block("verdict")["text"]["text"] == "⛔ *Not supported*"

    # a channel set to a document the policy lacks says so, politely, instead of answering
    mention(slack_bot, MISCONFIGURED_CHANNEL, user, "Is Istio supported?")
    [refused] = slack_bot.slack.wait_for("chat.postMessage", channel=MISCONFIGURED_CHANNEL)
    assert refused.body["text"].startswith("Sorry, this channel is set to answer from a policy")
    assert "ASSISTANT_SLACK_CHANNEL_DOCUMENTS" in refused.body["text"]
