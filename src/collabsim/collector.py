"""Mesa's ``DataCollector`` for the collaboration model, fed by the declared reporters.

The model's reporters are declared once, in ``collabsim.metrics.REPORTERS``, and
computed together in one compiled pass over the state (``metrics.observe``). The
``WeeklyCollector`` keeps that pass: each week it stores one row of all reporters, and
Mesa's views of the data (``model_vars``, ``get_model_vars_dataframe``, ``batch_run``)
read those rows by reporter name. Each reporter is also a Mesa model reporter in its
own right (``model_reporters()``), giving the same value as the row, for a
``mesa.DataCollector`` of one's own.

Agent reporters work as in Mesa (``{"commitment": "commitment"}``, or functions of a
``Person``), and cost a Python call per person per reporter per week, so a model
collects none unless asked.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np
import pandas as pd

from collabsim import metrics
from collabsim.params import ParameterError

if TYPE_CHECKING:
    from collabsim.model import CollaborationModel


def current_value(model: CollaborationModel, name: str) -> Any:
    """The value of the declared reporter ``name`` for ``model`` now."""
    return metrics.REPORTER[name].dtype(metrics.observe(model)[metrics.Column[name]])


def model_reporters() -> dict[str, Callable[[CollaborationModel], Any]]:
    """Every declared reporter as a Mesa model reporter, by name, in declaration order."""
    return {name: functools.partial(current_value, name=name) for name in metrics.REPORTER_NAMES}


def checked_agent_reporters(agent_reporters: Mapping[str, Any] | None) -> dict[str, Any]:
    """The agent reporters as Mesa takes them, or ``ParameterError`` saying what is wrong.

    Each column name is text that no model reporter has: ``mesa.batch_run`` puts a week's
    model and agent values in one row, where a person's value would hide the model's of
    the same name (``changes_granted``, say). Each reporter is what Mesa takes: a
    ``Person`` attribute's name, a function of a ``Person``, or ``[function, [arguments]]``.
    A name that is no attribute is reported by Mesa, naming the reporter, at the first
    week's collection.
    """
    if agent_reporters is None:
        return {}
    if not isinstance(agent_reporters, Mapping):
        raise ParameterError(
            f"agent_reporters={agent_reporters!r} is not allowed: expected a mapping of "
            "column names to Person attributes or functions, e.g. "
            "{'commitment': 'commitment', 'meetings_attended': 'meetings_attended'}"
        )
    for column, reporter in agent_reporters.items():
        if not isinstance(column, str):
            raise ParameterError(
                f"agent_reporters: the column name {column!r} is not allowed: expected text"
            )
        if column in metrics.REPORTER:
            raise ParameterError(
                f"agent_reporters: the column name {column!r} is not allowed: a model reporter "
                "has that name, and mesa.batch_run puts both in one row, where the person's "
                f"value would hide the model's; name it otherwise, e.g. 'person_{column}'"
            )
        with_arguments = (
            isinstance(reporter, list)
            and len(reporter) == 2
            and callable(reporter[0])
            and isinstance(reporter[1], list | tuple)
        )
        if not (isinstance(reporter, str) or callable(reporter) or with_arguments):
            raise ParameterError(
                f"agent_reporters[{column!r}]={reporter!r} is not allowed: expected a Person "
                "attribute's name (e.g. 'commitment'), a function of a Person, or "
                "[function, [arguments]]"
            )
    return dict(agent_reporters)


class WeeklyCollector(mesa.DataCollector):
    """A ``mesa.DataCollector`` that stores each week's reporters as one array row.

    Args:
        agent_reporters: Mesa agent reporters: column name to a ``Person`` attribute name
            or a function of a ``Person`` (e.g. ``{"commitment": "commitment"}``); None
            collects no agent data.
    """

    def __init__(self, agent_reporters: Mapping[str, Any] | None = None) -> None:
        self._rows: list[np.ndarray] = []  # a week's row, or a block of weeks' rows
        self._columns: tuple[int, dict[str, list]] = (0, {})
        super().__init__(agent_reporters=checked_agent_reporters(agent_reporters))
        self.model_reporters = model_reporters()

    @property
    def model_vars(self) -> dict[str, list]:
        """Each reporter's values so far, by name (Mesa's layout of the same rows)."""
        count, columns = self._columns
        if count != len(self._collection_steps):
            frame = self.get_model_vars_dataframe()
            columns = {name: frame[name].tolist() for name in frame.columns}
            self._columns = (len(self._collection_steps), columns)
        return columns

    @model_vars.setter
    def model_vars(self, value: dict) -> None:
        # Mesa's constructor starts it empty; the values themselves live in the rows
        if value:
            raise AttributeError("model_vars is read from the collected rows")

    def collect(self, model: CollaborationModel) -> None:
        """Record this week's reporters (one compiled pass) and any agent reporters."""
        self._rows.append(metrics.observe(model))
        self._collection_steps.append(model.steps)
        if self.agent_reporters:
            self._agent_records[model.steps] = list(self._record_agents(model))

    def record(self, model: CollaborationModel, rows: np.ndarray) -> None:
        """Record the reporters of the weeks up to now, one row each, lived elsewhere.

        ``collabsim.unwatched.live`` lives an agentless model's weeks in compiled stretches
        and hands their rows over here at the end.
        """
        first = model.steps - len(rows) + 1
        self._rows.append(rows)
        self._collection_steps.extend(range(first, model.steps + 1))

    def rows(self) -> np.ndarray:
        """The reporters so far as one float array: a row per week, a column per reporter.

        The columns are in ``metrics.REPORTERS`` order (``metrics.Column`` gives each
        one's position); ``get_model_vars_dataframe`` types and names them.
        """
        return np.vstack(self._rows) if self._rows else np.empty((0, len(metrics.REPORTERS)))

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """The reporters so far, typed: a row per collection, indexed by its ``week``.

        One row a week as the model collects; a ``collect`` of one's own adds a row
        labelled with the week it was made in, as Mesa's agent records are.
        """
        return metrics.timeseries_frame(self.rows(), self._collection_steps)
