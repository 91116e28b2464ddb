"""The ``collabsim`` command.

::

    collabsim run --scenario beston --set cede_willingness=0.2 --event 10:budget_cut --seed 3
    collabsim scenarios
    collabsim params [--markdown] [--group GROUP]

``run`` writes a results folder (``timeseries.parquet``, ``summary.json``, ``meta.json``
and the figure ``dynamics.png``) and says in plain English how the run went. Bad input
(an unknown or out-of-range parameter, an unknown scenario, an unreadable scenario file,
a badly written event, an output folder in use) prints one line
``collabsim: error: ...`` and exits with status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import shutil
import sys
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path

import collabsim
from collabsim import reference
from collabsim.params import EVENT_KINDS, PARAMETERS, Event, ParameterError, _suggest, declaration
from collabsim.scenarios import available, load, scenario

PROG = "collabsim"
FIGURE = "dynamics.png"


class UsageError(Exception):
    """Input the command cannot accept, reported in one line with exit status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``collabsim`` command.

    Args:
        argv: Arguments after the program name; ``sys.argv[1:]`` if None.

    Returns:
        The exit status: 0 on success, 2 for bad input (after one line on stderr).
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version and argparse's own usage errors
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 2)
    try:
        return args.handler(args)
    except (UsageError, ParameterError, FileExistsError) as error:
        message = " ".join(str(error).split())
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Agent-based simulation of collaboration in health and social care "
        "networks.",
    )
    parser.add_argument("--version", action="version",
                        version=f"{PROG} {collabsim.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run", help="run one scenario and write a results folder",
        description="Run one scenario and write timeseries.parquet, summary.json, meta.json "
        "and dynamics.png to a results folder.",
    )
    run.add_argument("--scenario", default="iocn", metavar="NAME_OR_TOML",
                     help="a shipped scenario (see 'collabsim scenarios') or the path of a "
                     "scenario TOML file (default: iocn)")
    run.add_argument("--set", action="append", default=[], dest="sets", metavar="NAME=VALUE",
                     help="change one parameter (repeatable), e.g. --set cede_willingness=0.2 "
                     "(see 'collabsim params')")
    run.add_argument("--event", action="append", default=[], dest="events",
                     metavar="STEP:KIND[:ORGANISATION]",
                     help="add a scheduled event to the scenario's timeline (repeatable), e.g. "
                     "--event 10:budget_cut; kinds: " + ", ".join(EVENT_KINDS))
    run.add_argument("--seed", type=int, default=0, help="seed of the run (default: 0)")
    run.add_argument("--steps", type=int, default=None,
                     help="weeks to simulate (default: the scenario's horizon)")
    run.add_argument("--out", type=Path, default=None, metavar="DIR",
                     help="results folder (default: results/<scenario>)")
    run.add_argument("--quiet", action="store_true", help="print nothing on success")
    run.set_defaults(handler=_run)

    scenarios = commands.add_parser("scenarios", help="list the shipped scenarios",
                                    description="List the shipped scenario presets.")
    scenarios.set_defaults(handler=_scenarios)

    params = commands.add_parser(
        "params", help="list the model's parameters",
        description="List the model's parameters with their defaults (the iocn scenario), "
        "allowed values, units and meanings.",
    )
    which = params.add_mutually_exclusive_group()
    which.add_argument("--markdown", action="store_true",
                       help="print the full reference (docs/parameters.md) as Markdown")
    which.add_argument("--group", help="only the parameters of this group: "
                       + ", ".join(reference.groups()))
    params.set_defaults(handler=_params)
    return parser


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

    params = _load_scenario(args.scenario, overrides)
    if added:
        params = params.replace(events=(*params.events, *added))

    from collabsim import storage  # pulls in the model: only when running

    label = _scenario_label(args.scenario)
    out = args.out if args.out is not None else Path("results") / label
    with _writing_to(out):
        storage.check_out_dir(out)  # before the run, so a bad --out fails fast

    result = collabsim.run(params, seed=args.seed, steps=args.steps)
    from collabsim.plots import plot_dynamics  # matplotlib only when a figure is drawn

    with _writing_to(out):
        folder = storage.write_run(result, out, scenario=args.scenario)
        plot_dynamics(result.timeseries, title=f"{label}, seed {args.seed}",
                      events=params.events, path=folder / FIGURE)
        storage.record_output(folder, FIGURE)

    if not args.quiet:
        print(_report(result, label, folder))
    return 0


@contextlib.contextmanager
def _writing_to(out: Path) -> Iterator[None]:
    """Turn a failure to use the output folder (not writable, say) into one line."""
    try:
        yield
    except FileExistsError:
        raise
    except OSError as error:
        raise UsageError(f"cannot write results to {str(out)!r}: {error.strerror or error}") \
            from None


def _load_scenario(name: str, overrides: dict) -> collabsim.Params:
    if name.endswith(".toml"):
        path = Path(name)
        if not path.is_file():
            raise UsageError(f"--scenario {name!r}: no such scenario file")
        try:
            return scenario(name, **overrides)
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or error
            raise UsageError(f"--scenario {name!r}: cannot read scenario file: {reason}") \
                from None
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
        text = reference.parameters_markdown()
        stream = sys.stdout
        if hasattr(stream, "reconfigure"):  # the document is UTF-8 whatever the locale
            stream.reconfigure(encoding="utf-8")
        stream.write(text)
        stream.flush()
        return 0
    groups = reference.groups()
    if args.group is not None and args.group not in groups:
        hint = _suggest(args.group, groups)
        raise UsageError(f"--group {args.group!r} is not a parameter group; allowed: "
                         + ", ".join(groups) + (f"; {hint}" if hint else ""))
    width = shutil.get_terminal_size((120, 24)).columns
    header = ("name", "default", "allowed", "unit", "meaning")
    blocks = []
    for group in groups:
        if args.group is not None and group != args.group:
            continue
        rows = [(p.name + (" *" if p.lever else ""), reference.format_value(p.default),
                 p.allowed(compact=True), p.unit, p.meaning)
                for p in PARAMETERS.values() if p.group == group]
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
        cells = [textwrap.wrap(str(cell), w, break_on_hyphens=False) or [""]
                 for cell, w in zip(row, widths, strict=True)]
        for line in range(max(len(c) for c in cells)):
            parts = [(c[line] if line < len(c) else "").ljust(w)
                     for c, w in zip(cells, widths, strict=True)]
            lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)
