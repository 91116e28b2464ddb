"""The study file: a sensitivity analysis of the model written down in TOML.

Run with ``collabsim sensitivity FILE``::

    [sensitivity]
    name = "sensitivity_iocn"   # results go to results/<name> (default: the file's name)
    scenario = "iocn"           # a preset, or a scenario TOML path (relative to this file)
    method = "sobol"            # sobol, morris, delta, pawn, rbd_fast
    n = 256                     # base samples (sobol, a power of 2), trajectories (morris)
    replicates = 2              # runs per design point, same seeds at every point
    statistic = "mean"          # how a point's runs are summarised
    steps = 260                 # weeks per run (default: the scenario's horizon)
    seed = 0
    outputs = ["sustained", "quality_gain"]     # summary outputs to study
    # second_order = false, morris_levels = 4, resamples = 1000, conf_level = 0.95,
    # convergence = true, tolerance = 0.05

    [params]                    # optional: parameters held fixed
    n_people = 150

    [factors]                   # optional: default every lever over its allowed range
    cede_willingness = {}       # an empty table: the whole allowed range
    meeting_interval = {low = 1, high = 13}
    academic_partner = [true, false]

    [fill]                      # optional: stand-ins for outputs undefined in some runs
    collapse_step = 260

Only the structure is checked here; ``run_study`` checks the values, all before any run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from collabsim.scenarios import DEFAULT_SCENARIO
from collabsim.sensitivity.problem import SensitivityError
from collabsim.tomlfile import (
    check_are_tables,
    check_keys,
    check_tables,
    read_toml,
    scenario_beside,
)

#: Keys of the ``[sensitivity]`` table.
STUDY_KEYS: tuple[str, ...] = (
    "name",
    "scenario",
    "method",
    "n",
    "replicates",
    "statistic",
    "steps",
    "seed",
    "outputs",
    "second_order",
    "morris_levels",
    "resamples",
    "conf_level",
    "convergence",
    "tolerance",
)

#: The tables of a study file besides [sensitivity], each optional.
OWN_TABLES: tuple[str, ...] = ("params", "factors", "fill")
#: Tables of a study file.
TABLES: tuple[str, ...] = ("sensitivity", *OWN_TABLES)

#: Keys that describe the model function rather than the analysis.
FUNCTION_KEYS: tuple[str, ...] = ("scenario", "outputs", "steps")


def read_study_file(path: str | Path) -> dict[str, Any]:
    """Read a study file into ``{"function": {...}, "study": {...}}``.

    Args:
        path: The TOML study file.

    Returns:
        ``function``: keyword options of ``scenario_function`` (scenario, outputs,
        params, steps); ``study``: keyword options of ``run_study`` (method, n, factors,
        replicates, ..., ``name`` defaulting to the file's stem).

    Raises:
        SensitivityError: The file is missing, unreadable, not TOML or badly structured.
    """
    path = Path(path)
    data = read_toml(path, "study file", SensitivityError)

    def fail(message: str) -> SensitivityError:
        return SensitivityError(f"{path}: {message}")

    check_tables(data, TABLES, fail)
    study = data.get("sensitivity")
    if not isinstance(study, dict):
        raise fail("no [sensitivity] table: it names the scenario, method and outputs")
    for table in OWN_TABLES:  # a table's name written as a key
        if table in study:
            raise fail(
                f"[sensitivity]: {table} is a table of its own, not a key: write it after the "
                f"[sensitivity] table's keys as [{table}] with one name = value a line"
            )
    check_keys(study, STUDY_KEYS, "[sensitivity]", fail)
    check_are_tables(data, OWN_TABLES, fail)

    function: dict[str, Any] = {k: study[k] for k in FUNCTION_KEYS if k in study}
    function["scenario"] = scenario_beside(function.get("scenario", DEFAULT_SCENARIO), path)
    if "params" in data:
        function["params"] = data["params"]
    options = {k: v for k, v in study.items() if k not in FUNCTION_KEYS}
    options.setdefault("name", path.stem)
    if "factors" in data:
        options["factors"] = data["factors"]
    if "fill" in data:
        options["fill"] = data["fill"]
    return {"function": function, "study": options}
