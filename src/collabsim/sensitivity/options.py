"""The options of a sensitivity study, each declared once and checked once.

A study has two concerns besides where its runs are computed (``Execution``): the
sample it runs, a sweep's ``Sampling`` chosen by its method (``study_sampling``), and
how its runs become indices (``AnalysisOptions``). ``run_study`` and ``analyze_sweep``
build both from their keywords, check them together (``AnalysisOptions.check``), and
pass them whole to every step below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from collabsim.checks import fraction, true_or_false, whole_number
from collabsim.params import python_value
from collabsim.sensitivity import aggregate as agg
from collabsim.sensitivity.problem import METHODS, SensitivityError, check_method, check_n
from collabsim.sweeps.sampling import Sampling, SweepError

#: Bootstrap resamples where a method's differ from ``AnalysisOptions.RESAMPLES``:
#: SALib's delta bootstrap is slow.
METHOD_RESAMPLES: dict[str, int] = {"delta": 100}


def study_sampling(
    method: str,
    *,
    n: Any,
    replicates: Any = Sampling.replicates,
    seed: Any = Sampling.seed,
    second_order: Any = False,
    morris_levels: Any = Sampling.morris_levels,
) -> Sampling:
    """The sample ``method`` analyses, as a checked ``Sampling``.

    Sobol' indices need Saltelli's sample, Morris screening its trajectories, and the
    other methods a Latin hypercube (``METHODS``). Second-order Sobol' indices double
    the runs, so a study asks for them (a sweep samples for them by default).

    Raises:
        SensitivityError: A method, size or option that is not allowed.
    """
    check_method(method)
    check_n(method, python_value(n))
    if second_order is True and method != "sobol":
        raise SensitivityError(f"second_order is for method 'sobol', not {method!r}")
    design = METHODS[method]
    shaping = {"second_order": second_order} if design == "sobol" else {}
    if design == "morris":
        shaping["morris_levels"] = morris_levels
    try:
        return Sampling(design, n=n, replicates=replicates, seed=seed, **shaping)
    except SweepError as error:
        raise SensitivityError(str(error)) from None


@dataclass(frozen=True)
class AnalysisOptions:
    """How a study's runs become indices.

    Attributes:
        method: ``"sobol"``, ``"morris"``, ``"delta"``, ``"pawn"`` or ``"rbd_fast"``.
        statistic: How each point's replicates are summarised: ``"mean"``,
            ``"median"``, ``"std"``, ``"var"``, ``"min"`` or ``"max"``.
        resamples: Bootstrap resamples of the confidence intervals; None: 1000 (100 for
            ``delta``, whose bootstrap is slow). Holds the number once made.
        conf_level: Confidence level of the intervals.
        convergence: Sobol'/Morris: also the indices at ``n / 8``, ``n / 4``, ``n / 2``
            and whether they settled (no extra runs).
        tolerance: Settling threshold: Sobol' index units; Morris, a share of the
            largest ``mu_star``.
        seed: Seed of the bootstrap; None: the sample's master seed.
    """

    #: Bootstrap resamples of a method not in ``METHOD_RESAMPLES``.
    RESAMPLES = 1000
    #: The most resamples: ten times the default. SALib's Sobol' bootstrap holds arrays of
    #: N x resamples: at N = 1,024 and five factors it peaked at 0.8 GB and 5 s with
    #: 10,000, and 6.6 GB and 56 s with 100,000, tightening nothing a reader sees.
    MAX_RESAMPLES = 10_000

    method: str = "sobol"
    statistic: str = "mean"
    resamples: int | None = None
    conf_level: float = 0.95
    convergence: bool = True
    tolerance: float = 0.05
    seed: int | None = None

    def __post_init__(self) -> None:
        check_method(self.method)
        agg.check_statistic(self.statistic)
        resamples = python_value(self.resamples)
        if resamples is None:
            resamples = METHOD_RESAMPLES.get(self.method, self.RESAMPLES)
        whole_number(
            "resamples",
            resamples,
            10,
            self.MAX_RESAMPLES,
            error=SensitivityError,
            meaning="bootstrap resamples",
        )
        object.__setattr__(self, "resamples", resamples)
        object.__setattr__(
            self,
            "conf_level",
            fraction("conf_level", self.conf_level, example=0.95, error=SensitivityError),
        )
        object.__setattr__(
            self,
            "tolerance",
            fraction("tolerance", self.tolerance, example=0.05, error=SensitivityError),
        )
        true_or_false("convergence", self.convergence, error=SensitivityError)
        if self.seed is not None:
            object.__setattr__(
                self,
                "seed",
                whole_number("seed", python_value(self.seed), 0, error=SensitivityError),
            )

    def check(self, design: str, replicates: int) -> None:
        """Refuse runs this analysis cannot use: another kind of design, too few replicates.

        Args:
            design: The kind of design the runs come from (``Sampling.kind``).
            replicates: Runs per design point.
        """
        if METHODS[self.method] != design:
            raise SensitivityError(
                f"method {self.method!r} needs a {METHODS[self.method]!r} design, "
                f"but the sweep's design is {design!r}"
            )
        agg.check_statistic(self.statistic, replicates)

    def bootstrap_seed(self, sampling: Sampling) -> int:
        """The bootstrap's seed: ``seed``, or the sample's master seed."""
        return sampling.seed if self.seed is None else self.seed


__all__ = ["METHOD_RESAMPLES", "AnalysisOptions", "study_sampling"]
