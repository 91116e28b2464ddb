"""The findings in words: a short Markdown report naming the influential factors.

For each output: the most influential factors with what they mean (from the parameter
declarations), how much of the variance each explains (Sobol') or how large its effect
is (Morris), which indices are within seed noise, and whether they settled. The rules
behind those statements close the report.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from collabsim.metrics import output_title
from collabsim.params import PARAMETERS
from collabsim.sensitivity.convergence import DID_NOT_VARY
from collabsim.sensitivity.methods import MAIN_INDEX

if TYPE_CHECKING:
    from collabsim.sensitivity.results import Analysis

#: Factors named in words per output.
NAMED = 3

METHOD_NAMES = {
    "sobol": "Sobol' indices",
    "morris": "Morris screening",
    "delta": "Borgonovo's delta",
    "pawn": "PAWN",
    "rbd_fast": "RBD-FAST",
}


def markdown(analysis: Analysis) -> str:
    """The report of ``analysis`` as Markdown."""
    options = analysis.options
    source = options.get("source", {})
    subject = (
        f"the {source['scenario']} scenario"
        if source.get("scenario")
        else f"`{source.get('function', 'the function')}`"
    )
    lines = [
        f"# Sensitivity of {subject}: {METHOD_NAMES[analysis.method]}",
        "",
        _design_sentence(analysis),
        "",
    ]
    for output in analysis.outputs:
        lines += _output_section(analysis, output)
    lines += _notes(analysis)
    return "\n".join(lines).rstrip() + "\n"


def _design_sentence(analysis: Analysis) -> str:
    o = analysis.options
    factors = len(analysis.problem["names"])
    size = {
        "sobol": f"Saltelli's sample of n = {o['n']} base samples",
        "morris": f"{o['n']} Morris trajectories of {o.get('morris_levels', 4)} levels",
    }.get(analysis.method, f"a Latin hypercube of {o['n']} points")
    replicates = o["replicates"]
    text = (
        f"{o['points']:,} design points ({size}) over {factors} factors, "
        f"{replicates} run{'s' if replicates != 1 else ''} each ({o['runs']:,} runs)"
    )
    if replicates > 1:
        text += f"; each point's runs summarised by their {o['statistic']}"
    steps = o.get("source", {}).get("steps")
    if steps:
        text += f"; {steps} weeks per run"
    return (
        text + f". Confidence intervals: {o['conf_level']:.0%}, {o['resamples']} "
        "bootstrap resamples."
    )


def _output_section(analysis: Analysis, output: str) -> list[str]:
    method = analysis.method
    title = f"## {output_title(output)}"
    ranking = analysis.ranking(output)
    noise = analysis.noise.set_index("output").loc[output]
    main = MAIN_INDEX[method]
    lines = [title, ""]
    if ranking[main].isna().all():
        return [
            *lines,
            f"{output}: {DID_NOT_VARY}.",
            "",
        ]
    floor = float(ranking["noise_floor"].iloc[0])
    leaders = analysis.leading(output).head(NAMED)
    if leaders.empty:
        lines.append(
            f"No factor's {main} rises above the seed-noise floor ({floor:.3g}): "
            "with these runs, the factors cannot be told apart from chance."
        )
    else:
        described = [_describe(method, row) for row in leaders.to_dict(orient="records")]
        lines.append(
            f"The most influential factor{'s are' if len(described) > 1 else ' is'} "
            + _join(described)
            + "."
        )
    if method == "sobol":
        lines.append(_first_order_sentence(ranking, noise))
    lines.append("")
    lines.append(_noise_sentence(analysis, output, noise, floor, ranking))
    verdict = analysis.verdicts.get(output)
    if verdict is not None:
        lines.append("")
        if verdict["settled"]:
            lines.append(f"Converged: {verdict['reason']}.")
        else:
            lines.append(
                f"**Not settled**: {verdict['reason']}. Treat the ranking below the "
                "leading factors as provisional; a larger n would narrow it."
            )
    lines += ["", _table(method, ranking), ""]
    return lines


def _first_order_sentence(ranking: pd.DataFrame, noise: pd.Series) -> str:
    """How much of the variance the first-order effects explain together, if that is known.

    The sum of every S1 estimate, negative ones included (dropping them would bias the sum
    upwards), with a half-width from the estimates' own (as if independent): only a sum
    whose interval lies inside 0 to 1 splits the variance into first order and the rest.
    """
    first = ranking["S1"].sum()
    half = math.sqrt((ranking["S1_conf"] ** 2).sum())
    if 0 < first - half and first + half < 1:
        return (
            f"Together the factors' first-order effects explain {first:.0%} of the variance "
            f"(± {half:.0%}); the rest comes from interactions between factors"
            + (" (and seed noise)." if _finite(noise["residual_noise_share"]) else ".")
        )
    return (
        f"Together the factors' first-order estimates sum to {first:.0%} of the variance "
        f"(± {half:.0%}): at this n they are too uncertain to say how much of it first-order "
        "effects explain and how much interactions between factors add."
    )


def _describe(method: str, row: dict[str, Any]) -> str:
    name = row["factor"]
    meaning = PARAMETERS[name].meaning.rstrip(".").lower() if name in PARAMETERS else ""
    label = f"**{name}**" + (f" ({meaning})" if meaning else "")
    if method == "sobol":
        return (
            f"{label}, which alone explains {max(row['S1'], 0):.0%} of the variance "
            f"(± {row['S1_conf']:.0%}) and {row['ST']:.0%} with its interactions"
        )
    if method == "morris":
        return f"{label}, mean absolute effect {row['mu_star']:.3g} (± {row['mu_star_conf']:.2g})"
    if method == "delta":
        return f"{label}, delta {row['delta']:.3f}"
    if method == "pawn":
        return f"{label}, PAWN median {row['median']:.3f}"
    return f"{label}, first-order index {row['S1']:.0%}"


def _noise_sentence(
    analysis: Analysis, output: str, noise: pd.Series, floor: float, ranking: pd.DataFrame
) -> str:
    replicates = analysis.options["replicates"]
    if not _finite(noise["noise_share"]):
        return (
            "Seed noise was not measured (one run per point): the indices include "
            "whatever part of the variance is chance; run with replicates >= 2 to "
            "see it."
        )
    text = (
        f"Seed noise: {noise['noise_share']:.0%} of the variance of a single run is "
        "chance (the same parameters, another seed)"
    )
    if _finite(noise["residual_noise_share"]):
        text += (
            f"; after taking the {analysis.options['statistic']} of {replicates} runs, "
            f"{noise['residual_noise_share']:.0%} of the analysed variance still is"
        )
    text += "."
    below = ranking[ranking["below_noise"].fillna(False).astype(bool)]["factor"].tolist()
    if _finite(floor):
        main = MAIN_INDEX[analysis.method]
        if below:
            text += (
                f" Factors whose {main} cannot be told apart from seed noise (its "
                f"confidence interval reaches the noise floor, {floor:.3g}): "
                + ", ".join(below)
                + "."
            )
        else:
            text += f" Every factor's {main} is above the noise floor ({floor:.3g})."
    return text


def _table(method: str, ranking: pd.DataFrame) -> str:
    columns = {
        "sobol": ["S1", "S1_conf", "ST", "ST_conf"],
        "morris": ["mu_star", "mu_star_conf", "sigma"],
        "delta": ["delta", "delta_conf"],
        "pawn": ["median", "maximum", "CV"],
        "rbd_fast": ["S1", "S1_conf"],
    }[method]
    header = ["factor", *columns, "within noise"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in ranking.to_dict(orient="records"):
        flag = row["below_noise"]
        cells = [
            row["factor"],
            *(_number(row[c]) for c in columns),
            "?" if flag is pd.NA or flag is None else ("yes" if flag else ""),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _notes(analysis: Analysis) -> list[str]:
    o = analysis.options
    lines = ["## How to read this", ""]
    if analysis.method == "sobol":
        lines.append(
            "- S1 is the share of the output's variance a factor explains on its own; "
            "ST adds its interactions with the other factors. `_conf` is the "
            "half-width of the confidence interval."
        )
    elif analysis.method == "morris":
        lines.append(
            "- mu_star is the mean absolute change in the output when a factor moves "
            "one step of the Morris grid (in the output's units per unit of "
            "normalised range); sigma large beside mu_star means the effect depends "
            "on the other factors (interactions or non-linearity)."
        )
    lines.append(
        "- Runs are matched to design points by their point id, never by the order "
        "they finished; each point's replicates share seeds with every other "
        "point (common random numbers)."
    )
    lines.append(
        "- Noise floor: what seed noise alone would put into the main index (for "
        "Sobol', the share of the analysed variance that is noise). A factor is "
        "flagged as within noise when its index's confidence interval reaches down "
        "to the floor (see docs/sensitivity.md)."
    )
    if o.get("convergence"):
        unit = "index units" if analysis.method == "sobol" else "shares of the largest mu_star"
        lines.append(
            f"- Settled means: at the full n every confidence half-width is at most "
            f"{o['tolerance']:g} and no index moved more than {o['tolerance']:g} "
            f"from n/2 ({unit})."
        )
    failed = int(analysis.noise["failed"].max()) if len(analysis.noise) else 0
    if failed:
        lines.append(f"- {failed} runs failed and were left out of their points' statistics.")
    for output, value in o.get("fill", {}).items():
        filled = analysis.noise.set_index("output").loc[output, "filled"]
        lines.append(f"- {output}: {filled} undefined values were counted as {value:g}.")
    return lines


def _join(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return "; ".join(parts[:-1]) + "; then " + parts[-1]


def _number(value: Any) -> str:
    return "" if value is None or not _finite(value) else f"{value:.3g}"


def _finite(value: Any) -> bool:
    return value is not None and isinstance(value, (int, float)) and math.isfinite(value)
