"""One error hierarchy: every mistake a user can make is a FlashcardsError.

The CLI turns these into a one-line ``Error: …`` and exit code 1; anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations


class FlashcardsError(Exception):
    """Base class of every error the user can cause and fix."""


class SourceError(FlashcardsError):
    """The notes cannot be found or read."""


class ConfigError(FlashcardsError):
    """The configuration is invalid; ``problems`` lists every mistake found."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{path}: {len(problems)} problem(s) in the configuration:\n{lines}")


class LockFileError(FlashcardsError):
    """The lock file that keeps card identities is unreadable or inconsistent."""


class OutputError(FlashcardsError):
    """The deck or lock file cannot be written."""


class BusyError(FlashcardsError):
    """Another build is writing the same notes' deck and lock file."""


class StrictModeError(FlashcardsError):
    """Warnings were raised and ``--strict`` turns them into a failure."""


class PreviewError(FlashcardsError):
    """The preview cannot be made (no deck, or Anki's engine is not installed)."""
