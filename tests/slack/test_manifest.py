"""The Slack app manifest and docs/slack.md agree with the code: routes, command, events, scopes,
settings and the CLI command."""

from __future__ import annotations

import yaml

from assistant.config import Settings
from assistant.slack.bot import COMMAND, ROUTES
from tests.conftest import ROOT

MANIFEST = ROOT / "slack" / "manifest.yml"


def test_the_manifest_points_slack_at_the_bots_routes() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == COMMAND
    settings = manifest["settings"]
    urls = {
        command["url"],
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    }
    assert {"/" + url.split("/", 3)[3] for url in urls} == set(ROUTES)
    assert set(settings["event_subscriptions"]["bot_events"]) == {"app_mention", "message.im"}
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"app_mentions:read", "chat:write", "commands", "im:history"} <= scopes
    assert settings["interactivity"]["is_enabled"] is True


def test_the_slack_page_documents_the_slack_settings_and_command() -> None:
    page = (ROOT / "docs" / "slack.md").read_text(encoding="utf-8")
    assert page.startswith("# Slack bot")
    for field in ("slack_bot_token", "slack_signing_secret", "slack_app_token"):
        assert f"`{field.upper()}`" in page, field
    assert "`ASSISTANT_SLACK_API_URL`" in page
    assert "assistant slack serve" in page
    assert "slack/manifest.yml" in page
    assert set(Settings.model_fields) >= {"slack_bot_token", "slack_api_url"}
