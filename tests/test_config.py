"""Configuration: defaults → flashcards.toml / [tool.flashcards] → flags; every problem reported at once."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flashcards.cli import app
from flashcards.config import Config, PresetSettings
from flashcards.config_file import find_config, load_config, parse_config
from flashcards.config_init import default_toml
from flashcards.errors import ConfigError
from tests.conftest import SAMPLE_NOTES, write_notes

NOTE = "# Topic\n\n## 必记\n\n- **Term**：meaning of the term\n"


def run_cli(*args: str):  # noqa: ANN201
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_init_writes_a_commented_file_that_reads_back_as_the_defaults(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.chdir(tmp_path)
    result = run_cli("init")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "flashcards.toml").read_text(encoding="utf-8")
    assert text.count("\n# ") >= 10  # commented, not a bare dump
    assert load_config(tmp_path / "flashcards.toml") == Config()
    assert "必记" in text and "must-know" in text


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "flashcards.toml"
    target.write_text("[deck]\nroot = 'Mine'\n", encoding="utf-8")
    result = run_cli("init", str(target))
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert load_config(target).deck.root == "Mine"
    assert run_cli("init", str(target), "--force").exit_code == 0
    assert load_config(target) == Config()


def test_three_mistakes_are_reported_together_with_their_keys(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {"a.md": NOTE})
    (notes / "flashcards.toml").write_text(
        '[deck]\nsplit = "chapter"\n\n[preset]\nnew_per_day = "thirty"\n\n[tags]\nkinds = "kind"\n',
        encoding="utf-8",
    )
    result = run_cli("build", str(notes), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "flashcards.toml: 3 problem(s)" in result.output
    assert 'deck.split: must be one of "file", "folder", "none", not \'chapter\'' in result.output
    assert "preset.new_per_day: must be a whole number, not a string" in result.output
    assert "tags.kinds: unknown key (did you mean 'kind'?)" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        ("colour = 'red'", "colour: unknown key"),
        ("[deck]\nroot = 'A::::B'", "deck.root: 'A::::B' is not a deck name"),
        ("[deck]\nroot = ''\nsplit = 'folder'", "deck.root: '' is not a deck name"),
        ("[deck]\ndescriptions = 'yes'", "deck.descriptions: must be true or false, not a string"),
        ("[tags]\ntopic = 'my topic'", "tags.topic: 'my topic' is not a tag"),
        ("[cards]\nkinds = ['table', 'flashcard']", "cards.kinds: unknown kind 'flashcard'"),
        ("[cards]\nreverse = 'table'", "cards.reverse: must be a list of strings, not a string"),
        ("[priority]\norder = 'random'", "priority.order: must be one of \"priority\", \"document\""),
        ("[priority]\nlanguages = ['zh', 'de']", "priority.languages: no keyword set [keywords.de]"),
        ("[priority]\nkeywords = []", "priority.keywords: unknown key"),
        ("[keywords.zh]\nhigh = ['必记', '']", "keywords.zh.high: words must not be empty"),
        ("[keywords.zh]\nurgent = ['急']", "keywords.zh.urgent: unknown key"),
        ("[preset]\nlearning_steps = ['10m', 'ten minutes']", "preset.learning_steps: 'ten minutes' is not a step"),
        ("[preset]\nmaximum_interval = 0", "preset.maximum_interval: must be between 1 and 36500, not 0"),
        ("[preset]\nbury_siblings = 1", "preset.bury_siblings: must be true or false, not a number"),
        ("deck = 'Flashcards'", "deck: must be a table, not a string"),
    ],
)
def test_each_kind_of_mistake_names_its_key(toml: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(tomllib.loads(toml), "flashcards.toml")
    assert len(caught.value.problems) == 1, caught.value.problems
    assert caught.value.problems[0].startswith(problem), caught.value.problems


def test_invalid_toml_is_one_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "flashcards.toml"
    path.write_text("[deck\nroot = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"(?s)flashcards.toml: 1 problem\(s\).*not valid TOML.*line 1"):
        load_config(path)


def test_a_file_changes_only_the_keys_it_gives() -> None:
    config = parse_config(tomllib.loads("[deck]\nroot = 'AWS'\n[keywords.zh]\nhigh = ['背']\n[keywords.de]\nhigh = ['merken']"))
    defaults = Config()
    assert config.deck.root == "AWS" and config.deck.split == defaults.deck.split
    sets = dict(config.priority.keywords)
    assert sets["zh"].high == ("背",)
    assert sets["zh"].medium == dict(defaults.priority.keywords)["zh"].medium
    assert sets["de"].high == ("merken",) and sets["de"].medium == ()
    assert config.preset == defaults.preset


def test_preset_steps_are_converted_to_minutes() -> None:
    assert PresetSettings.minutes(("30s", "10m", "1h", "1.5d")) == [0.5, 10.0, 60.0, 2160.0]


def test_config_is_found_next_to_the_notes_before_the_current_folder(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {"a.md": NOTE})
    cwd = tmp_path / "work"
    cwd.mkdir()
    assert find_config([notes], cwd) is None
    (cwd / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    assert find_config([notes], cwd) is None  # a pyproject.toml without [tool.flashcards] is not ours
    (cwd / "pyproject.toml").write_text("[tool.flashcards.deck]\nroot = 'FromPyproject'\n", encoding="utf-8")
    assert find_config([notes], cwd) == (cwd / "pyproject.toml").resolve()
    assert load_config(cwd / "pyproject.toml").deck.root == "FromPyproject"
    (cwd / "flashcards.toml").write_text("[deck]\nroot = 'FromCwd'\n", encoding="utf-8")
    assert find_config([notes], cwd) == (cwd / "flashcards.toml").resolve()
    (notes / "flashcards.toml").write_text("[deck]\nroot = 'FromNotes'\n", encoding="utf-8")
    assert find_config([notes], cwd) == (notes / "flashcards.toml").resolve()


def test_pyproject_problems_are_named_by_their_table(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.flashcards.deck]\nroot = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path} [tool.flashcards]: 1 problem(s)")
    assert caught.value.problems == ["deck.root: must be a string, not a number"]


def test_command_line_flag_overrides_the_file_which_overrides_the_defaults(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    notes = write_notes(tmp_path / "notes", {"a.md": NOTE})
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    assert run_cli("build", str(notes), "-o", str(out), "--json").exit_code == 0
    assert (out / "flashcards.apkg").exists()
    (tmp_path / "flashcards.toml").write_text("[deck]\nroot = 'From File'\n", encoding="utf-8")
    assert run_cli("build", str(notes), "-o", str(out)).exit_code == 0
    assert (out / "from-file.apkg").exists()
    assert run_cli("build", str(notes), "-o", str(out), "--deck", "From Flag").exit_code == 0
    assert (out / "from-flag.apkg").exists()
    other = tmp_path / "elsewhere.toml"
    other.write_text("[deck]\nroot = 'Explicit'\n", encoding="utf-8")
    assert run_cli("build", str(notes), "-o", str(out), "--config", str(other)).exit_code == 0
    assert (out / "explicit.apkg").exists()


def test_missing_config_given_with_flag_is_an_error(tmp_path: Path) -> None:
    result = run_cli("build", str(SAMPLE_NOTES), "--dry-run", "--config", str(tmp_path / "nope.toml"))
    assert result.exit_code == 1
    assert "nope.toml: 1 problem(s)" in result.output and "cannot read the file" in result.output


def test_default_toml_renders_a_changed_config_too() -> None:
    config = parse_config(tomllib.loads("[deck]\nroot = 'X'\n[cards]\nreverse = ['table']\n"))
    assert parse_config(tomllib.loads(default_toml(config))) == config
