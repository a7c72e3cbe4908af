"""Answers as Slack messages: Block Kit blocks plus the plain-text fallback notifications show.

Policy text is escaped for Slack mrkdwn (`&`, `<`, `>`); everything stays within Block Kit's
limits (50 blocks, 3000 characters a text, 75 a button label, 2000 a button value).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from assistant.answer.render import headline, verdict_label
from assistant.models import Answer, Citation, Verdict

EMOJI: dict[Verdict, str] = {
    Verdict.SUPPORTED: "✅",
    Verdict.NOT_SUPPORTED: "⛔",
    Verdict.BEST_EFFORT: "🟡",
    Verdict.CUSTOMER_RESPONSIBILITY: "👤",
    Verdict.MICROSOFT_RESPONSIBILITY: "🏢",
    Verdict.SHARED_RESPONSIBILITY: "🤝",
    Verdict.CONDITIONAL: "⚖️",
    Verdict.INFORMATIONAL: "ℹ️",
    Verdict.UNKNOWN: "❔",
}

# Answer kinds that carry a policy verdict (small talk and hand-offs don't).
VERDICT_KINDS = ("answer", "clarification")

ACTION_FEEDBACK_UP = "feedback_up"
ACTION_FEEDBACK_DOWN = "feedback_down"
ACTION_SHARE = "share_answer"
ACTION_HANDOFF = "handoff"  # a link button: Slack opens the URL (and still sends the action)
HANDOFF_LABEL = "Contact support"
MAX_BUTTON_URL = 3000
ACTION_SUGGEST = "suggest"  # suggestion buttons are `suggest_0`, `suggest_1`, …
SUGGEST_PATTERN = re.compile(rf"^{ACTION_SUGGEST}_\d+$")

MAX_BLOCKS = 50
MAX_TEXT = 3000
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
CLAUSE_CHARS = 700  # a quoted clause longer than this is cut, with a link to the full text
CITATION_CHARS = 280
MAX_SUGGESTIONS = 5
SHOW_FULL = "show full clause"


@dataclass(frozen=True)
class SlackMessage:
    """Block Kit blocks and the plain-text fallback for notifications."""

    text: str
    blocks: tuple[dict[str, Any], ...]

    def payload(self) -> dict[str, Any]:
        """The `text` and `blocks` arguments of chat.postMessage or a response_url body."""
        return {"text": self.text, "blocks": [dict(b) for b in self.blocks]}


@dataclass(frozen=True)
class TurnRef:
    """Which stored turn a button acts on (carried in the button's value)."""

    conversation_id: str
    turn: int
    question: str | None = None  # the suggestion a suggestion button asks

    def encode(self) -> str:
        """The button value: compact JSON, within Block Kit's 2000 characters."""
        data: dict[str, Any] = {"c": self.conversation_id, "t": self.turn}
        if self.question is not None:
            data["q"] = self.question
        value = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        if len(value) > MAX_BUTTON_VALUE:
            raise ValueError(f"button value is {len(value)} characters; the limit is 2000")
        return value

    @classmethod
    def decode(cls, value: str) -> TurnRef:
        """The reference a button value holds; ValueError when it is not one of ours."""
        try:
            data = json.loads(value)
            ref = cls(str(data["c"]), int(data["t"]), data.get("q"))
        except (TypeError, KeyError, json.JSONDecodeError) as exc:
            raise ValueError(f"button value: {value[:80]!r} is not a turn reference") from exc
        if ref.question is not None and not isinstance(ref.question, str):
            raise ValueError(f"button value: question {ref.question!r} is not text")
        return ref


def escape_mrkdwn(text: str) -> str:
    """Text with Slack's three control characters escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """`text` cut to at most `limit` characters, at a word boundary when there is one."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(ellipsis))]
    if " " in cut[len(cut) // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + ellipsis


def link(url: str, label: str) -> str:
    """A mrkdwn link; a URL that isn't http(s) is shown as the label only."""
    label = escape_mrkdwn(label).replace("|", "/")
    if not re.match(r"https?://\S+$", url):
        return label
    return f"<{escape_mrkdwn(url).replace('|', '%7C')}|{label}>"


def verdict_line(verdict: Verdict, provider: str = "") -> str:
    """The headline: emoji and label, e.g. `✅ *Supported*` (`provider`: who a provider's
    responsibility is said to be)."""
    return f"{EMOJI[verdict]} *{verdict_label(verdict, provider)}*"


_INLINE = re.compile(
    r"\[\[(?P<n>\d+)\]\]\((?P<cite_url>[^)\s]+)\)"  # a citation marker [[1]](url)
    r"|\[(?P<label>[^\]\n]+)\]\((?P<url>[^)\s]+)\)"  # a link [label](url)
    r"|\*\*(?P<bold>.+?)\*\*"
)
_QUOTE = re.compile(
    r"^>[ ]?(?P<item>- )?(?P<body>.*?)(?:[ ]?\[\[(?P<n>\d+)\]\]\((?P<url>[^)\s]+)\))?$"
)


def inline_mrkdwn(markdown: str) -> str:
    """One line of the answer's Markdown as mrkdwn: links, citation markers and bold converted,
    all other text escaped."""
    out: list[str] = []
    position = 0
    for match in _INLINE.finditer(markdown):
        out.append(escape_mrkdwn(markdown[position : match.start()]))
        if match["n"]:
            out.append(link(match["cite_url"], f"[{match['n']}]"))
        elif match["label"]:
            out.append(link(match["url"], match["label"]))
        else:
            out.append(f"*{escape_mrkdwn(match['bold'])}*")
        position = match.end()
    out.append(escape_mrkdwn(markdown[position:]))
    return "".join(out)


def quote_mrkdwn(line: str, clause_chars: int = CLAUSE_CHARS) -> str:
    """A quoted clause line (`> text [[n]](url)`) as a mrkdwn quote; a clause longer than
    `clause_chars` is cut and links to its full text."""
    match = _QUOTE.match(line)
    if match is None:  # pragma: no cover - the pattern matches any line starting with ">"
        return ">" + inline_mrkdwn(line[1:])
    body = match["body"]
    bullet = "• " if match["item"] else ""
    if not match["n"]:
        return f">{bullet}{inline_mrkdwn(body)}".rstrip()
    url = match["url"]
    if len(body) > clause_chars:
        text = f"{escape_mrkdwn(truncate(body, clause_chars))} ({link(url, SHOW_FULL)})"
    else:
        text = inline_mrkdwn(body)
    return f">{bullet}{text} {link(url, '[' + match['n'] + ']')}"


def answer_mrkdwn(answer: Answer, clause_chars: int = CLAUSE_CHARS) -> str:
    """The answer body as mrkdwn, without the bold headline the verdict line already shows."""
    markdown = answer.answer_markdown.strip()
    opening = f"**{headline(answer.verdict, answer.provider)}**"
    if answer.kind in VERDICT_KINDS and markdown.startswith(opening):
        markdown = markdown[len(opening) :].lstrip()
    lines = [
        quote_mrkdwn(line, clause_chars) if line.startswith(">") else inline_mrkdwn(line)
        for line in markdown.splitlines()
    ]
    return "\n".join(lines).strip()


def _chunks(text: str, limit: int = MAX_TEXT) -> list[str]:
    """`text` in pieces of at most `limit` characters, split between paragraphs or lines."""
    chunks: list[str] = []
    current = ""
    for paragraph in text.split("\n"):
        candidate = f"{current}\n{paragraph}" if current else paragraph
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        current = paragraph if len(paragraph) <= limit else truncate(paragraph, limit)
    if current.strip():
        chunks.append(current)
    return chunks


def _section(mrkdwn: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(mrkdwn, MAX_TEXT)}}


def _context(mrkdwn: str, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": truncate(mrkdwn, MAX_TEXT)}],
    }
    if block_id:
        block["block_id"] = block_id
    return block


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": truncate(text, MAX_BUTTON_TEXT), "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def _link_button(text: str, url: str) -> dict[str, Any]:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": truncate(text, MAX_BUTTON_TEXT), "emoji": True},
        "action_id": ACTION_HANDOFF,
        "url": url,
        "style": "primary",
    }


def handoff_message(text: str, url: str) -> SlackMessage:
    """A short notice with a link button to continue with a person."""
    escaped = escape_mrkdwn(truncate(text, MAX_TEXT))
    blocks: tuple[dict[str, Any], ...] = (_section(escaped),)
    if len(url) <= MAX_BUTTON_URL:
        blocks += (
            {
                "type": "actions",
                "block_id": "handoff",
                "elements": [_link_button(HANDOFF_LABEL, url)],
            },
        )
    return SlackMessage(escaped, blocks)


def citation_block(citation: Citation, quoted: bool = False) -> dict[str, Any]:
    """A context block: number, section linked to the source, and the clause unless the answer
    already quotes it (cut when long, with a link to the full clause)."""
    line = f"*[{citation.n}]* {link(citation.url, citation.section)}"
    if citation.version:  # an earlier version's text is quoted by change notes
        line += f" ({escape_mrkdwn(citation.version)})"
    if not quoted:
        line += " · " + escape_mrkdwn(truncate(citation.text, CITATION_CHARS))
        if len(citation.text) > CITATION_CHARS:
            line += f" {link(citation.url, SHOW_FULL)}"
    return _context(line, block_id=f"citation_{citation.n}")


def quoted_numbers(markdown: str) -> set[int]:
    """The citation numbers whose clauses the answer's Markdown quotes."""
    return {
        int(n)
        for line in markdown.splitlines()
        if line.startswith(">")
        for n in re.findall(r"\[\[(\d+)\]\]\(", line)
    }


def fallback_text(answer: Answer) -> str:
    """The notification text: verdict label and the plain-text answer, escaped and short."""
    label = verdict_label(answer.verdict, answer.provider)
    prefix = f"{EMOJI[answer.verdict]} {label}: " if _has_verdict(answer) else ""
    return escape_mrkdwn(truncate(prefix + answer.answer, MAX_TEXT))


def _has_verdict(answer: Answer) -> bool:
    return answer.kind in VERDICT_KINDS


def answer_message(
    answer: Answer,
    conversation_id: str,
    turn: int,
    *,
    show_question: bool = False,
    shareable: bool = False,
    shared_by: str | None = None,
    handoff_url: str | None = None,
) -> SlackMessage:
    """An answer as a Slack message: verdict line, the answer, citations, suggestion buttons
    (they ask the follow-up in the thread) and feedback buttons. `show_question` repeats the
    question (slash-command replies, where Slack doesn't show it); `shareable` adds "Share in
    channel"; `shared_by` (a user id) credits who shared it; `handoff_url` adds a link button
    to a person (on handoff turns)."""
    blocks: list[dict[str, Any]] = []
    if shared_by is not None:
        asker = f"<@{shared_by}>" if re.fullmatch(r"[A-Z0-9]+", shared_by) else "Someone"
        blocks.append(_context(f"{asker} asked: {escape_mrkdwn(answer.question)}", "question"))
    elif show_question:
        blocks.append(_context(f"❓ {escape_mrkdwn(answer.question)}", "question"))
    if answer.rewritten:
        resolved = escape_mrkdwn(answer.resolved_question)
        blocks.append(_context(f"↪ Answering: _{resolved}_", "resolved"))
    if _has_verdict(answer):
        line = verdict_line(answer.verdict, answer.provider)
        blocks.append({**_section(line), "block_id": "verdict"})
    blocks.extend(_section(chunk) for chunk in _chunks(answer_mrkdwn(answer))[:10])
    if answer.citations:
        blocks.append({"type": "divider"})
        quoted = quoted_numbers(answer.answer_markdown)
        blocks.extend(citation_block(c, c.n in quoted) for c in answer.citations[:20])
    suggestions = answer.suggestions[:MAX_SUGGESTIONS]
    if suggestions:
        label = "Did you mean:" if answer.kind == "clarification" else "You could also ask:"
        blocks.append(_context(f"*{label}*", "suggestions_label"))
        blocks.append(
            {
                "type": "actions",
                "block_id": "suggestions",
                "elements": [
                    _button(
                        s,
                        f"{ACTION_SUGGEST}_{i}",
                        TurnRef(conversation_id, turn, truncate(s, 1000)).encode(),
                    )
                    for i, s in enumerate(suggestions)
                ],
            }
        )
    value = TurnRef(conversation_id, turn).encode()
    buttons = [
        _button("👍 Helpful", ACTION_FEEDBACK_UP, value),
        _button("👎 Not helpful", ACTION_FEEDBACK_DOWN, value),
    ]
    if shareable:
        buttons.append(_button("Share in channel", ACTION_SHARE, value, style="primary"))
    if handoff_url and len(handoff_url) <= MAX_BUTTON_URL:
        buttons.insert(0, _link_button(HANDOFF_LABEL, handoff_url))
    blocks.append({"type": "actions", "block_id": "feedback", "elements": buttons})
    return SlackMessage(fallback_text(answer), tuple(_fit(blocks)))


def _fit(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """At most MAX_BLOCKS blocks, always keeping the trailing buttons."""
    if len(blocks) <= MAX_BLOCKS:
        return blocks
    return blocks[: MAX_BLOCKS - 1] + blocks[-1:]


def notice_message(text: str) -> SlackMessage:
    """A short message from the bot itself (usage, errors, thanks), escaped."""
    escaped = escape_mrkdwn(truncate(text, MAX_TEXT))
    return SlackMessage(escaped, (_section(escaped),))


COMMENT_CALLBACK = "feedback_comment"
COMMENT_BLOCK = "comment"


def comment_modal(ref: TurnRef) -> dict[str, Any]:
    """The 👎 dialog: an optional comment; the turn it rates rides in `private_metadata`."""
    return {
        "type": "modal",
        "callback_id": COMMENT_CALLBACK,
        "private_metadata": ref.encode(),
        "notify_on_close": True,
        "title": {"type": "plain_text", "text": "Not helpful"},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Skip"},
        "blocks": [
            {
                "type": "input",
                "block_id": COMMENT_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "What was wrong or missing? (optional)"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": COMMENT_BLOCK,
                    "multiline": True,
                    "max_length": 1000,
                },
            }
        ],
    }


def modal_comment(view: dict[str, Any]) -> str | None:
    """The comment typed into the 👎 dialog, or None when it was left empty."""
    values = view.get("state", {}).get("values", {})
    value = values.get(COMMENT_BLOCK, {}).get(COMMENT_BLOCK, {}).get("value")
    return value.strip() or None if isinstance(value, str) else None
