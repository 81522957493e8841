"""Map a pixel trace to data: one value per step on step axes, else one per pixel column."""
from __future__ import annotations

import numpy as np

from .model import Axis
from .series import Trace
from .stroke import MARKER_MIN_RADIUS, fit_stroke

END_SLACK_COLS = 1.5  # a step this close to the end of a line still reads the line's end
EDGE_COLS = 2  # a line's end this close to the plot's edge may be cut off there
VERTEX_MIN_PX_PER_STEP = 1.5  # below this, a column's run spans several steps' vertices


def sample_trace(trace: Trace, x_axis: Axis, y_axis: Axis, steps: bool) -> tuple[np.ndarray, np.ndarray]:
    """Data ``(x, y)`` of a trace; gaps in the trace stay gaps (no points there)."""
    cols = trace.x0 + np.arange(len(trace.ys), dtype=float)
    ok = np.isfinite(trace.ys)
    if not ok.any():
        return np.array([]), np.array([])
    px_per_step = 1.0 / abs(x_axis.a) if x_axis.scale == "linear" and x_axis.a else 0.0
    ys_line = trace.ys if trace.run_ends is None else line_ends(trace.ys, trace.run_ends, trace.width_px)
    if steps and px_per_step >= 1.0:
        discs = trace.cores is not None and trace.radius >= MARKER_MIN_RADIUS
        xs_pix, ys_pix = _at_steps(cols, ys_line, x_axis, reach=trace.radius if discs else 0.0)
        if trace.run_ends is not None and px_per_step >= VERTEX_MIN_PX_PER_STEP:
            if discs:
                ys_pix = disc_centres(xs_pix - cols[0], ys_pix, trace.run_ends, trace.cores, trace.radius)
            ys_pix = step_vertices(xs_pix - cols[0], ys_pix, trace.run_ends, trace.width_px)
        ys_pix = _fitted(trace, cols, xs_pix, ys_pix)
        xs = np.round(np.asarray(x_axis.to_value(xs_pix))).astype(float)
    else:
        rows = ys_line if trace.run_ends is None else column_vertices(ys_line, trace.run_ends, trace.width_px)
        xs_pix, ys_pix = cols[ok], _fitted(trace, cols, cols[ok], rows[ok])
        xs = np.asarray(x_axis.to_value(xs_pix), dtype=float)
    ys = np.asarray(y_axis.to_value(ys_pix), dtype=float)
    good = np.isfinite(xs) & np.isfinite(ys)
    order = np.argsort(xs[good], kind="stable")
    return xs[good][order], ys[good][order]


def _fitted(trace: Trace, cols: np.ndarray, xs_pix: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``rows`` refined by fitting the stroke's edges (see ``stroke``), where there are any.
    The fit wants the vertices left to right; a reversed x axis lists steps right to left."""
    if trace.edges is None or trace.ink is None or len(xs_pix) < 2 or not np.isfinite(trace.edges).any():
        return rows
    order = np.argsort(xs_pix)
    if np.any(np.diff(xs_pix[order]) <= 0):
        return rows
    out = np.empty_like(rows)
    out[order] = fit_stroke(cols, trace.edges, xs_pix[order], rows[order], trace.radius, trace.ink)
    return out


def _at_steps(cols: np.ndarray, ys: np.ndarray, x_axis: Axis, reach: float) -> tuple[np.ndarray, np.ndarray]:
    """Pixel positions of each integer step covered by the trace and the line's row there.

    A line that ends inside the plot ends on a data point, ``reach`` (a marker's radius)
    inside its ink; one cut off at the plot's edge may hide its end under the frame."""
    ok = np.flatnonzero(np.isfinite(ys))
    inside_lo, inside_hi = ok[0] > EDGE_COLS + reach, ok[-1] < len(ys) - 1 - EDGE_COLS - reach
    first = cols[ok[0]] + (reach - 1.0 if inside_lo else -END_SLACK_COLS)
    last = cols[ok[-1]] - (reach - 1.0 if inside_hi else -END_SLACK_COLS)
    v0, v1 = sorted((float(x_axis.to_value(first)), float(x_axis.to_value(last))))
    steps = np.arange(np.ceil(v0), np.floor(v1) + 1)
    px = np.asarray(x_axis.to_pixel(steps), dtype=float)
    out = np.full(len(px), np.nan)
    for i, p in enumerate(px):
        j = p - cols[0]
        lo, hi = int(np.floor(j)), int(np.ceil(j))
        if 0 <= lo and hi < len(ys) and np.isfinite(ys[lo]) and np.isfinite(ys[hi]):
            out[i] = ys[lo] + (ys[hi] - ys[lo]) * (j - lo)
            continue
        near = ok[np.abs(ok - j) <= END_SLACK_COLS]
        if len(near):
            out[i] = ys[near[np.argmin(np.abs(near - j))]]
    keep = np.isfinite(out)
    return px[keep], out[keep]


def line_ends(ys: np.ndarray, ends: np.ndarray, width: float) -> np.ndarray:
    """Where a line starts or stops steeply, its end column's run reaches from the end point
    along the line: the end point is the run's far end (the top when the line then falls),
    not its middle."""
    out = ys.copy()
    ok = np.flatnonzero(np.isfinite(ys))
    if len(ok) < 4:
        return out
    half = (width - 1) / 2
    for j, nxt in ((ok[0], ok[1:4]), (ok[-1], ok[-4:-1])):
        top, bottom = ends[j]
        if not np.isfinite(top) or bottom - top + 1 <= width + 1:
            continue
        out[j] = top + half if np.median(ys[nxt]) > ys[j] else bottom - half
    return out


def column_vertices(ys: np.ndarray, ends: np.ndarray, width: float) -> np.ndarray:
    """A column where the line peaks (its run's top end is higher than both neighbours') holds
    the peak's vertex at that top end, not at the run's middle: the run reaches down along
    the flanks. Likewise troughs at the bottom end. Elsewhere the run's centre stays."""
    out = ys.copy()
    top, bottom = ends[:, 0], ends[:, 1]
    half = (width - 1) / 2
    tall = bottom - top + 1 > width + 1
    inner = np.zeros(len(ys), dtype=bool)
    inner[1:-1] = True
    with np.errstate(invalid="ignore"):
        peak = inner & tall & (top < np.roll(top, 1)) & (top <= np.roll(top, -1))
        trough = inner & tall & (bottom > np.roll(bottom, 1)) & (bottom >= np.roll(bottom, -1))
    out[peak & ~trough] = top[peak & ~trough] + half
    out[trough & ~peak] = bottom[trough & ~peak] - half
    return out


def step_vertices(js: np.ndarray, rows: np.ndarray, ends: np.ndarray, width: float) -> np.ndarray:
    """Where a step is a local peak or trough among its neighbouring steps, its data point is
    at the far end of its column's run, not the middle: a zig-zag line fills the column from
    the vertex back towards its neighbours."""
    out = rows.copy()
    half = (width - 1) / 2
    for i in range(1, len(rows) - 1):
        j = int(round(js[i]))
        if not 0 <= j < len(ends) or not np.isfinite(ends[j]).all():
            continue
        top, bottom = ends[j]
        if bottom - top + 1 <= width + 1:
            continue
        if rows[i] < min(rows[i - 1], rows[i + 1]):
            out[i] = top + half
        elif rows[i] > max(rows[i - 1], rows[i + 1]):
            out[i] = bottom - half
    return out


def disc_centres(js: np.ndarray, rows: np.ndarray, ends: np.ndarray, cores: np.ndarray,
                 radius: float) -> np.ndarray:
    """Dense marker discs overlap into one blob whose column middle is no data point. Each
    step's row is kept inside its column's core (where a disc centred on the point fits);
    where only the run's top is the step's own disc edge (a radius above the core, nothing
    higher beside it) and the bottom belongs to neighbours' discs, the point is the core's
    top; likewise at the bottom."""
    out = rows.copy()
    for i, jf in enumerate(js):
        j = int(round(jf))
        if not 0 <= j < len(ends) or not (np.isfinite(cores[j]).all() and np.isfinite(ends[j]).all()):
            continue
        (top, bottom), (lo, hi) = ends[j], cores[j]
        near = ends[max(0, j - 1):j + 2]
        top_own = lo - top <= radius + 1 and np.nanmin(near[:, 0]) >= lo - radius - 1
        bottom_own = bottom - hi <= radius + 1 and np.nanmax(near[:, 1]) <= hi + radius + 1
        if top_own and not bottom_own:
            out[i] = lo
        elif bottom_own and not top_own:
            out[i] = hi
        else:
            out[i] = np.clip(rows[i], lo, hi)
    return out
