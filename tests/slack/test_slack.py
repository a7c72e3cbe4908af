"""The adapter's plumbing: Slack text to questions, thread keys, settings and start-up."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from assistant.config import Settings
from assistant.errors import InvalidQuestionError, StoreUnavailableError
from assistant.service import Assistant
from assistant.slack.bot import (
    NotReadyError,
    Place,
    apology,
    command_key,
    question_from_slack,
)
from assistant.slack.mount import slack_configured
from assistant.web.api import create_app


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("<@UBOT> Is Istio supported?", "Is Istio supported?"),
        ("<@UBOT>   is  <https://istio.io|Istio> supported? ", "is Istio supported?"),
        ("does <@U123> own <#C1|ops> nodes?", "does @U123 own #ops nodes?"),
        ("<!here> is Helm &amp; Kured &lt;supported&gt;?", "is Helm & Kured <supported>?"),
        ("see <https://example.test/a?b=1&amp;c=2>", "see https://example.test/a?b=1&c=2"),
        ("<@UBOT>", ""),
    ],
)
def test_slack_text_becomes_a_plain_question(text: str, question: str) -> None:
    assert question_from_slack(text, bot_user_id="UBOT") == question


def test_a_thread_is_one_conversation_key() -> None:
    assert Place("T1", "C1", "1700.01").key == "slack/T1/C1/1700.01"
    assert Place("T1", "D1", None).key == "slack/T1/D1"
    assert command_key("T1", "C1", "U1") == "slack/T1/C1/command/U1"


def test_apologies_are_polite_and_specific() -> None:
    assert apology(NotReadyError()).startswith("I'm still starting up")
    too_long = apology(InvalidQuestionError("question is 3000 characters long"))
    assert too_long == (
        "Sorry, I can't answer that as asked: question is 3000 characters long. Please rephrase it."
    )
    assert "conversation store" in apology(StoreUnavailableError("redis down"))
    assert apology(RuntimeError("boom")).startswith("Sorry, something went wrong")


def test_slack_settings_use_slacks_own_variable_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s3cret")
    monkeypatch.setenv("SLACK_APP_TOKEN", "")
    monkeypatch.setenv("ASSISTANT_SLACK_API_URL", "http://127.0.0.1:9/api/")
    settings = Settings(_env_file=None)
    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == "xoxb-1"
    assert "xoxb-1" not in repr(settings), "secrets stay out of logs"
    assert settings.slack_app_token is None, "an empty variable leaves it unset"
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert slack_configured(settings)
    assert not slack_configured(settings.model_copy(update={"slack_signing_secret": None}))


def test_without_token_and_secret_the_slack_routes_are_off_and_logged(
    settings: Settings, assistant: Assistant, caplog: pytest.LogCaptureFixture
) -> None:
    plain = settings.model_copy(update={"slack_bot_token": None, "slack_signing_secret": None})
    with caplog.at_level(logging.INFO, logger="assistant.slack"):
        app = create_app(plain, assistant)
    assert (
        "Slack bot off (its /slack/* routes too): SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET "
        "not set" in caplog.text
    )
    assert {r.levelno for r in caplog.records if r.message.startswith("Slack bot off")} == {
        logging.INFO
    }
    with TestClient(app) as client:
        assert client.post("/slack/events", content=b"{}").status_code == 404
        assert client.post("/slack/commands", content=b"").status_code == 404


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", {}),
        ('{"C01": ["aro-support-policy"]}', {"C01": ["aro-support-policy"]}),
        ('{"C01": ["a", "b"], "C02": ["c"]}', {"C01": ["a", "b"], "C02": ["c"]}),
    ],
)
def test_channel_documents_read_from_json(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: dict[str, list[str]]
) -> None:
    monkeypatch.setenv("ASSISTANT_SLACK_CHANNEL_DOCUMENTS", raw)
    assert Settings(_env_file=None).slack_channel_documents == expected


@pytest.mark.parametrize("bad", ['{"C01": []}', '{"C01": "aro"}', "C01=aro", '["aro"]'])
def test_channel_documents_refuse_what_names_no_documents(
    monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    monkeypatch.setenv("ASSISTANT_SLACK_CHANNEL_DOCUMENTS", bad)
    with pytest.raises(ValidationError, match="slack_channel_documents"):
        Settings(_env_file=None)
