"""Sampling a traced line: where a zig-zag peaks, the value is the stroke's end, not its middle."""
from __future__ import annotations

import io

import numpy as np
import pytest

import chartextract

plt = pytest.importorskip("matplotlib.pyplot")


def _zigzag_png(x: np.ndarray, y: np.ndarray) -> bytes:
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=100)
    ax.plot(x, y, color="#1f77b4", linewidth=1.5)
    ax.set_xlabel("Time (s)")
    ax.set_ylabel("Signal")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def test_sharp_peaks_between_columns_keep_their_height() -> None:
    """A continuous x axis gives one value per pixel column; spikes two columns wide must not
    be flattened to the middle of their column run (which put them 3% of the span off)."""
    rng = np.random.default_rng(3)
    x = np.linspace(0.0, 1.0, 240)  # about 2 px per point on this plot
    y = np.sin(3 * x) + rng.normal(0, 0.06, 240)
    chart = chartextract.extract(_zigzag_png(x, y))
    (series,) = chart.panels[0].series
    est = np.interp(x, series.x, series.y)
    span = np.ptp(y)
    peaks = np.zeros(240, dtype=bool)
    peaks[1:-1] = ((y[1:-1] > y[:-2] + 0.03 * span) & (y[1:-1] > y[2:] + 0.03 * span)) | \
                  ((y[1:-1] < y[:-2] - 0.03 * span) & (y[1:-1] < y[2:] - 0.03 * span))
    err = np.abs(est - y)[peaks] / span
    assert peaks.sum() > 30
    assert np.median(err) < 0.025, f"peaks and troughs off by {np.median(err):.2%} of the span"
