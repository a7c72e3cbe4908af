"""Ways to put a question to the assistant for evaluation: in this process, or over HTTP."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import httpx

from assistant.dialogue.conversation import Conversations
from assistant.evaluation.harness import Reply
from assistant.models import Selection


class InProcessAnswerer:
    """Asks through the conversation layer in this process (follow-ups included), keeping the
    retrieval trace."""

    def __init__(self, conversations: Conversations, documents: tuple[str, ...] = ()) -> None:
        self.conversations = conversations
        self.documents = documents  # answer only from these documents; (): every document

    def ask(self, question: str, conversation_id: str | None, as_of: str | None = None) -> Reply:
        """The reply, with the raw verdict and the retriever's ranking when the policy was
        searched."""
        selection = Selection(self.documents, as_of) if as_of or self.documents else None
        reply, trace = self.conversations.ask_traced(question, conversation_id, selection)
        answer = reply.answer
        return Reply(
            conversation_id=reply.conversation_id,
            verdict=answer.verdict.value,
            confidence=answer.confidence,
            answer=answer.answer,
            citations=tuple({"clause_id": c.clause_id, "text": c.text} for c in answer.citations),
            resolved_question=answer.resolved_question,
            raw_verdict=trace.decision.raw_verdict.value if trace else answer.verdict.value,
            retrieved_ids=tuple(h.clause.clause_id for h in trace.hits) if trace else (),
            signals=asdict(trace.decision.signals) if trace and trace.decision.signals else None,
        )


class HttpAnswerer:
    """Asks a running server's `/v1/ask`, exactly as users do."""

    def __init__(
        self, base_url: str, timeout: float = 30.0, documents: tuple[str, ...] = ()
    ) -> None:
        self.client = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)
        self.documents = documents  # answer only from these documents; (): every document

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()

    def ask(self, question: str, conversation_id: str | None, as_of: str | None = None) -> Reply:
        """The server's reply; a failed request becomes an `unknown` reply with its status."""
        payload: dict[str, Any] = {"question": question, "conversation_id": conversation_id}
        if as_of:
            payload["as_of"] = as_of
        if self.documents:
            payload["documents"] = list(self.documents)
        response = self.client.post("/v1/ask", json=payload)
        if response.status_code != 200:
            return Reply(
                conversation_id, "unknown", 0.0, "", (), question, status=response.status_code
            )
        body: dict[str, Any] = response.json()
        return Reply(
            conversation_id=body["conversation_id"],
            verdict=body["verdict"],
            confidence=body["confidence"],
            answer=body["answer"],
            citations=tuple(body["citations"]),
            resolved_question=body.get("resolved_question", question),
        )
