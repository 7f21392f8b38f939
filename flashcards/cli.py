"""The command line: parse options, call the library, print the result.

Every FlashcardsError becomes ``Error: …`` and exit code 1 here, in one place.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path
from typing import Annotated

import typer

from flashcards import preview, report
from flashcards.build import BuildOptions, build
from flashcards.config_file import CONFIG_NAME, config_for, with_flags
from flashcards.config_init import write_default
from flashcards.errors import FlashcardsError
from flashcards.progress import on_terminal

app = typer.Typer(
    help="Turn Markdown study notes into Anki decks that update in place when you edit your notes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DEFAULT_SOURCE = Path("source_notes")
DEFAULT_OUTPUT = Path("output")


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"flashcards {version('flashcards')}")
        raise typer.Exit()


@app.callback()
def _group(
    _version: Annotated[
        bool, typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Turn Markdown study notes into Anki decks that update in place when you edit your notes."""


Sources = Annotated[
    list[Path] | None,
    typer.Argument(help="Note files or folders (searched recursively). Default: source_notes/", show_default=False),
]
Output = Annotated[Path, typer.Option("--output", "-o", help="Folder to write the .apkg deck into.")]
Deck = Annotated[
    str | None,
    typer.Option("--deck", help="Name of the root deck (overrides deck.root in the configuration).", show_default=False),
]
ConfigPath = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help=f"Configuration file. Default: {CONFIG_NAME} (or a tool.flashcards table in pyproject.toml) "
        "next to the notes, else in the current folder.",
        show_default=False,
    ),
]
Offline = Annotated[
    bool,
    typer.Option(
        "--offline",
        help="Download no images from the web (images downloaded by earlier builds are still used).",
    ),
]


def _options(sources: list[Path] | None, output: Path, deck: str | None, config_path: Path | None, offline: bool = False, **more) -> BuildOptions:  # noqa: ANN003
    """Build options from the command line: defaults, then the configuration file, then flags."""
    chosen = tuple(sources or [DEFAULT_SOURCE])
    config = with_flags(config_for(chosen, config_path, Path.cwd()), deck=deck, offline=offline)
    return BuildOptions(sources=chosen, output=output, config=config, **more)


@app.command("build")
def build_command(
    sources: Sources = None,
    output: Output = DEFAULT_OUTPUT,
    deck: Deck = None,
    config_path: ConfigPath = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON (for scripts).")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Fail (exit 1), writing nothing, if any warning is raised.")] = False,
    rebuild_ids: Annotated[
        bool, typer.Option("--rebuild-ids", help="Start a new lock file when the old one is unreadable.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Name every changed card.")] = False,
    offline: Offline = False,
) -> None:
    """Build an Anki deck (.apkg) from your notes.

    Import the deck into Anki (File › Import). Rebuild after editing your
    notes and import again: cards update in place and keep their reviews.
    """
    with _user_errors():
        options = _options(
            sources, output, deck, config_path, offline, dry_run=dry_run, rebuild_ids=rebuild_ids, strict=strict
        )
        with on_terminal() as progress:
            result = build(options, progress=progress)
        if as_json:
            typer.echo(report.summary_json(result, dry_run))
        else:
            typer.echo(report.summary_text(result, dry_run, verbose))


@app.command("watch")
def watch_command(
    sources: Sources = None,
    output: Output = DEFAULT_OUTPUT,
    deck: Deck = None,
    config_path: ConfigPath = None,
    offline: Offline = False,
) -> None:
    """Rebuild the deck every time you save a note (Ctrl-C to stop)."""
    from flashcards.watch import watch

    def show(result, error) -> None:  # noqa: ANN001
        if error is not None:
            typer.echo(f"Error: {error}", err=True)
        else:
            typer.echo(report.summary_text(result))
        typer.echo("Watching for changes… (Ctrl-C to stop)")

    with _user_errors():
        watch(_options(sources, output, deck, config_path, offline), show)


@app.command("init")
def init_command(
    path: Annotated[Path, typer.Argument(help="Where to write the configuration.")] = Path(CONFIG_NAME),
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write a commented configuration file holding every default, to edit."""
    with _user_errors():
        written = write_default(path, force=force)
        typer.echo(f"Wrote {written}: edit it, then run 'flashcards build'.")


@app.command("preview")
def preview_command(
    sources: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Note files or folders to build (default: source_notes/), or a built .apkg to show as it is.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder for the deck; the gallery goes into its preview/ folder.")
    ] = DEFAULT_OUTPUT,
    deck: Deck = None,
    config_path: ConfigPath = None,
    offline: Offline = False,
) -> None:
    """Build the deck, then show every card's front and back as Anki renders it.

    Writes a static page (OUTPUT/preview/index.html) at phone width with a
    day/night switch, so you can look at the deck before importing it.
    """
    with _user_errors():
        if sources and len(sources) == 1 and sources[0].suffix.lower() == ".apkg":
            package = sources[0]
        else:
            with on_terminal() as progress:
                result = build(_options(sources, output, deck, config_path, offline), progress=progress)
            typer.echo(report.summary_text(result))
            package = result.deck_path
        gallery = preview.write_gallery(package, output / "preview")
        typer.echo(f"Preview of {gallery.cards} card(s) written to {gallery.index}")


@app.command("explain")
def explain_command(
    notes: Annotated[
        list[Path], typer.Argument(help="Note files or folders (searched recursively).", metavar="NOTE", show_default=False)
    ],
    config_path: ConfigPath = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the explanation as JSON (for scripts).")] = False,
) -> None:
    """Show, line by line, which card each line of a note became, or why it became none.

    Reads the notes as a build does (with your configuration) and writes nothing.
    """
    from flashcards import explain

    with _user_errors():
        config = config_for(tuple(notes), config_path, Path.cwd())
        found = explain.explain(notes, config)
        typer.echo(explain.as_json(found) if as_json else explain.as_text(found))


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
