"""The study file: a lever robustness study written down in TOML.

Run with ``collabsim robustness FILE``::

    [robustness]
    name = "levers"        # results go to results/robustness/<name> (default: the file's name)
    scenario = "iocn"      # a preset, or a scenario TOML path (relative to this file)
    seeds = 20             # runs per arm, the same seeds in every arm
    seed = 0               # master seed
    # steps = 260          # weeks per run (default: the scenario's horizon)
    accepted = "results/calibration/iocn_rates/accepted.csv"   # optional; relative to
                                                               # the working folder
    max_accepted = 10      # use at most this many accepted sets (in file order)

    [levers]               # name = {low = .., high = .., expect = "higher" | "lower"}
    cede_willingness = {low = 0.2, high = 0.8}
    results_pressure = {low = 0.0, high = 0.3, expect = "lower"}

    [contexts]             # optional: each value is one context
    sizes = [100, 300, 1000]                   # n_people
    network_types = ["place", "issue"]
    partner_channels_off = ["seating", "threat_relief", "narrative", "learning"]

The file's structure is checked here and its values by ``make_plan``, all before any
run; a mistake is reported in one line naming the file and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from collabsim.checks import path_option
from collabsim.robustness.plan import RobustnessError, RobustnessPlan, make_plan
from collabsim.scenarios import DEFAULT_SCENARIO
from collabsim.tomlfile import (
    check_are_tables,
    check_keys,
    check_tables,
    read_toml,
    scenario_beside,
)

#: Keys of the ``[robustness]`` table.
STUDY_KEYS: tuple[str, ...] = (
    "name",
    "scenario",
    "seeds",
    "seed",
    "steps",
    "accepted",
    "max_accepted",
)

#: Keys of the ``[contexts]`` table, and the ``make_plan`` option each one fills.
CONTEXT_KEYS: tuple[str, ...] = ("sizes", "network_types", "partner_channels_off")

#: Tables of a study file.
TABLES: tuple[str, ...] = ("robustness", "levers", "contexts")


def read_robustness_file(path: str | Path) -> RobustnessPlan:
    """Read and check a study file.

    Args:
        path: The TOML study file.

    Returns:
        The checked plan (``name`` defaults to the file's stem; a scenario path is taken
        relative to the file's folder, an accepted-sets path relative to the working
        folder, like the results).

    Raises:
        RobustnessError: ``path`` is not a path, or the file is missing, unreadable, not
            TOML, badly structured or holds a value not allowed; the message names the
            file and the field.
    """
    path = path_option("path", path, expected="the path of a study file", error=RobustnessError)
    data = read_toml(path, "robustness study file", RobustnessError)

    def fail(message: str) -> RobustnessError:
        return RobustnessError(f"{path}: {message}")

    check_tables(data, TABLES, fail)
    check_are_tables(data, TABLES, fail)
    study = data.get("robustness")
    if study is None:
        raise fail("no [robustness] table: it names the scenario and the seeds")
    if "levers" not in data:
        raise fail("no [levers] table: it names each lever's low and high setting")
    check_keys(study, STUDY_KEYS, "[robustness]", fail)
    contexts = data.get("contexts", {})
    check_keys(contexts, CONTEXT_KEYS, "[contexts]", fail)

    options: dict[str, Any] = {key: study[key] for key in STUDY_KEYS if key in study}
    options.setdefault("name", path.stem)
    options["scenario"] = scenario_beside(options.get("scenario", DEFAULT_SCENARIO), path)
    return make_plan(
        levers=data["levers"], **options, **contexts, where=str(path), source=str(path)
    )
