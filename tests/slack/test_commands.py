"""`/policy <question>`: a quick acknowledgement, the answer privately at the response_url with
a "Share in channel" button, and sharing it publicly."""

from __future__ import annotations

import json
import time

from tests.slack.conftest import SlackBot
from tests.slack.fake_slack import Call


def policy(bot: SlackBot, text: str, channel: str, user: str, name: str) -> Call:
    """Run `/policy text`; returns the answer posted to its response_url."""
    url = bot.slack.response_url(name)
    response = bot.client.command(text, channel=channel, user=user, response_url=url)
    assert response.status_code == 200, response.text
    assert response.text == "", "the acknowledgement itself shows nothing"
    [answer] = bot.slack.wait_for("response_url", path=f"/response/{name}")
    return answer


def test_policy_answers_privately_with_a_share_button(
    slack_bot: SlackBot, channel: str, user: str
) -> None:
    answer = policy(slack_bot, "Is Istio supported?", channel, user, f"{channel}-1")

    assert answer.body["response_type"] == "ephemeral"
    assert answer.block("question")["elements"][0]["text"] == "❓ Is Istio supported?"
    assert answer.block("verdict")["text"]["text"] == "⛔ *Not supported*"
    assert answer.block("citation_1")["type"] == "context"
    share = answer.button("share_answer")
    assert share["text"]["text"] == "Share in channel"
    assert json.loads(share["value"])["t"] == 1
    assert answer.body["text"].startswith("⛔ Not supported: ")


def test_policy_escapes_what_it_echoes(slack_bot: SlackBot, channel: str, user: str) -> None:
    # Slack sends the text with &, < and > escaped; the reply must escape them again.
    text = "Is Istio &lt;b&gt;supported&lt;/b&gt; &amp; free?"
    answer = policy(slack_bot, text, channel, user, f"{channel}-1")
    echoed = answer.block("question")["elements"][0]["text"]
    assert echoed == "❓ Is Istio &lt;b&gt;supported&lt;/b&gt; &amp; free?"
    assert "<b>" not in answer.block_text


def test_policy_follow_ups_continue_the_users_conversation(
    slack_bot: SlackBot, channel: str, user: str
) -> None:
    first = policy(slack_bot, "Is Istio supported?", channel, user, f"{channel}-1")
    second = policy(slack_bot, "what about Kured?", channel, user, f"{channel}-2")
    assert "Answering: _Is Kured supported?_" in second.block("resolved")["elements"][0]["text"]
    first_ref = json.loads(first.button("feedback_up")["value"])
    assert json.loads(second.button("feedback_up")["value"]) == {"c": first_ref["c"], "t": 2}


def test_policy_without_a_question_explains_itself(
    slack_bot: SlackBot, channel: str, user: str
) -> None:
    url = slack_bot.slack.response_url(f"{channel}-usage")
    response = slack_bot.client.command("  ", channel=channel, user=user, response_url=url)
    assert response.status_code == 200
    body = response.json()
    assert body["response_type"] == "ephemeral"
    assert "/policy Is Istio supported?" in body["text"]
    assert "the Support Policies for Azure Kubernetes Service (AKS)" in body["text"]
    time.sleep(1.0)
    assert not slack_bot.slack.find("response_url", path=f"/response/{channel}-usage")


def test_policy_is_acknowledged_at_once_while_the_answer_takes_longer(
    slack_bot: SlackBot, channel: str, user: str
) -> None:
    name = f"{channel}-slow"
    slack_bot.slack.delays[f"/response/{name}"] = 3.5
    url = slack_bot.slack.response_url(name)
    started = time.monotonic()
    response = slack_bot.client.command(
        "Is Istio supported?", channel=channel, user=user, response_url=url
    )
    acknowledged = time.monotonic() - started
    assert response.status_code == 200
    assert acknowledged < 1.0, f"acknowledged after {acknowledged:.2f}s"
    slack_bot.slack.wait_for("response_url", path=f"/response/{name}")


def test_share_in_channel_posts_the_answer_publicly_and_removes_the_private_one(
    slack_bot: SlackBot, channel: str, user: str
) -> None:
    answer = policy(slack_bot, "Is Istio supported?", channel, user, f"{channel}-1")
    share_url = slack_bot.slack.response_url(f"{channel}-share")
    response = slack_bot.client.click(
        answer.button("share_answer"),
        user=user,
        channel=channel,
        message=None,
        response_url=share_url,
    )
    assert response.status_code == 200

    public, removal = slack_bot.slack.wait_for(
        "response_url", count=2, path=f"/response/{channel}-share"
    )
    assert public.body["response_type"] == "in_channel"
    assert public.body["replace_original"] is False
    asked = public.block("question")["elements"][0]["text"]
    assert asked == f"<@{user}> asked: Is Istio supported?"
    assert public.block("verdict")["text"]["text"] == "⛔ *Not supported*"
    assert public.button("feedback_up")["value"] == answer.button("feedback_up")["value"]
    try:
        public.button("share_answer")
    except KeyError:
        pass
    else:
        raise AssertionError("a shared answer has nothing left to share")
    assert removal.body["delete_original"] is True
