"""The experiment file: a sweep written down in TOML, run by ``collabsim sweep FILE``.

::

    [sweep]
    name = "partner_cede"       # results go to results/<name> (default: the file's name)
    scenario = "iocn"           # a preset, or a scenario TOML path (relative to this file)
    design = "grid"             # grid, lhs, sobol, morris, or explicit ([[points]] below)
    levels = 5                  # grid: values each range is split into
    # n = 64                    # lhs, sobol, morris: size of the sample
    replicates = 10             # runs per design point, same seeds at every point
    steps = 104                 # weeks per run (default: the scenario's horizon)
    seed = 0                    # master seed
    outputs = ["sustained", "quality_gain"]      # summary outputs kept (default: all)

    [sweep.timeseries]          # optional: keep some reporters, every few steps
    reporters = ["attendance_rate", "trust_cross_org"]
    every = 4

    [params]                    # optional: parameters held fixed for the whole sweep
    n_people = 150

    [factors]                   # what varies: a list gives levels, a table a range
    academic_partner = [true, false]
    cede_willingness = {low = 0.1, high = 0.9}
    turnover_rate = {}          # an empty table: the whole allowed range

For an explicit design, leave ``[factors]`` out and give one ``[[points]]`` table per
design point, each setting the same parameters. A file with neither, or with an empty
``[factors]`` table, is refused: it would vary nothing. Everything is checked before any
run: a mistake is reported in one line naming the file, the field and what is allowed.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from collabsim.scenarios import DEFAULT_SCENARIO
from collabsim.sweeps.sampling import Sampling, SweepError
from collabsim.tomlfile import (
    check_are_tables,
    check_keys,
    check_tables,
    read_toml,
    scenario_beside,
)

#: Keys of the ``[sweep]`` table: the design options are ``Sampling``'s.
SWEEP_KEYS: tuple[str, ...] = (
    "name",
    "scenario",
    *(option.name for option in dataclasses.fields(Sampling)),
    "steps",
    "outputs",
    "timeseries",
)

#: Tables of an experiment file.
TABLES: tuple[str, ...] = ("sweep", "params", "factors", "points")


def read_sweep_file(path: str | Path) -> dict[str, Any]:
    """Read an experiment file into the options of ``collabsim.sweep``.

    Only the file's structure is checked here; ``collabsim.sweep`` (``plan_sweep``)
    checks the values.

    Args:
        path: The TOML experiment file.

    Returns:
        Keyword options for ``collabsim.sweep`` / ``plan_sweep``: ``name`` defaults to
        the file's stem, and a scenario path is made relative to the file's folder.

    Raises:
        SweepError: The file is missing, unreadable, not TOML, or badly structured.
    """
    path = Path(path)
    data = read_toml(path, "sweep file", SweepError)

    def fail(message: str) -> SweepError:
        return SweepError(f"{path}: {message}")

    check_tables(data, TABLES, fail, arrays=("points",))
    sweep = data.get("sweep")
    if not isinstance(sweep, dict):
        raise fail("no [sweep] table: it names the scenario, design and replicates")
    check_keys(sweep, SWEEP_KEYS, "[sweep]", fail)
    check_are_tables(data, ("params", "factors"), fail)

    options: dict[str, Any] = {k: v for k, v in sweep.items() if k != "timeseries"}
    options.setdefault("name", path.stem)
    options["scenario"] = scenario_beside(options.get("scenario", DEFAULT_SCENARIO), path)
    if "timeseries" in sweep:
        series = sweep["timeseries"]
        if not isinstance(series, dict):
            raise fail(
                "[sweep] timeseries must be a table: [sweep.timeseries] with reporters and every"
            )
        extra = set(series) - {"reporters", "every"}
        if extra:
            raise fail(
                f"[sweep.timeseries]: unknown key {sorted(extra)[0]!r}; allowed: reporters, every"
            )
        if "reporters" not in series:
            raise fail(
                '[sweep.timeseries] needs reporters, the list of reporters to keep (or "all")'
            )
        reporters = series["reporters"]
        if isinstance(reporters, list) and not reporters:
            raise fail(
                "[sweep.timeseries] reporters = [] keeps no time series: name the reporters "
                'to keep (or "all"), or leave the [sweep.timeseries] table out'
            )
        options["timeseries"] = True if reporters == "all" else reporters
        options["every"] = series.get("every", 1)
    if "params" in data:
        options["params"] = data["params"]

    points = data.get("points")
    design = sweep.get("design")
    if points is not None:
        if not isinstance(points, list):
            raise fail("points must be an array of tables ([[points]]), one per design point")
        if "factors" in data:
            raise fail(
                "give either [factors] (with a design) or [[points]] (an explicit design), not both"
            )
        if design not in (None, "explicit"):
            raise fail(
                f"[[points]] make an explicit design, but design = {design!r}; leave "
                'design out or set design = "explicit"'
            )
        options["design"] = points
    else:
        if design == "explicit":
            raise fail('design = "explicit" needs [[points]] tables, one per design point')
        if not data.get("factors"):  # nothing varies: a sweep of one point, surely a slip
            raise fail(
                ("[factors] is empty" if "factors" in data else "no [factors] table")
                + ": no factors to vary; name at least one parameter with its levels "
                "or range, e.g. cede_willingness = {low = 0.1, high = 0.9}, or give "
                "[[points]] tables (one [[points]] runs one parameter set)"
            )
        options["factors"] = data["factors"]
    return options
