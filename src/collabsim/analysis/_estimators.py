"""Survival estimators that statsmodels does not provide, on its fitted objects.

A Cox fit by Newton's method with step halving, pointwise exponential Greenwood
intervals for a Kaplan-Meier curve, Grambsch and Therneau's test of proportional hazards
on scaled Schoenfeld residuals (Grambsch and Therneau 1994; Therneau and Grambsch 2000,
section 6.2), and Harrell's concordance.
Used by ``collabsim.analysis.survival``, which documents what they return.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.duration.hazard_regression import PHReg, PHRegResults
from statsmodels.duration.survfunc import SurvfuncRight
from statsmodels.tools.sm_exceptions import ConvergenceWarning

NEWTON_STEPS = 100  # statsmodels' own limit for Newton's method
HALVINGS = 40  # a step halved 40 times is a trillionth of itself
STEP_TOLERANCE = 1e-8  # statsmodels' own: converged when no coefficient moves further
#: The partial likelihood's rounding, relative to it: near the maximum a step too small to
#: change it may still lower it by that much, and must not be taken for a step too far.
ROUNDING = 1e-12


def cox_fit(model: PHReg) -> PHRegResults:
    """The Cox model fitted at its partial likelihood's maximum.

    statsmodels takes Newton's full step every time. Where one lever nearly decides
    survival in an unbalanced design (every network without a partner dissolves, and
    three in four have one) the first full step lands far beyond the maximum and the
    steps after it overflow to NaN, though the maximum is finite. Halving a step until
    the partial likelihood rises, as R's ``coxph`` does, reaches the maximum; statsmodels
    then fits from there, so the results (standard errors, residuals) are its own. A step
    is taken when the partial likelihood does not fall by more than its rounding, so that
    the last small steps onto the maximum are not mistaken for overshoots. Where
    there is no maximum (a covariate separates the runs that dissolved from the others)
    the steps run on without settling: it warns (``ConvergenceWarning``) and returns
    statsmodels' own fit, whose coefficients are then not to be read.
    """
    params = np.zeros(model.exog.shape[1])
    like = model.loglike(params)
    for _ in range(NEWTON_STEPS):
        try:
            step = np.linalg.solve(model.hessian(params), model.score(params))
        except np.linalg.LinAlgError:  # flat in some direction: no maximum to find
            break
        if np.all(np.abs(step) < STEP_TOLERANCE):  # at the maximum
            return model.fit(start_params=params)
        for _ in range(HALVINGS):
            with np.errstate(all="ignore"):  # an overshoot may overflow: halve it
                trial_like = model.loglike(params - step)
            if np.isfinite(trial_like) and trial_like >= like - ROUNDING * abs(like):
                break
            step = step / 2
        else:
            break
        params, like = params - step, trial_like
    warnings.warn("Newton's method did not converge", ConvergenceWarning, stacklevel=2)
    return model.fit()


def curve_with_intervals(fit: SurvfuncRight, alpha: float, last: float) -> pd.DataFrame:
    """The Kaplan-Meier curve from week 0, with exponential Greenwood intervals.

    Args:
        fit: The arm's Kaplan-Meier estimate; its ``surv_prob_se`` is Greenwood's.
        alpha: The intervals are ``1 - alpha`` pointwise confidence intervals.
        last: The arm's last week observed: the curve runs on, flat, to it.

    Returns:
        Columns ``week``, ``survival``, ``lower`` and ``upper``. The interval is built
        for log(-log S), which keeps it inside (0, 1): with ``sigma = se(S) / (S |log
        S|)`` it runs from ``S ** exp(z sigma)`` to ``S ** exp(-z sigma)``.
    """
    weeks, share, se = (
        np.concatenate([[start], values])
        for start, values in [(0.0, fit.surv_times), (1.0, fit.surv_prob), (0.0, fit.surv_prob_se)]
    )
    if last > weeks[-1]:  # flat to the end of observation
        weeks, share, se = (np.append(values, values[-1]) for values in (weeks, share, se))
        weeks[-1] = last
    inside = (share > 0) & (share < 1)  # no width at 1 (week 0) or 0 (all dissolved)
    sigma = np.zeros_like(share)
    sigma[inside] = se[inside] / (share[inside] * np.abs(np.log(share[inside])))
    z = stats.norm.ppf(1 - alpha / 2)
    return pd.DataFrame(
        {
            "week": weeks,
            "survival": share,
            "lower": np.where(inside, share ** np.exp(z * sigma), share),
            "upper": np.where(inside, share ** np.exp(-z * sigma), share),
        }
    )


def schoenfeld_test(
    fit: PHRegResults, weeks: np.ndarray, dissolved: np.ndarray, transform: str
) -> tuple[np.ndarray, np.ndarray]:
    """Per term, Grambsch and Therneau's test that the log hazard ratio does not drift.

    The scaled Schoenfeld residuals ``d V r + beta`` (``d`` events, ``V`` the
    covariance of the coefficients, ``r`` a run's Schoenfeld residual at the week it
    dissolved) have mean beta(t) at time t, so a trend in them over time is a hazard
    ratio that changes. With ``g`` the transformed event weeks minus their mean, the
    score statistic for a linear trend in ``g`` is ``(g . d V r)^2 / (d V_jj g . g)``,
    chi-squared on 1 degree of freedom when hazards are proportional.

    Args:
        fit: The fitted Cox model.
        weeks: Each run's week (as fitted).
        dissolved: 1 where the run dissolved that week, 0 where censored.
        transform: ``"rank"``, ``"identity"`` or ``"log"``: the ``g`` of the week.

    Returns:
        Per term, the correlation of its scaled residuals with ``g``, and the statistic
        (``nan`` where ``g`` is constant: every dissolution in one week).
    """
    event = dissolved == 1
    residuals = np.asarray(fit.schoenfeld_residuals)[event]
    at = weeks[event]
    g = {"rank": stats.rankdata(at), "identity": at, "log": np.log(at)}[transform]
    g = g - g.mean()
    covariance, d = np.asarray(fit.cov_params()), event.sum()
    scaled = d * residuals @ covariance  # symmetric covariance: rows are d V r
    with np.errstate(divide="ignore", invalid="ignore"):  # all events in one week: no trend
        statistic = (g @ scaled) ** 2 / (d * np.diag(covariance) * (g @ g))
        rho = np.array([np.corrcoef(g, column)[0, 1] for column in scaled.T])
    return rho, statistic


def harrell_c(
    weeks: np.ndarray, dissolved: np.ndarray, risk: np.ndarray, stratum: np.ndarray
) -> float:
    """Harrell's concordance: of the pairs whose order is known, the share ranked right.

    A pair's order is known if one run dissolved before the other's week, or in the
    week the other was censored (the censored run outlived that week); it is ranked
    right if the run that dissolved first has the higher risk. Tied risks count 1/2.
    Pairs in different strata do not count: their baseline hazards differ.

    Args:
        weeks: Each run's week.
        dissolved: 1 where the run dissolved that week, 0 where censored.
        risk: Each run's linear predictor (log relative hazard).
        stratum: Each run's stratum.

    Returns:
        The concordance, 0.5 for risks no better than chance; ``nan`` with no pair.
    """
    right = pairs = 0.0
    for value in np.unique(stratum):
        here = stratum == value
        t, e, r = weeks[here], dissolved[here] == 1, risk[here]
        first = np.flatnonzero(e)
        for block in np.array_split(first, max(1, len(first) // 256)):  # bounded memory
            later = (t[None, :] > t[block, None]) | ((t[None, :] == t[block, None]) & ~e[None, :])
            higher, tied = r[block, None] > r[None, :], r[block, None] == r[None, :]
            right += (later & higher).sum() + 0.5 * (later & tied).sum()
            pairs += later.sum()
    return right / pairs if pairs else np.nan
