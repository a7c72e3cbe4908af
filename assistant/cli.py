"""The `assistant` command line: a thin layer over the library."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
import tempfile
import textwrap
import urllib.error
import urllib.request
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Protocol

import typer
from typer.core import TyperCommand

from assistant.config import Settings
from assistant.errors import AssistantError, TrainingDataError

_TYPE_TAG = re.compile(r" <(?:str|int|float|bool|path)>")
_REQUIRED_ARGUMENT = re.compile(r"\{([A-Z_]+)\}")


class PlainHelpCommand(TyperCommand):
    """Click's plain help: `QUESTION` rather than typer's `{QUESTION}`, no `<str>` type tags."""

    def get_help(self, ctx: Any) -> str:
        """The command's help text without typer's type and requirement markers."""
        return _REQUIRED_ARGUMENT.sub(r"\1", _TYPE_TAG.sub("", super().get_help(ctx)))


if TYPE_CHECKING:
    from assistant.search.embedding import Embedder

app = typer.Typer(
    help="Answers support-policy questions in the policy's own words.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: no type tags, docstrings reflowed
)
index_app = typer.Typer(
    help="Build and inspect the search index.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(index_app, name="index")
feedback_app = typer.Typer(
    help="Work with users' ratings of answers.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(feedback_app, name="feedback")
slack_app = typer.Typer(
    help="Run the Slack bot on its own.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(slack_app, name="slack")
policy_app = typer.Typer(
    help="Check the policy documents and their data files.", rich_markup_mode=None
)
app.add_typer(policy_app, name="policy", no_args_is_help=True)


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _read_report(path: Path) -> dict[str, Any]:
    """An evaluation report: a report.json file, or the folder `eval` wrote it into."""
    file = path / "report.json" if path.is_dir() else path
    try:
        report = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        _fail(f"cannot read the report {str(file)!r}: {exc}")
    if not isinstance(report, dict):
        _fail(f"{str(file)!r} is not an evaluation report")
    return report


def _quiet_libraries() -> None:
    """Keep model-loading progress bars and library chatter off stderr unless it is a terminal."""
    if not sys.stderr.isatty():
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("TQDM_DISABLE", "1")


def _fast_settings() -> Settings:
    """Settings for answering at the terminal: the torch backend is swapped for its ONNX Runtime
    export (the same float32 vectors), so a question is answered without importing torch."""
    settings = Settings()
    if settings.embedding_backend == "torch":
        return settings.model_copy(update={"embedding_backend": "onnx"})
    return settings


UrlOption = Annotated[
    str | None,
    typer.Option(
        help="Ask a running server (its base URL) instead of loading the model here.",
        metavar="URL",
    ),
]
ApiKeyOption = Annotated[
    str | None, typer.Option(help="API key for --url, when the server requires one.", metavar="KEY")
]


class _Asker(Protocol):
    def __call__(self, question: str) -> dict[str, Any]: ...


def _local_asker(as_of: str | None = None) -> _Asker:
    """Asks through the conversation layer in-process, keeping one conversation's context
    (about the policy in force on `as_of`, when given)."""
    from assistant.dialogue.conversation import Conversations
    from assistant.models import Selection
    from assistant.service import Assistant
    from assistant.storage.sqlite_store import SQLiteConversationStore

    settings = _fast_settings()
    folder = tempfile.mkdtemp(prefix="assistant-cli-")
    store = SQLiteConversationStore(
        Path(folder) / "conversations.sqlite3", settings.conversation_ttl_seconds
    )
    conversations = Conversations(Assistant.from_settings(settings), store)
    current: dict[str, str | None] = {"id": None}

    def ask_locally(question: str) -> dict[str, Any]:
        reply = conversations.ask(question, current["id"], Selection(as_of=as_of))
        current["id"] = reply.conversation_id
        return asdict(reply.answer)

    return ask_locally


def _remote_asker(url: str, api_key: str | None, as_of: str | None = None) -> _Asker:
    """Asks a running server's `POST /v1/ask`, keeping one conversation's context."""
    current: dict[str, str | None] = {"id": None}
    endpoint = url.rstrip("/") + "/v1/ask"

    def ask_remotely(question: str) -> dict[str, Any]:
        fields = {"question": question, "conversation_id": current["id"], "as_of": as_of}
        body = json.dumps({k: v for k, v in fields.items() if v is not None}).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        request = urllib.request.Request(endpoint, body, headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                data: dict[str, Any] = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise AssistantError(_server_error(exc)) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise AssistantError(f"cannot reach {url}: {exc}") from exc
        current["id"] = data.get("conversation_id")
        return data

    return ask_remotely


def _server_error(exc: urllib.error.HTTPError) -> str:
    try:
        error = json.loads(exc.read()).get("error", {})
        return f"server answered {exc.code}: {error.get('message') or exc.reason}"
    except (ValueError, AttributeError):
        return f"server answered {exc.code}: {exc.reason}"


def _asker(url: str | None, api_key: str | None, as_of: str | None = None) -> _Asker:
    return _remote_asker(url, api_key, as_of) if url else _local_asker(as_of)


def format_answer(answer: dict[str, Any], width: int = 88) -> str:
    """An answer for the terminal: verdict, answer, numbered sources, suggestions."""
    from assistant.answer.render import verdict_label
    from assistant.models import Verdict

    lines: list[str] = []
    kind = answer.get("kind", "answer")
    if kind in ("answer", "clarification"):
        label = verdict_label(Verdict(answer["verdict"]), str(answer.get("provider", "")))
        lines += [f"{label} (confidence {float(answer['confidence']):.2f})", ""]
    lines += textwrap.wrap(str(answer["answer"]), width) or [""]
    citations = answer.get("citations") or []
    if citations:
        lines += ["", "Sources:"]
    for c in citations:
        stance = verdict_label(Verdict(c["stance"]), str(answer.get("provider", "")))
        lines.append(f"  [{c['n']}] {c['section']} ({stance})")
        lines += textwrap.wrap(
            str(c["text"]), width, initial_indent="      ", subsequent_indent="      "
        )
        lines.append(f"      {c['url']}")
    suggestions = answer.get("suggestions") or []
    if suggestions:
        lines += ["", "Did you mean:" if kind == "clarification" else "You could also ask:"]
        lines += [f"  - {s}" for s in suggestions]
    return "\n".join(lines)


AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of", help="Answer from the policy in force on a date (YYYY-MM-DD).", metavar="DATE"
    ),
]


@app.command(cls=PlainHelpCommand)
def ask(
    question: Annotated[
        str, typer.Argument(help="The question (or message) to answer.", metavar="QUESTION")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
    url: UrlOption = None,
    api_key: ApiKeyOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Answer one message as the chat does (small talk, hand-off or a policy answer) and print
    the verdict, the answer and its sources."""
    _quiet_libraries()
    try:
        answer = _asker(url, api_key, as_of)(question)
    except AssistantError as exc:
        _fail(str(exc))
        return
    typer.echo(json.dumps(answer, indent=2, default=str) if as_json else format_answer(answer))


@app.command(cls=PlainHelpCommand)
def chat(url: UrlOption = None, api_key: ApiKeyOption = None, as_of: AsOfOption = None) -> None:
    """Talk to the assistant: one message a line, follow-ups keep the conversation's context;
    `/new` starts a new conversation, `/quit` or end of input stops."""
    _quiet_libraries()
    interactive = sys.stdin.isatty()
    try:
        asker = _asker(url, api_key, as_of)
    except AssistantError as exc:
        _fail(str(exc))
        return
    if interactive:
        typer.echo("Ask about the policy; /new starts over, /quit stops.")
    while True:
        try:
            line = input("you> " if interactive else "")
        except (EOFError, KeyboardInterrupt):
            break
        message = line.strip()
        if not message:
            continue
        if message in ("/quit", "/exit"):
            break
        if message == "/new":
            asker = _asker(url, api_key, as_of)
            typer.echo("(new conversation)")
            continue
        try:
            typer.echo(format_answer(asker(message)) + "\n")
        except AssistantError as exc:
            typer.echo(f"error: {exc}", err=True)


@app.command(cls=PlainHelpCommand)
def serve(
    host: Annotated[
        str, typer.Option(help="Interface to listen on.", metavar="HOST")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", metavar="PORT")] = 8000,
) -> None:
    """Serve the HTTP API (and build the index first when it is missing); SIGHUP reloads the
    index, SIGTERM finishes running requests and stops."""
    from assistant.service import Assistant
    from assistant.web.allocator import limit_arenas
    from assistant.web.api import create_app
    from assistant.web.observability import configure_logging
    from assistant.web.operations import run_server

    settings = Settings()
    limit_arenas(settings.malloc_arenas)  # before the model loads and the threads start
    configure_logging(settings)
    try:
        assistant = Assistant.from_settings(settings)
        app = create_app(settings, assistant)  # opens the conversation store
    except AssistantError as exc:
        _fail(str(exc))
        return
    run_server(app, settings, host, port)


@slack_app.command("serve", cls=PlainHelpCommand)
def slack_serve(
    host: Annotated[
        str, typer.Option(help="Interface to listen on.", metavar="HOST")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", metavar="PORT")] = 3000,
) -> None:
    """Serve only the Slack bot: over Socket Mode when SLACK_APP_TOKEN is set, else its
    /slack/* routes over HTTP."""
    from assistant.service import Assistant
    from assistant.slack.bot import run_socket_mode
    from assistant.slack.mount import create_slack_app, slack_configured
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


@index_app.command("build", cls=PlainHelpCommand)
def index_build() -> None:
    """Embed the corpus and write the dense and lexical indexes atomically."""
    from assistant.search.embedding import load_embedder
    from assistant.search.index import build_index, save_index
    from assistant.service import (
        ensure_encoder,
        history_index_dir,
        load_history,
        policy_texts,
        word_forms_for,
    )

    settings = Settings()
    try:
        eras = load_history(settings)
        ensure_encoder(settings, eras)
        embedder = load_embedder(settings)
        index = build_index(eras[-1].corpus(), embedder, settings.dense_index)
        save_index(index, settings.index_dir)
        for era in eras[:-1]:  # the versions in force earlier, for `as_of` questions
            save_index(
                build_index(era.corpus(), embedder, settings.dense_index),
                history_index_dir(settings, era),
            )
        texts = [t for era in eras for t in policy_texts(era.corpus())]
        word_forms_for(settings.index_dir, texts, save=True)
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
        _train(settings, embedder, required=False)  # the rebuilt folder holds no models yet


@app.command("train")
def train_command(
    cross_policy: Annotated[
        bool,
        typer.Option(
            "--cross-policy",
            help="Also score each training policy's questions with models fitted on the other "
            "policies' questions (an estimate for a policy without training questions).",
        ),
    ] = False,
) -> None:
    """Fit the learned question typer, answer selector, asker and abstainer on the training
    questions (seeded) and save them into the index folder."""
    _train(Settings(), None, cross_policy=cross_policy)


def _train(
    settings: Settings,
    embedder: Embedder | None,
    required: bool = True,
    cross_policy: bool = False,
) -> None:
    """Train the learned models; when not `required` (as part of `index build`), training
    questions about another policy are a warning, not a failure."""
    from assistant.service import Assistant, train

    try:
        models, metrics = train(
            Assistant.from_settings(settings.with_rules(), embedder), cross_policy
        )
    except TrainingDataError as exc:
        if required:
            _fail(str(exc))
        else:
            typer.echo(f"warning: learned models not trained: {exc}", err=True)
        return
    except AssistantError as exc:
        _fail(str(exc))
        return
    asked_of = models.manifest.asked_of
    typer.echo(
        f"trained on {models.manifest.items} questions in {models.manifest.train_seconds:.1f}s "
        f"-> {settings.index_dir}"
        + (f" (asked of the policy in {asked_of}: the served one quotes none)" if asked_of else "")
    )
    typer.echo(json.dumps(metrics))


@index_app.command("info", cls=PlainHelpCommand)
def index_info(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object: manifest, matches, problem.")
    ] = False,
) -> None:
    """Print the index manifest and whether it matches the corpus and model."""
    from assistant.search.index import check_manifest, read_manifest
    from assistant.search.tuning import encoder_model
    from assistant.service import load_policy

    settings = Settings()
    try:
        manifest = read_manifest(settings.index_dir)
    except AssistantError as exc:
        _fail(str(exc))
        return
    problem = None
    try:
        model = encoder_model(settings)
        check_manifest(manifest, model, load_policy(settings), settings.embedding_backend)
    except AssistantError as exc:
        problem = str(exc)
    if as_json:
        report = {"manifest": asdict(manifest), "matches": problem is None, "problem": problem}
        typer.echo(json.dumps(report, indent=2))
    else:
        typer.echo(json.dumps(asdict(manifest), indent=2))
        if problem is None:
            typer.echo("index matches the corpus and the configured model")
    if problem is not None:
        _fail(problem)


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


def _stance_label_folders(settings: Settings) -> list[Path]:
    """The policy folders whose documents may have reviewed stance labels: the served policy's
    and each training policy's."""
    return [settings.corpus_dir, *(f / "policy" for f in settings.training_policies())]


@policy_app.command("stances")
def policy_stances(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Stance accuracy of the rules, the learned model and both combined on each labelled
    document version (`<document-id>.stances.jsonl`) of the policy and the training policies,
    the model trained on the other documents' labels."""
    from assistant.evaluation.stances import labelled_versions, score_versions
    from assistant.search.embedding import load_embedder

    settings = Settings()
    try:
        scores = score_versions(
            labelled_versions(_stance_label_folders(settings), load_embedder(settings))
        )
    except AssistantError as exc:
        _fail(str(exc))
        return
    if not scores:
        _fail("no two labelled document versions to score (<document-id>.stances.jsonl)")
    if as_json:
        typer.echo(json.dumps([asdict(s) for s in scores], indent=2))
        return
    typer.echo("| document | version | clauses | rules | learned | combined |")
    typer.echo("|---|---|---|---|---|---|")
    for s in scores:
        typer.echo(
            f"| {s.document} | {s.version} | {s.clauses} | {s.rules:.3f} | {s.learned:.3f} "
            f"| {s.combined:.3f} |"
        )


@policy_app.command("review-stances")
def policy_review_stances(
    min_probability: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Also show the model's stance over a rule's where it is at least this sure "
            "(by default only where the rules had no rule; most such suggestions are wrong).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Stances to review, as `<id>.stance-overrides.toml` entries: where a served clause's
    stance differs from its reviewed label, and, in a document without labels, where the
    stance model (trained on the training policies' labels) disagrees with the rules."""
    from assistant.evaluation.stance_review import review_stances
    from assistant.search.embedding import load_embedder
    from assistant.service import load_policy

    settings = Settings()
    teacher = settings.other_training_policy()
    try:
        suggestions = review_stances(
            load_policy(settings),
            settings.corpus_dir,
            [*_stance_label_folders(settings), *([teacher] if teacher else [])],
            load_embedder(settings),
            min_probability,
        )
    except AssistantError as exc:
        _fail(str(exc))
        return
    if as_json:
        typer.echo(json.dumps([asdict(s) for s in suggestions], indent=2, ensure_ascii=False))
        return
    if not suggestions:
        typer.echo("# no stance to review: every served stance agrees with labels and model")
    for s in suggestions:
        why = (
            "its reviewed label"
            if s.source == "label"
            else f"the stance model, probability {s.probability:.2f}"
        )
        lines = [
            "[[override]]",
            f"quote = {json.dumps(s.quote, ensure_ascii=False)}",
            f'stance = "{s.suggested.value}"',
            f'reason = "{why}"',
        ]
        if not s.unique_quote:  # assign_stances would refuse the entry
            lines = ["# its text is in another clause too: no override can single it out"] + [
                f"# {line}" for line in lines
            ]
        typer.echo(
            f"# {s.clause_id}: served {s.served.value} (by {s.decided_by}), {why} says "
            f"{s.suggested.value}"
        )
        typer.echo("\n".join(lines) + "\n")


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


@app.command("eval", cls=PlainHelpCommand)
def eval_command(
    questions: Annotated[
        Path, typer.Option(help="Labelled questions (JSONL).", metavar="FILE")
    ] = Path("eval/questions.jsonl"),
    split: Annotated[str, typer.Option(help="dev, test or all.", metavar="SPLIT")] = "all",
    url: Annotated[
        str | None,
        typer.Option(help="Score a running server over HTTP instead of in-process.", metavar="URL"),
    ] = None,
    ablations: Annotated[
        bool,
        typer.Option(help="Add the ablation table: retrieval variants, rules vs learned."),
    ] = False,
    out: Annotated[
        Path, typer.Option(help="Folder for timestamped reports.", metavar="DIR")
    ] = Path("eval/reports"),
    compare: Annotated[
        tuple[Path, Path] | None,
        typer.Option(
            help="Compare two reports (report.json files or the folders `eval` wrote them "
            "into; OLD NEW) and exit.",
            show_default=False,
            metavar="OLD NEW",
        ),
    ] = None,
    calibrate: Annotated[
        bool, typer.Option(help="Fit confidence and threshold on the dev split and save them.")
    ] = False,
    progress: Annotated[
        bool | None,
        typer.Option(
            help="Show a progress bar (default: when stderr is a terminal).", show_default=False
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Ask every question about the policy in force on this date (YYYY-MM-DD), "
            "leaving out the items whose labels don't hold then; default: each item's own.",
        ),
    ] = None,
    documents: Annotated[
        str | None,
        typer.Option(
            "--documents",
            help="Answer only from these policy documents (ids, comma-separated), as a widget "
            "with data-documents asks; default: every document.",
            metavar="ID[,ID]",
        ),
    ] = None,
) -> None:
    """Score the assistant on the labelled questions and write a report."""
    from assistant.evaluation.harness import compare_reports, fit_calibration, load_items
    from assistant.models import Selection

    progress = sys.stderr.isatty() if progress is None else progress
    _quiet_libraries()

    if compare is not None:
        old, new = (_read_report(p) for p in compare)
        try:
            lines = compare_reports(old, new)
        except (KeyError, TypeError) as exc:
            _fail(f"not an evaluation report ({exc!r} missing or malformed)")
            return
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
        if as_of is not None:
            assistant.view(as_of)  # a clear error for a date before the first version
        only = tuple(d.strip() for d in (documents or "").split(",") if d.strip())
        assistant.check_selection(Selection(only))  # a clear error for an unknown document
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
    _, report = evaluate_assistant(assistant, chosen, url=url, progress=progress, documents=only)
    if as_of is not None:
        typer.echo(f"as of {as_of}: {len(chosen)} items whose labels hold on that date")
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
        if m["miss_causes"]:
            causes = " ".join(f"{k}={v}" for k, v in m["miss_causes"].items())
            typer.echo(f"{'':5} why wrong: {causes}")
    typer.echo(f"report: {paths['md']} {paths['html']} {paths['json']}")


class ExportFormat(StrEnum):
    """File formats `feedback export` writes."""

    JSONL = "jsonl"
    CSV = "csv"


@feedback_app.command("export", cls=PlainHelpCommand)
def feedback_export(
    fmt: Annotated[
        ExportFormat,
        typer.Option("--format", help="jsonl (one item a line) or csv.", metavar="jsonl|csv"),
    ] = ExportFormat.JSONL,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write; default: stdout.", metavar="FILE"),
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


# Cells a spreadsheet would read as a formula (OWASP "CSV Injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> Any:
    """A text cell made inert for spreadsheets, as OWASP recommends: NULs removed, and a cell
    that starts like a formula prefixed with a single quote (every cell is quoted too)."""
    if not isinstance(value, str):
        return value
    value = value.replace("\x00", "")
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _csv(rows: list[dict[str, Any]]) -> str:
    from assistant.storage.records import FEEDBACK_FIELDS

    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=FEEDBACK_FIELDS, lineterminator="\n", quoting=csv.QUOTE_ALL
    )
    writer.writeheader()
    for row in rows:
        cells = {**row, "gold_clause_ids": " ".join(row["gold_clause_ids"])}
        writer.writerow({name: _csv_cell(value) for name, value in cells.items()})
    return buffer.getvalue()


def main() -> None:
    """Entry point for `python -m assistant`."""
    app(prog_name="assistant")


if __name__ == "__main__":  # pragma: no cover
    main()
