"""Parse Markdown policy documents into sections and verbatim, offset-tracked clauses."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.errors import CorpusError
from assistant.models import Clause, Document, Section

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_HEADING = re.compile(r"^(#{1,6}) +(.+?) *$")
_ITEM = re.compile(r"^( *)[-*] +(.*)$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")
_REQUIRED_META = ("title", "source_url", "version")


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


@dataclass
class _Line:
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def slugify(heading: str) -> str:
    """A URL anchor for a heading, as Markdown renderers make them."""
    slug = re.sub(r"[^\w\- ]", "", heading.lower()).strip()
    return re.sub(r"[\s]+", "-", slug)


def split_sentences(text: str, offset: int) -> Iterator[tuple[str, int, int]]:
    """Yield (sentence, start, end) for each sentence of a paragraph starting at `offset`."""
    pos = 0
    for match in _SENTENCE_END.finditer(text):
        yield text[pos : match.start()], offset + pos, offset + match.start()
        pos = match.end()
    if text[pos:].strip():
        tail = text[pos:].rstrip()
        yield tail, offset + pos, offset + pos + len(tail)


def _lines(text: str, start: int) -> list[_Line]:
    out, pos = [], start
    for raw in text[start:].split("\n"):
        out.append(_Line(raw, pos))
        pos += len(raw) + 1
    return out


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


class _DocumentParser:
    """Walks a document's lines once, tracking headings, lead-ins and open list items."""

    def __init__(self, doc: Document, body_start: int) -> None:
        self.doc = doc
        self.body_start = body_start
        self.sections: list[Section] = []
        self.clauses: list[Clause] = []
        self.headings: list[tuple[int, str]] = []
        self.anchors: dict[str, int] = {}
        self.anchor = ""
        self.ordinal = 0
        self.lead_in = ""
        self.open_items: list[tuple[int, Clause]] = []  # (indent, item) from outermost

    def parse(self) -> None:
        lines = _lines(self.doc.text, self.body_start)
        i = 0
        while i < len(lines):
            line = lines[i]
            if not line.text.strip():
                i += 1
            elif heading := _HEADING.match(line.text):
                self._open_section(len(heading.group(1)), heading.group(2), line.start)
                i += 1
            elif item := _ITEM.match(line.text):
                i = self._add_item(lines, i, _indent(line.text), line.start + item.start(2))
            else:
                i = self._add_paragraph(lines, i)

    def _open_section(self, level: int, title: str, start: int) -> None:
        self.headings = [h for h in self.headings if h[0] < level] + [(level, title)]
        anchor = slugify(title)
        self.anchors[anchor] = self.anchors.get(anchor, 0) + 1
        if self.anchors[anchor] > 1:
            anchor = f"{anchor}-{self.anchors[anchor] - 1}"
        self.anchor = anchor
        self.ordinal = 0
        self.lead_in = ""
        self.open_items = []
        self.sections.append(Section(self.doc.doc_id, anchor, self.section_path, level, start))

    @property
    def section_path(self) -> tuple[str, ...]:
        path = tuple(title for level, title in self.headings if level > 1)
        return path or tuple(title for _, title in self.headings[:1]) or (self.doc.title,)

    def _new_clause(
        self, text: str, start: int, kind: str, context: str, parent: Clause | None
    ) -> Clause:
        self.ordinal += 1
        clause = Clause(
            clause_id=f"{self.doc.doc_id}:{self.anchor or 'preamble'}:{self.ordinal}",
            doc_id=self.doc.doc_id,
            section_path=self.section_path,
            section_anchor=self.anchor,
            text=text,
            start=start,
            end=start + len(text),
            kind=kind,
            context=context,
            parent_id=parent.clause_id if parent else None,
        )
        self.clauses.append(clause)
        return clause

    def _add_item(self, lines: list[_Line], i: int, indent: int, text_start: int) -> int:
        end = lines[i].end
        j = i + 1
        while (
            j < len(lines)
            and lines[j].text.strip()
            and not _ITEM.match(lines[j].text)
            and _indent(lines[j].text) > indent
        ):
            end = lines[j].end
            j += 1
        self.open_items = [(d, c) for d, c in self.open_items if d < indent]
        parent = self.open_items[-1][1] if self.open_items else None
        # a nested item reads as its parent item's text followed by itself
        context = "\n".join([self.lead_in] + [c.text for _, c in self.open_items]).strip()
        item = self._new_clause(self.doc.text[text_start:end], text_start, "item", context, parent)
        self.open_items.append((indent, item))
        return j

    def _add_paragraph(self, lines: list[_Line], i: int) -> int:
        indent = _indent(lines[i].text)
        j = i
        while (
            j < len(lines)
            and lines[j].text.strip()
            and not _ITEM.match(lines[j].text)
            and not _HEADING.match(lines[j].text)
        ):
            j += 1
        start = lines[i].start + indent
        text = self.doc.text[start : lines[j - 1].end]
        owners = [(d, c) for d, c in self.open_items if d < indent]
        parent = owners[-1][1] if owners else None
        if parent is None:
            self.open_items = []
        context = _last_sentence(parent.text) if parent else ""
        sentences = list(split_sentences(text, start))
        for sentence, s_start, _ in sentences:
            self._new_clause(sentence, s_start, "sentence", context, parent)
        if parent is None and sentences:
            self.lead_in = sentences[-1][0]
        return j


def _last_sentence(text: str) -> str:
    sentences = list(split_sentences(text, 0))
    return sentences[-1][0] if sentences else text


def parse_document(path: Path) -> tuple[Document, list[Section], list[Clause]]:
    """Read one Markdown policy file with its front matter into a document, sections, clauses."""
    text = path.read_text(encoding="utf-8")
    front = _FRONT_MATTER.match(text)
    if not front:
        raise CorpusError(
            f"{path}: missing front matter block (---) with {', '.join(_REQUIRED_META)}"
        )
    meta = yaml.safe_load(front.group(1)) or {}
    missing = [key for key in _REQUIRED_META if not meta.get(key)]
    if missing:
        raise CorpusError(f"{path}: front matter lacks {', '.join(missing)}")
    doc = Document(
        doc_id=path.stem,
        title=str(meta["title"]),
        source_url=str(meta["source_url"]),
        version=str(meta["version"]),
        path=str(path),
        text=text,
    )
    parser = _DocumentParser(doc, front.end())
    parser.parse()
    return doc, parser.sections, parser.clauses


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
