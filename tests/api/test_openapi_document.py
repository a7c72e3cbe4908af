"""The OpenAPI document names real limits, describes every field and lists only the error
statuses each route can return."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.service import Assistant
from assistant.web.api import create_app


def document(settings: Settings, assistant: Assistant) -> dict[str, Any]:
    with TestClient(create_app(settings, assistant)) as client:
        body: dict[str, Any] = client.get("/openapi.json").json()
    return body


def test_limits_are_numbers_not_setting_names(settings: Settings, assistant: Assistant) -> None:
    schemas = document(settings.model_copy(update={"max_question_chars": 750}), assistant)[
        "components"
    ]["schemas"]
    question = schemas["AskRequest"]["properties"]["question"]
    assert "750 characters" in question["description"]
    comment = schemas["FeedbackRequest"]["properties"]["comment"]
    assert "1000 characters" in comment["description"]
    assert "max_" not in str(schemas)


def test_every_response_field_is_described(settings: Settings, assistant: Assistant) -> None:
    schemas = document(settings, assistant)["components"]["schemas"]
    for name in ("AskResponse", "TurnOut", "CitationOut", "TranscriptResponse",
                 "FeedbackResponse", "StartersResponse"):  # fmt: skip
        for field, spec in schemas[name]["properties"].items():
            assert spec.get("description"), f"{name}.{field} has no description"


def test_routes_list_only_the_errors_they_can_return(
    settings: Settings, assistant: Assistant
) -> None:
    paths = document(settings, assistant)["paths"]
    transcript = paths["/v1/conversations/{conversation_id}"]["get"]["responses"]
    # a transcript has no body, but its paging parameters can be invalid (422)
    assert {"404", "422"} <= set(transcript) and not {"400", "413", "415"} & set(transcript)
    assert {"413", "415", "422"} <= set(paths["/v1/ask"]["post"]["responses"])
    assert "404" not in paths["/v1/documents"]["get"]["responses"]
    assert "413" in paths["/v1/ask"]["post"]["responses"]
    described = paths["/v1/ask"]["post"]["responses"]["413"]["description"]
    assert str(settings.max_body_bytes) in described
