"""Whether the Slack bot is on, mounting it into a FastAPI app and the Slack-only app: slack_bolt
and the Slack SDK (about 5 MB, imported by `assistant.slack.bot`) load only when the bot is
configured."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI

from assistant.config import Settings
from assistant.dialogue.conversation import Conversations

if TYPE_CHECKING:
    from assistant.service import Assistant
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


def create_slack_app(settings: Settings, assistant: Assistant) -> FastAPI:
    """A service with only the Slack routes and a health check (`assistant slack serve`)."""
    from assistant.storage.stores import open_store

    store = open_store(settings)
    conversations = Conversations(assistant, store)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = FastAPI(title="Policy Assistant for Slack", lifespan=lifespan, docs_url=None)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    add_slack(app, settings, lambda: conversations)
    return app
