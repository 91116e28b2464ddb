"""What the pipeline's figures share: the house colours, dashes, markers and sizes, and saving.

Okabe-Ito colours (``collabsim.plots``), never colour alone: each line also differs in
dash and marker. ``save_figure`` writes a figure as PNG with the data it draws as CSV.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from collabsim.plots import OKABE_ITO, save_png
from collabsim.storage import write_atomically

#: Colours in the order levels and studies take them (yellow, faint on white, left out).
COLOURS = tuple(
    OKABE_ITO[name]
    for name in (
        "black",
        "orange",
        "sky_blue",
        "bluish_green",
        "vermillion",
        "blue",
        "reddish_purple",
    )
)
DASHES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 3)), (0, (8, 2)))
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
FONT = 10
DPI = 110


def save_figure(fig: Figure, data: pd.DataFrame, folder: Path, stem: str) -> list[Path]:
    """Save ``fig`` as ``<stem>.png`` and ``data`` as ``<stem>.csv`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    text = data.to_csv(index=False, lineterminator="\n")
    csv = write_atomically(folder / f"{stem}.csv", lambda h: h.write(text.encode("utf-8")))
    return [save_png(fig, folder / f"{stem}.png", dpi=DPI), csv]


def tidy(ax) -> None:
    """Take off an axes' top and right spines and set its tick labels' size."""
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=FONT - 1)


__all__ = ["COLOURS", "DASHES", "DPI", "FONT", "MARKERS", "save_figure", "tidy"]
