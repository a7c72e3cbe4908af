"""The HTML evaluation report in Chromium: per-verdict table, calibration counts, failures with
clause texts and only the wrong cells coloured, and a table that sorts and filters offline."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the conftest reports the missing package
    if os.environ.get("CI"):
        raise
    pytest.skip("the playwright package is not installed", allow_module_level=True)

from assistant.evaluation.harness import load_items
from assistant.evaluation.report import write_report
from assistant.evaluation.runner import evaluate_assistant
from assistant.service import Assistant

from .conftest import ROOT

expect.set_options(timeout=20_000)
SCREENSHOT = ROOT / "docs" / "eval-report.png"


@pytest.fixture(scope="module")
def report_page(
    browser: Any, assistant: Assistant, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    items = load_items(ROOT / "eval" / "questions.jsonl", assistant.corpus, assistant.corpus_at)
    dev = [i for i in items if i.split == "dev"][:60]
    _, report = evaluate_assistant(assistant, dev, progress=False)
    assert report.failures, "the sample is expected to have some failures to show"
    paths = write_report(report, tmp_path_factory.mktemp("report"))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(Path(paths["html"]).as_uri())
    page.report = report  # type: ignore[attr-defined]
    page.requests = requests  # type: ignore[attr-defined]
    yield page
    context.close()


def test_one_section_per_split_with_per_verdict_and_calibration_tables(report_page: Any) -> None:
    page = report_page
    expect(page.locator("h2", has_text="dev")).to_have_count(1)
    expect(page.locator("h2", has_text="all")).to_have_count(0)  # one split: no "all" copy
    expect(page.locator("h3", has_text="Per expected verdict")).to_have_count(1)
    verdicts = page.report.metrics["dev"]["per_verdict"]
    for name, row in verdicts.items():
        expect(page.locator("tr", has=page.locator(f"td:text-is('{name}')")).first).to_contain_text(
            str(row["n"])
        )
    bins = page.report.metrics["dev"]["calibration"]["bins"]
    counts = page.locator("caption:has-text('Calibration bins') >> xpath=.. >> tr td:nth-child(2)")
    expect(counts).to_have_text([str(b["n"]) for b in bins])
    assert all(url.startswith(("file:", "data:")) for url in page.requests), page.requests


def test_failures_show_clause_texts_and_colour_only_what_was_wrong(report_page: Any) -> None:
    page = report_page
    rows = page.locator("#failures tbody tr")
    expect(rows).to_have_count(len(page.report.failures))
    for failure, row in zip(page.report.failures, rows.all(), strict=True):
        got, cited = row.locator("td").nth(4), row.locator("td").nth(7)
        assert ("wrong" in (got.get_attribute("class") or "")) == failure["verdict_wrong"]
        assert ("wrong" in (cited.get_attribute("class") or "")) == failure["citation_missed"]
        for clause_id in failure["gold"]:
            expect(row.locator("td").nth(6)).to_contain_text(page.report.clauses[clause_id])
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.locator("h2", has_text="Failures").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOT), full_page=False)


def test_failures_table_sorts_and_filters(report_page: Any) -> None:
    page = report_page
    rows = page.locator("#failures tbody tr")
    total = rows.count()
    page.locator("#failures th", has_text="conf.").click()
    values = [
        float(v) for v in page.locator("#failures tbody tr td:nth-child(6)").all_inner_texts()
    ]
    assert values == sorted(values)
    page.locator("#failures th", has_text="conf.").click()
    values = [
        float(v) for v in page.locator("#failures tbody tr td:nth-child(6)").all_inner_texts()
    ]
    assert values == sorted(values, reverse=True)

    page.select_option("#why", "verdict")
    visible = page.locator("#failures tbody tr:visible")
    expected = sum(1 for f in page.report.failures if f["why"] == "verdict")
    expect(visible).to_have_count(expected)
    page.select_option("#why", "")
    first_id = page.report.failures[0]["id"]
    page.fill("#filter", first_id)
    expect(page.locator("#failures tbody tr:visible").first).to_contain_text(first_id)
    assert page.locator("#failures tbody tr:visible").count() < total or total == 1
    page.fill("#filter", "")
    expect(page.locator("#failures tbody tr:visible")).to_have_count(total)
