"""The `assistant` command line: a thin layer over the library."""

from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from assistant.config import Settings
from assistant.errors import AssistantError

if TYPE_CHECKING:
    from assistant.search.embedding import Embedder

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


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question to answer.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
) -> None:
    """Answer one question and print it with its citations."""
    from assistant.service import Assistant

    try:
        answer = Assistant.from_settings(Settings()).answer(question)
    except AssistantError as exc:
        _fail(str(exc))
        return
    if as_json:
        typer.echo(json.dumps(asdict(answer), indent=2, default=str))
        return
    typer.echo(f"[{answer.verdict.value}] (confidence {answer.confidence:.2f})")
    typer.echo(answer.answer)
    for c in answer.citations:
        typer.echo(f"\n[{c.n}] {c.section} — {c.url}\n    {c.text}")


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
    from assistant.service import load_policy

    settings = Settings()
    try:
        corpus = load_policy(settings)
        embedder = load_embedder(settings)
        index = build_index(corpus, embedder, settings.dense_index)
        save_index(index, settings.index_dir)
    except AssistantError as exc:
        _fail(str(exc))
        return
    m = index.manifest
    typer.echo(
        f"built {m.clause_count} clauses with {m.model} ({m.embedding_backend}, dim "
        f"{m.dimension}, {m.dense_index}) "
        f"in {m.build_seconds:.1f}s -> {settings.index_dir}"
    )
    if settings.training_file is not None and settings.training_file.exists():
        _train(settings, embedder)  # the rebuilt folder holds no models yet


@app.command("train")
def train_command() -> None:
    """Fit the learned question typer, answer selector and abstainer on the training questions
    (seeded) and save them into the index folder."""
    _train(Settings(), None)


def _train(settings: Settings, embedder: Embedder | None) -> None:
    from assistant.service import Assistant, train

    rules = settings.model_copy(
        update={"question_typing": "rules", "answer_selection": "rules", "abstention": "rules"}
    )
    try:
        models, metrics = train(Assistant.from_settings(rules, embedder))
    except AssistantError as exc:
        _fail(str(exc))
        return
    typer.echo(
        f"trained on {models.manifest.items} questions in {models.manifest.train_seconds:.1f}s "
        f"-> {settings.index_dir}"
    )
    typer.echo(json.dumps(metrics))


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


@app.command("eval")
def eval_command(
    questions: Annotated[Path, typer.Option(help="Labelled questions (JSONL).")] = Path(
        "eval/questions.jsonl"
    ),
    split: Annotated[str, typer.Option(help="dev, test or all.")] = "all",
    url: Annotated[
        str | None, typer.Option(help="Score a running server over HTTP instead of in-process.")
    ] = None,
    ablations: Annotated[
        bool,
        typer.Option(help="Add the ablation table: retrieval variants, rules vs learned."),
    ] = False,
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
    from assistant.evaluation.runner import (
        ablate,
        ablate_components,
        evaluate_assistant,
        with_ablations,
    )
    from assistant.service import Assistant

    settings = Settings()
    try:
        # refitting starts from the default calibration, whatever the current file says
        run_settings = (
            settings.model_copy(update={"calibration_file": None}) if calibrate else settings
        )
        assistant = Assistant.from_settings(run_settings)
        items = load_items(questions, assistant.corpus)
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
    if ablations:
        rows = ablate(assistant, items, split) + ablate_components(assistant, items, split)
        report = with_ablations(report, rows)
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
