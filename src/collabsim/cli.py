"""The ``collabsim`` command.

::

    collabsim run --scenario beston --set cede_willingness=0.2 --event 10:budget_cut --seed 3
    collabsim scenarios
    collabsim params [--markdown] [--group GROUP]
    collabsim example [NAME] [--out PATH]
    collabsim sweep sweep_partner_cede.toml [--backend serial|pool|dask]
                    [--workers N] [--scheduler tcp://HOST:PORT] [--dask-local N]
                    [--out DIR] [--restart] [--quiet]
    collabsim sensitivity sensitivity_iocn.toml [the same options as sweep]
    collabsim validate [--quick] [--seed N] [--pattern NAME ...] [--set NAME=VALUE ...] [--out DIR]
                       [the sweep's backend options] [--restart] [--quiet]
    collabsim patterns [--markdown]
    collabsim calibrate experiments/calibration_iocn.toml [--skip-stage NAME ...]
                        [the sweep's backend options] [--out DIR] [--restart]
                        [--allow-large] [--quiet]
    collabsim robustness experiments/robustness_levers.toml [the same options]
    collabsim dashboard [--port N] [--host 127.0.0.1] [--open]

``run`` writes a results folder (``timeseries.parquet``, ``summary.json``, ``meta.json``
and the figure ``dynamics.png``) and says in plain English how the run went. Bad input
(an unknown or out-of-range parameter, an unknown scenario, an unreadable scenario file,
a badly written event, an output folder in use) prints one line
``collabsim: error: ...`` and exits with status 2.

``example`` lists the example experiment files shipped with the package
(``collabsim.experiments``), or writes a copy of one (``collabsim.commands.example``).

``sweep`` runs the experiment file's sweep (see ``collabsim.sweeps.files``), resuming it
if it was stopped: it starts by saying the sweep's size with an estimate of its time and
disk, shows a progress bar on a terminal (plain lines in a log), and ends with a summary
that counts failed runs and says why they failed (exit status 2 only if every run
failed). A file with a mistake, a sweep of more than a million runs without
``--allow-large``, or an output folder that cannot be written is refused in one line
naming the file or folder, before anything is written or run. Damaged result files found
on resuming are set aside with a line each and their runs redone. Ctrl-C keeps the
finished chunks and exits with status 130; the same command resumes.

``sensitivity`` runs a study file (see ``collabsim.sensitivity.files``): the runs as a
sweep, with the same options and resuming, then the analysis written beside them; it
ends with the leading factors of each output and whether their indices settled.

``validate`` and ``patterns``, ``calibrate`` and ``robustness`` are described in their
modules (``collabsim.commands.validate``, ``.calibrate``, ``.robustness``): each resumes,
takes the sweep's backend options, and starts as ``sweep`` does by saying its runs.

``dashboard`` serves the workshop dashboard (``collabsim.dashboard``) until Ctrl-C, on
this machine only unless ``--host`` says otherwise; ``--port 0`` takes any free port. Once
it is listening it prints ``collabsim dashboard: serving at http://HOST:PORT/``.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import re
import select
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path
from typing import NoReturn

import collabsim
from collabsim import ctrl_c, reference
from collabsim.commands import PROG, Interrupted, UsageError, show_notices
from collabsim.commands.options import add_sweep_options, folder_path
from collabsim.params import EVENT_KINDS, ParameterError
from collabsim.scenarios import DEFAULT_SCENARIO
from collabsim.warm import freeze_what_is_loaded, import_model


def run_command() -> NoReturn:
    """The ``collabsim`` program: ``main`` on the process's arguments, then its exit.

    The exit is spared a search of all the command loaded (``warm.freeze_what_is_loaded``).
    """
    try:
        status = main()
    finally:
        freeze_what_is_loaded()
    sys.exit(status)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``collabsim`` command.

    Args:
        argv: Arguments after the program name; ``sys.argv[1:]`` if None.

    Returns:
        The exit status: 0 on success (a served dashboard or workshop ends so on Ctrl-C
        or SIGTERM), 2 for bad input (after one line on stderr), 130 for Ctrl-C or
        SIGTERM (after one line: for a study, on how to resume), 1 when whoever
        read the output stopped reading (``collabsim params | head -5``) or it could not be
        written (``collabsim params > /dev/full``: after one line on stderr).
    """
    try:
        with ctrl_c.terminated_as_ctrl_c():
            status = _main(argv)
        sys.stdout.flush()  # a reader that has gone shows here, not in Python's exit
        return status
    except KeyboardInterrupt:  # before a command began (reading its options): nothing kept
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        if not _reader_gone():  # a broken pipe of some other kind is a real failure
            raise
        _discard_output()
        return 1
    except OSError as error:
        # A file the commands write names itself in their messages (storage.writing_to);
        # a full disk or device without a file name is where the output was going.
        if error.filename is not None or error.errno not in _OUTPUT_FAILURES:
            raise
        with contextlib.suppress(OSError):  # stderr may be on the same full disk
            print(f"{PROG}: error: cannot write the output: {error.strerror}", file=sys.stderr)
        _discard_output()
        return 1


# What writing the output can meet: a full disk or quota, a file too large, a device error.
_OUTPUT_FAILURES = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}


def _discard_output() -> None:
    """Send what is still buffered for stdout to devnull.

    Python's flush at exit then does not fail again (as Python's docs on SIGPIPE advise).
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _reader_gone() -> bool:
    """Whether stdout is a pipe nobody reads any more (True where that cannot be told)."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(event & select.POLLERR for _, event in poller.poll(0))
    except (AttributeError, OSError, ValueError):  # no poll() (Windows), or no real stdout
        return True


def _main(argv: Sequence[str] | None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    for at in range(len(given) - 1, 0, -1):  # argparse takes "-3:budget_cut" for an option
        if given[at - 1] == "--event" and re.match(r"-\d", given[at]):  # the checks name it
            given[at - 1 : at + 1] = [f"--event={given[at]}"]
    parser = _parser()
    try:
        args, extra = parser.parse_known_args(given)
        if extra:  # said with the command's usage, not the program's
            args.command_parser.error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as exit_:  # --help, --version and argparse's own usage errors
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 2)
    show_notices()
    try:
        return args.handler(args)
    except Interrupted:  # Ctrl-C in a study, after it said how to resume
        return 130
    except KeyboardInterrupt:  # Ctrl-C before a study began (loading the model): nothing kept
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except (UsageError, ParameterError, FileExistsError) as error:
        message = " ".join(str(error).split())
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Agent-based simulation of collaboration in health and social care networks.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {collabsim.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run one scenario and write a results folder",
        description="Run one scenario and write timeseries.parquet, summary.json, meta.json "
        "and dynamics.png to a results folder.",
    )
    run.add_argument(
        "--scenario",
        default=DEFAULT_SCENARIO,
        metavar="NAME_OR_TOML",
        help="a shipped scenario (see 'collabsim scenarios') or the path of a "
        "scenario TOML file (default: %(default)s)",
    )
    _add_set_option(
        run,
        "change one parameter (repeatable), e.g. --set cede_willingness=0.2 "
        "(see 'collabsim params')",
    )
    run.add_argument(
        "--event",
        action="append",
        default=[],
        dest="events",
        metavar="STEP:KIND[:ORGANISATION]",
        help="add a scheduled event to the scenario's timeline (repeatable), e.g. "
        "--event 10:budget_cut; kinds: " + ", ".join(EVENT_KINDS),
    )
    run.add_argument("--seed", type=int, default=0, help="seed of the run (default: 0)")
    run.add_argument(
        "--steps", type=int, help="weeks to simulate (default: the scenario's horizon)"
    )
    run.add_argument(
        "--out",
        type=folder_path,
        metavar="DIR",
        help="results folder (default: results/<scenario>)",
    )
    run.add_argument(
        "--quiet",
        action="store_true",
        help="no progress and no report on success; notes of events that do not happen or "
        "change nothing still go to stderr",
    )
    run.set_defaults(handler=_command("run", "run"))

    scenarios = commands.add_parser(
        "scenarios",
        help="list the shipped scenarios",
        description="List the shipped scenario presets.",
    )
    scenarios.set_defaults(handler=_command("listings", "scenarios"))

    params = commands.add_parser(
        "params",
        help="list the model's parameters",
        description="List the model's parameters with their defaults (the iocn scenario), "
        "allowed values, units and meanings.",
    )
    which = params.add_mutually_exclusive_group()
    which.add_argument(
        "--markdown",
        action="store_true",
        help="print the full reference (docs/parameters.md) as Markdown",
    )
    which.add_argument(
        "--group", help="only the parameters of this group: " + ", ".join(reference.groups())
    )
    params.set_defaults(handler=_command("listings", "params"))

    example = commands.add_parser(
        "example",
        help="list the example experiment files, or write one out",
        description="List the example experiment files shipped with collabsim, or write a "
        "copy of one to run and edit.",
    )
    example.add_argument(
        "name",
        nargs="?",
        default=None,
        metavar="NAME",
        help="the example to write (omit to list them)",
    )
    example.add_argument(
        "--out",
        type=str,  # as typed: a trailing "/" says it is meant as a folder
        default=None,
        metavar="PATH",
        help="file or existing folder to write it to (default: NAME in the working folder)",
    )
    example.set_defaults(handler=_command("example", "example"))

    sweep = commands.add_parser(
        "sweep",
        help="run a parameter sweep from an experiment file",
        description="Run the parameter sweep an experiment TOML file describes (see "
        "'collabsim example sweep_partner_cede.toml'), writing results/<name>/ as runs finish. "
        "Running it again resumes where it stopped.",
    )
    sweep.add_argument("file", type=Path, metavar="FILE", help="the experiment TOML file")
    add_sweep_options(sweep, large=True)
    sweep.set_defaults(handler=_command("sweep", "sweep"))

    sensitivity = commands.add_parser(
        "sensitivity",
        help="run a sensitivity analysis from a study file",
        description="Run the sensitivity study a TOML file describes (see "
        "'collabsim example sensitivity_iocn.toml'): its runs as a resumable sweep into "
        "results/<name>/, then Sobol' or Morris indices (or delta, PAWN, RBD-FAST), seed "
        "noise, convergence, figures and report.md in the same folder.",
    )
    sensitivity.add_argument("file", type=Path, metavar="FILE", help="the study TOML file")
    add_sweep_options(sensitivity, large=True)
    sensitivity.set_defaults(handler=_command("sensitivity", "sensitivity"))

    validate = commands.add_parser(
        "validate",
        help="test the model against the empirical patterns",
        description="Run the arms of the empirical patterns (see 'collabsim patterns') as "
        "resumable sweeps into DIR/runs/, test each pattern and write DIR/patterns.csv, "
        "DIR/report.md and DIR/figures/. Running it again reuses the stored runs.",
    )
    validate.add_argument(
        "--quick", action="store_true", help="30 seeds per arm instead of each pattern's own number"
    )
    _add_set_option(
        validate,
        "run every arm with this value instead of the default (repeatable), e.g. a "
        "calibrated rate; a parameter an arm sets itself is refused",
    )
    validate.add_argument(
        "--seed",
        type=int,
        default=0,
        help="master seed of every arm's replicate seeds (default: 0, the committed table's); "
        "another seed writes apart by default, to results/validation_seed<N>",
    )
    validate.add_argument(
        "--pattern",
        action="append",
        default=None,
        dest="patterns",
        metavar="NAME",
        help="validate only this pattern (repeatable)",
    )
    add_sweep_options(
        validate,
        out_help="output folder (default: results/validation, or results/validation_quick "
        "with --quick, each with _seed<N> after it for --seed N other than 0, so that no "
        "run replaces the full one's table)",
        restart_help="delete the stored runs and compute them all anew",
    )
    validate.set_defaults(
        handler=_command("validate", "validate"),
        out_default=Path("results") / "validation",
        quick_out_default=Path("results") / "validation_quick",
    )

    patterns = commands.add_parser(
        "patterns",
        help="list the empirical patterns the model is validated against",
        description="List the catalogue of empirical patterns with their seeds and claims.",
    )
    patterns.add_argument(
        "--markdown",
        action="store_true",
        help="print the full reference (docs/patterns.md) as Markdown",
    )
    patterns.set_defaults(handler=_command("validate", "patterns"))

    calibrate = commands.add_parser(
        "calibrate",
        help="calibrate the uncertain rates against the patterns",
        description="Calibration by pattern filtering: run the Latin hypercube of a "
        "calibration TOML file (see experiments/calibration_iocn.toml) stage by stage as "
        "resumable sweeps into DIR/runs/, keep the points that pass every stage, and write "
        "points.csv, accepted.csv, calibration.md and figures/ to DIR. Running it again "
        "reuses the stored runs.",
    )
    calibrate.add_argument("file", type=Path, metavar="FILE", help="the calibration TOML file")
    calibrate.add_argument(
        "--skip-stage",
        action="append",
        default=[],
        metavar="NAME",
        help="leave this stage out (repeatable): the same points judged by the other stages, "
        "by default in results/calibration/<name>_without_<stage>",
    )
    add_sweep_options(
        calibrate,
        out_help="output folder (default: results/calibration/<name> from the file)",
        restart_help="delete the stored runs and compute them all anew",
        large=True,
    )
    calibrate.set_defaults(handler=_command("calibrate", "calibrate"))

    robustness = commands.add_parser(
        "robustness",
        help="re-estimate each lever's effect across contexts",
        description="Run a lever robustness study file (see experiments/robustness_levers."
        "toml): each lever at its low and high setting in every context, as resumable sweeps "
        "into DIR/runs/, then DIR/robustness.csv, summary.csv, report.md and figures/.",
    )
    robustness.add_argument("file", type=Path, metavar="FILE", help="the study TOML file")
    add_sweep_options(
        robustness,
        out_help="output folder (default: results/robustness/<name> from the file)",
        restart_help="delete the stored runs and compute them all anew",
        large=True,
    )
    robustness.set_defaults(handler=_command("robustness", "robustness"))

    from collabsim.dashboard.contract import DEFAULT_HOST, DEFAULT_PORT, INSTALL
    from collabsim.workshop import INSTALL as WORKSHOP_INSTALL  # no web server import yet

    dashboard = commands.add_parser(
        "dashboard",
        help="serve the workshop dashboard in a browser",
        description=f"Serve the workshop dashboard (needs: {INSTALL}). It works with no "
        "internet connection.",
    )
    dashboard.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port (default: {DEFAULT_PORT}; 0: any free port)",
    )
    dashboard.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default: {DEFAULT_HOST}, this "
        "machine only; 0.0.0.0 lets devices in the room connect)",
    )
    dashboard.add_argument("--open", action="store_true", help="open it in a browser")
    dashboard.set_defaults(handler=_command("serve", "dashboard"))

    workshop = commands.add_parser(
        "workshop",
        help="serve a participatory workshop: participants play the network",
        description="Open a workshop room: a facilitator's console and a page where "
        "participants join from their phones and play people of the network. It works with "
        f"no internet connection (needs: {WORKSHOP_INSTALL}).",
    )
    workshop.add_argument(
        "--scenario", default=DEFAULT_SCENARIO, help="scenario (default: %(default)s)"
    )
    workshop.add_argument("--seed", type=int, default=0, help="seed of the run (default: 0)")
    workshop.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port (default: {DEFAULT_PORT}; 0: any free port)",
    )
    workshop.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default: {DEFAULT_HOST}, this machine "
        "only; 0.0.0.0 lets devices in the room join)",
    )
    workshop.add_argument(
        "--posts",
        default=None,
        metavar="LIST",
        help="deal these posts, in this order (comma-separated), instead "
        "of a mix of roles across organisations",
    )
    workshop.add_argument(
        "--out",
        default="results/workshop",
        help="folder under which sessions are saved (default: results/workshop)",
    )
    workshop.set_defaults(handler=_command("serve", "workshop"))
    for command in commands.choices.values():  # a command's own usage for its mistakes
        command.set_defaults(command_parser=command)
    return parser


#: Command modules that never load the model: they answer in a fraction of the time. The
#: others load it, Mesa first (``warm.import_model``).
_LISTINGS = ("listings", "example")


def _command(module: str, name: str) -> Callable[[argparse.Namespace], int]:
    """The handler ``name`` of ``collabsim.commands.<module>``, imported when it runs."""

    def handler(args: argparse.Namespace) -> int:
        load = import_module if module in _LISTINGS else import_model
        return getattr(load(f"collabsim.commands.{module}"), name)(args)

    return handler


def _add_set_option(command: argparse.ArgumentParser, help: str) -> None:
    """``--set NAME=VALUE``, repeatable (read by ``collabsim.commands.parse_sets``)."""
    command.add_argument(
        "--set", action="append", default=[], dest="sets", metavar="NAME=VALUE", help=help
    )
