"""The command line: parse options, call the library, print the result.

Every FlashcardsError becomes ``Error: …`` and exit code 1 here, in one place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flashcards import report
from flashcards.build import BuildOptions, build
from flashcards.cards import DeckSettings
from flashcards.errors import FlashcardsError

app = typer.Typer(
    help="Turn Markdown study notes into Anki decks that update in place when you edit your notes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DEFAULT_SOURCE = Path("source_notes")
DEFAULT_OUTPUT = Path("output")


@app.callback()
def _group() -> None:
    """Turn Markdown study notes into Anki decks that update in place when you edit your notes."""


@app.command("build")
def build_command(
    sources: Annotated[
        list[Path] | None,
        typer.Argument(help="Note files or folders to read (searched recursively). Default: source_notes/", show_default=False),
    ] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write the .apkg deck into.")] = DEFAULT_OUTPUT,
    deck: Annotated[str, typer.Option("--deck", help="Name of the root deck; each note file becomes a subdeck.")] = DeckSettings.root,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON (for scripts).")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Fail (exit 1), writing nothing, if any warning is raised.")] = False,
    rebuild_ids: Annotated[
        bool, typer.Option("--rebuild-ids", help="Start a new lock file when the old one is unreadable.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Name every changed card.")] = False,
) -> None:
    """Build an Anki deck (.apkg) from your notes.

    Import the deck into Anki (File › Import). Rebuild after editing your
    notes and import again: cards update in place and keep their reviews.
    """
    options = BuildOptions(
        sources=tuple(sources or [DEFAULT_SOURCE]),
        output=output,
        deck=DeckSettings(root=deck),
        dry_run=dry_run,
        rebuild_ids=rebuild_ids,
        strict=strict,
    )
    with _user_errors():
        result = build(options)
        if as_json:
            typer.echo(report.summary_json(result, dry_run))
        else:
            typer.echo(report.summary_text(result, dry_run, verbose))


class _user_errors:
    """Turn our own errors into one line and exit code 1, Ctrl-C into exit code 130."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type, exc, tb) -> bool:  # noqa: ANN001
        if exc_type is not None and issubclass(exc_type, FlashcardsError):
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(1) from None
        if exc_type is not None and issubclass(exc_type, KeyboardInterrupt):
            # Files are replaced whole (write, then rename): none is half-written.
            typer.echo("Error: interrupted; the deck and lock file are each either as before or complete", err=True)
            raise typer.Exit(130) from None
        return False


def main() -> None:
    app()
