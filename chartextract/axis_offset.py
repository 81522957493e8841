"""Where a renderer draws its axes off the data they name.

Vega and Vega-Lite (Altair) move every axis half a unit right and down (the axis
``translate`` property, 0.5 by default) so that 1-unit strokes fall on whole pixels at
scale 1. Tick marks, gridlines and tick labels then sit half a unit right of and below the
data they name. In an image exported at scale s (a 2x PNG, or dpi / 96) that is s / 2 px:
half a step on an x axis of 1-2 px per step, where a noisy line moves a lot between steps.

The default Vega theme is recognised by its two greys, each drawn one unit wide: #888 axis
lines and tick marks outside the plot, #ddd gridlines inside it. The ink of a thin line,
summed across it, is its width times its darkness, at any scale and sub-pixel phase. So the
unit s in pixels is the ticks' ink over #888's darkness, and the axis lines' ink (over
#888's) and the gridlines' (over #ddd's) must give the same s. Other themes (darker or
lighter ticks or axes, other grids, no grid) are left as drawn.
"""
from __future__ import annotations

import numpy as np

from .axes import TICK_SHARE, mark_rows
from .model import Axis

TICK_GREY = 136  # Vega's default tick and axis line colour, #888
GRID_GREY = 221  # Vega's default gridline colour, #ddd
GREY_TOL = 12  # a mark's darkest pixel may be this much darker than its grey (JPEG, overlaps)
UNIT_AGREE = 0.2  # the ticks and gridlines agree in width to this share
LINE_SPAN = (0.7, 1.5)  # axis line widths over the ticks': it is drawn over the frame and the first
# gridline, so where its edges are anti-aliased they are darker than its grey alone
UNIT_RANGE = (0.5, 4.0)  # px per unit: exports from half size to 4x
MIN_MARKS = 2
MIN_INK = 0.25  # units: a row with less ink (JPEG noise, past a tick's end) holds no mark


def shift_to_data(axes: list[tuple[Axis | None, Axis | None]], grey: np.ndarray,
                  boxes: list[tuple[int, int, int, int]]) -> None:
    """Move each panel's fitted x and y axes onto the data where the figure's axes are
    drawn off it (Vega's, measured on the panels that show it: a figure is drawn by one
    renderer). Tick pixels stay where the ticks are drawn; axes a user fixed stay as set."""
    found = [o for o in (data_offset(grey, box) for box in boxes) if o is not None]
    if not found:
        return
    px = float(np.median(found))
    for pair in axes:
        for axis in pair:
            if axis is not None and not axis.overridden:
                axis.b += axis.a * px  # the data at pixel p is where the ticks say p + px is
                axis.data_offset_px = px


def data_offset(grey: np.ndarray, box: tuple[int, int, int, int]) -> float | None:
    """How far (px) right of and below its data this panel's axes are drawn: half of
    Vega's unit where its axis lines and tick marks outside the plot are #888 and its
    gridlines #ddd, all as wide as one another; None where they are not."""
    lines, tick_units, grid_units = [], [], []
    for axis in ("x", "y"):
        ticks, grids, _ = mark_rows(grey, box, axis, TICK_SHARE)
        g = grey if axis == "x" else grey.T
        x0, y0, x1, y1 = box if axis == "x" else (box[1], box[0], box[3], box[2])
        # rows from the axis outwards: below the x axis, right to left beside the y axis
        outside = g[y1 + 1:y1 + 9, x0:x1 + 1] if axis == "x" else np.flip(g[max(0, y0 - 9):y0 - 1, x0:x1 + 1], 0)
        tick_units += _units(outside, ticks - x0, TICK_GREY, whole=True)
        grid_units += _units(g[y0 + 3:y1 - 2, x0:x1 + 1], grids - x0, GRID_GREY)
        edge = y1 if axis == "x" else y0
        across = g[max(0, edge - 4):edge + 5, x0 + 5:x1 - 4].T
        if across.size:
            lines += _units(across, [float(np.argmin(np.median(across, axis=0)))], TICK_GREY)
    if len(tick_units) < MIN_MARKS or len(grid_units) < MIN_MARKS or not lines:
        return None
    s_tick, s_grid, s_line = (float(np.median(u)) for u in (tick_units, grid_units, lines))
    lo, hi = UNIT_RANGE
    if not (lo <= s_tick <= hi and abs(s_grid - s_tick) <= UNIT_AGREE * s_tick
            and LINE_SPAN[0] * s_tick <= s_line <= LINE_SPAN[1] * s_tick):
        return None
    return (s_tick + s_grid) / 4


def _units(strip: np.ndarray, marks, shade: int, whole: bool = False) -> list[float]:
    """Widths (px) of the marks across ``strip`` (rows along the marks, columns across), if
    each is drawn in grey ``shade`` on the strip's background: its ink summed across the mark
    over the shade's darkness, the median over the rows where the mark is. Rows that
    something darker crosses are left out, or, for a ``whole`` mark (a tick, from the
    strip's first row out to the first row without ink), the mark is no such mark."""
    if strip.size == 0:
        return []
    strip = strip.astype(float)
    bg = np.median(strip, axis=1, keepdims=True)  # each row's own: a line across is no mark
    depth = float(np.median(bg)) - shade
    if depth <= 0:
        return []
    out = []
    for m in marks:
        c = int(round(m))
        if c - 2 < 0 or c + 3 > strip.shape[1]:
            continue
        win = strip[:, c - 2:c + 3]
        clean = win.min(axis=1) >= shade - GREY_TOL
        ink = np.clip(bg - win, 0, None).sum(axis=1)
        rows = ink >= MIN_INK * depth
        if whole:
            inked = np.flatnonzero(rows)
            if not len(inked):
                continue
            ends = np.flatnonzero(~rows[inked[0]:])
            rows = np.zeros(len(ink), dtype=bool)
            rows[inked[0]:inked[0] + (ends[0] if len(ends) else len(ink))] = True
            if not clean[rows].all():
                continue
        rows &= clean
        if rows.sum() >= 2:
            out.append(float(np.median(ink[rows])) / depth)
    return out
