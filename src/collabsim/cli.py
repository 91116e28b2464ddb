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
    collabsim validate [--quick] [--pattern NAME ...] [--out DIR] [the sweep's backend
                       options] [--restart] [--quiet]
    collabsim patterns [--markdown]
    collabsim calibrate experiments/calibration_iocn.toml [the sweep's backend options]
                        [--out DIR] [--restart] [--allow-large] [--quiet]
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
that counts failed runs and says why they failed (failed runs do not change the exit
status). A file with a mistake, a sweep of more than a million runs without
``--allow-large``, or an output folder that cannot be written is refused in one line
naming the file or folder, before anything is written or run. Damaged result files found
on resuming are set aside with a line each and their runs redone. Ctrl-C keeps the
finished chunks and exits with status 130; the same command resumes.

``sensitivity`` runs a study file (see ``collabsim.sensitivity.files``): the runs as a
sweep, with the same options and resuming, then the analysis written beside them; it
ends with the leading factors of each output and whether their indices settled.

``validate`` runs the catalogue of empirical patterns (``collabsim.validation``), or
the patterns named, through the sweep engine with the same backend options and
resuming, and writes ``patterns.csv``, ``report.md`` and figures to the output folder
(default ``results/validation``); it ends with the pass count and the failing patterns
(failing patterns do not change the exit status). ``patterns`` lists the catalogue, or
prints ``docs/patterns.md`` with ``--markdown``. Both live in
``collabsim.commands.validate``.

``calibrate`` runs a calibration file (``collabsim.calibration``): the stages of a
Latin hypercube over the uncertain rates, resumable, with the same backend options; it
ends with the points passing each stage, the accepted ones and the recommended rates
(``collabsim.commands.calibrate``).

``robustness`` runs a lever robustness study file (``collabsim.robustness``): each lever
at a low and a high setting in every context, as resumable sweeps with the same options,
then the paired effects, ``report.md`` and forest plots; it ends with a headline per lever.

``calibrate`` and ``robustness`` start, as ``sweep`` does, by saying their runs with
estimates of time and disk, and refuse more than a million runs (a calibration: in a
stage) without ``--allow-large``, in one line naming the file, before anything is
written.

``dashboard`` serves the workshop dashboard (``collabsim.dashboard``) until Ctrl-C, on
this machine only unless ``--host`` says otherwise; ``--port 0`` takes any free port. Once
it is listening it prints ``collabsim dashboard: serving at http://HOST:PORT/``.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import select
import shutil
import sys
import textwrap
from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path

import collabsim
from collabsim import reference
from collabsim.commands import (
    PROG,
    Progress,
    UsageError,
    check_writable,
    naming,
    print_utf8,
    show_notices,
    start_line,
    sweep_backend,
    writing_to,
)
from collabsim.params import EVENT_KINDS, PARAMETERS, Event, ParameterError, declaration, suggest
from collabsim.scenarios import available, load, scenario

FIGURE = "dynamics.png"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``collabsim`` command.

    Args:
        argv: Arguments after the program name; ``sys.argv[1:]`` if None.

    Returns:
        The exit status: 0 on success, 2 for bad input (after one line on stderr), 1 when
        whoever read the output stopped reading (``collabsim params | head -5``).
    """
    try:
        status = _main(argv)
        sys.stdout.flush()  # a reader that has gone shows here, not in Python's exit
        return status
    except BrokenPipeError:
        if not _reader_gone():  # a broken pipe of some other kind is a real failure
            raise
        # as Python's docs on SIGPIPE advise: send what is still buffered to devnull, so
        # that the flush at exit does not fail again, and end quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _reader_gone() -> bool:
    """Whether stdout is a pipe nobody reads any more (True where that cannot be told)."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(event & select.POLLERR for _, event in poller.poll(0))
    except (AttributeError, OSError, ValueError):  # no poll() (Windows), or no real stdout
        return True


def _main(argv: Sequence[str] | None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version and argparse's own usage errors
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 2)
    show_notices()
    try:
        return args.handler(args)
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
        default="iocn",
        metavar="NAME_OR_TOML",
        help="a shipped scenario (see 'collabsim scenarios') or the path of a "
        "scenario TOML file (default: iocn)",
    )
    run.add_argument(
        "--set",
        action="append",
        default=[],
        dest="sets",
        metavar="NAME=VALUE",
        help="change one parameter (repeatable), e.g. --set cede_willingness=0.2 "
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
        "--steps",
        type=int,
        default=None,
        help="weeks to simulate (default: the scenario's horizon)",
    )
    run.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="results folder (default: results/<scenario>)",
    )
    run.add_argument("--quiet", action="store_true", help="print nothing on success")
    run.set_defaults(handler=_run)

    scenarios = commands.add_parser(
        "scenarios",
        help="list the shipped scenarios",
        description="List the shipped scenario presets.",
    )
    scenarios.set_defaults(handler=_scenarios)

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
    params.set_defaults(handler=_params)

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
        type=Path,
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
    _add_sweep_options(sweep, large=True)
    sweep.set_defaults(handler=_sweep)

    sensitivity = commands.add_parser(
        "sensitivity",
        help="run a sensitivity analysis from a study file",
        description="Run the sensitivity study a TOML file describes (see "
        "'collabsim example sensitivity_iocn.toml'): its runs as a resumable sweep into "
        "results/<name>/, then Sobol' or Morris indices (or delta, PAWN, RBD-FAST), seed "
        "noise, convergence, figures and report.md in the same folder.",
    )
    sensitivity.add_argument("file", type=Path, metavar="FILE", help="the study TOML file")
    _add_sweep_options(sensitivity, large=True)
    sensitivity.set_defaults(handler=_sensitivity)

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
    validate.add_argument(
        "--pattern",
        action="append",
        default=None,
        dest="patterns",
        metavar="NAME",
        help="validate only this pattern (repeatable)",
    )
    _add_sweep_options(
        validate,
        out_help="output folder (default: results/validation)",
        restart_help="delete the stored runs and compute them all anew",
    )
    validate.set_defaults(
        handler=_command("validate", "validate"), out_default=Path("results") / "validation"
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
    _add_sweep_options(
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
    _add_sweep_options(
        robustness,
        out_help="output folder (default: results/robustness/<name> from the file)",
        restart_help="delete the stored runs and compute them all anew",
        large=True,
    )
    robustness.set_defaults(handler=_command("robustness", "robustness"))

    from collabsim.dashboard import DEFAULT_HOST, DEFAULT_PORT, INSTALL  # no Solara import yet
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
    dashboard.set_defaults(handler=_dashboard)

    workshop = commands.add_parser(
        "workshop",
        help="serve a participatory workshop: participants play the network",
        description="Open a workshop room: a facilitator's console and a page where "
        "participants join from their phones and play people of the network. It works with "
        f"no internet connection (needs: {WORKSHOP_INSTALL}).",
    )
    workshop.add_argument("--scenario", default="iocn", help="scenario (default: iocn)")
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
    workshop.set_defaults(handler=_workshop)
    return parser


def _command(module: str, name: str) -> Callable[[argparse.Namespace], int]:
    """The handler ``name`` of ``collabsim.commands.<module>``, imported when it runs."""

    def handler(args: argparse.Namespace) -> int:
        return getattr(import_module(f"collabsim.commands.{module}"), name)(args)

    return handler


def _add_sweep_options(
    command: argparse.ArgumentParser,
    *,
    out_help: str = "results folder (default: results/<name> from the file)",
    restart_help: str = "discard a previous sweep in the results folder "
    "whose design or code differs, and start over",
    large: bool = False,
) -> None:
    """The options of commands that run a sweep: backend, workers, folder, restart.

    ``large`` adds ``--allow-large``, for commands whose file sets the size of what runs.
    """
    command.add_argument(
        "--backend",
        choices=("serial", "pool", "dask"),
        default=None,
        help="where the runs run: this process, a local process pool (the "
        "default) or a Dask cluster",
    )
    command.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="worker processes of the pool (default: all cores)",
    )
    command.add_argument(
        "--scheduler",
        default=None,
        metavar="tcp://HOST:PORT",
        help="send the runs to this existing Dask scheduler (implies --backend dask)",
    )
    command.add_argument(
        "--dask-local",
        type=int,
        default=None,
        metavar="N",
        help="start a local Dask cluster of N worker processes (implies --backend dask)",
    )
    command.add_argument("--out", type=Path, default=None, metavar="DIR", help=out_help)
    command.add_argument("--restart", action="store_true", help=restart_help)
    command.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    if large:
        # the limit is not imported here: collabsim.sweeps loads the compiled model, which
        # the listing commands never need; the refusal names it
        command.add_argument(
            "--allow-large",
            action="store_true",
            help="run more runs than collabsim runs unconfirmed "
            "(refused otherwise, saying how many and the limit)",
        )


# --- collabsim run ---------------------------------------------------------------------


def _run(args: argparse.Namespace) -> int:
    overrides = {}
    for text in args.sets:
        name, sep, value = text.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"--set {text!r}: expected NAME=VALUE, e.g. cede_willingness=0.2")
        overrides[name] = declaration(name).parse(value)
    added = tuple(Event.parse(text) for text in args.events)
    longest = PARAMETERS["horizon"].high
    if args.steps is not None and not 1 <= args.steps <= longest:
        raise UsageError(
            f"--steps {args.steps} is not allowed: expected a whole number from 1 "
            f"to {longest} (weeks; {longest} is the longest horizon a scenario "
            "may have)"
        )

    params = _load_scenario(args.scenario, overrides)
    if added:
        params = params.replace(events=(*params.events, *added))
    # The horizon is checked with the parameters; a shorter run would drop the event quietly.
    for event in added if args.steps is not None else ():
        if event.step > args.steps:
            raise UsageError(
                f"--event {event.step}:{event.kind}: step={event.step} is after the last week "
                f"of the run, --steps {args.steps}: expected a step from 0 to {args.steps} "
                "(or more --steps)"
            )

    from collabsim import storage  # pulls in the model: only when running

    label = _scenario_label(args.scenario)
    out = args.out if args.out is not None else Path("results") / label
    with writing_to(out):
        storage.check_out_dir(out)  # before the run, so a bad --out fails fast
    check_writable(out)

    result = collabsim.run(params, seed=args.seed, steps=args.steps)
    from collabsim.plots import plot_dynamics  # matplotlib only when a figure is drawn

    with writing_to(out):
        folder = storage.write_run(result, out, scenario=args.scenario)
        plot_dynamics(
            result.timeseries,
            title=f"{label}, seed {args.seed}",
            events=params.events,
            path=folder / FIGURE,
        )
        storage.record_output(folder, FIGURE)

    if not args.quiet:
        print(_report(result, label, folder))
    return 0


def _load_scenario(name: str, overrides: dict) -> collabsim.Params:
    if name.endswith(".toml"):
        path = Path(name)
        if not path.is_file():
            raise UsageError(f"--scenario {name!r}: no such scenario file")
        try:
            return scenario(name, **overrides)
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or error
            raise UsageError(f"--scenario {name!r}: cannot read scenario file: {reason}") from None
    return scenario(name, **overrides)


def _scenario_label(name: str) -> str:
    return Path(name).stem if name.endswith(".toml") else name


def _report(result: collabsim.RunResult, label: str, folder: Path) -> str:
    """How the run went, in a few plain-English lines."""
    summary = result.summary
    steps = result.steps
    head = f"{label}, seed {result.seed}: "
    if not result.params.convened:
        head += f"no network was convened; the organisations worked alone for {steps} weeks."
    elif summary["collapse_step"] is not None:
        head += f"the network dissolved in week {summary['collapse_step']} of {steps}."
    else:
        head += f"the network was still alive after {steps} weeks."
    trust = result.timeseries["trust_cross_org"]
    lines = [
        head,
        f"  Trust between organisations: {_number(trust.iloc[0])} at the start, "
        f"{_number(summary['final_trust_cross_org'])} at the end (0 none, 1 full).",
        f"  Quality of care pathways: {_percent(summary['quality_gain'])} since the start.",
        f"  Changes adopted: {summary['changes_adopted']}.",
        f"  Results: {folder}",
    ]
    return "\n".join(lines)


def _number(value: float) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.2f}"


def _percent(gain: float) -> str:
    if gain is None or not math.isfinite(gain):
        return "n/a"
    return f"{gain * 100:+.1f}%"


# --- collabsim sweep -------------------------------------------------------------------


def _sweep(args: argparse.Namespace) -> int:
    from collabsim import sweeps  # pulls in pandas and pyarrow: only when sweeping
    from collabsim.sweeps.files import read_sweep_file

    backend, workers, scheduler = sweep_backend(args)
    progress = Progress(enabled=not args.quiet)
    try:
        options = read_sweep_file(args.file)
        if args.out is not None:
            options["out"] = args.out
        with naming(args.file):
            plan = sweeps.plan_sweep(**options, allow_large=args.allow_large)
        check_writable(plan.out)
        run_with = sweeps.Execution(
            backend=backend,
            workers=workers,
            scheduler=scheduler,
            restart=args.restart,
            progress=progress,
        )
        run = sweeps.SweepRun(plan, run_with)
        if not args.quiet:
            line = start_line(
                args.file, plan.size, backend=backend, workers=workers, scheduler=scheduler
            )
            print(line, file=sys.stderr, flush=True)
        with writing_to(run.plan.out):
            try:
                for _ in run:
                    pass
            except KeyboardInterrupt:
                progress.close()
                print(
                    f"{PROG}: interrupted: {run.done} of {run.total} runs are saved in "
                    f"{run.plan.out}; run the same command again to resume",
                    file=sys.stderr,
                )
                return 130
    except sweeps.SweepError as error:
        raise UsageError(str(error)) from None
    finally:
        progress.close()
    if not args.quiet:
        print(sweeps.load(run.plan.out).report())
    return 0


# --- collabsim sensitivity -------------------------------------------------------------


def _sensitivity(args: argparse.Namespace) -> int:
    from collabsim import sensitivity  # pulls in SALib, pandas, matplotlib: only when used
    from collabsim.sensitivity.files import read_study_file
    from collabsim.sweeps import SweepError

    backend, workers, scheduler = sweep_backend(args)
    progress = Progress(enabled=not args.quiet)
    out = None
    try:
        spec = read_study_file(args.file)
        options = spec["study"]
        if args.out is not None:
            options["out"] = args.out
        out = options.get("out") or Path("results") / options["name"]
        check_writable(Path(out))
        with writing_to(Path(out)), naming(args.file, unless=[out]):
            study = sensitivity.run_study(
                sensitivity.scenario_function(**spec["function"]),
                **options,
                backend=backend,
                workers=workers,
                scheduler=scheduler,
                restart=args.restart,
                progress=progress,
                allow_large=args.allow_large,
            )
    except KeyboardInterrupt:
        progress.close()
        print(
            f"{PROG}: interrupted: the finished runs are saved in {out}; run the same "
            "command again to resume",
            file=sys.stderr,
        )
        return 130
    except SweepError as error:  # SensitivityError is one too
        raise UsageError(str(error)) from None
    finally:
        progress.close()
    if not args.quiet:
        print(_study_summary(study))
    return 0


def _study_summary(study) -> str:
    """The leading factor of each output and whether it settled, in a few lines."""
    from collabsim.sensitivity.methods import MAIN_INDEX

    main = MAIN_INDEX[study.method]
    lines = [
        f"{study.method} indices of {len(study.outputs)} outputs over "
        f"{len(study.problem['names'])} factors ({study.options['runs']} runs):"
    ]
    for output in study.outputs:
        top = study.ranking(output).head(3)
        names = ", ".join(f"{r.factor} ({getattr(r, main):.2g})" for r in top.itertuples())
        verdict = study.verdicts.get(output)
        state = (
            "" if verdict is None else (" [settled]" if verdict["settled"] else " [not settled]")
        )
        lines.append(f"  {output}: {names}{state}")
    lines.append(f"  Report: {study.path / 'report.md'}")
    return "\n".join(lines)


# --- collabsim dashboard ---------------------------------------------------------------


def _dashboard(args: argparse.Namespace) -> int:
    """Serve the dashboard until Ctrl-C, on the socket bound (and checked) first."""
    from collabsim.dashboard import INSTALL, CannotListen, listen, serve
    from collabsim.dashboard.offline import OfflineAssetsMissing

    try:  # bound now, so a port in use is said plainly before Solara starts
        sock = listen(args.host, args.port)
    except CannotListen as error:
        raise UsageError(str(error)) from None
    try:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a session ends
            serve(open_browser=args.open, sock=sock)
    except OfflineAssetsMissing as error:  # the extra's browser assets are not installed
        raise UsageError(str(error)) from None
    except ImportError as error:
        if (error.name or "").partition(".")[0] == "collabsim":
            raise  # our own module failing to import is a bug, not a missing extra
        raise UsageError(
            f"the dashboard needs the dashboard extra, which is not installed "
            f"({error}); install it with: {INSTALL}"
        ) from None
    return 0


def _workshop(args: argparse.Namespace) -> int:
    """Serve a workshop room until Ctrl-C, on the socket bound (and checked) first."""
    from collabsim.dashboard import CannotListen, listen
    from collabsim.workshop import INSTALL as WORKSHOP_INSTALL

    if args.scenario not in available():
        raise UsageError(
            f"--scenario {args.scenario!r} is not allowed: expected one of {', '.join(available())}"
        )
    if args.seed < 0:
        raise UsageError(f"--seed {args.seed} is not allowed: expected a whole number >= 0")
    try:
        from collabsim.workshop.server import serve
    except ImportError as error:
        if (error.name or "").partition(".")[0] == "collabsim":
            raise
        raise UsageError(
            f"the workshop needs the workshop extra, which is not installed "
            f"({error}); install it with: {WORKSHOP_INSTALL}"
        ) from None
    try:
        posts = None if args.posts is None else [int(p) for p in args.posts.split(",")]
    except ValueError:
        raise UsageError(
            f"--posts {args.posts!r} is not allowed: expected post numbers separated by commas"
        ) from None
    try:
        sock = listen(args.host, args.port)
    except CannotListen as error:
        raise UsageError(str(error)) from None
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a session ends
        try:
            serve(
                sock,
                scenario=args.scenario,
                seed=args.seed,
                out=args.out,
                posts=posts,
                announce=lambda line: print(line, flush=True),
            )
        except ValueError as error:  # posts that cannot be dealt, found before serving
            raise UsageError(f"--{error}") from None
    return 0


# --- collabsim scenarios ---------------------------------------------------------------


def _scenarios(args: argparse.Namespace) -> int:
    names = available()
    width = max(len(n) for n in names)
    for name in names:
        print(f"{name:<{width}}  {_headline(load(name).description)}")
    return 0


def _headline(description: str) -> str:
    """The first phrase of a scenario's description, for a one-line listing."""
    text = " ".join(description.split())
    sentence = text.split(". ")[0].rstrip(".")
    phrase = sentence.split(": ")[0]
    return textwrap.shorten(phrase, width=90, placeholder="...")


# --- collabsim params ------------------------------------------------------------------


def _params(args: argparse.Namespace) -> int:
    if args.markdown:
        print_utf8(reference.parameters_markdown())
        return 0
    groups = reference.groups()
    if args.group is not None and args.group not in groups:
        hint = suggest(args.group, groups)
        raise UsageError(
            f"--group {args.group!r} is not a parameter group; allowed: "
            + ", ".join(groups)
            + (f"; {hint}" if hint else "")
        )
    width = shutil.get_terminal_size((120, 24)).columns
    header = ("name", "default", "allowed", "unit", "meaning")
    blocks = []
    for group in groups:
        if args.group is not None and group != args.group:
            continue
        rows = [
            (
                p.name + (" *" if p.lever else ""),
                reference.format_value(p.default),
                p.allowed(compact=True),
                p.unit,
                p.meaning,
            )
            for p in PARAMETERS.values()
            if p.group == group
        ]
        blocks.append(f"{reference.group_title(group)}\n" + _text_table(header, rows, width))
    print("\n\n".join(blocks))
    print("\n* policy lever. Set a value with: collabsim run --set name=value")
    return 0


def _text_table(header: tuple[str, ...], rows: list[tuple[str, ...]], width: int) -> str:
    """A plain-text table; long cells wrap within their column (the first never wraps)."""
    caps = (None, 16, 16, 16, None)  # None: as wide as its longest cell / what is left
    widths = []
    for index, cap in enumerate(caps[:-1]):
        longest = max(len(str(r[index])) for r in (header, *rows))
        widths.append(longest if cap is None else min(cap, longest))
    widths.append(max(30, width - sum(widths) - 2 * (len(widths))))
    lines = []
    for row in (header, *rows):
        cells = [
            textwrap.wrap(str(cell), w, break_on_hyphens=False) or [""]
            for cell, w in zip(row, widths, strict=True)
        ]
        for line in range(max(len(c) for c in cells)):
            parts = [
                (c[line] if line < len(c) else "").ljust(w)
                for c, w in zip(cells, widths, strict=True)
            ]
            lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)
