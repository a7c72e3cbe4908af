"""`GET /v1/starters` (and `/widget/v1/starters`): the questions the widget offers first."""

from __future__ import annotations

from fastapi import FastAPI, Request
from pydantic import BaseModel, Field

from assistant.answer.suggestions import starter_questions
from assistant.web.state import State


class StartersResponse(BaseModel):
    """Questions to start a conversation with."""

    questions: list[str] = Field(
        description="The configured starter questions (ASSISTANT_STARTER_QUESTIONS), else up to "
        "4 about the policy's largest sections; empty while the policy is loading."
    )


def add_starters(app: FastAPI) -> None:
    """Serve the starter questions."""

    @app.get("/widget/v1/starters", response_model=StartersResponse, include_in_schema=False)
    @app.get("/v1/starters", response_model=StartersResponse, tags=["questions"])
    def starters(request: Request) -> StartersResponse:
        """Questions the chat widget offers in an empty conversation."""
        state: State = request.app.state.assistant_state
        if state.settings.starter_questions:
            return StartersResponse(questions=state.settings.starter_questions)
        if state.assistant is None:
            return StartersResponse(questions=[])
        return StartersResponse(questions=list(starter_questions(state.assistant.corpus)))
