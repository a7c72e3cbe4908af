"""The `assistant` command line: a thin layer over the library."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import Annotated

import typer

from .config import Settings
from .errors import AssistantError

app = typer.Typer(
    help="Answers support-policy questions in the policy's own words.", no_args_is_help=True
)
index_app = typer.Typer(help="Build and inspect the search index.", no_args_is_help=True)
app.add_typer(index_app, name="index")


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question to answer.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
) -> None:
    """Answer one question and print it with its citations."""
    from .service import Assistant

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
    """Serve the HTTP API (and build the index first when it is missing)."""
    import uvicorn

    from .api import create_app
    from .service import Assistant

    settings = Settings()
    try:
        assistant = Assistant.from_settings(settings)
    except AssistantError as exc:
        _fail(str(exc))
        return
    uvicorn.run(create_app(settings, assistant), host=host, port=port, log_level="info")


@index_app.command("build")
def index_build() -> None:
    """Embed the corpus and write the dense and lexical indexes atomically."""
    from .embedding import SentenceTransformerEmbedder
    from .index import build_index, save_index
    from .service import load_policy

    settings = Settings()
    try:
        corpus = load_policy(settings)
        index = build_index(corpus, SentenceTransformerEmbedder(settings.model))
        save_index(index, settings.index_dir)
    except AssistantError as exc:
        _fail(str(exc))
        return
    m = index.manifest
    typer.echo(
        f"built {m.clause_count} clauses with {m.model} (dim {m.dimension}) "
        f"in {m.build_seconds:.1f}s -> {settings.index_dir}"
    )


@index_app.command("info")
def index_info() -> None:
    """Print the index manifest and whether it matches the corpus and model."""
    from .index import check_manifest, read_manifest
    from .service import load_policy

    settings = Settings()
    try:
        manifest = read_manifest(settings.index_dir)
        typer.echo(json.dumps(asdict(manifest), indent=2))
        check_manifest(manifest, settings.model, load_policy(settings))
    except AssistantError as exc:
        _fail(str(exc))
        return
    typer.echo("index matches the corpus and the configured model")


def main() -> None:
    """Entry point for `python -m assistant`."""
    app(prog_name="assistant")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
