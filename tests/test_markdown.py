"""Policies as published: Learn front matter, tables, notes, links and the rest of Markdown."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from assistant.errors import CorpusError
from assistant.models import Stance
from assistant.policy.corpus import load_corpus, parse_document
from assistant.policy.markdown import visible_text
from assistant.policy.stance import assign_stances, rule_stances

from .conftest import ROOT

DATA = Path(__file__).parent / "data"
PUBLISHED = ROOT.parent / "shared" / "corpus-source" / "aks-support-policies-2026-08-27.md"
MARKUP = re.compile(r"\[!|\]\(|\*\*|`|<!--")

# (id without the document, kind, stance, text) for tests/data/every-construct.md; "This
# policy covers X" says X is supported, and a sentence opening "It …" continues its stance
EXPECTED = [
    (
        "widget-service-support-policy:1",
        "sentence",
        "supported",
        "This policy covers the Widget Service.",
    ),
    (
        "widget-service-support-policy:2",
        "sentence",
        "supported",
        "It uses bold, emphasis and code.",
    ),
    (
        "supported-scenarios:1",
        "sentence",
        "supported",
        "Microsoft provides technical support for the following:",
    ),
    ("supported-scenarios:2", "item", "supported", "Widget v1.2 installs."),
    ("supported-scenarios:3", "item", "supported", "Gadget integrations, like:"),
    ("supported-scenarios:4", "item", "supported", "Sprockets"),
    ("supported-scenarios:5", "item", "supported", "Cogs"),
    (
        "supported-scenarios:6",
        "sentence",
        "best_effort",
        "Microsoft can provide best-effort support for cogs.",
    ),
    ("supported-scenarios:7", "item", "supported", "Ordered items count too."),
    ("division-of-responsibility:1", "sentence", "informational", "Use the following key:"),
    # a key's rows say what each icon means, not who supports what
    ("division-of-responsibility:2", "row", "informational", "🔵 Customer | You own this area."),
    (
        "division-of-responsibility:3",
        "row",
        "informational",
        "🟢 Microsoft | Microsoft owns this area.",
    ),
    ("division-of-responsibility:4", "row", "informational", "⚠️ Unsupported | Not supported."),
    ("division-of-responsibility:5", "row", "informational", "Hosting"),
    ("division-of-responsibility:6", "row", "microsoft_responsibility", "Servers | 🟢 Microsoft"),
    ("division-of-responsibility:7", "row", "customer_responsibility", "Your data | 🔵 Customer"),
    (
        "division-of-responsibility:8",
        "row",
        "not_supported",
        "Custom plugins (details) | 🔵 Customer ⚠️ Unsupported",
    ),
    (
        "division-of-responsibility:9",
        "note",
        "not_supported",
        "Widgets don't support gadgets older than 90 days.",
    ),
    ("division-of-responsibility:10", "note", "informational", "See the FAQ."),
    ("feature-support:1", "row", "supported", "Stable widgets | ✅"),
    ("feature-support:2", "row", "not_supported", "Alpha widgets | ❌"),
    ("feature-support:3", "row", "best_effort", "Preview widgets | Best-effort"),
    ("feature-support:4", "sentence", "informational", "Tab content stays in its section."),
]


def test_every_construct_gives_the_expected_clauses() -> None:
    doc, sections, clauses = parse_document(DATA / "every-construct.md")
    assert (doc.title, doc.version, doc.source_url) == (
        "Widget Service support policy",
        "2025-03-15",
        "",
    )
    stanced = assign_stances(tuple(clauses), [])
    got = [(c.clause_id.split(":", 1)[1], c.kind, c.stance.value, c.text) for c in stanced]
    assert got == EXPECTED
    assert [s.anchor for s in sections] == [
        "widget-service-support-policy",
        "supported-scenarios",
        "division-of-responsibility",
        "feature-support",
    ]
    nested = next(c for c in clauses if c.text == "Cogs")
    assert nested.context.endswith("Gadget integrations, like:")
    row = next(c for c in clauses if c.text.startswith("Servers"))
    assert row.cells == ("Servers", "🟢 Microsoft") and row.header == ("Area", "Widget Service")


def test_each_clause_is_the_visible_rendering_of_its_source_slice() -> None:
    doc, _, clauses = parse_document(DATA / "every-construct.md")
    for clause in clauses:
        assert visible_text(doc.text[clause.start : clause.end], doc.text) == clause.text


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus folder holding the 2026-08-27 article copied unchanged."""
    if not PUBLISHED.exists():
        pytest.skip(f"{PUBLISHED} not present in this checkout")
    folder = tmp_path_factory.mktemp("published")
    shutil.copy(PUBLISHED, folder / "aks-support-policies.md")
    return folder


def test_the_published_article_parses_unchanged(published: Path) -> None:
    corpus = load_corpus(published)
    (doc,) = corpus.documents
    assert doc.version == "2026-08-27" and doc.source_url == ""
    for clause in corpus.clauses:
        assert not MARKUP.search(clause.text), clause.text
        assert clause.kind == "row" or "|" not in clause.text, clause.text
        slice_ = doc.text[clause.start : clause.end]
        assert visible_text(slice_, doc.text) == clause.text


def test_each_table_row_is_one_clause(published: Path) -> None:
    text = (published / "aks-support-policies.md").read_text(encoding="utf-8")
    body_rows = sum(
        1
        for line in text.splitlines()
        if line.startswith("|") and not re.match(r"^\|[-:| ]+\|$", line)
    )
    tables = len(re.findall(r"^\|[-:| ]+\|$", text, flags=re.M))
    corpus = load_corpus(published)
    rows = [c for c in corpus.clauses if c.kind == "row"]
    assert len(rows) == body_rows - tables  # every line but the header rows
    matrix = [c for c in rows if c.context.startswith("Responsibility area")]
    assert len(matrix) == 46  # 36 areas and the 10 group rows above them
    etcd = next(c for c in rows if c.text.startswith("etcd backups"))
    assert etcd.cells == (
        "etcd backups (automatic, every 30 minutes)",
        "🔵 Customer",
        "🟢 Microsoft",
    )


@pytest.mark.parametrize(
    ("fragment", "stance"),
    [
        ("Microsoft Support can't help with CNI-related issues", Stance.NOT_SUPPORTED),
        ("You're responsible for the CNI plugin lifecycle", Stance.CUSTOMER_RESPONSIBILITY),
        (
            "modifying the IaaS resources associated with the agent nodes is not supported",
            Stance.NOT_SUPPORTED,
        ),
        ("isn't a supported way to stop a cluster", Stance.NOT_SUPPORTED),
        ("Microsoft doesn't support node images that are older than 90 days", Stance.NOT_SUPPORTED),
        ("etcd backups (automatic, every 30 minutes) |", Stance.MICROSOFT_RESPONSIBILITY),
        ("Node OS image and patching |", Stance.SHARED_RESPONSIBILITY),
        ("Secrets management |", Stance.CUSTOMER_RESPONSIBILITY),
        ("Non-Microsoft ingress controllers (nginx", Stance.NOT_SUPPORTED),
        ("Custom subnets | Yes", Stance.SUPPORTED),
        ("Managed subnets | No", Stance.NOT_SUPPORTED),
        ("Beta upstream Kubernetes features | Yes", Stance.SUPPORTED),
        ("AKS preview features and feature flags | Best-effort", Stance.BEST_EFFORT),
    ],
)
def test_published_wordings_get_their_stance(
    published: Path, fragment: str, stance: Stance
) -> None:
    corpus = load_corpus(published)
    rules = rule_stances(corpus.clauses)
    stanced = assign_stances(corpus.clauses, [])
    matches = [i for i, c in enumerate(corpus.clauses) if fragment in c.text]
    assert len(matches) == 1, fragment
    assert rules[matches[0]].stance is stance
    assert rules[matches[0]].features  # the votes a learned classifier can use
    assert stanced[matches[0]].stance is stance


def test_learn_front_matter_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.md"
    path.write_text("---\ntitle: T\nms.topic: x\n---\n\n# T\n\nText.\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"policy\.md: front matter lacks version or ms\.date"):
        parse_document(path)
    path.write_text("---\nms.date: 01/02/2024\n---\n\n# T\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"policy\.md: front matter lacks title"):
        parse_document(path)
    path.write_text("---\ntitle: T\nms.date: 13/45/2024\n---\n\n# T\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"policy\.md: ms\.date"):
        parse_document(path)


def test_html_blocks_keep_their_visible_text() -> None:
    """`<details>`, `<div>` and HTML tables are read like paragraphs and Markdown tables;
    comments and scripts are not clauses; a `<br>` separates words and sentences; a summary's
    question is what the answers after it read under."""
    doc, _, clauses = parse_document(DATA / "html-blocks.md")
    stanced = assign_stances(tuple(clauses), [])
    got = [(c.section_anchor, c.kind, c.stance.value, c.text) for c in stanced]
    assert got == [
        (
            "frequently-asked-questions",
            "sentence",
            "supported",
            "Microsoft supports the Istio add-on.",
        ),
        (
            "frequently-asked-questions",
            "sentence",
            "not_supported",
            "Linkerd & Consul aren't supported.",
        ),
        (
            "frequently-asked-questions",
            "item",
            "customer_responsibility",
            "Customers are responsible for node reboots.",
        ),
        (
            "frequently-asked-questions",
            "note",
            "not_supported",
            "Gadgets older than 90 days aren't supported.",
        ),
        ("feature-support", "sentence", "supported", "Microsoft supports gadgets."),
        ("feature-support", "sentence", "customer_responsibility", "Customers own their data."),
        (
            "feature-support",
            "row",
            "customer_responsibility",
            "Node patching and reboots | Customer (see the FAQ)",
        ),
        ("feature-support", "row", "supported", "Stable gadgets | ✅"),
        ("feature-support", "row", "not_supported", "Alpha gadgets | ❌"),
        ("feature-support", "row", "informational", "Gadget API"),
    ]
    istio = next(c for c in clauses if c.text.startswith("Microsoft supports the Istio"))
    assert istio.context == "Which add-ons are covered?"
    alpha = next(c for c in clauses if c.text.startswith("Alpha"))
    assert alpha.cells == ("Alpha gadgets", "❌") and alpha.header == ("Feature", "Supported?")
    for clause in clauses:
        slice_ = doc.text[clause.start : clause.end]
        if "</td>" in slice_:  # an HTML row: from its first cell's text to its last one's
            filled = [cell for cell in clause.cells if cell]
            assert slice_.startswith(filled[0].split()[0]) and slice_.endswith(filled[-1])
        else:
            assert visible_text(slice_, doc.text) == clause.text
