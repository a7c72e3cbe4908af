"""The package's shape: subpackages that follow the data flow, no import cycles, README in step."""

from __future__ import annotations

import re
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "assistant"


def _cycle(graph: grimp.ImportGraph) -> list[str]:
    """One import cycle among the graph's modules, or [] when there is none."""
    sorter = TopologicalSorter(
        {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    )
    try:
        sorter.prepare()
    except CycleError as error:
        return list(error.args[1])
    return []


def test_no_import_cycles_in_the_package() -> None:
    graph = grimp.build_graph("assistant")
    assert _cycle(graph) == []


def test_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for name in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(name)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.x")
    graph.add_import(importer="a.z", imported="a.x")
    assert set(_cycle(graph)) == {"a.x", "a.y"}


def _subpackages() -> set[str]:
    return {p.parent.name for p in PACKAGE.glob("*/__init__.py")}


def test_modules_sit_at_most_one_folder_below_the_package() -> None:
    relative = [p.relative_to(PACKAGE) for p in PACKAGE.rglob("*.py")]
    deep = [str(p) for p in relative if len(p.parts) > 2]
    assert deep == []


def test_readme_tree_lists_every_subpackage() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tree = readme.split("```text\nassistant/", 1)[1].split("```", 1)[0]
    listed = set(re.findall(r"^(?:├──|└──) (\w+)/", tree, re.M))
    assert listed == _subpackages()
