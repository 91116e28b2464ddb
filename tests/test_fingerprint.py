"""The code fingerprint: what it follows, what it ignores, and how little it costs to ask."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import collabsim
from collabsim import fingerprint


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A copy of the package's sources, which ``code_fingerprint`` then reads, with cache
    folders of its own (the user's and the temporary one), so that nothing kept by
    another test or an earlier session answers for it."""
    copy = tmp_path / "collabsim"
    shutil.copytree(
        Path(collabsim.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__")
    )
    monkeypatch.setattr(collabsim, "__file__", str(copy / "__init__.py"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    return copy


def _append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)


def test_code_fingerprint_follows_the_model_not_the_tools_around_it(package):
    original = fingerprint.code_fingerprint()
    for tool in (
        "dashboard/app.py",
        "sensitivity/report.py",
        "sweeps/store.py",
        "fingerprint.py",
        "caches.py",
        "cli.py",
    ):
        _append(package / tool, "\n# edited\n")
    assert fingerprint.code_fingerprint() == original  # resuming still allowed
    # Layout, comments and docstrings of the model say nothing new about a run.
    model = package / "model.py"
    text = model.read_text(encoding="utf-8")
    relaid = text.replace('"""Advance the model by one week."""', '"""One week, reworded."""')
    assert relaid != text
    model.write_text("# a comment\n" + relaid.replace("\n\n\n", "\n\n\n\n"), encoding="utf-8")
    assert fingerprint.code_fingerprint() == original
    for model_file in (
        "mechanisms/trust.py",
        "params/groups/trust.py",
        "model.py",
        "jit.py",
        "sweeps/runner.py",
    ):
        _append(package / model_file, "\n_edited = 1\n")
        changed = fingerprint.code_fingerprint()
        assert changed != original, model_file
        original = changed
    scenario = package / "scenarios" / "clahrc.toml"
    scenario.write_text(scenario.read_text(encoding="utf-8") + "\n# a note\n", encoding="utf-8")
    assert fingerprint.code_fingerprint() == original
    text = scenario.read_text(encoding="utf-8")
    scenario.write_text(text.replace("n_people = 150", "n_people = 151", 1), encoding="utf-8")
    assert fingerprint.code_fingerprint() != original


def test_code_fingerprint_reads_the_sources_again_only_when_one_changes(package, monkeypatch):
    """Every sweep, validation and pipeline asks for it, often many times; parsing the
    model's sources takes a sixth of a second, so it happens once per change."""
    _append(package / "model.py", "\n_edited = 1\n")  # sources this process has never read
    reads = []
    read = fingerprint._what_it_says
    monkeypatch.setattr(fingerprint, "_what_it_says", lambda path: reads.append(path) or read(path))
    first = fingerprint.code_fingerprint()
    assert package / "model.py" in reads
    files_read = len(reads)
    assert all(fingerprint.code_fingerprint() == first for _ in range(10))
    assert len(reads) == files_read, "the unchanged sources were read again"
    _append(package / "model.py", "\n_edited = 2\n")
    assert fingerprint.code_fingerprint() != first


def _parsing_forbidden(path):
    raise AssertionError(f"{path} was parsed")


def test_a_new_process_finds_the_fingerprint_kept_without_parsing(package, tmp_path):
    first = fingerprint.code_fingerprint()
    kept = tmp_path / "cache" / "collabsim" / fingerprint.KEPT_FILE
    assert kept.read_text(encoding="utf-8").split()[1] == first
    # Another process, with nothing in memory: it hashes the bytes and parses nothing.
    script = (
        "import collabsim, sys\n"
        f"collabsim.__file__ = {str(package / '__init__.py')!r}\n"
        "from collabsim import fingerprint\n"
        "def forbidden(path): sys.exit(f'{path} was parsed')\n"
        "fingerprint._what_it_says = forbidden\n"
        "print(fingerprint.code_fingerprint())\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, first, "")


def test_what_is_kept_answers_only_for_the_same_sources(package, tmp_path, monkeypatch):
    first = fingerprint.code_fingerprint()
    kept = tmp_path / "cache" / "collabsim" / fingerprint.KEPT_FILE
    key = kept.read_text(encoding="utf-8").split()[0]
    fingerprint._hash_sources.cache_clear()  # as a new process would start
    parse = fingerprint._what_it_says
    monkeypatch.setattr(fingerprint, "_what_it_says", _parsing_forbidden)
    assert fingerprint.code_fingerprint() == first
    # Edited sources are parsed again, whatever is kept for the old ones.
    _append(package / "mechanisms" / "trust.py", "\n_edited = 1\n")
    with pytest.raises(AssertionError, match="was parsed"):
        fingerprint.code_fingerprint()
    monkeypatch.setattr(fingerprint, "_what_it_says", parse)
    edited = fingerprint.code_fingerprint()
    assert edited != first and kept.read_text(encoding="utf-8").split() != [key, first]
    # A kept file that is damaged, or names no fingerprint of this version, is not believed.
    for damaged in ("", "half", f"{key} {first} more", f"{key} 0.0.9+0123456789abcdef"):
        kept.write_text(damaged, encoding="utf-8")
        fingerprint._hash_sources.cache_clear()
        assert fingerprint.code_fingerprint() == edited


def test_no_writable_cache_folder_still_gives_the_fingerprint(package, tmp_path, monkeypatch):
    first = fingerprint.code_fingerprint()
    not_a_folder = tmp_path / "not_a_folder"
    not_a_folder.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(not_a_folder))
    monkeypatch.setattr(tempfile, "tempdir", str(not_a_folder))
    fingerprint._hash_sources.cache_clear()
    assert fingerprint.code_fingerprint() == first
