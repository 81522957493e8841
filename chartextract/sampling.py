"""Map a pixel trace to data: one value per step on step axes (unless the line bends
between steps: its points are not on whole steps), else one per pixel column."""
from __future__ import annotations

import numpy as np

from .model import Axis
from .series import Trace
from .stroke import MARKER_MIN_RADIUS, fit_stroke

END_SLACK_COLS = 1.5  # a step this close to the end of a line still reads the line's end
EDGE_COLS = 2  # a line's end this close to the plot's edge may be cut off there
VERTEX_MIN_PX_PER_STEP = 1.5  # below this, a column's run spans several steps' vertices
SUBSTEP_MIN_PX = 4.0  # steps this far apart leave room to see a line bend between them
SUBSTEP_BEND_PX = 1.5  # a line this far off the segments joining its steps has points between them


def sample_trace(trace: Trace, x_axis: Axis, y_axis: Axis, steps: bool) -> tuple[np.ndarray, np.ndarray]:
    """Data ``(x, y)`` of a trace; gaps in the trace stay gaps (no points there)."""
    cols = trace.x0 + np.arange(len(trace.ys), dtype=float)
    ok = np.isfinite(trace.ys)
    if not ok.any():
        return np.array([]), np.array([])
    px_per_step = 1.0 / abs(x_axis.a) if x_axis.scale == "linear" and x_axis.a else 0.0
    ys_line = trace.ys if trace.run_ends is None else line_ends(trace.ys, trace.run_ends, trace.width_px)
    stepped = steps and px_per_step >= 1.0
    if stepped:
        xs_pix, ys_pix = _at_steps(cols, ys_line, x_axis)
        stepped = px_per_step < SUBSTEP_MIN_PX or not _bends_between(cols, ys_line, xs_pix, ys_pix, trace.width_px)
    if stepped:
        if trace.run_ends is not None and px_per_step >= VERTEX_MIN_PX_PER_STEP:
            if trace.cores is not None and trace.radius >= MARKER_MIN_RADIUS:
                ys_pix = disc_centres(xs_pix - cols[0], ys_pix, trace.run_ends, trace.cores, trace.radius)
            ys_pix = step_vertices(xs_pix - cols[0], ys_pix, trace.run_ends, trace.width_px)
    else:
        rows = ys_line if trace.run_ends is None else column_vertices(ys_line, trace.run_ends, trace.width_px)
        xs_pix, ys_pix = cols[ok], rows[ok]
    ys_pix, cap = _fitted(trace, cols, xs_pix, ys_pix)
    lo, hi = data_span(trace, ok, cap)
    half = 0.5 * px_per_step if stepped else 0.5  # the step (or column) nearest each end point
    keep = (xs_pix >= lo - half) & (xs_pix < hi + half)
    xs = np.asarray(x_axis.to_value(xs_pix[keep]), dtype=float)
    xs, ys_pix = (np.round(xs) if stepped else xs), ys_pix[keep]
    ys = np.asarray(y_axis.to_value(ys_pix), dtype=float)
    good = np.isfinite(xs) & np.isfinite(ys)
    order = np.argsort(xs[good], kind="stable")
    return xs[good][order], ys[good][order]


def _bends_between(cols: np.ndarray, ys: np.ndarray, xs_pix: np.ndarray, ys_pix: np.ndarray, width: float) -> bool:
    """The line bends between the steps, off the straight segments joining its rows at each
    step: its points are not on whole steps (an "Epoch" axis with many points per epoch)."""
    ok = np.isfinite(ys)
    if len(xs_pix) < 2 or not ok.any():
        return False
    order = np.argsort(xs_pix)
    inside = ok & (cols >= xs_pix[order][0]) & (cols <= xs_pix[order][-1])
    if inside.sum() < 2 * len(xs_pix):
        return False
    off = np.abs(ys[inside] - np.interp(cols[inside], xs_pix[order], ys_pix[order]))
    return bool(np.percentile(off, 75) > max(SUBSTEP_BEND_PX, 0.5 * width))


def _fitted(trace: Trace, cols: np.ndarray, xs_pix: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, float]:
    """``rows`` refined by fitting the stroke's edges (see ``stroke``), where there are any,
    and how far the line's ink runs past its end points: the fitted half-width (a marker's
    radius; a round or projecting cap, matplotlib's default). A butt cap stops at the point,
    so such a line ending inside the plot may lose its end step where steps are closer than
    the line is wide; reading an end step that is not there would invent a point. Without a
    fit, the ink's radius stands for the half-width. The fit wants the vertices
    left to right; a reversed x axis lists steps right to left."""
    cap = trace.radius
    if trace.edges is None or trace.ink is None or len(xs_pix) < 2 or not np.isfinite(trace.edges).any():
        return rows, cap
    order = np.argsort(xs_pix)
    if np.any(np.diff(xs_pix[order]) <= 0):
        return rows, cap
    out = np.empty_like(rows)
    stroke = fit_stroke(cols, trace.edges, xs_pix[order], rows[order], trace.radius, trace.ink)
    out[order] = stroke.rows
    return out, stroke.half_width


def data_span(trace: Trace, ok: np.ndarray, cap: float) -> tuple[float, float]:
    """Sub-pixel columns of the line's first and last data point. Where the line ends inside
    the plot, its ink runs ``cap`` past that point, from where the end column's share of a
    full column's ink puts the ink's edge. A line cut off at the plot's edge may hide its
    end under the frame: there the span reaches ``END_SLACK_COLS`` past the ink."""
    idx = np.flatnonzero(ok)
    lo, hi = trace.x0 + idx[0] - END_SLACK_COLS, trace.x0 + idx[-1] + END_SLACK_COLS
    if trace.ink is None:
        return lo, hi
    ink_cols, which = np.unique(trace.ink[0], return_inverse=True)
    sums = np.bincount(which, weights=trace.ink[2])
    if len(ink_cols) < 2:
        return lo, hi
    if idx[0] > EDGE_COLS:
        lo = ink_cols[0] + 0.5 - _share(sums[0], sums[1:4]) + cap
    if idx[-1] < len(ok) - 1 - EDGE_COLS:
        hi = ink_cols[-1] - 0.5 + _share(sums[-1], sums[-4:-1]) - cap
    return (lo, hi) if lo <= hi else ((lo + hi) / 2,) * 2


def _share(end: float, next_cols: np.ndarray) -> float:
    """How much of a full column of ink (its neighbours') the end column holds, 0..1."""
    full = float(np.median(next_cols))
    return float(np.clip(end / full, 0.0, 1.0)) if full > 0 else 1.0


def _at_steps(cols: np.ndarray, ys: np.ndarray, x_axis: Axis) -> tuple[np.ndarray, np.ndarray]:
    """Pixel positions of each integer step the trace may cover (up to ``END_SLACK_COLS``
    past its ink; ``data_span`` trims them) and the line's row there."""
    ok = np.flatnonzero(np.isfinite(ys))
    first, last = cols[ok[0]] - END_SLACK_COLS, cols[ok[-1]] + END_SLACK_COLS
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
