"""Whether the Slack bot is on, and mounting it into a FastAPI app: slack_bolt and the Slack SDK
(about 5 MB, imported by `assistant.slack.bot`) load only when the bot is configured."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from fastapi import FastAPI

from assistant.config import Settings

if TYPE_CHECKING:
    from assistant.slack.bot import ConversationsSource

log = logging.getLogger(__name__)

SLACK_PATHS = ("/slack/",)


def slack_configured(settings: Settings) -> bool:
    """Whether the bot token and the signing secret are both set."""
    return bool(settings.slack_bot_token and settings.slack_signing_secret)


def add_slack(app: FastAPI, settings: Settings, conversations: ConversationsSource) -> bool:
    """Mount the Slack routes when the bot token and signing secret are set; say so either way."""
    if not slack_configured(settings):
        missing = [
            name
            for name, value in (
                ("SLACK_BOT_TOKEN", settings.slack_bot_token),
                ("SLACK_SIGNING_SECRET", settings.slack_signing_secret),
            )
            if not value
        ]
        # a warning, so that it shows with uvicorn's default logging
        log.info("Slack bot off (its /slack/* routes too): %s not set", " and ".join(missing))
        return False
    from assistant.slack.bot import ROUTES, build_bolt_app, slack_router

    assert settings.slack_signing_secret  # slack_configured
    secret = settings.slack_signing_secret.get_secret_value()
    app.include_router(slack_router(build_bolt_app(settings, conversations), secret))
    log.info("Slack bot on: %s", ", ".join(ROUTES))
    return True
