"""Markdown through markdown-it-py: block tokens, and each inline run's visible text with the
source offsets of every visible character."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
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
_LINE_BREAK = re.compile(r"<br\s*/?>\Z", re.IGNORECASE)


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
        if found < 0:
            return None
        shown = " " if _LINE_BREAK.match(child.content) else ""  # `<br>` separates words
        return shown, found, cursor if not shown else found, found + len(child.content)
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


# Tags that flow inside a run of text; any other tag ends one (a paragraph, a cell, a summary).
_INLINE_TAGS = frozenset(
    "a abbr b bdi bdo br cite code data del dfn em i img ins kbd mark q s samp small span "
    "strong sub sup time u var wbr".split()
)
_HIDDEN_TAGS = frozenset({"script", "style", "template"})  # their content is not shown


@dataclass(frozen=True)
class HtmlPart:
    """A piece of an HTML block: a run of `text`, a table `row` of cells (`header` when they
    are all `<th>`), or the start of a `table`."""

    kind: str
    cells: tuple[Visible, ...] = ()
    header: bool = False


class _TagMarks(HTMLParser):
    """Where each tag that ends a run of text starts and stops in an HTML block's content."""

    def __init__(self, content: str) -> None:
        super().__init__(convert_charrefs=True)
        self.content = content
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", content)]
        self.marks: list[tuple[int, int, str, bool]] = []  # (start, stop, tag, is it an end)

    def _mark(self, tag: str, is_end: bool, closer: str, length: int = 0) -> None:
        line, column = self.getpos()
        start = self.line_starts[line - 1] + column
        if length:
            stop = start + length
        else:
            found = self.content.find(closer, start)
            stop = found + len(closer) if found >= 0 else len(self.content)
        self.marks.append((start, stop, tag, is_end))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _INLINE_TAGS:
            self._mark(tag, False, ">", len(self.get_starttag_text() or ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _INLINE_TAGS:
            self._mark(tag, True, ">", len(self.get_starttag_text() or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag not in _INLINE_TAGS:
            self._mark(tag, True, ">")

    def handle_comment(self, data: str) -> None:
        self._mark("!--", True, "-->")

    def handle_decl(self, decl: str) -> None:
        self._mark("!", True, ">")

    def handle_pi(self, data: str) -> None:
        self._mark("?", True, ">")


def html_parts(block: Token, source: str, start: int) -> list[HtmlPart]:
    """The visible text of an HTML block (`<details>`, `<div>`, an HTML table) whose content
    begins in `source` at or after `start`: its runs of text between block-level tags, each
    read as inline Markdown, grouped into table rows inside `<tr>`; comments, scripts and
    styles are not shown."""
    content = block.content
    marks = _TagMarks(content)
    marks.feed(content)
    marks.close()
    where = align(content, source, start)
    parts: list[HtmlPart] = []
    row: list[tuple[Visible, str]] = []  # the open row's cells and their tags
    cell = ""  # the open cell's tag
    hidden = 0
    at = 0
    ending = (len(content), len(content), "", True)

    def end_row() -> None:
        if any(text.text for text, _ in row):
            cells = tuple(text for text, _ in row)
            parts.append(HtmlPart("row", cells, all(tag == "th" for _, tag in row)))
        row.clear()

    for mark_start, mark_stop, tag, is_end in [*marks.marks, ending]:
        run = content[at:mark_start]
        if run.strip() and not hidden:
            text = visible(_MD.parseInline(run)[0], source, where[at]).strip()
            if cell and row and not row[-1][0].text:
                row[-1] = (text, cell)
            elif cell:
                row.append((text, cell))
            elif text.text:
                parts.append(HtmlPart("text", (text,)))
        at = max(at, mark_stop)
        if tag in _HIDDEN_TAGS:
            hidden = max(0, hidden + (-1 if is_end else 1))
        elif tag in ("td", "th"):
            cell = "" if is_end else tag
            if not is_end:
                row.append((Visible("", (), ()), tag))
        elif tag in ("tr", "table", "thead", "tbody", "tfoot", ""):
            cell = ""
            end_row()
            if tag == "table" and not is_end:
                parts.append(HtmlPart("table"))
    return parts
