"""Runs nobody watches as they go: their weeks lived in stretches of one compiled call.

``collabsim.run`` (and every sweep, which runs through it) returns a run's time series and
summary: nobody reads its people as Mesa agents or looks at a week as it happens. Its
model is then an ``UnwatchedModel``, a ``CollaborationModel`` whose people are not made
Mesa agents, and ``live`` lives its weeks with no Python between one and the next, from
one week with scheduled events to the next: each week is what ``CollaborationModel.step``
does in a week nobody plays, through the same functions in the same order (the world's
week, ``mechanisms.whole_week.live_week``; its silo twin's; the reporters' pass,
``metrics.observe``). ``tests/test_unwatched.py`` holds the two ways equal. At 300 people
the calls from Python, Mesa's step and the agents each week took about 0.4 of a run.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from collabsim import metrics
from collabsim.jit import jit
from collabsim.mechanisms.weekly import QUALITY
from collabsim.mechanisms.whole_week import live_week
from collabsim.model import CollaborationModel
from collabsim.params import Params


class UnwatchedModel(CollaborationModel):
    """A ``CollaborationModel`` whose people are not Mesa agents, lived by ``live``.

    Its ``agents`` are empty, so it takes no agent reporters; everything else, its state,
    reporters and summary, is a ``CollaborationModel``'s.
    """

    people_are_agents = False

    def __init__(self, params: Params, *, rng: int, silo_twin: bool = True) -> None:
        """The model of ``params`` and seed ``rng``, with its silo twin if ``silo_twin``."""
        super().__init__(params, rng=rng, silo_twin=silo_twin)


@jit
def _live_weeks(world, settings, twin, twin_settings, has_twin, convened, first, rows):
    """Weeks ``first``, ``first + 1``, ... of a run and its twin, a row of reporters each.

    As ``CollaborationModel.step`` in weeks nobody plays and with no scheduled events, but
    the twin lives the whole stretch first: the two worlds share nothing that changes, so
    each comes out as in lockstep, and each then works on its own trust matrix while it is
    still in the caches rather than after the other has pushed it out.
    """
    weeks = rows.shape[0]
    silo_quality = np.full(weeks, np.nan)
    if has_twin:
        for k in range(weeks):
            live_week(twin, twin_settings, first + k)
            silo_quality[k] = twin.standing[QUALITY]
    for k in range(weeks):
        live_week(world, settings, first + k)
        metrics.observe_into(world, silo_quality[k], convened, rows[k])


def live(
    model: UnwatchedModel, steps: int, progress: Callable[[int, int], None] | None = None
) -> None:
    """Live ``steps`` weeks of ``model`` from its start, recording each week's reporters.

    The scheduled events of a week are applied from Python at its start, as in ``step``;
    the weeks from there to the next week with events are one compiled call, or one week
    at a time when ``progress`` is to hear of each: it is called as ``progress(weeks_done,
    steps)`` before the first week and after each.
    """
    if model.steps:
        raise RuntimeError(
            f"live() lives a model from its start; this one is at week {model.steps}"
        )
    twin = model.silo_twin
    worlds = (model,) if twin is None else (model, twin)
    rows = np.empty((steps, len(metrics.REPORTERS)))
    breaks = sorted({w for w in model.scheduled_weeks() if 1 <= w <= steps} | {steps + 1})
    if progress is not None:
        progress(0, steps)
    week = 1
    while week <= steps:
        end = week + 1 if progress is not None else next(w for w in breaks if w > week)
        for world in worlds:
            world.steps = week
            world.apply_scheduled_events(week)
        _live_weeks(
            model.state.world,
            model.settings_ref,
            worlds[-1].state.world,  # the twin's, or (unused) the run's own
            worlds[-1].settings_ref,  # read after the events, which may change levers
            twin is not None,
            model.params.convened,
            week,
            rows[week - 1 : end - 1],
        )
        week = end
        if progress is not None:
            progress(week - 1, steps)
    model.steps = model.time = steps
    model.datacollector.record(model, rows)
    model.running = steps < model.params.horizon
