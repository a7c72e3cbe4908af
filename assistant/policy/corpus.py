"""Parse Markdown policy documents into sections and clauses that keep their source offsets."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from markdown_it.token import Token

from assistant.errors import CorpusError
from assistant.models import Clause, Document, Section
from assistant.policy.markdown import HtmlPart, Visible, html_parts, parse_blocks, visible

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")
# An answer's bare "Yes." or "No." (an FAQ's "A: No."): it opens the sentence after it.
_BARE_ANSWER = re.compile(r"(?:A:\s*)?(?:yes|no)[.!]", re.IGNORECASE)
# Learn directives that are paragraphs but not policy text: includes, zones, monikers, videos.
_DIRECTIVE = re.compile(r"\[!(?:INCLUDE|VIDEO|div)\b|:::", re.IGNORECASE)


@dataclass(frozen=True)
class Corpus:
    """All documents of a corpus folder, their sections and clauses in reading order."""

    documents: tuple[Document, ...]
    sections: tuple[Section, ...]
    clauses: tuple[Clause, ...]
    content_hash: str
    _by_id: dict[str, Clause] = field(default_factory=dict, repr=False, compare=False)
    _children: dict[str, list[Clause]] = field(default_factory=dict, repr=False, compare=False)
    _position: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update({c.clause_id: c for c in self.clauses})
        self._position.update({c.clause_id: i for i, c in enumerate(self.clauses)})
        for clause in self.clauses:
            if clause.parent_id is not None:
                self._children.setdefault(clause.parent_id, []).append(clause)

    def clause(self, clause_id: str) -> Clause | None:
        """The clause with this id, or None."""
        return self._by_id.get(clause_id)

    def find_quote(self, quote: str) -> str | None:
        """The id of the clause a verbatim quote identifies: the clause that *is* the quote,
        else the only clause containing it; None when it identifies none or several."""
        exact = [c.clause_id for c in self.clauses if c.text == quote]
        within = [c.clause_id for c in self.clauses if quote in c.text]
        if len(exact) == 1:
            return exact[0]
        return within[0] if len(within) == 1 else None

    def next_clause(self, clause: Clause) -> Clause | None:
        """The clause after this one in the same document, if any."""
        return self._neighbour(clause, 1)

    def previous_clause(self, clause: Clause) -> Clause | None:
        """The clause before this one in the same document, if any."""
        return self._neighbour(clause, -1)

    def _neighbour(self, clause: Clause, step: int) -> Clause | None:
        at = self._position[clause.clause_id] + step
        if 0 <= at < len(self.clauses) and self.clauses[at].doc_id == clause.doc_id:
            return self.clauses[at]
        return None

    def children(self, clause_id: str) -> list[Clause]:
        """The list items nested in a list item, and the notes written under it, in order."""
        return self._children.get(clause_id, [])

    def document(self, doc_id: str) -> Document:
        """The document with this id."""
        return next(d for d in self.documents if d.doc_id == doc_id)


def slugify(heading: str) -> str:
    """A URL anchor for a heading as Microsoft Learn (and GitHub) make them: lower case,
    punctuation dropped, spaces to hyphens."""
    slug = re.sub(r"[^\w\- ]", "", heading.lower()).strip()
    return re.sub(r"[\s]+", "-", slug)


def split_sentences(text: str, offset: int) -> Iterator[tuple[str, int, int]]:
    """Yield (sentence, start, end) for each sentence of a paragraph starting at `offset`."""
    pos = 0
    for match in _SENTENCE_END.finditer(text):
        if _BARE_ANSWER.fullmatch(text, pos, match.start()):
            continue
        yield text[pos : match.start()], offset + pos, offset + match.start()
        pos = match.end()
    if text[pos:].strip():
        tail = text[pos:].rstrip()
        yield tail, offset + pos, offset + pos + len(tail)


class _DocumentParser:
    """Walks a document's Markdown tokens once, tracking headings, lead-ins and list items."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", doc.text)]
        self.sections: list[Section] = []
        self.clauses: list[Clause] = []
        self.headings: list[tuple[int, str]] = []
        self.anchors: dict[str, int] = {}
        self.anchor = ""
        self.ordinal = 0
        self.lead_in = ""
        self.question = ""  # the last question a paragraph of this section asked (an FAQ's)
        self.items: list[Clause | None] = []  # open list items, outermost first (None: no text)
        self.quotes: list[bool] = []  # open block quotes: whether each is a note

    def parse(self) -> None:
        tokens = parse_blocks(self.doc.text)
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token.type == "heading_open":
                self._heading(token, tokens[i + 1])
            elif token.type == "list_item_open":
                self.items.append(None)
            elif token.type == "list_item_close":
                self.items.pop()
            elif token.type == "blockquote_open":
                self.quotes.append(False)
            elif token.type == "blockquote_close":
                self.quotes.pop()
            elif token.type == "paragraph_open":
                self._paragraph(tokens[i + 1])
            elif token.type == "table_open":
                close = next(j for j in range(i, len(tokens)) if tokens[j].type == "table_close")
                self._table(tokens[i : close + 1])
                i = close
            elif token.type == "html_block":
                self._html(html_parts(token, self.doc.text, self._line_start(token)))
            i += 1  # fences, code blocks, rules: not clauses

    def _line_start(self, token: Token) -> int:
        return self.line_starts[token.map[0]] if token.map else 0

    def _heading(self, opening: Token, inline: Token) -> None:
        if any(
            c.type == "link_open" and str(c.attrs.get("href", "")).startswith("#tab/")
            for c in inline.children or []
        ):
            return  # a tab selector, not a section
        title = visible(inline, self.doc.text, self._line_start(opening)).strip().text
        level = int(opening.tag[1])
        self.headings = [h for h in self.headings if h[0] < level] + [(level, title)]
        anchor = slugify(title)
        self.anchors[anchor] = self.anchors.get(anchor, 0) + 1
        if self.anchors[anchor] > 1:
            anchor = f"{anchor}-{self.anchors[anchor] - 1}"
        self.anchor = anchor
        self.ordinal = 0
        self.lead_in = ""
        self.question = ""
        start = self._line_start(opening)
        self.sections.append(Section(self.doc.doc_id, anchor, self.section_path, level, start))

    @property
    def section_path(self) -> tuple[str, ...]:
        path = tuple(title for level, title in self.headings if level > 1)
        return path or tuple(title for _, title in self.headings[:1]) or (self.doc.title,)

    def _new_clause(self, text: Visible, kind: str, context: str, **extra: Any) -> Clause:
        self.ordinal += 1
        start, end = text.span(0, len(text.text))
        parent = self._parent()
        clause = Clause(
            clause_id=f"{self.doc.doc_id}:{self.anchor or 'preamble'}:{self.ordinal}",
            doc_id=self.doc.doc_id,
            section_path=self.section_path,
            section_anchor=self.anchor,
            text=text.text,
            start=start,
            end=end,
            kind=kind,
            context=context,
            parent_id=parent.clause_id if parent else None,
            **extra,
        )
        self.clauses.append(clause)
        return clause

    def _parent(self) -> Clause | None:
        return next((c for c in reversed(self.items) if c is not None), None)

    def _paragraph(self, inline: Token) -> None:
        text = visible(inline, self.doc.text, self._line_start(inline)).strip()
        if self.quotes and not self.quotes[-1] and (marker := text.note_marker()):
            self.quotes[-1] = True
            text = text.cut(marker, len(text.text)).strip()
        self._text(text)

    def _text(self, text: Visible) -> None:
        """A paragraph's visible text: a list item, or sentences (notes inside a quote)."""
        if not text.text or _DIRECTIVE.match(text.text):
            return  # images only, include directives, zone and moniker markers
        if self.items and self.items[-1] is None:  # an item's first paragraph is the item
            ancestors = [c.text for c in self.items[:-1] if c is not None]
            context = "\n".join([self.lead_in, *ancestors]).strip()
            self.items[-1] = self._new_clause(text, "item", context)
            return
        parent = self._parent()
        kind = "note" if any(self.quotes) else "sentence"
        context = _last_sentence(parent.text) if parent else ""
        sentences = list(split_sentences(text.text, 0))
        for sentence, first, stop in sentences:
            if parent is None and sentence.rstrip().endswith("?"):
                # a question (an FAQ's) is no clause: the sentences after it, up to the next
                # question or heading, read under it ("**Can you configure my WAF rules?**
                # No. WAF rules are yours.")
                self.question = sentence
                continue
            self._new_clause(text.cut(first, stop), kind, context or self.question)
        if parent is None and kind == "sentence" and sentences:
            self.lead_in = sentences[-1][0]

    def _table(self, tokens: list[Token]) -> None:
        rows: list[list[Visible]] = []
        at = 0
        for token in tokens:
            if token.type == "tr_open":
                rows.append([])
                at = self._line_start(token)
            elif token.type == "inline":
                cell = visible(token, self.doc.text, at).strip()
                rows[-1].append(cell)
                if cell.text:
                    at = cell.ends[-1]
        if rows:
            self._rows(tuple(c.text for c in rows[0]), rows[1:])

    def _html(self, parts: list[HtmlPart]) -> None:
        """An HTML block's text runs as paragraphs and its tables' rows as table rows."""
        table: list[HtmlPart] = []
        for part in [*parts, HtmlPart("table")]:
            if part.kind == "row":
                table.append(part)
                continue
            if table:
                has_header = table[0].header
                header = tuple(c.text for c in table[0].cells) if has_header else ()
                self._rows(header, [list(p.cells) for p in table[has_header:]])
                table = []
            if part.kind == "text":
                self._text(part.cells[0])

    def _rows(self, header: tuple[str, ...], rows: list[list[Visible]]) -> None:
        """A table's body rows, each one clause; a row with only its first cell filled names
        the group of rows below it."""
        group = ""
        for row in rows:
            filled = [c for c in row if c.text]
            if not filled:
                continue
            if len(filled) == 1 and row[0].text and len(row) > 1:
                group = row[0].text
                context = " | ".join(h for h in header if h)
            else:
                context = "\n".join(p for p in (" | ".join(h for h in header if h), group) if p)
            self._new_clause(
                _joined(filled),
                "row",
                context,
                cells=tuple(c.text for c in row),
                header=header,
            )


def _joined(cells: list[Visible]) -> Visible:
    """A row's cells as one text, ` | ` between them; the span runs from first to last cell."""
    text = " | ".join(c.text for c in cells)
    starts, ends = [], []
    for i, cell in enumerate(cells):
        if i:
            starts += [cell.starts[0]] * 3
            ends += [cell.starts[0]] * 3
        starts += cell.starts
        ends += cell.ends
    return Visible(text, tuple(starts), tuple(ends))


def _last_sentence(text: str) -> str:
    sentences = list(split_sentences(text, 0))
    return sentences[-1][0] if sentences else text


def _front_matter(path: Path, text: str) -> tuple[dict[str, Any], str]:
    """The YAML front matter of a document and its version (an ISO date from Learn's
    `ms.date` MM/DD/YYYY when there is no `version`)."""
    tokens = parse_blocks(text)
    block = next((t for t in tokens if t.type == "front_matter"), None)
    if block is None:
        raise CorpusError(
            f"{path}: missing front matter block (---) with a title and a version or ms.date"
        )
    try:
        meta = yaml.safe_load(block.content) or {}
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: an impossible date
        raise CorpusError(f"{path}: front matter is not valid YAML ({exc})") from exc
    if not isinstance(meta, dict):
        raise CorpusError(f"{path}: front matter must be a mapping of keys to values")
    version = meta.get("version") or _learn_date(path, meta.get("ms.date"))
    missing = [
        k for k, v in (("title", meta.get("title")), ("version or ms.date", version)) if not v
    ]
    if missing:
        raise CorpusError(f"{path}: front matter lacks {' and '.join(missing)}")
    return meta, str(version)


def _learn_date(path: Path, value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    try:
        return datetime.strptime(str(value).strip(), "%m/%d/%Y").date().isoformat()
    except ValueError as exc:
        raise CorpusError(f"{path}: ms.date {value!r} is not a MM/DD/YYYY date") from exc


def parse_document(
    path: Path, doc_id: str | None = None
) -> tuple[Document, list[Section], list[Clause]]:
    """Read one Markdown policy file with its front matter into a document, sections, clauses."""
    text = path.read_text(encoding="utf-8")
    meta, version = _front_matter(path, text)
    doc = Document(
        doc_id=doc_id or path.stem,
        title=str(meta["title"]),
        source_url=str(meta.get("source_url") or ""),
        version=version,
        path=str(path),
        text=text,
    )
    parser = _DocumentParser(doc)
    parser.parse()
    return doc, parser.sections, parser.clauses


def document_file(corpus_dir: Path, doc_id: str, kind: str) -> Path:
    """A document's reviewed data file of a kind (`stance-overrides`, `synonyms`,
    `out-of-scope`): `<document-id>.<kind>.toml` beside the document."""
    return corpus_dir / f"{doc_id}.{kind}.toml"


def load_corpus(corpus_dir: Path) -> Corpus:
    """Parse every `*.md` document in `corpus_dir` (sorted by name)."""
    paths = sorted(corpus_dir.glob("*.md"))
    if not paths:
        raise CorpusError(f"corpus_dir {str(corpus_dir)!r} holds no *.md policy documents")
    digest = hashlib.sha256()
    documents, sections, clauses = [], [], []
    for path in paths:
        doc, doc_sections, doc_clauses = parse_document(path)
        digest.update(path.name.encode() + b"\0" + doc.text.encode() + b"\0")
        documents.append(doc)
        sections.extend(doc_sections)
        clauses.extend(doc_clauses)
    return Corpus(tuple(documents), tuple(sections), tuple(clauses), digest.hexdigest())
