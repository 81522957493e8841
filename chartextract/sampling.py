"""Map a pixel trace to data: one value per step on step axes, else one per pixel column."""
from __future__ import annotations

import numpy as np

from .model import Axis
from .series import Trace

END_SLACK_COLS = 1.5  # a step this close to the end of a line still reads the line's end


def sample_trace(trace: Trace, x_axis: Axis, y_axis: Axis, steps: bool) -> tuple[np.ndarray, np.ndarray]:
    """Data ``(x, y)`` of a trace; gaps in the trace stay gaps (no points there)."""
    cols = trace.x0 + np.arange(len(trace.ys), dtype=float)
    ok = np.isfinite(trace.ys)
    if not ok.any():
        return np.array([]), np.array([])
    px_per_step = 1.0 / abs(x_axis.a) if x_axis.scale == "linear" and x_axis.a else 0.0
    if steps and px_per_step >= 1.0:
        xs_pix, ys_pix = _at_steps(cols, trace.ys, x_axis)
        xs = np.round(np.asarray(x_axis.to_value(xs_pix))).astype(float)
    else:
        xs_pix, ys_pix = cols[ok], trace.ys[ok]
        xs = np.asarray(x_axis.to_value(xs_pix), dtype=float)
    ys = np.asarray(y_axis.to_value(ys_pix), dtype=float)
    good = np.isfinite(xs) & np.isfinite(ys)
    order = np.argsort(xs[good], kind="stable")
    return xs[good][order], ys[good][order]


def _at_steps(cols: np.ndarray, ys: np.ndarray, x_axis: Axis) -> tuple[np.ndarray, np.ndarray]:
    """Pixel positions of each integer step covered by the trace and the line's row there."""
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
