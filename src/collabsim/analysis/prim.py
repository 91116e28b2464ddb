"""The PRIM search itself: peeling and pasting boxes over the levers as arrays.

``discovery.discover`` drives it (choosing a box per search, covering) and turns its
boxes into ``discovery.Box``; here a box is a list with one limit per lever, and
``Search.limits`` gives its restrictions by lever name.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

#: One lever's limit in a ``Box``: a number's ``(low, high)``, or a category's values.
Limit = tuple[float, float] | frozenset


class Search:
    """The levers as arrays, and peeling and pasting over them.

    A box is a list with one entry per lever: ``[low, high]`` for a number (both
    included) or a boolean array over the lever's values (allowed or not).
    """

    def __init__(
        self,
        table: pd.DataFrame,
        levers: list[str],
        y: np.ndarray,
        min_mass: float,
        peel_alpha: float,
        paste_alpha: float,
    ) -> None:
        self.levers, self.y, self.n, self.total_cases = levers, y, len(y), int(y.sum())
        self.base_rate, self.min_rows = self.total_cases / self.n, min_mass * self.n
        self.peel_alpha, self.paste_alpha = peel_alpha, paste_alpha
        self.columns: list[np.ndarray] = []
        self.values: list[list[Any] | None] = []  # a category's values; None: a number
        self.whole_numbers: list[bool] = []
        for lever in levers:
            column = table[lever]
            self.whole_numbers.append(pd.api.types.is_integer_dtype(column))
            if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
                self.columns.append(column.to_numpy(dtype=float))
                self.values.append(None)
            else:
                # sorted by their text so that the order, and so ties, never depend on
                # the order rows come in
                column = column.astype(object)
                values = sorted(set(column.tolist()), key=lambda v: (str(type(v)), str(v)))
                codes = {value: code for code, value in enumerate(values)}
                self.columns.append(column.map(codes).to_numpy(dtype=int))
                self.values.append(values)

    def whole(self) -> list[Any]:
        """The box holding every row."""
        return [
            [-math.inf, math.inf] if values is None else np.ones(len(values), dtype=bool)
            for values in self.values
        ]

    def within(self, j: int, limit: Any) -> np.ndarray:
        """Rows within one lever's limit."""
        if self.values[j] is None:
            return (self.columns[j] >= limit[0]) & (self.columns[j] <= limit[1])
        return limit[self.columns[j]]

    def inside(self, bounds: list[Any]) -> np.ndarray:
        """Rows inside a box."""
        inside = np.ones(self.n, dtype=bool)
        for j, limit in enumerate(bounds):
            inside &= self.within(j, limit)
        return inside

    def stats(self, inside: np.ndarray) -> tuple[int, float, int]:
        """Rows, density and cases of a set of rows."""
        rows, cases = int(inside.sum()), int(self.y[inside].sum())
        return rows, (cases / rows if rows else 0.0), cases

    def peel(self, remaining: np.ndarray) -> list[list[Any]]:
        """The peeling trajectory over the remaining rows, from the whole box."""
        bounds = self.whole()
        trajectory = [_copy(bounds)]
        while True:
            inside = remaining & self.inside(bounds)
            rows, density, _ = self.stats(inside)
            if density == 1:
                return trajectory
            best = None
            for j, values in enumerate(self.values):
                x = self.columns[j][inside]
                if values is None:
                    # cut the lowest (highest) alpha of the box's rows, ties and all,
                    # so a lever on a grid loses at least one level
                    low = x <= np.quantile(x, self.peel_alpha, method="lower")
                    high = x >= np.quantile(x, 1 - self.peel_alpha, method="higher")
                    cuts = [
                        (low, 0, x[~low].min(initial=math.inf)),
                        (high, 1, x[~high].max(initial=-math.inf)),
                    ]
                else:
                    cuts = [(x == code, code, False) for code in np.flatnonzero(bounds[j])]
                for cut, where, value in cuts:
                    kept = rows - int(cut.sum())
                    if kept == rows or kept < self.min_rows:
                        continue
                    new_density = float(self.y[inside][~cut].mean())
                    # Friedman and Fisher's criterion: gain in density per row given up,
                    # which does not favour cutting a whole category over a thin slice.
                    # Peeling goes on when no cut gains (cases in two corners: every cut
                    # loses some), as theirs does: a later cut may gain more.
                    gain = (new_density - density) / (rows - kept)
                    candidate = _copy(bounds)
                    candidate[j][where] = value
                    # on a tie, keep the box restricting fewer levers
                    key = (gain, -_restricted(candidate))
                    if best is None or key > best[0]:
                        best = (key, candidate)
            if best is None:
                return trajectory
            bounds = best[1]
            trajectory.append(_copy(bounds))

    def paste(self, bounds: list[Any], remaining: np.ndarray) -> list[Any]:
        """Widen a box one edge or value at a time while its density does not fall.

        Each step adds the candidate with the highest density (then the most rows), so
        the box only ever gains coverage; a limit pasted back to the end of the data is
        no longer a restriction. When nothing can be pasted, a limit that keeps out no
        row the other limits let in is lifted: cut early, it was made redundant by later
        cuts, and left in place it would read as a finding.
        """
        bounds = _copy(bounds)
        while True:
            masks = [self.within(j, limit) for j, limit in enumerate(bounds)]
            held = np.sum(masks, axis=0)
            inside = remaining & (held == len(bounds))
            rows, density, _ = self.stats(inside)
            best = None
            for j, values in enumerate(self.values):
                # the remaining rows kept out by lever j alone
                outside = remaining & (held == len(bounds) - 1) & ~masks[j]
                x = self.columns[j][outside]
                if values is None:
                    # widen one end to take in about alpha of the box's rows, ties and all
                    take = max(1, math.ceil(self.paste_alpha * rows))
                    below, above = np.sort(x[x < bounds[j][0]]), np.sort(x[x > bounds[j][1]])
                    moves = [(0, below[-min(take, below.size)])] if below.size else []
                    moves += [(1, above[min(take, above.size) - 1])] if above.size else []
                else:
                    moves = [(code, True) for code in np.unique(x)]
                for where, value in moves:
                    candidate = _copy(bounds)
                    candidate[j][where] = value
                    added = outside & self.within(j, candidate[j])
                    new_rows = rows + int(added.sum())
                    new_density = (density * rows + int(self.y[added].sum())) / new_rows
                    key = (new_density, new_rows)
                    if new_density >= density and (best is None or key > best[0]):
                        best = (key, candidate)
            if best is None:
                idle = [
                    j
                    for j in range(len(bounds))
                    if _restricted([bounds[j]])
                    and not (remaining & (held == len(bounds) - 1) & ~masks[j]).any()
                ]
                if not idle:
                    return bounds
                best = (None, _copy(bounds))
                best[1][idle[0]] = self.whole()[idle[0]]
            bounds = best[1]

    def limits(self, bounds: list[Any]) -> dict[str, Limit]:
        """The levers a box restricts, by name: a number's range, a category's values."""
        limits: dict[str, Limit] = {}
        for j, (lever, limit) in enumerate(zip(self.levers, bounds, strict=True)):
            if self.values[j] is None:
                # an end at or past the data's own end excludes nothing: no restriction
                column = self.columns[j]
                plain = int if self.whole_numbers[j] else float
                low = -math.inf if limit[0] <= column.min() else plain(limit[0])
                high = math.inf if limit[1] >= column.max() else plain(limit[1])
                if (low, high) != (-math.inf, math.inf):
                    limits[lever] = (low, high)
            elif not limit.all():
                limits[lever] = frozenset(
                    v for v, ok in zip(self.values[j], limit, strict=True) if ok
                )
        return limits


def _copy(bounds: list[Any]) -> list[Any]:
    """A box to change without changing the one it came from."""
    return [limit.copy() if isinstance(limit, np.ndarray) else list(limit) for limit in bounds]


def _restricted(bounds: list[Any]) -> int:
    """Levers a box (in ``Search``'s form) restricts."""
    return sum(
        bool(np.isfinite(limit).any()) if isinstance(limit, list) else not limit.all()
        for limit in bounds
    )
