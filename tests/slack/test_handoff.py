"""Handoff from Slack: a request for a person and a 👎 offer a link button to the configured
`ASSISTANT_HANDOFF_URL`, filled in with the conversation id and the staff transcript link."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import ROOT
from tests.servers import running_api
from tests.slack.conftest import SlackBot
from tests.slack.fake_slack import (
    BOT_USER,
    SIGNING_SECRET,
    Call,
    FakeSlack,
    SlackClient,
    message_from,
)

HANDOFF_URL = "https://support.example.com/new?conversation={conversation_id}&t={transcript_url}"
PUBLIC_URL = "https://assistant.example.com"


@pytest.fixture(scope="module")
def handoff_bot(
    server_env: dict[str, str], fake_slack: FakeSlack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SlackBot]:
    """The Slack bot with a handoff URL configured."""
    folder = tmp_path_factory.mktemp("slack-handoff")
    env = {
        **server_env,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_APP_TOKEN": "",
        "ASSISTANT_SLACK_API_URL": fake_slack.api_url,
        "ASSISTANT_DATA_DIR": str(folder / "data"),
        "ASSISTANT_HANDOFF_URL": HANDOFF_URL,
        "ASSISTANT_PUBLIC_URL": PUBLIC_URL,
    }
    with running_api(env, cwd=ROOT, log=folder / "server.log") as server:
        client = SlackClient(server.url)
        try:
            yield SlackBot(server, fake_slack, client, folder / "data")
        finally:
            client.close()


def mention(bot: SlackBot, channel: str, user: str, question: str) -> tuple[Call, str]:
    """Mention the bot; its reply and the reply's conversation id."""
    ts = bot.slack.next_ts()
    event = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER}> {question}"}
    assert bot.client.event({**event, "ts": ts, "channel": channel}).status_code == 200
    [reply] = bot.slack.wait_for("chat.postMessage", channel=channel)
    return reply, str(json.loads(reply.button("feedback_up")["value"])["c"])


def assert_opens_handoff(url: str, conversation_id: str) -> None:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://support.example.com/new"
    query = parse_qs(parts.query)
    assert query["conversation"] == [conversation_id]
    assert query["t"] == [f"{PUBLIC_URL}/admin/conversations/{conversation_id}"]


def test_asking_for_a_person_offers_a_link_button(
    handoff_bot: SlackBot, channel: str, user: str
) -> None:
    reply, conversation_id = mention(handoff_bot, channel, user, "can I talk to a human please?")
    button = reply.button("handoff")
    assert button["text"]["text"] == "Contact support"
    assert_opens_handoff(button["url"], conversation_id)


def test_a_policy_answer_has_no_handoff_button(
    handoff_bot: SlackBot, channel: str, user: str
) -> None:
    reply, _ = mention(handoff_bot, channel, user, "Is Istio supported?")
    assert "handoff" not in [b["action_id"] for b in reply.block("feedback")["elements"]]


def test_thumbs_down_offers_the_handoff(handoff_bot: SlackBot, channel: str, user: str) -> None:
    reply, conversation_id = mention(handoff_bot, channel, user, "Is Istio supported?")
    url = handoff_bot.slack.response_url(f"{channel}-down")
    response = handoff_bot.client.click(
        reply.button("feedback_down"),
        user=user,
        channel=channel,
        message=message_from(reply),
        response_url=url,
    )
    assert response.status_code == 200
    [offer] = handoff_bot.slack.wait_for("response_url", path=f"/response/{channel}-down")
    assert offer.body["response_type"] == "ephemeral"
    assert "person from the support team" in offer.body["text"]
    assert_opens_handoff(offer.button("handoff")["url"], conversation_id)
