"""Shared test helpers: build notes and import the deck into a real Anki collection."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import anki.collection  # noqa: F401  (import first: anki.scheduler imports it circularly)
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

from flashcards.build import BuildOptions, BuildResult, build

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_NOTES = ROOT / "source_notes"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def write_notes(folder: Path, notes: dict[str, str | bytes]) -> Path:
    """Write note files (text as UTF-8, bytes as they are) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in notes.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def run_build(notes: Path, output: Path, now: int | None = None, **options) -> BuildResult:  # noqa: ANN003
    """Build ``notes`` into ``output`` through the library."""
    return build(BuildOptions(sources=(notes,), output=output, **options), now=now)


def deck_notes(apkg: Path) -> dict[str, tuple[tuple[str, ...], tuple[str, ...], int]]:
    """What a package ships: each note's fields, tags and mod, by guid."""
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(apkg) as archive:
        db = archive.extract("collection.anki2", tmp)
        conn = sqlite3.connect(db)
        try:
            rows = conn.execute("SELECT guid, flds, tags, mod FROM notes").fetchall()
        finally:
            conn.close()
    return {guid: (tuple(flds.split("\x1f")), tuple(tags.split()), mod) for guid, flds, tags, mod in rows}


def import_deck(col: Collection, apkg: Path, **options):  # noqa: ANN003, ANN201
    """Import a package with the desktop defaults (or ``options``); returns Anki's log."""
    response = col.import_anki_package(
        ImportAnkiPackageRequest(package_path=str(apkg), options=ImportAnkiPackageOptions(**options))
    )
    col.models._clear_cache()  # the import does not clear Python's note-type cache
    return response.log


@pytest.fixture(autouse=True, scope="session")
def _this_machine_only() -> Iterator[None]:
    """Tests reach no other machine: looking up any host name but this
    machine's fails at once, so a note showing an image on the web gets its
    warning without a query leaving the machine (tests of downloads serve
    their images on localhost)."""
    real = socket.getaddrinfo

    def local_only(host, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        name = host.decode() if isinstance(host, bytes) else str(host or "")
        if host is not None and name not in ("localhost", "::1") and not name.startswith("127."):
            raise socket.gaierror(socket.EAI_NONAME, f"tests reach only this machine, not {name}")
        return real(host, *args, **kwargs)

    socket.getaddrinfo = local_only
    try:
        yield
    finally:
        socket.getaddrinfo = real


@pytest.fixture
def collection(tmp_path: Path) -> Iterator[Collection]:
    """A fresh, empty Anki collection."""
    folder = tmp_path / "collection"
    folder.mkdir()
    col = Collection(str(folder / "collection.anki2"))
    try:
        yield col
    finally:
        col.close()


@pytest.fixture
def sample_notes(tmp_path: Path) -> Path:
    """A writable copy of the sample notes."""
    target = tmp_path / "notes"
    shutil.copytree(SAMPLE_NOTES, target, ignore=shutil.ignore_patterns("flashcards.lock"))
    return target


@pytest.fixture(scope="session")
def sample_deck(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The sample notes built once per session (read-only use)."""
    base = tmp_path_factory.mktemp("sample")
    notes = base / "notes"
    shutil.copytree(SAMPLE_NOTES, notes, ignore=shutil.ignore_patterns("flashcards.lock"))
    return run_build(notes, base / "out", now=1_790_000_000)


@pytest.fixture(scope="session")
def browser():  # noqa: ANN201
    """Debian's Chromium under Playwright, one per session; browser tests skip without it."""
    from tests import phone

    if not phone.CHROMIUM.exists():
        pytest.skip(f"{phone.CHROMIUM} is not installed (apt-get install chromium fonts-noto-cjk)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
    with phone.chromium() as b:
        yield b


def run_cli(*args: str | Path, cwd: Path | None = None, **popen) -> subprocess.CompletedProcess[str]:  # noqa: ANN003
    """Run ``python -m flashcards`` in a real subprocess (exit code, stdout, stderr)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "flashcards", *map(str, args)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300, **popen,
    )
