"""Markdown through markdown-it-py: block tokens, and each inline run's visible text with the
source offsets of every visible character."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin


def markdown_parser() -> MarkdownIt:
    """CommonMark with tables, strikethrough and a YAML front-matter block; escapes and
    entities stay separate tokens so every visible character can be traced to the source."""
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(front_matter_plugin)
    md.disable("text_join")
    return md


_MD = markdown_parser()

# Container tokens whose markup is not visible: (source characters of an opener, of a closer).
_OPENERS = {"link_open", "strong_open", "em_open", "s_open"}
_CLOSERS = {"link_close", "strong_close", "em_close", "s_close"}
_NOTE_MARKER = re.compile(r"\A\[!(NOTE|TIP|IMPORTANT|CAUTION|WARNING)\][ \t]*\n?", re.IGNORECASE)
_ROW_SEPARATOR = re.compile(r"\s*\|\s*")


def parse_blocks(text: str) -> list[Token]:
    """The document's block-level token stream."""
    return _MD.parse(text)


@dataclass(frozen=True)
class Visible:
    """Visible text and, for each character, the source span [starts[i], ends[i]) it renders.

    A character's span widens to take in invisible markup right before it (an opening `**`,
    `[`, a backtick) or right after it (`**`, `](url)`), so any run of characters maps to a
    source slice that renders as exactly that run.
    """

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, first: int, stop: int) -> tuple[int, int]:
        """The source slice that renders the visible characters [first, stop)."""
        return self.starts[first], self.ends[stop - 1]

    def strip(self) -> Visible:
        """The same text without leading and trailing whitespace."""
        lead = len(self.text) - len(self.text.lstrip())
        stop = len(self.text.rstrip())
        return self.cut(lead, max(stop, lead))

    def cut(self, first: int, stop: int) -> Visible:
        """Characters [first, stop)."""
        return Visible(self.text[first:stop], self.starts[first:stop], self.ends[first:stop])

    def note_marker(self) -> int:
        """Length of a leading `[!NOTE]`-style admonition marker (0 when there is none)."""
        match = _NOTE_MARKER.match(self.text)
        return match.end() if match else 0


def align(content: str, source: str, start: int) -> list[int]:
    """Source position of each content character: markdown-it's inline content is the source
    with block prefixes (`> `, indentation, table pipes' escapes) removed, so it is a
    subsequence of the source from `start`; one extra entry marks the end."""
    positions, at = [], start
    for char in content:
        found = source.find(char, at)
        if found < 0:  # content markdown-it normalised (tabs): stay in place
            positions.append(at)
            continue
        positions.append(found)
        at = found + 1
    positions.append(at)
    return positions


def visible(inline: Token, source: str, start: int) -> Visible:
    """The visible text of an inline token whose content begins in `source` at or after
    `start`: link text without its URL, no emphasis or code markers, no HTML or images."""
    content = inline.content
    where = align(content, source, start)
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    cursor = 0  # position in `content`
    pending_open: int | None = None  # content position where unmatched openers began
    for child in inline.children or []:
        if child.type in _OPENERS:
            pending_open = cursor if pending_open is None else pending_open
            cursor = _skip_markup(content, cursor, child)
            continue
        if child.type in _CLOSERS:
            cursor = _skip_markup(content, cursor, child)
            if ends and cursor:
                ends[-1] = max(ends[-1], where[cursor - 1] + 1)
            continue
        leaf = _leaf(child, content, cursor)
        if leaf is None:
            continue
        piece, at, opening, closing = leaf
        whole = child.type == "text_special"  # `&amp;` or `\*` renders as one character
        first = len(chars)
        for i, char in enumerate(piece):
            chars.append(char)
            position = where[opening] if whole else where[min(at + i, len(content))]
            starts.append(position)
            ends.append(where[closing - 1] + 1 if whole else position + 1)
        if piece:
            starts[first] = where[opening]
            ends[-1] = where[closing - 1] + 1 if closing > opening else ends[-1]
            if pending_open is not None:
                starts[first] = where[pending_open]
                pending_open = None
        cursor = closing
    return Visible("".join(chars), tuple(starts), tuple(ends))


def _skip_markup(content: str, cursor: int, token: Token) -> int:
    """The content position after a container token's own characters."""
    if token.type == "link_open":
        return cursor + 1 if content.startswith(("[", "<"), cursor) else cursor
    if token.type == "link_close":
        return _link_close_end(content, cursor)
    markup = token.markup
    found = content.find(markup, cursor) if markup else -1
    return found + len(markup) if found >= 0 else cursor


def _link_close_end(content: str, cursor: int) -> int:
    """Skip `]`, `](url "title")`, `][ref]`, `]` of a shortcut reference or `>` of an autolink."""
    if content.startswith(">", cursor):
        return cursor + 1
    if not content.startswith("]", cursor):
        return cursor
    at = cursor + 1
    if content.startswith("(", at):
        depth = 0
        for i in range(at, len(content)):
            if content[i] == "(":
                depth += 1
            elif content[i] == ")":
                depth -= 1
                if depth == 0:
                    return i + 1
        return len(content)
    if content.startswith("[", at):
        close = content.find("]", at)
        return close + 1 if close >= 0 else at
    return at


def _leaf(child: Token, content: str, cursor: int) -> tuple[str, int, int, int] | None:
    """(visible text, content position of its first character, start and end of its source
    including markup) of a leaf token; None for tokens nothing of which is visible."""
    kind = child.type
    if kind == "text":
        found = content.find(child.content, cursor)
        at = found if found >= 0 else cursor
        return child.content, at, at, at + len(child.content)
    if kind == "text_special":
        found = content.find(child.markup, cursor)
        at = found if found >= 0 else cursor
        return child.content, at, at, at + len(child.markup)
    if kind == "code_inline":
        opening = content.find(child.markup, cursor)
        opening = opening if opening >= 0 else cursor
        inner = content.find(child.content, opening + len(child.markup))
        inner = inner if inner >= 0 else opening + len(child.markup)
        closing = content.find(child.markup, inner + len(child.content))
        closing = closing + len(child.markup) if closing >= 0 else inner + len(child.content)
        return child.content, inner, opening, closing
    if kind in ("softbreak", "hardbreak"):
        found = content.find("\n", cursor)
        at = found if found >= 0 else cursor
        return " ", at, at, at + 1
    if kind == "html_inline":
        found = content.find(child.content, cursor)
        return ("", cursor, cursor, found + len(child.content)) if found >= 0 else None
    return None  # images


def visible_text(markdown: str, document: str = "") -> str:
    """How a piece of Markdown source reads, with the link-reference definitions of the
    `document` it comes from (used to check clause offsets against clause text)."""
    env: dict[str, Any] = {}
    if document:
        _MD.parse(document, env)
    tokens = _MD.parseInline(markdown, env)
    rendered = visible(tokens[0], markdown, 0).text if tokens else ""
    if "|" in rendered:  # a table row's slice: cells joined by single pipes
        cells = [c for c in _ROW_SEPARATOR.split(rendered) if c]
        rendered = " | ".join(cells)
    return rendered
