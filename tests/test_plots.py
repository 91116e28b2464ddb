"""The workshop figure: six readable panels, dissolution shaded, events marked, a real PNG."""

from __future__ import annotations

import struct

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Polygon
from matplotlib.text import Text

import collabsim
from collabsim import plots
from collabsim.metrics import REPORTER_NAMES
from collabsim.params import Event
from collabsim.params.events import drawn_budget_cuts

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def synthetic(
    steps: int = 104, *, dissolved_from: int | None = None, convened: bool = True
) -> pd.DataFrame:
    """A time series with every reporter column, meetings every 4 weeks."""
    week = np.arange(steps + 1)
    frame = pd.DataFrame(index=pd.Index(week, name="week"))
    for name in REPORTER_NAMES:
        frame[name] = np.linspace(0.3, 0.6, steps + 1)
    frame["quality"] = 1.0 + 0.001 * week
    frame["changes_adopted"] = week // 5
    frame["changes_blocked"] = week // 7
    frame["meeting"] = (week - 1) % 4 == 0
    frame["budget_cuts"] = 0
    attendance = np.where(frame["meeting"], 0.5 + 0.1 * np.sin(week), np.nan)
    frame["attendance_rate"] = pd.Series(attendance, index=frame.index).ffill()
    alive = np.full(steps + 1, convened)
    if dissolved_from is not None:
        alive[dissolved_from:] = False
    frame["alive"] = alive
    return frame


def grey_spans(ax) -> list[tuple[float, float]]:
    grey = mcolors.to_rgba(plots.DISSOLVED_COLOUR)
    spans = []
    for patch in ax.patches:
        if mcolors.to_rgba(patch.get_facecolor()) == grey:
            if isinstance(patch, Polygon):  # axvspan before Matplotlib 3.9
                xs = patch.get_xy()[:, 0]
            else:
                box = patch.get_bbox()
                xs = (box.x0, box.x1)
            spans.append((float(min(xs)), float(max(xs))))
    return spans


def texts(fig) -> list[str]:
    return [t.get_text().replace("\n", " ") for t in fig.findobj(Text) if t.get_text()]


def test_six_panels_with_plain_english_titles():
    fig = plots.plot_dynamics(synthetic(), title="iocn, seed 0")
    axes = fig.get_axes()
    assert len(axes) == 6
    assert [ax.get_title(loc="left") for ax in axes] == [
        "Who turns up",
        "Trust",
        "Shared sense of purpose",
        "Commitment",
        "Quality of care pathways",
        "Changes adopted and blocked",
    ]
    assert all(ax.get_ylabel() for ax in axes)
    assert fig._suptitle.get_text() == "iocn, seed 0"
    assert tuple(fig.get_size_inches()) == (12.0, 9.0)


def test_panels_show_the_right_reporters_in_words():
    frame = synthetic()
    fig = plots.plot_dynamics(frame)
    attendance, trust, purpose, commitment, quality, changes = fig.get_axes()
    line = attendance.get_lines()[0]  # then the year marks
    assert line.get_drawstyle() == "steps-post"
    np.testing.assert_allclose(line.get_ydata(), frame["attendance_rate"] * 100)
    assert "%" in attendance.get_ylabel()
    legend = [t.get_text() for t in trust.get_legend().get_texts()]
    assert legend == [
        "between organisations",
        "across health and social care",
        "senior leaders and frontline",
    ]
    assert any("lower = more shared" in t.get_text() for t in purpose.texts)
    assert [t.get_text() for t in commitment.get_legend().get_texts()] == [
        "all members",
        "senior leaders",
    ]
    assert "1 = where it started" in quality.get_ylabel()
    assert [t.get_text() for t in changes.get_legend().get_texts()] == [
        "adopted",
        "blocked by senior leaders",
    ]


def test_x_axis_in_weeks_with_years_marked():
    fig = plots.plot_dynamics(synthetic(steps=260))
    fig.canvas.draw()
    bottom = fig.get_axes()[-1]
    assert "weeks" in bottom.get_xlabel()
    labels = [t.get_text() for t in bottom.get_xticklabels()]
    assert "52\n(1 year)" in labels and "260\n(5 years)" in labels


def test_dissolved_weeks_are_shaded_in_every_panel_and_labelled_once():
    fig = plots.plot_dynamics(synthetic(steps=100, dissolved_from=60))
    for ax in fig.get_axes():
        (span,) = grey_spans(ax)
        assert span[0] == pytest.approx(59.5) and span[1] == pytest.approx(100)
    assert texts(fig).count("network dissolved") == 1
    # No meetings once dissolved: attendance is not carried on into the grey.
    attendance = fig.get_axes()[0].get_lines()[0].get_ydata()
    assert np.isnan(attendance[60:]).all() and not np.isnan(attendance[1:60]).any()


def test_a_network_that_never_met_is_labelled_as_such():
    fig = plots.plot_dynamics(synthetic(steps=50, convened=False))
    assert all(len(grey_spans(ax)) == 1 for ax in fig.get_axes())
    assert texts(fig).count("no network convened") == 1
    assert "network dissolved" not in texts(fig)


def test_no_shading_while_the_network_is_alive():
    fig = plots.plot_dynamics(synthetic())
    assert all(grey_spans(ax) == [] for ax in fig.get_axes())
    assert "network dissolved" not in texts(fig)


def test_a_real_collapse_is_shaded():
    # a network whose tops will not meet its frontline collapses quickly
    params = collabsim.scenario("iocn", academic_partner=False, tops_commitment_floor=1.0)
    result = collabsim.run(params, seed=0)
    collapse = result.summary["collapse_step"]
    assert collapse is not None
    fig = plots.plot_dynamics(result.timeseries, events=params.events)
    (span,) = grey_spans(fig.get_axes()[0])
    assert span[0] == pytest.approx(collapse - 0.5)


def test_events_are_vertical_lines_everywhere_and_named_on_the_top_panels():
    events = [
        Event(20, "self_interest_act"),
        {"step": 70, "kind": "budget_cut", "organisation": "acute_trust"},
        Event(500, "partner_withdraws"),
    ]  # after the last week: left out
    fig = plots.plot_dynamics(synthetic(steps=104), events=events)
    for ax in fig.get_axes():
        xs = sorted(
            line.get_xdata()[0] for line in ax.get_lines() if line.get_color() == plots.EVENT_COLOUR
        )
        assert xs == [20, 70]
    for index, ax in enumerate(fig.get_axes()):
        labels = [
            t.get_text().replace("\n", " ") for t in ax.texts if t.get_color() == plots.EVENT_COLOUR
        ]
        if index < 2:
            assert labels == ["senior leader acts in self-interest", "budget cut (acute trust)"]
        else:
            assert labels == []
    assert "academic partner withdraws" not in " ".join(texts(fig))


def test_the_budget_cuts_of_a_runs_funding_history_are_marked_beside_scheduled_ones():
    frame = synthetic(steps=104)
    frame.loc[30:, "budget_cuts"] = 1  # drawn in week 30
    frame.loc[70:, "budget_cuts"] = 3  # one drawn and one scheduled in week 70
    events = [Event(70, "budget_cut", "acute_trust")]
    fig = plots.plot_dynamics(frame, events=events)
    lines = fig.get_axes()[0].get_lines()
    assert sorted(ln.get_xdata()[0] for ln in lines if ln.get_color() == plots.EVENT_COLOUR) == [
        30,
        70,
    ]
    labels = [t.get_text().replace("\n", " ") for t in fig.get_axes()[0].texts]
    assert labels[0] == "budget cut"  # week 30
    assert "budget cut (acute trust)" in labels[1] and "budget cut" in labels[1].replace(
        "budget cut (acute trust)", ""
    )  # week 70: both
    frame.loc[70:, "budget_cuts"] = 2  # the scheduled one alone in week 70
    assert [e.step for e in drawn_budget_cuts(frame, events)] == [30]
    assert drawn_budget_cuts(frame.drop(columns="budget_cuts"), events) == []


def test_bad_events_and_missing_columns_are_named():
    with pytest.raises(collabsim.ParameterError, match="budgetcut.*budget_cut"):
        plots.plot_dynamics(synthetic(), events=[{"step": 3, "kind": "budgetcut"}])
    with pytest.raises(ValueError, match="missing column.*trust_cross_org"):
        plots.plot_dynamics(synthetic().drop(columns="trust_cross_org"))


def test_every_text_is_big_enough_for_a_projector(tmp_path):
    fig = plots.plot_dynamics(
        synthetic(dissolved_from=80),
        title="beston, seed 3",
        events=[Event(10, "central_leader_leaves")],
        path=tmp_path / "f.png",
    )
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]
    assert len(sizes) > 40
    assert min(sizes) >= 11


def test_png_is_written_atomically_and_is_a_real_png(tmp_path):
    result = collabsim.run(collabsim.scenario("beston"), seed=3, steps=30)
    path = tmp_path / "dynamics.png"
    fig = plots.plot_dynamics(
        result.timeseries, title="beston, seed 3", events=result.params.events, path=path
    )
    assert fig is not None
    assert [p.name for p in tmp_path.iterdir()] == ["dynamics.png"]
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1440, 1080)  # 12 x 9 inches at 120 dpi
    assert 20_000 < len(data) < 5_000_000
    assert data.endswith(b"IEND\xaeB`\x82")
