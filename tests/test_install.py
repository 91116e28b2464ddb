"""Installing collabsim: what each make target installs, the wheel, a read-only install.

The wheel is built once per test session (shared by xdist workers through a lock) and
installed into fresh virtual environments with ``pip install --no-deps``: one with the
wheel alone, and one that takes its dependencies from this environment's site-packages
through a ``.pth`` line (a ``--system-site-packages`` venv made from a venv would see the
base interpreter's packages, not these).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import stat
import subprocess
import sys
import sysconfig
import urllib.request
import zipfile
from pathlib import Path

import pytest

from collabsim import experiments

ROOT = Path(__file__).resolve().parents[1]


# --- make: what each target installs -------------------------------------------------


def dry_run(folder: Path, target: str, *, done: tuple[str, ...] = ()) -> str:
    """``make -n target`` in a copy of the Makefile, without a venv but for the stamps in
    ``done`` (parts already installed)."""
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, folder / name)
    for stamp in done:
        (folder / ".venv").mkdir(exist_ok=True)
        (folder / ".venv" / stamp).touch()
    # as from a shell, also when the tests run under make (CI's make test): a make inside
    # another prints the folders it enters, and would share its flags
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    result = subprocess.run(
        ["make", "-n", *target.split()],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return result.stdout


def installs_test_tools(text: str) -> bool:
    return '".[test]"' in text or "chromium" in text


@pytest.mark.parametrize(
    "target", ["run", "validate", "calibrate", "robustness", "docs", "dashboard"]
)
def test_running_collabsim_installs_no_test_tools(tmp_path, target):
    text = dry_run(tmp_path, target)
    assert "-m venv .venv" in text and "pip install --quiet -e .\n" in text
    assert not installs_test_tools(text), text
    assert ('".[dashboard]"' in text) == (target == "dashboard")


def test_make_results_adds_the_analysis_extra_and_dask_not_the_test_tools(tmp_path):
    text = dry_run(tmp_path, "results", done=(".runtime",))
    assert 'pip install --quiet -e ".[analysis,dask]"' in text
    assert not installs_test_tools(text), text
    assert text.rstrip().endswith("python -m collabsim.analysis.pipeline")
    options = dry_run(tmp_path, "results ARGS=--quick", done=(".runtime", ".analysis"))
    assert options.strip() == ".venv/bin/python -m collabsim.analysis.pipeline --quick"


def test_make_test_installs_the_test_extras_and_chromium(tmp_path):
    text = dry_run(tmp_path, "test")
    assert "-m venv .venv" in text
    assert 'pip install --quiet -e ".[test]"' in text
    assert "apt-get install -y -qq chromium" in text
    lines = text.rstrip().splitlines()
    assert ".venv/bin/ruff check ." in lines  # the test extras bring ruff
    assert ".venv/bin/ruff format --check ." in lines
    assert lines[-1].startswith(".venv/bin/pytest -n auto")


def test_make_test_after_make_run_adds_only_the_test_part(tmp_path):
    run = dry_run(tmp_path, "run")
    stamp = next(line.split()[-1] for line in run.splitlines() if line.startswith("touch"))
    text = dry_run(tmp_path, "test", done=(Path(stamp).name,))
    assert "-m venv" not in text and "pip install --quiet -e .\n" not in text
    assert 'pip install --quiet -e ".[test]"' in text and "chromium" in text
    assert "[test]" not in dry_run(tmp_path, "run", done=(Path(stamp).name,))


def test_the_readme_opens_with_the_two_commands_and_ci_runs_make_test():
    first = [
        line.split("#")[0].strip()
        for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[2:4]
    ]
    assert first == ["make run", "make test"]
    assert (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().endswith("make test")


def test_the_readme_says_which_commands_need_a_source_checkout():
    # a command on a file of experiments/ works where that folder is: a source checkout
    shipped = {path.name for path in Path(experiments.__file__).parent.iterdir()}
    commands = [
        line
        for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
        if line.lstrip().startswith("collabsim ") and " experiments/" in line
    ]
    assert commands  # the calibration's and the robustness study's, at least
    for line in commands:
        study = next(word for word in line.split() if word.startswith("experiments/"))
        assert Path(study).name not in shipped, line  # shipped examples are named bare
        assert "source checkout" in line, line


# --- the wheel -----------------------------------------------------------------------


@contextlib.contextmanager
def locked(path: Path):
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def shared(tmp_path_factory) -> Path:
    """A folder all xdist workers of this session share (each has its own basetemp)."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "install"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def wheel(shared) -> Path:
    """The wheel of this source tree, built once per session.

    It is built from a clean copy: setuptools keeps ``build/`` between builds, where a
    file since removed from the source would still be packed.
    """
    with locked(shared / ".lock"):
        found = sorted((shared / "dist").glob("collabsim-*.whl"))
        if not found:
            source = shared / "source"
            shutil.rmtree(source, ignore_errors=True)
            shutil.copytree(
                ROOT,
                source,
                ignore=shutil.ignore_patterns(
                    ".git",
                    ".venv",
                    "build",
                    "dist",
                    "results",
                    "*.egg-info",
                    "__pycache__",
                    ".pytest_cache",
                    ".hypothesis",
                    ".ruff_cache",
                ),
            )
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "wheel",
                    "--no-deps",
                    "--quiet",
                    "--wheel-dir",
                    str(shared / "dist"),
                    str(source),
                ],
                check=True,
                capture_output=True,
            )
            found = sorted((shared / "dist").glob("collabsim-*.whl"))
    return found[0]


def make_venv(folder: Path, wheel: Path, *, dependencies: bool) -> Path:
    """A new venv holding the wheel (and, if asked, this environment's packages)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    if dependencies:
        purelib = subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        Path(purelib, "zz-dependencies.pth").write_text(
            sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
        )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return folder


@pytest.fixture(scope="session")
def bare(shared, wheel) -> Path:
    """A venv with the wheel and nothing else."""
    with locked(shared / ".lock"):
        folder = shared / "bare"
        if not (folder / "bin" / "collabsim").exists():
            shutil.rmtree(folder, ignore_errors=True)
            make_venv(folder, wheel, dependencies=False)
    return folder


def test_the_wheel_ships_the_licence_the_classifiers_and_the_examples(wheel):
    with zipfile.ZipFile(wheel) as archive:
        files = archive.namelist()
        info = next(n for n in files if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(info).decode("utf-8")
        licence = next(n for n in files if n.endswith("/licenses/LICENSE"))
        assert "MIT License" in archive.read(licence).decode("utf-8")
        assert "collabsim developers" in archive.read(licence).decode("utf-8")
        for name in experiments.names():
            shipped = archive.read(f"collabsim/experiments/{name}")
            assert shipped == experiments.path(name).read_bytes(), name
    assert "License-Expression: MIT" in metadata
    assert "Classifier: Programming Language :: Python :: 3.12" in metadata
    assert "Classifier: Intended Audience :: Science/Research" in metadata
    assert "Project-URL" not in metadata  # none until a real one exists


def test_collabsim_example_from_the_wheel_alone(bare, tmp_path):
    command = bare / "bin" / "collabsim"
    listed = subprocess.run(
        [command, "example"], capture_output=True, text=True, cwd=tmp_path, check=True
    ).stdout
    assert [line.split()[0] for line in listed.splitlines()] == experiments.names()
    for name in experiments.names():
        assert experiments.headline(name) in listed

    done = subprocess.run(
        [command, "example", "sweep_partner_cede.toml"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    written = tmp_path / "sweep_partner_cede.toml"
    assert written.read_bytes() == experiments.path("sweep_partner_cede.toml").read_bytes()

    (tmp_path / "mine").mkdir()
    subprocess.run(
        [command, "example", "sensitivity_iocn.py", "--out", "mine"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    assert (tmp_path / "mine" / "sensitivity_iocn.py").is_file()

    again = subprocess.run(
        [command, "example", "sweep_partner_cede.toml"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert again.returncode == 2 and again.stderr.count("\n") == 1
    assert "already exists" in again.stderr and "Traceback" not in again.stderr
    unknown = subprocess.run(
        [command, "example", "sweep_partner.toml"], capture_output=True, text=True, cwd=tmp_path
    )
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1
    assert "did you mean sweep_partner_cede.toml" in unknown.stderr


# --- a read-only install -------------------------------------------------------------


def file_modes_enforced() -> list[str]:
    """A command prefix under which file modes bind this process (root ignores them)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: file modes cannot be enforced")
    # without these capabilities root is bound by file modes like any user
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]


def test_a_read_only_install_runs(wheel, tmp_path):
    venv = make_venv(tmp_path / "venv", wheel, dependencies=True)
    home, scratch, out = tmp_path / "home", tmp_path / "tmp", tmp_path / "out"
    for folder in (home, scratch, out):
        folder.mkdir()
    subprocess.run(["chmod", "-R", "a-w", str(venv), str(home)], check=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("NUMBA_CACHE_DIR", "XDG_CACHE_HOME", "PYTHONPATH")
    }
    env.update(HOME=str(home), TMPDIR=str(scratch))
    prefix = file_modes_enforced()

    def collabsim(*args: str) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [*prefix, str(venv / "bin" / "collabsim"), *args],
            env=env,
            cwd=out,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        return done

    package = subprocess.run(
        [venv / "bin" / "python", "-c", "import collabsim; print(collabsim.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout.strip()
    assert package.startswith(str(venv))  # the wheel's copy, not this source tree
    probe = (
        "import sys\nfor folder in sys.argv[1:]:\n    try:\n"
        "        open(folder + '/probe', 'w')\n    except PermissionError:\n"
        "        continue\n    sys.exit(f'{folder} is writable')\n"
    )
    subprocess.run(
        [*prefix, str(venv / "bin" / "python"), "-c", probe, str(Path(package).parent), str(home)],
        env=env,
        check=True,
    )

    assert collabsim("--version").stdout.startswith("collabsim ")
    assert "cede_willingness" in collabsim("params").stdout
    assert "iocn" in collabsim("scenarios").stdout
    collabsim("run", "--steps", "3", "--set", "n_people=30", "--out", "iocn", "--quiet")
    assert (out / "iocn" / "summary.json").is_file()
    cache = scratch / f"collabsim-{os.getuid()}"
    assert any(cache.glob("numba-*/**/*.nbi"))  # compiled code cached in the private folder


def test_no_writable_cache_compiles_in_every_process_with_one_line(tmp_path):
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("", encoding="utf-8")
    unsafe = tmp_path / f"collabsim-{os.getuid()}"
    unsafe.mkdir()
    unsafe.chmod(0o777)  # anyone could plant code here: not to be used
    env = {key: value for key, value in os.environ.items() if key != "NUMBA_CACHE_DIR"}
    env.update(XDG_CACHE_HOME=str(not_a_folder), TMPDIR=str(tmp_path))
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from collabsim import jit\nprint(jit._CACHED, jit.jit(lambda x: x + 1)(1))",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["False", "2"]
    assert done.stderr.count("\n") == 1 and "NUMBA_CACHE_DIR" in done.stderr
    assert not any(unsafe.iterdir())
    assert stat.S_IMODE(unsafe.stat().st_mode) == 0o777


def test_a_chosen_cache_folder_keeps_each_version_of_the_code_apart(tmp_path):
    # Numba keys a cached function on its own file only: code compiled from an edited
    # helper in another file would be run stale, were versions not kept in folders of their own
    chosen = tmp_path / "chosen"
    script = (
        "import numba\nfrom collabsim import jit\n"
        "print(jit._CACHED, numba.config.CACHE_DIR, numba.__version__, jit._source_hash())"
    )
    env = {**os.environ, "NUMBA_CACHE_DIR": str(chosen)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    cached, folder, version, source = done.stdout.split()
    assert cached == "True" and Path(folder) == chosen / f"numba-{version}-{source}"
    assert Path(folder).is_dir()
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("", encoding="utf-8")
    env["NUMBA_CACHE_DIR"] = str(not_a_folder)
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split()[0] == "False"
    assert done.stderr.count("\n") == 1 and f"NUMBA_CACHE_DIR ({not_a_folder})" in done.stderr


@pytest.mark.parametrize("command", [["--version"], ["scenarios"], ["params"], ["example"]])
def test_listing_commands_do_not_load_the_compiled_model(command):
    script = (
        "import contextlib, io, sys\nfrom collabsim.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main({command!r})\n"
        "print(sorted(m for m in ('mesa', 'numba', 'collabsim.jit', 'collabsim.metrics', "
        "'collabsim.model') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


# --- the dask extra ------------------------------------------------------------------


def test_the_dask_dashboard_answers():
    import logging

    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
        silence_logs=logging.ERROR,
    ) as cluster:
        link = cluster.dashboard_link
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with direct.open(link, timeout=60) as response:
            assert response.status == 200
            page = response.read().decode("utf-8")
    # without bokeh the link answers too, with a page that asks for it
    assert "needs bokeh" not in page and "<title>Dask Diagnostic UI</title>" in page
