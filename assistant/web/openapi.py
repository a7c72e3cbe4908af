"""Final touches to the OpenAPI document (after `document_error_responses`): the configured
limits written as numbers, and only the error statuses each route can actually return."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from assistant.config import Settings

_KEYS = (401, 403, 429)  # any /v1 route: API keys and the rate limit
_BODY = (400, 413, 415, 422)  # a route that reads a JSON body
# The error statuses (besides 500) each route can answer with.
ROUTE_ERRORS: dict[tuple[str, str], tuple[int, ...]] = {
    ("post", "/v1/ask"): (*_KEYS, *_BODY, 404, 503),
    ("get", "/v1/conversations/{conversation_id}"): (*_KEYS, 404, 422, 503),  # 422: paging
    ("delete", "/v1/conversations/{conversation_id}"): (*_KEYS, 404, 503),
    ("post", "/v1/feedback"): (*_KEYS, *_BODY, 404, 503),
    ("get", "/v1/clauses/{clause_id}"): (*_KEYS, 404, 503),
    ("get", "/v1/documents"): (*_KEYS, 503),
    ("get", "/v1/starters"): _KEYS,
}


def add_openapi(app: FastAPI, settings: Settings) -> None:
    """Wrap the app's OpenAPI generator (call after `add_operations`)."""
    generate = app.openapi
    done: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        if "schema" in done:
            return done["schema"]  # type: ignore[no-any-return]
        schema = generate()
        schemas = schema.get("components", {}).get("schemas", {})
        question = schemas["AskRequest"]["properties"]["question"]
        # no maxLength: the limit applies after whitespace is collapsed, not to the raw string
        question["description"] = (
            f"The message: 1 to {settings.max_question_chars} characters after trimming and "
            "collapsing whitespace."
        )
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                responses = operation.get("responses", {})
                allowed = ROUTE_ERRORS.get((method, path))
                for status in [s for s in responses if s[0] in "45" and s != "500"]:
                    if allowed is not None and int(status) not in allowed:
                        del responses[status]
                if "413" in responses:
                    responses["413"]["description"] = (
                        f"Request body larger than {settings.max_body_bytes} bytes"
                    )
        app.openapi_schema = done["schema"] = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
