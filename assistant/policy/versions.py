"""Policy versions: each document's current file and its history (`history/<id>/<version>.md`),
clause ids that stay stable from version to version, the corpus in force on a date, and
clause-level differences between versions."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from rapidfuzz import fuzz

from assistant.errors import CorpusError
from assistant.models import Clause, Document, Section
from assistant.policy.corpus import Corpus, document_file, parse_document

HISTORY = "history"
# Two clauses are one clause in two versions when their texts are this similar (0-100):
# a little lower in the same section, where an edit is the likelier explanation.
SAME_SECTION_SIMILARITY = 70.0
OTHER_SECTION_SIMILARITY = 85.0


@dataclass(frozen=True)
class Version:
    """One version of one document: its metadata, sections and clauses (with stable ids)."""

    document: Document
    sections: tuple[Section, ...]
    clauses: tuple[Clause, ...]

    @property
    def version(self) -> str:
        """The version string (an ISO date for dated versions)."""
        return self.document.version


@dataclass(frozen=True)
class ClauseChange:
    """A clause added, removed or changed between two versions of a document."""

    change: str  # "added", "removed" or "changed"
    clause_id: str
    version: str
    previous_version: str
    section: str
    text: str  # "" for a removed clause
    previous_text: str  # "" for an added clause
    stance: str = ""
    previous_stance: str = ""
    anchor: str = ""  # the section anchor of the clause (of the removed one, when removed)


def iso_date(version: str) -> date | None:
    """The version as a date when it is an ISO date, else None."""
    try:
        return date.fromisoformat(version)
    except ValueError:
        return None


def history_files(corpus_dir: Path, doc_id: str) -> list[Path]:
    """A document's earlier versions, `history/<id>/<version>.md`, oldest first."""
    return sorted((corpus_dir / HISTORY / doc_id).glob("*.md"), key=lambda p: p.stem)


def read_version(path: Path, doc_id: str, version: str | None = None) -> Version:
    """Parse one version of a document (`version` overrides the front matter's)."""
    doc, sections, clauses = parse_document(path, doc_id)
    if version is not None:
        doc = replace(doc, version=version)
    return Version(doc, tuple(sections), tuple(clauses))


def data_file(corpus_dir: Path, document: Document, kind: str) -> Path:
    """A document version's reviewed data file of a kind: `<id>.<kind>.toml` beside the current
    file, `history/<id>/<version>.<kind>.toml` beside an earlier version's."""
    path = Path(document.path)
    if path.parent.name == document.doc_id and path.parent.parent.name == HISTORY:
        return path.with_name(f"{document.version}.{kind}.toml")
    return document_file(corpus_dir, document.doc_id, kind)


def _source_url(corpus_dir: Path, doc_id: str) -> str | None:
    """The published URL from `<id>.document.toml`, for a document copied unchanged from a
    site whose front matter doesn't carry it (Microsoft Learn's)."""
    path = document_file(corpus_dir, doc_id, "document")
    if not path.exists():
        return None
    try:
        url = tomllib.loads(path.read_text(encoding="utf-8")).get("source_url")
    except tomllib.TOMLDecodeError as exc:
        raise CorpusError(f"{path}: {exc}") from exc
    if url is not None and not isinstance(url, str):
        raise CorpusError(f"{path}: source_url must be a string")
    return url


def document_versions(corpus_dir: Path, current: Path) -> list[Version]:
    """Every version of the document whose current file is `current`, oldest first, with
    clause ids carried from each version to the next."""
    doc_id = current.stem
    history = []
    for path in history_files(corpus_dir, doc_id):
        if iso_date(path.stem) is None:
            raise CorpusError(f"{path}: a history file is named by its version (YYYY-MM-DD.md)")
        history.append(read_version(path, doc_id, path.stem))
    latest = read_version(current, doc_id)
    url = _source_url(corpus_dir, doc_id)
    if url is not None:
        history = [replace(v, document=replace(v.document, source_url=url)) for v in history]
        latest = replace(latest, document=replace(latest.document, source_url=url))
    for old in history:
        if _key(old.version) >= _key(latest.version):
            raise CorpusError(
                f"{corpus_dir / HISTORY / doc_id / (old.version + '.md')}: history version "
                f"{old.version} is not older than the current file's {latest.version}"
            )
    return carry_ids([*history, latest])


def load_versions(corpus_dir: Path) -> list[list[Version]]:
    """Every document's versions (documents by name, versions oldest first)."""
    paths = sorted(corpus_dir.glob("*.md"))
    if not paths:
        raise CorpusError(f"corpus_dir {str(corpus_dir)!r} holds no *.md policy documents")
    return [document_versions(corpus_dir, path) for path in paths]


def _key(version: str) -> str:
    """Sort key: dated versions by date; undated ones count as in force from the start."""
    return version if iso_date(version) is not None else ""


def carry_ids(versions: list[Version]) -> list[Version]:
    """The versions (oldest first) with each clause's id carried over from the clause it
    continues in the version before; a new clause keeps its positional id unless an earlier
    version used that id for another clause, when `@<version>` is added to it."""
    out: list[Version] = []
    used: set[str] = set()
    for version in versions:
        if not out:
            out.append(version)
            used |= {c.clause_id for c in version.clauses}
            continue
        previous = out[-1].clauses
        matched = match_clauses(previous, version.clauses)
        ids: dict[str, str] = {}
        taken = {previous[j].clause_id for j in matched.values()}
        for i, clause in enumerate(version.clauses):
            if i in matched:
                ids[clause.clause_id] = previous[matched[i]].clause_id
                continue
            new_id = clause.clause_id
            if new_id in used or new_id in taken:
                new_id = f"{new_id}@{version.version}"
            ids[clause.clause_id] = new_id
        clauses = tuple(
            replace(
                c,
                clause_id=ids[c.clause_id],
                parent_id=ids.get(c.parent_id) if c.parent_id else None,
            )
            for c in version.clauses
        )
        out.append(replace(version, clauses=clauses))
        used |= set(ids.values())
    return out


def _plain(text: str) -> str:
    return " ".join(text.lower().replace("\u2019", "'").split())


def match_clauses(old: tuple[Clause, ...], new: tuple[Clause, ...]) -> dict[int, int]:
    """Which old clause each new clause continues (new position → old position): identical
    text first (wherever it moved), then the most similar text, one to one; by section and
    text, never by position."""
    matched: dict[int, int] = {}
    free_old = set(range(len(old)))
    old_plain = [_plain(c.text) for c in old]
    new_plain = [_plain(c.text) for c in new]
    for same_section in (True, False):  # identical text: in the same section first
        for i, text in enumerate(new_plain):
            if i in matched:
                continue
            j = next(
                (
                    j
                    for j in sorted(free_old)
                    if old_plain[j] == text
                    and (not same_section or old[j].section_anchor == new[i].section_anchor)
                ),
                None,
            )
            if j is not None:
                matched[i] = j
                free_old.discard(j)
    pairs = []
    for i in range(len(new)):
        if i in matched:
            continue
        for j in free_old:
            same = old[j].section_anchor == new[i].section_anchor
            score = fuzz.ratio(new_plain[i], old_plain[j])
            if score >= (SAME_SECTION_SIMILARITY if same else OTHER_SECTION_SIMILARITY):
                pairs.append((score + (5.0 if same else 0.0), i, j))
    for _, i, j in sorted(pairs, reverse=True):
        if i not in matched and j in free_old:
            matched[i] = j
            free_old.discard(j)
    return matched


def diff_versions(old: Version, new: Version) -> list[ClauseChange]:
    """Clauses added, removed and changed (text or stance) from `old` to `new`, in the new
    version's reading order with removals after the clause they followed."""
    before = {c.clause_id: c for c in old.clauses}
    after_ids = {c.clause_id for c in new.clauses}
    changes: list[ClauseChange] = []
    for clause in new.clauses:
        prior = before.get(clause.clause_id)
        if prior is None:
            changes.append(_change("added", clause, None, old, new))
        elif prior.text != clause.text or prior.stance != clause.stance:
            changes.append(_change("changed", clause, prior, old, new))
    for clause in old.clauses:
        if clause.clause_id not in after_ids:
            changes.append(_change("removed", None, clause, old, new))
    return changes


def _change(
    kind: str, clause: Clause | None, prior: Clause | None, old: Version, new: Version
) -> ClauseChange:
    shown = clause or prior
    assert shown is not None
    return ClauseChange(
        change=kind,
        clause_id=shown.clause_id,
        version=new.version,
        previous_version=old.version,
        section=" > ".join(shown.section_path),
        text=clause.text if clause else "",
        previous_text=prior.text if prior else "",
        stance=clause.stance.value if clause else "",
        previous_stance=prior.stance.value if prior else "",
        anchor=shown.section_anchor,
    )


@dataclass(frozen=True)
class Era:
    """The versions in force from `start` (an ISO date; "" before any dated version) until
    the next era's start."""

    start: str
    versions: tuple[Version, ...]

    def corpus(self) -> Corpus:
        """The corpus these versions make up."""
        digest = hashlib.sha256()
        for v in self.versions:
            digest.update(f"{v.document.doc_id}@{v.version}".encode() + b"\0")
            digest.update(v.document.text.encode() + b"\0")
        return Corpus(
            tuple(v.document for v in self.versions),
            tuple(s for v in self.versions for s in v.sections),
            tuple(c for v in self.versions for c in v.clauses),
            digest.hexdigest(),
        )


def eras(histories: list[list[Version]]) -> list[Era]:
    """Every distinct set of versions in force, oldest first; the last is the current one."""
    starts = sorted({_key(v.version) for versions in histories for v in versions})
    out = []
    for start in starts:
        in_force = []
        for versions in histories:
            valid = [v for v in versions if _key(v.version) <= start]
            if valid:
                in_force.append(valid[-1])
        out.append(Era(start, tuple(in_force)))
    return out


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def era_at(all_eras: list[Era], as_of: str) -> Era | None:
    """The era in force on a date (YYYY-MM-DD), or None before the first version."""
    valid = [e for e in all_eras if e.start <= as_of]
    return valid[-1] if valid else None


def check_as_of(as_of: str) -> str:
    """The date itself; CorpusError-free ValueError when it is not YYYY-MM-DD."""
    if not _DATE.fullmatch(as_of) or iso_date(as_of) is None:
        raise ValueError(f"{as_of!r} is not a date (YYYY-MM-DD)")
    return as_of
