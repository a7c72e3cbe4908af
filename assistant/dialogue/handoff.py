"""Handoff to people: the link a handoff turn or a thumbs-down offers (`handoff_url` with
`{conversation_id}` and `{transcript_url}` filled in) and the optional webhook that receives the
conversation's transcript as JSON.

The transcript link points at the support console (`/admin/conversations/{id}`), which needs a
staff sign-in; the link itself reveals nothing to whoever holds it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import quote

import httpx

from assistant.config import Settings
from assistant.storage.records import Conversation, answer_to_dict

log = logging.getLogger(__name__)

WEBHOOK_TIMEOUT_SECONDS = 10
TRANSCRIPT_PATH = "/admin/conversations/{conversation_id}"


@dataclass(frozen=True)
class HandoffLink:
    """Where a person continues the conversation, and the staff transcript link it carries."""

    url: str
    conversation_id: str
    transcript_url: str

    def payload(self) -> dict[str, str]:
        """The API's `handoff` object."""
        return asdict(self)


def transcript_url(base_url: str, conversation_id: str) -> str:
    """The console page of a conversation's transcript (staff sign-in required)."""
    path = TRANSCRIPT_PATH.format(conversation_id=quote(conversation_id, safe=""))
    return base_url.rstrip("/") + path


def handoff_link(settings: Settings, conversation_id: str, base_url: str) -> HandoffLink | None:
    """The configured handoff URL for a conversation, or None when none is configured;
    `base_url` is this service's URL as the caller reached it (`public_url` wins)."""
    if not settings.handoff_url:
        return None
    transcript = transcript_url(settings.public_url or base_url, conversation_id)
    url = settings.handoff_url.replace(
        "{conversation_id}", quote(conversation_id, safe="")
    ).replace("{transcript_url}", quote(transcript, safe=""))
    return HandoffLink(url, conversation_id, transcript)


def transcript_payload(
    conversation: Conversation, reason: str, link: HandoffLink | None
) -> dict[str, Any]:
    """The JSON the webhook receives: why, the links and every turn with its full answer."""
    return {
        "event": "handoff",
        "reason": reason,
        "conversation_id": conversation.conversation_id,
        "transcript_url": link.transcript_url if link else None,
        "handoff_url": link.url if link else None,
        "created_at": conversation.created_at,
        "updated_at": conversation.updated_at,
        "turns": [
            {
                "turn": t.turn,
                "question": t.question,
                "resolved_question": t.resolved_question,
                "kind": t.kind,
                "verdict": t.verdict,
                "confidence": t.confidence,
                "created_at": t.created_at,
                "answer": answer_to_dict(t.answer),
            }
            for t in conversation.turns
        ],
    }


def post_transcript(url: str, payload: dict[str, Any]) -> bool:
    """POST the transcript to the webhook; False (and a warning) when it fails."""
    try:
        response = httpx.post(url, json=payload, timeout=WEBHOOK_TIMEOUT_SECONDS, trust_env=False)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        log.warning(
            "handoff webhook failed: %s",
            type(exc).__name__,
            extra={"fields": {"event": "handoff_webhook", "result": "failed"}},
        )
        return False
    return True


def notify_handoff(
    settings: Settings, conversation: Conversation, reason: str, link: HandoffLink | None
) -> threading.Thread | None:
    """Send the transcript to `handoff_webhook` in the background (the reply doesn't wait);
    the thread, or None when no webhook is configured."""
    if not settings.handoff_webhook:
        return None
    payload = transcript_payload(conversation, reason, link)
    thread = threading.Thread(
        target=post_transcript,
        args=(settings.handoff_webhook, payload),
        name="handoff-webhook",
        daemon=True,
    )
    thread.start()
    return thread
