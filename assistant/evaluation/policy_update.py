"""Install a new version of a policy document safely: check everything it affects in one run
(stance overrides, out-of-scope topics, synonyms, evaluation gold quotes, changed stances),
write a review report, and install it only when nothing is in error, all at once."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from assistant.answer.query import covered_terms, load_synonyms, load_topics, words_of
from assistant.config import Settings
from assistant.errors import AssistantError, CorpusError
from assistant.evaluation.harness import resolve_quote
from assistant.models import Document, Stance
from assistant.policy.corpus import Corpus, document_file, parse_document
from assistant.policy.stance import assign_stances, load_overrides, stance_from_cues
from assistant.policy.versions import (
    HISTORY,
    ClauseChange,
    Era,
    data_file,
    diff_versions,
    iso_date,
    load_versions,
)
from assistant.policy.versions import eras as make_eras
from assistant.service import data_files, load_history, policy_texts

DATA_KINDS = ("stance-overrides", "synonyms", "out-of-scope")
_SCOPE_WORDS = re.compile(r"\bsupport|\bresponsib|\bcustomers? must\b|\byou must\b", re.I)


class UpdateError(AssistantError):
    """A new policy version cannot be installed as asked."""

    code = "update_error"


@dataclass
class UpdateReview:
    """What installing a version would do, and what stands in its way."""

    document: str
    version: str
    previous_version: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changes: list[ClauseChange] = field(default_factory=list)
    installed: bool = False

    def markdown(self) -> str:
        """The review report."""
        counts = {k: sum(c.change == k for c in self.changes) for k in ("added", "removed")}
        changed = sum(c.change == "changed" for c in self.changes)
        lines = [
            f"# Policy update: {self.document} {self.previous_version} → {self.version}",
            "",
            f"- result: {'installed' if self.installed else 'not installed'}",
            f"- {len(self.errors)} errors, {len(self.warnings)} warnings",
            f"- clauses: {counts['added']} added, {counts['removed']} removed, {changed} changed",
            "",
            "## Errors",
            "",
            *([f"- {e}" for e in self.errors] or ["none"]),
            "",
            "## Warnings",
            "",
            *([f"- {w}" for w in self.warnings] or ["none"]),
            "",
            "## Changes",
            "",
            "| change | clause | stance | before | after |",
            "|---|---|---|---|---|",
        ]
        for c in self.changes:
            stance = f"{c.previous_stance or '–'} → {c.stance or '–'}"
            lines.append(
                f"| {c.change} | `{c.clause_id}` | {stance} | {_cell(c.previous_text)} | "
                f"{_cell(c.text)} |"
            )
        return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or "–"


def review_update(
    settings: Settings, new_file: Path, questions: Path | None, history: bool = False
) -> tuple[UpdateReview, Path]:
    """Stage the corpus with the new version installed in a folder beside the corpus and review
    it; returns the review and the staged folder (the caller installs or removes it)."""
    corpus_dir = settings.corpus_dir
    current = load_history(settings)
    docs = [v.document for v in current[-1].versions]
    doc = _target(docs, new_file)
    incoming, _, _ = parse_document(new_file, doc.doc_id)
    review = UpdateReview(doc.doc_id, incoming.version, doc.version)
    if iso_date(incoming.version) is None:
        raise UpdateError(f"{new_file}: the version {incoming.version!r} is not a date")
    known = {v.version for era in current for v in era.versions if v.document.doc_id == doc.doc_id}
    if incoming.version in known:
        raise UpdateError(f"{doc.doc_id} already has version {incoming.version}")
    if incoming.version < doc.version and not history:
        raise UpdateError(
            f"{new_file}: version {incoming.version} is older than the current {doc.version}; "
            "use --history to add it as an earlier version"
        )
    staged = Path(tempfile.mkdtemp(prefix=f".{corpus_dir.name}.update-", dir=corpus_dir.parent))
    shutil.copytree(corpus_dir, staged, dirs_exist_ok=True)
    folder = staged / HISTORY / doc.doc_id
    folder.mkdir(parents=True, exist_ok=True)
    if history:
        shutil.copyfile(new_file, folder / f"{incoming.version}.md")
    else:
        shutil.move(staged / f"{doc.doc_id}.md", folder / f"{doc.version}.md")
        for kind in DATA_KINDS:  # the old version keeps the data files it was reviewed with
            data = document_file(staged, doc.doc_id, kind)
            if data.exists():
                shutil.copyfile(data, folder / f"{doc.version}.{kind}.toml")
        shutil.copyfile(new_file, staged / f"{doc.doc_id}.md")
    _check(review, settings.model_copy(update={"corpus_dir": staged}), questions)
    return review, staged


def _target(docs: list[Document], new_file: Path) -> Document:
    """The document a new file is a version of: the one its name names, else the only one."""
    by_name = [d for d in docs if d.doc_id == new_file.stem]
    if by_name:
        return by_name[0]
    if len(docs) == 1:
        return docs[0]
    raise UpdateError(
        f"{new_file}: name it after the document it updates ({', '.join(d.doc_id for d in docs)})"
    )


def _check(review: UpdateReview, staged: Settings, questions: Path | None) -> None:
    """Every problem of the staged corpus, at once."""
    try:
        versions = load_versions(staged.corpus_dir)
    except CorpusError as exc:  # a file that does not parse
        review.errors += str(exc).splitlines()
        return
    stanced = []
    for doc in versions:
        kept = []
        for version in doc:
            path = data_file(staged.corpus_dir, version.document, "stance-overrides")
            overrides = load_overrides(path)
            usable = [
                (quote, stance)
                for quote, stance in overrides
                if sum(quote in c.text for c in version.clauses) == 1
            ]
            if len(usable) < len(overrides):  # report every orphan, review the rest anyway
                try:
                    assign_stances(version.clauses, overrides)
                except CorpusError as exc:
                    review.errors += [f"{path.name}: {line}" for line in str(exc).splitlines()]
            kept.append(replace(version, clauses=assign_stances(version.clauses, usable)))
        stanced.append(kept)
    eras = make_eras(stanced)
    now = eras[-1]
    corpus = now.corpus()
    version = next(v for v in now.versions if v.document.doc_id == review.document)
    before = [
        v
        for era in eras
        for v in era.versions
        if v.document.doc_id == review.document and v.version < version.version
    ]
    if before:
        review.previous_version = before[-1].version
        review.changes = diff_versions(before[-1], version)
    texts = policy_texts(corpus)
    for path in data_files(staged, corpus, "out-of-scope"):
        for topic, term in covered_terms(load_topics(path), texts):
            review.errors.append(
                f"{path.name}: out-of-scope topic {topic!r} names {term!r}, which the policy covers"
            )
    words = words_of(texts)
    for path in data_files(staged, corpus, "synonyms"):
        for synonym in load_synonyms(path):
            missing = sorted(words_of([synonym.expand]) - words)
            if missing:
                review.warnings.append(
                    f"{path.name}: synonym {synonym.terms[0]!r} expands to words the policy no "
                    f"longer uses: {', '.join(missing)}"
                )
    if questions is not None and questions.exists():
        review.errors += _gold_problems(questions, corpus, eras)
    for change in review.changes:
        if change.change == "changed" and change.stance != change.previous_stance:
            review.warnings.append(
                f"stance of {change.clause_id} changed: {change.previous_stance} → "
                f"{change.stance} ({change.text[:80]!r})"
            )
    for clause in version.clauses:
        if clause.stance is Stance.INFORMATIONAL and _SCOPE_WORDS.search(clause.text):
            if stance_from_cues(clause.text) is None:
                review.warnings.append(
                    f"{clause.clause_id} is informational but reads like a scope statement: "
                    f"{clause.text[:100]!r}"
                )


def _gold_problems(questions: Path, corpus: Corpus, eras: list[Era]) -> list[str]:
    """Labelled items asked about the current policy whose gold quotes no longer resolve."""
    problems = []
    for n, line in enumerate(questions.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        item = json.loads(line)
        if item.get("as_of"):
            continue  # anchored to an earlier version
        for quote in item.get("gold_quotes", []):
            if resolve_quote(quote, corpus) is None:
                problems.append(
                    f"{questions.name} line {n} ({item.get('id')}): gold quote {quote!r} no "
                    "longer identifies one clause (relabel it, or give the item an as_of date "
                    "when the old version was in force)"
                )
    return problems


def install(staged: Path, corpus_dir: Path) -> None:
    """Put the staged corpus folder in place of the corpus folder (never half-applied: the old
    folder is restored if the swap fails)."""
    backup = corpus_dir.with_name(f".{corpus_dir.name}.previous")
    if backup.exists():
        shutil.rmtree(backup)
    corpus_dir.rename(backup)
    try:
        staged.rename(corpus_dir)
    except OSError:
        backup.rename(corpus_dir)
        raise
    shutil.rmtree(backup)
