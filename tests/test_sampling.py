"""Sampling a traced line: where a zig-zag peaks, the value is the stroke's end, not its middle;
dense noisy lines drawn thick are read back from their stroke's edges."""
from __future__ import annotations

import io

import numpy as np
import pytest

import chartextract

plt = pytest.importorskip("matplotlib.pyplot")


def _zigzag_png(x: np.ndarray, y: np.ndarray, linewidth: float = 1.5, xlabel: str = "Time (s)") -> bytes:
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=100)
    ax.plot(x, y, color="#1f77b4", linewidth=linewidth)
    ax.set_xlabel(xlabel)
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
    assert np.median(err) < 0.01, f"peaks and troughs off by {np.median(err):.2%} of the span"
    mean = np.mean(np.abs(est - y)) / span
    assert mean < 0.01, f"mean error {mean:.2%} of the span"


def test_thick_dense_line_on_a_step_axis_is_read_at_every_step() -> None:
    """About 1.5 px per step and a line 3 px thick: each column is filled from one step's
    flank to the next, 25-40 px tall. Such a line was taken for a filled area and dropped
    (no series at all), and a column's middle is no step's value (2.8% of the span off);
    fitting the polyline to the stroke's edges recovers the steps."""
    rng = np.random.default_rng(5)
    steps = np.arange(0, 300)
    y = np.cumsum(rng.normal(0, 1.0, 300)) + 1.5 * rng.normal(0, 1.0, 300)
    chart = chartextract.extract(_zigzag_png(steps, y, linewidth=2.2, xlabel="Step"))
    (series,) = chart.panels[0].series
    assert np.array_equal(series.x, steps[(steps >= series.x[0]) & (steps <= series.x[-1])])
    est = np.interp(steps, series.x, series.y)
    mean = np.mean(np.abs(est - y)) / np.ptp(y)
    assert mean < 0.015, f"mean error {mean:.2%} of the span"


@pytest.mark.parametrize("style", [dict(linewidth=1.5), dict(linewidth=3.0),
                                   dict(linewidth=1.5, solid_capstyle="round"),
                                   dict(linewidth=2.0, marker="o", markersize=6),
                                   dict(linewidth=1.5, solid_capstyle="butt")])
def test_a_line_ends_on_its_first_and_last_step(style: dict) -> None:
    """Epochs 1..200, 2.4 px apart, on an axis from 0: the ink runs past the end points by
    the line's cap (matplotlib projects it half the line's width) or a marker's radius. That
    ink is no data: an epoch 0 or 201 read from it was a point that does not exist. A butt
    cap ends at the point itself, which the ink alone cannot tell: it may lose an end step."""
    epochs = np.arange(1, 201)
    y = 2.0 * np.exp(-epochs / 60) + 0.3
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=100)
    ax.plot(epochs, y, color="#1f77b4", **style)
    ax.set_xlim(-10, 210)
    ax.set_xlabel("Epoch")
    ax.set_ylabel("Loss")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    (series,) = chartextract.extract(buf.getvalue()).panels[0].series
    x = np.asarray(series.x)
    if style.get("solid_capstyle") == "butt":
        assert x[0] in (1, 2) and x[-1] in (199, 200) and np.array_equal(x, np.arange(x[0], x[-1] + 1)), \
            f"steps {x[:3]}..{x[-3:]}"
    else:
        assert np.array_equal(x, epochs), f"steps {x[:3]}..{x[-3:]}"
    est = np.interp(x, epochs, y)
    assert np.max(np.abs(np.asarray(series.y) - est)) / np.ptp(y) < 0.01


def test_many_points_per_step_on_a_step_axis_are_all_read() -> None:
    """An "Epoch" axis with whole-number ticks counts steps, but a run logged 80 times an
    epoch draws its points between them: the line bends between the steps, so it is read
    column by column, not at six whole epochs joined by straight lines (10% off before)."""
    rng = np.random.default_rng(5)
    x = np.linspace(0.0, 5.0, 400)
    y = 2.0 + np.cumsum(rng.normal(0, 0.08, len(x)))
    chart = chartextract.extract(_zigzag_png(x, y, xlabel="Epoch"))
    (s,) = chart.panels[0].series
    assert len(s.x) > 100
    assert np.mean(np.abs(np.interp(x, s.x, s.y) - y)) < 0.01 * np.ptp(y)
    # points on whole steps are still one value per step
    steps = np.arange(0, 41)
    chart = chartextract.extract(_zigzag_png(steps, 2.0 + np.sin(steps / 5.0), xlabel="Epoch"))
    (s,) = chart.panels[0].series
    assert list(s.x) == list(range(41))
