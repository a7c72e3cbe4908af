"""The `assistant` command line: a thin layer over the library."""

from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.config import Settings
from assistant.errors import AssistantError

app = typer.Typer(
    help="Answers support-policy questions in the policy's own words.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
index_app = typer.Typer(help="Build and inspect the search index.", no_args_is_help=True)
app.add_typer(index_app, name="index")
feedback_app = typer.Typer(help="Work with users' ratings of answers.", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")
slack_app = typer.Typer(help="Run the Slack bot on its own.", no_args_is_help=True)
app.add_typer(slack_app, name="slack")
policy_app = typer.Typer(help="Check the policy documents and their data files.")
app.add_typer(policy_app, name="policy", no_args_is_help=True)


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question to answer.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Answer from the policy in force on a date (YYYY-MM-DD)."),
    ] = None,
) -> None:
    """Answer one question and print it with its citations."""
    from assistant.models import Selection
    from assistant.service import Assistant

    try:
        assistant = Assistant.from_settings(Settings())
        answer = assistant.answer(question, selection=Selection(as_of=as_of))
    except AssistantError as exc:
        _fail(str(exc))
        return
    if as_json:
        typer.echo(json.dumps(asdict(answer), indent=2, default=str))
        return
    typer.echo(f"[{answer.verdict.value}] (confidence {answer.confidence:.2f})")
    typer.echo(answer.answer)
    for c in answer.citations:
        typer.echo(f"\n[{c.n}] {c.section} ({c.version}) — {c.url}\n    {c.text}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the HTTP API (and build the index first when it is missing); SIGHUP reloads the
    index, SIGTERM finishes running requests and stops."""
    from assistant.service import Assistant
    from assistant.web.api import create_app
    from assistant.web.observability import configure_logging
    from assistant.web.operations import run_server

    settings = Settings()
    configure_logging(settings)
    try:
        assistant = Assistant.from_settings(settings)
    except AssistantError as exc:
        _fail(str(exc))
        return
    run_server(create_app(settings, assistant), settings, host, port)


@slack_app.command("serve")
def slack_serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 3000,
) -> None:
    """Serve only the Slack bot: over Socket Mode when SLACK_APP_TOKEN is set, else its
    /slack/* routes over HTTP."""
    from assistant.service import Assistant
    from assistant.slack.bot import create_slack_app, run_socket_mode, slack_configured
    from assistant.web.observability import configure_logging

    settings = Settings()
    configure_logging(settings)
    if not slack_configured(settings):
        _fail("set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to run the Slack bot")
        return
    try:
        assistant = Assistant.from_settings(settings)
        if settings.slack_app_token:
            run_socket_mode(settings, assistant)
            return
        app = create_slack_app(settings, assistant)
    except AssistantError as exc:
        _fail(str(exc))
        return
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="info")


@index_app.command("build")
def index_build() -> None:
    """Embed the corpus and write the dense and lexical indexes atomically."""
    from assistant.search.embedding import load_embedder
    from assistant.search.index import build_index, save_index
    from assistant.service import history_index_dir, load_history

    settings = Settings()
    try:
        eras = load_history(settings)
        embedder = load_embedder(settings)
        index = build_index(eras[-1].corpus(), embedder, settings.dense_index)
        save_index(index, settings.index_dir)
        for era in eras[:-1]:  # the versions in force earlier, for `as_of` questions
            save_index(
                build_index(era.corpus(), embedder, settings.dense_index),
                history_index_dir(settings, era),
            )
    except AssistantError as exc:
        _fail(str(exc))
        return
    m = index.manifest
    typer.echo(
        f"built {m.clause_count} clauses with {m.model} ({m.embedding_backend}, dim "
        f"{m.dimension}, {m.dense_index}) "
        f"in {m.build_seconds:.1f}s -> {settings.index_dir}"
    )


@index_app.command("info")
def index_info() -> None:
    """Print the index manifest and whether it matches the corpus and model."""
    from assistant.search.index import check_manifest, read_manifest
    from assistant.service import load_policy

    settings = Settings()
    try:
        manifest = read_manifest(settings.index_dir)
        typer.echo(json.dumps(asdict(manifest), indent=2))
        check_manifest(manifest, settings.model, load_policy(settings), settings.embedding_backend)
    except AssistantError as exc:
        _fail(str(exc))
        return
    typer.echo("index matches the corpus and the configured model")


@policy_app.command("check")
def policy_check() -> None:
    """Parse every document and data file; report out-of-scope terms the policy now covers
    (exit status 1 when there is any problem)."""
    from assistant.service import load_policy, stale_topics

    settings = Settings()
    try:
        corpus = load_policy(settings)
    except AssistantError as exc:
        _fail(str(exc))
        return
    problems = stale_topics(settings, corpus)
    for problem in problems:
        typer.echo(problem)
    if problems:
        raise typer.Exit(1)
    counts = ", ".join(
        f"{d.doc_id} {d.version}: {sum(c.doc_id == d.doc_id for c in corpus.clauses)} clauses"
        for d in corpus.documents
    )
    typer.echo(f"ok: {counts}")


class DiffFormat(StrEnum):
    """Formats `policy diff` prints."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


@policy_app.command("diff")
def policy_diff(
    document: Annotated[str, typer.Argument(help="The document id.")],
    since: Annotated[
        str | None, typer.Option("--from", help="The earlier version; default: the previous.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--to", help="The later version; default: the current.")
    ] = None,
    fmt: Annotated[DiffFormat, typer.Option("--format", help="text, json or markdown.")] = (
        DiffFormat.TEXT
    ),
) -> None:
    """Clause-level changes between two versions of a document: added, removed, changed (with
    stance before → after), matched by section and text similarity."""
    from assistant.policy.versions import diff_versions
    from assistant.service import load_history

    try:
        versions = {
            v.version: v
            for era in load_history(Settings())
            for v in era.versions
            if v.document.doc_id == document
        }
        if not versions:
            _fail(f"no policy document {document!r}")
            return
        names = sorted(versions)
        new = versions[until] if until else versions[names[-1]]
        earlier = [n for n in names if n < new.version]
        old = versions[since] if since else versions[earlier[-1] if earlier else new.version]
    except KeyError as exc:
        _fail(f"{document} has no version {exc}; its versions are {', '.join(sorted(versions))}")
        return
    except AssistantError as exc:
        _fail(str(exc))
        return
    changes = diff_versions(old, new)
    if fmt is DiffFormat.JSON:
        typer.echo(json.dumps([asdict(c) for c in changes], indent=2, ensure_ascii=False))
        return
    if fmt is DiffFormat.MARKDOWN:
        typer.echo(f"# {document}: {old.version} → {new.version}\n")
        typer.echo("| change | clause | stance | before | after |\n|---|---|---|---|---|")
        for c in changes:
            cells = [c.change, f"`{c.clause_id}`", f"{c.previous_stance} → {c.stance}"]
            cells += [t.replace("|", "\\|") for t in (c.previous_text, c.text)]
            typer.echo("| " + " | ".join(cells) + " |")
        return
    typer.echo(f"{document}: {old.version} -> {new.version}: {len(changes)} changes")
    for c in changes:
        typer.echo(f"{c.change:8} {c.clause_id} [{c.section}] {c.previous_stance} -> {c.stance}")
        if c.previous_text:
            typer.echo(f"  - {c.previous_text}")
        if c.text:
            typer.echo(f"  + {c.text}")


@policy_app.command("update")
def policy_update(
    file: Annotated[Path, typer.Argument(help="The new version (Markdown with front matter).")],
    history: Annotated[
        bool, typer.Option(help="Add an older version to the history instead of replacing.")
    ] = False,
    questions: Annotated[Path, typer.Option(help="Labelled questions to check.")] = Path(
        "eval/questions.jsonl"
    ),
    report: Annotated[
        Path | None, typer.Option(help="Where to write the review (Markdown).")
    ] = None,
) -> None:
    """Check a new version against everything it affects, write a review report, and install
    it (current file to history) only when there are no errors."""
    import shutil

    from assistant.evaluation.policy_update import install, review_update

    settings = Settings()
    try:
        review, staged = review_update(settings, file, questions, history)
    except AssistantError as exc:
        _fail(str(exc))
        return
    try:
        if not review.errors:
            install(staged, settings.corpus_dir)
            review.installed = True
    finally:
        if staged.exists():
            shutil.rmtree(staged)
    target = report or Path(f"policy-update-{review.document}-{review.version}.md")
    target.write_text(review.markdown(), encoding="utf-8")
    for line in review.errors:
        typer.echo(f"error: {line}")
    for line in review.warnings:
        typer.echo(f"warning: {line}")
    typer.echo(f"review: {target}")
    if not review.installed:
        typer.echo(f"not installed: {len(review.errors)} errors")
        raise typer.Exit(1)
    typer.echo(
        f"installed {review.document} {review.version}; now run `assistant index build` and "
        "reload (POST /admin/reload or restart)"
    )


@app.command("eval")
def eval_command(
    questions: Annotated[Path, typer.Option(help="Labelled questions (JSONL).")] = Path(
        "eval/questions.jsonl"
    ),
    split: Annotated[str, typer.Option(help="dev, test or all.")] = "all",
    url: Annotated[
        str | None, typer.Option(help="Score a running server over HTTP instead of in-process.")
    ] = None,
    ablations: Annotated[bool, typer.Option(help="Add the retrieval ablation table.")] = False,
    out: Annotated[Path, typer.Option(help="Folder for timestamped reports.")] = Path(
        "eval/reports"
    ),
    compare: Annotated[
        tuple[Path, Path] | None,
        typer.Option(help="Compare two report.json files (OLD NEW) and exit.", show_default=False),
    ] = None,
    calibrate: Annotated[
        bool, typer.Option(help="Fit confidence and threshold on the dev split and save them.")
    ] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Ask every question about the policy in force on this date (YYYY-MM-DD), "
            "leaving out the items whose labels don't hold then; default: each item's own.",
        ),
    ] = None,
) -> None:
    """Score the assistant on the labelled questions and write a report."""
    from assistant.evaluation.harness import compare_reports, fit_calibration, load_items

    if compare is not None:
        old, new = (json.loads(p.read_text(encoding="utf-8")) for p in compare)
        lines = compare_reports(old, new)
        typer.echo("\n".join(lines) if lines else "no differences")
        return
    if split not in ("dev", "test", "all"):
        _fail(f"--split must be dev, test or all, not {split!r}")
    from assistant.evaluation.report import write_report
    from assistant.evaluation.runner import ablate, evaluate_assistant, with_ablations
    from assistant.service import Assistant

    settings = Settings()
    try:
        # refitting starts from the default calibration, whatever the current file says
        run_settings = (
            settings.model_copy(update={"calibration_file": None}) if calibrate else settings
        )
        assistant = Assistant.from_settings(run_settings)
        if as_of is not None:
            assistant.view(as_of)  # a clear error for a date before the first version
        items = load_items(questions, assistant.corpus, assistant.corpus_at, as_of)
    except AssistantError as exc:
        _fail(str(exc))
        return
    if calibrate:
        dev = [i for i in items if i.split == "dev"]
        results, _ = evaluate_assistant(assistant, dev, progress=progress)
        fitted = fit_calibration(results)
        if settings.calibration_file is None:
            _fail("ASSISTANT_CALIBRATION_FILE is unset; nowhere to save the calibration")
            return
        settings.calibration_file.write_text(json.dumps(fitted, indent=2) + "\n", encoding="utf-8")
        typer.echo(
            f"calibration fitted on {fitted['n']} dev questions -> {settings.calibration_file}"
        )
        typer.echo(json.dumps(fitted))
        return
    chosen = [i for i in items if split == "all" or i.split == split]
    _, report = evaluate_assistant(assistant, chosen, url=url, progress=progress)
    if as_of is not None:
        typer.echo(f"as of {as_of}: {len(chosen)} items whose labels hold on that date")
    if ablations:
        report = with_ablations(report, ablate(assistant, items, split))
    folder = out / report.created_at.replace(":", "")
    paths = write_report(report, folder)
    for name, m in report.metrics.items():
        typer.echo(
            f"{name:5} n={m['n']:3} verdict_acc={m['verdict_accuracy']} macro_f1={m['macro_f1']} "
            f"hit@1={m['citations']['hit@1']} hit@3={m['citations']['hit@3']} "
            f"abstain_f1={m['abstention']['f1']} grounding={m['grounding_rate']} "
            f"5xx={m['server_errors']} p50={m['latency_ms']['p50']}ms"
        )
    typer.echo(f"report: {paths['md']} {paths['html']} {paths['json']}")


class ExportFormat(StrEnum):
    """File formats `feedback export` writes."""

    JSONL = "jsonl"
    CSV = "csv"


@feedback_app.command("export")
def feedback_export(
    fmt: Annotated[
        ExportFormat, typer.Option("--format", help="jsonl (one item a line) or csv.")
    ] = ExportFormat.JSONL,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write; default: stdout.")
    ] = None,
) -> None:
    """Write every rating with its turn's question, verdict and cited clauses, shaped like
    evaluation items (`expected_verdict` is left empty for a reviewer)."""
    from assistant.storage.records import feedback_rows
    from assistant.storage.stores import open_store

    try:
        store = open_store(Settings())
        try:
            rows = feedback_rows(store)
        finally:
            store.close()
    except AssistantError as exc:
        _fail(str(exc))
        return
    text = _jsonl(rows) if fmt is ExportFormat.JSONL else _csv(rows)
    if output is None:
        sys.stdout.write(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {len(rows)} feedback items to {output}", err=True)


def _jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def _csv(rows: list[dict[str, Any]]) -> str:
    from assistant.storage.records import FEEDBACK_FIELDS

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FEEDBACK_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "gold_clause_ids": " ".join(row["gold_clause_ids"])})
    return buffer.getvalue()


def main() -> None:
    """Entry point for `python -m assistant`."""
    app(prog_name="assistant")


if __name__ == "__main__":  # pragma: no cover
    main()
