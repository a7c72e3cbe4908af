"""Requests without a valid Slack signature, or signed more than five minutes ago, are refused
with 401 before any work: nothing is answered and nothing is posted."""

from __future__ import annotations

import json
import time
import urllib.parse
from typing import Any

import pytest

from tests.slack.conftest import SlackBot
from tests.slack.fake_slack import BOT_USER, SIGNING_SECRET, signature


def mention_body(channel: str, user: str) -> bytes:
    event = {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER}> Is Istio supported?",
        "ts": f"{time.time():.6f}",
        "channel": channel,
    }
    envelope = {
        "type": "event_callback",
        "team_id": "T0TEST",
        "event": event,
        "event_id": f"Ev{time.time_ns()}",
        "event_time": int(time.time()),
    }
    return json.dumps(envelope).encode()


@pytest.mark.parametrize(
    "how",
    [
        {"secret": "not-the-signing-secret"},
        {"age": 5 * 60 + 30},  # a replay of an old request
        {"age": -(5 * 60 + 30)},
        {"signed": False},
    ],
    ids=["wrong-secret", "stale-timestamp", "future-timestamp", "unsigned"],
)
def test_unverified_events_are_refused_and_not_answered(
    slack_bot: SlackBot, channel: str, user: str, how: dict[str, Any]
) -> None:
    if "age" in how:
        how = {"timestamp": time.time() - how["age"]}
    response = slack_bot.client.post(
        "/slack/events", mention_body(channel, user), "application/json", **how
    )
    assert response.status_code == 401
    time.sleep(1.0)
    assert not slack_bot.slack.find("chat.postMessage", channel=channel)


def test_a_tampered_body_is_refused(slack_bot: SlackBot, channel: str, user: str) -> None:
    body = mention_body(channel, user)
    timestamp = str(int(time.time()))
    headers = {
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": signature(SIGNING_SECRET, timestamp, body),
    }
    tampered = body.replace(b"Istio", b"Envoy")
    response = slack_bot.client.post(
        "/slack/events", tampered, "application/json", headers=headers, signed=False
    )
    assert response.status_code == 401
    time.sleep(1.0)
    assert not slack_bot.slack.find("chat.postMessage", channel=channel)


def test_unverified_commands_and_clicks_are_refused(
    slack_bot: SlackBot, channel: str, user: str
) -> None:
    url = slack_bot.slack.response_url(f"{channel}-forged")
    command = slack_bot.client.command(
        "Is Istio supported?", channel=channel, user=user, response_url=url, secret="forged"
    )
    click = {
        "type": "block_actions",
        "user": {"id": user},
        "team": {"id": "T0TEST"},
        "channel": {"id": channel},
        "container": {"type": "message", "channel_id": channel, "is_ephemeral": True},
        "response_url": url,
        "actions": [{"action_id": "feedback_up", "value": '{"c":"x","t":1}'}],
    }
    body = urllib.parse.urlencode({"payload": json.dumps(click)}).encode()
    stale = slack_bot.client.post(
        "/slack/actions",
        body,
        "application/x-www-form-urlencoded",
        timestamp=time.time() - 301,
    )
    assert command.status_code == 401
    assert stale.status_code == 401
    time.sleep(1.0)
    assert not slack_bot.slack.find("response_url", path=f"/response/{channel}-forged")


@pytest.mark.parametrize("path", ["/slack/events", "/slack/commands", "/slack/actions"])
@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"{not json", "application/json"), (b"\xff\xfe\x00", "application/json"),
     (b"payload=%7Bnot-json", "application/x-www-form-urlencoded")],
)  # fmt: skip
def test_unsigned_garbage_is_refused_before_it_is_parsed(
    slack_bot: SlackBot, path: str, body: bytes, content_type: str
) -> None:
    logged = slack_bot.server.log.stat().st_size
    response = slack_bot.client.post(path, body, content_type, signed=False)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_signature"
    # no traceback: the access-log line at most (and any other test's late line)
    added = slack_bot.server.log.read_bytes()[logged:]
    assert b"Traceback" not in added and added.count(b"\n") <= 3
