"""Tracing a line's pixels: blends are weighed as blends of the line's own colour."""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest

import chartextract

from chartextract.series import _border_ticks, find_traces
from conftest import panel_errors

BLUE = np.array([168.0, 120.0, 76.0])  # BGR of #4c78a8
WHITE = np.array([255.0, 255.0, 255.0])


def test_a_line_split_into_shades_keeps_its_ink() -> None:
    """A stroke whose blends are many and alike (a dark core in a lighter rim, as thick,
    anti-aliased or JPEG-compressed lines are) is found as two shades of one colour and
    merged. The rim was then weighed against its own lighter shade (a half-blend counted
    whole), so the stroke's edges stood a pixel too far out on each side."""
    h, w = 300, 500
    img = np.tile(WHITE, (h, w, 1))
    cols = np.arange(w)
    mid = 150 + 60 * np.sin(cols / 45.0)
    rows = np.arange(h)[:, None]
    img[np.abs(rows - mid) <= 4] = (WHITE + BLUE) / 2  # rim: 2 px of half-blend each side
    img[np.abs(rows - mid) <= 2] = BLUE  # core: 5 px of the line's colour
    img = np.round(img).astype(np.uint8)
    drawn = np.where(np.abs(rows - mid) <= 2, 1.0, np.where(np.abs(rows - mid) <= 4, 0.5, 0.0)).sum(axis=0)

    (trace,) = find_traces(img, (0, 0, w - 1, h - 1))
    seen = np.isfinite(trace.edges).all(axis=1)
    assert seen.sum() > 400
    read = trace.edges[seen, 1] - trace.edges[seen, 0]
    at = trace.x0 + np.flatnonzero(seen)
    assert np.median(np.abs(read - drawn[at])) < 0.1, f"edges {np.median(read - drawn[at]):+.2f} px off the drawn ink"


def test_inward_tick_marks_short_of_the_frame_are_not_ink() -> None:
    """bmh draws tick marks inward: the frame row and the gridline under a tick are cleared
    before, so a tick's dash ends a pixel or two short of the crop's side; left in, the
    dark ticks seeded a 'line' of their own. A short dash in the middle stays."""
    ink = np.zeros((100, 200), dtype=bool)
    ink[90:98, 40:42] = True  # a tick up from the bottom, ending 2 px short of it
    ink[45:50, 100:102] = True  # a dash of a line in the middle
    ticks = _border_ticks(ink)
    assert ticks[90:98, 40:42].all()
    assert not ticks[45:50, 100:102].any()


def test_a_grey_line_beside_a_black_one_keeps_to_its_own_pixels(black_grey_blue_chart) -> None:
    """Grey is a blend of black and white: the anti-aliased fringe of a black line has the
    grey line's colour. Where the grey line was hidden, its trace jumped to the black
    line's edge (1.7 units off here); pixels touching the black core are black's fringe."""
    path, x, truth = black_grey_blue_chart(2)
    series = {s.name: s for s in chartextract.extract(str(path)).panels[0].series}
    assert sorted(series) == ["DPO", "GRPO", "PPO"]
    for name, y in truth.items():
        off = np.abs(np.interp(series[name].x, x, y) - series[name].y)
        assert off.max() < 0.3, (name, float(off.max()))


def test_a_grey_line_hidden_by_the_legend_does_not_jump_to_the_black_ones_edge(suite_chart) -> None:
    """The benchmark's seed-10 chart 013 (gnuplot): the grey line runs through the legend,
    which is left out, and past it the trace took a few specks of the black line's edge
    (as light as grey, not touching the black core), 30 px below, just before the line
    comes out of the legend: 2.4% off."""
    path, truth = suite_chart(10, 13)
    errs = panel_errors(chartextract.extract(str(path)).panels[0].series, truth["panels"][0]["series"])
    assert max(errs.values()) < 0.01, errs


def test_dense_marker_discs_along_a_noisy_line_are_a_line(tmp_path) -> None:
    """Ultralytics draws each epoch as a disc: along a noisy metric, 200 discs 8 px wide make
    a band 25 px tall beside a 3 px dotted line, which was taken for a filled area and
    dropped (in 5 of 10 panels here). A filled area is solid (its widest inscribed disc
    spans it); the discs' band is a disc wide."""
    pytest.importorskip("matplotlib")
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts"))
    import render  # noqa: E402

    path = tmp_path / "results.png"
    truth = render.render(render.ultralytics_spec(np.random.default_rng(0), n=200), str(path))
    chart = chartextract.extract(str(path))
    for panel, true_panel in zip(chart.panels, truth["panels"]):
        want = true_panel["series"][0]
        (got,) = [s for s in panel.series if s.name == "results"]
        err = np.mean(np.abs(np.interp(want["x"], got.x, got.y) - want["y"])) / np.ptp(want["y"])
        assert err < 0.04, (panel.title, err)


def test_a_line_over_a_shaded_band_of_its_colour_is_read_as_the_line(tmp_path) -> None:
    """Mean and standard deviation: the line drawn over a band of its own colour at 20%.
    The band's pixels are blends of the line's colour too and were traced with it, as one
    thick band whose middle is not the line (3.7% of the span off on a chart like this)."""
    plt = pytest.importorskip("matplotlib.pyplot")
    rng = np.random.default_rng(1)
    x = np.linspace(0, 10, 121)
    y = 450 - 320 * np.exp(-x / 2.5) + rng.normal(0, 6, len(x))
    band = 25 + 10 * rng.random(len(x))
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=100)
    ax.fill_between(x, y - band, y + 0.3 * band, color="#1f77b4", alpha=0.2, linewidth=0)  # lopsided
    ax.plot(x, y, color="#1f77b4", linewidth=1.5)
    ax.set_xlabel("Time (h)")
    ax.set_ylabel("Accuracy")
    fig.savefig(tmp_path / "band.png")
    plt.close(fig)
    (s,) = chartextract.extract(str(tmp_path / "band.png")).panels[0].series
    assert np.mean(np.abs(np.interp(x, s.x, s.y) - y)) < 0.01 * np.ptp(y)


def test_a_thick_noisy_line_is_no_area_beside_legend_text(tmp_path) -> None:
    """fivethirtyeight's 4 pt lines: a noisy loss makes a solid band 30 px tall. It is no
    filled area while the plot's other line is as tall; but the legend's black text was
    counted as a line too, 11 px tall, and against it the band was an area and dropped."""
    pytest.importorskip("matplotlib")
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts"))
    import render  # noqa: E402

    rng = np.random.default_rng(14)
    x = np.arange(1, 4962, 10)
    truth = {"train_loss": 700 + 1200 * np.exp(-x / 1500) + rng.normal(0, 56, len(x)),
             "val_loss": 330 + 1400 * np.exp(-x / 600) + rng.normal(0, 30, len(x))}
    colors = {"train_loss": "#0000ff", "val_loss": "#ff0000"}
    panel = {"title": "", "x_label": "Steps", "y_label": "Train Loss", "x_is_step": True, "legend": True,
             "series": [{"name": n, "color": colors[n], "x": x.tolist(), "y": y.tolist()} for n, y in truth.items()]}
    spec = {"engine": "matplotlib", "style": "fivethirtyeight", "dpi": 139, "width_px": 725, "height_px": 484,
            "grid": [1, 1], "panels": [panel]}
    path = tmp_path / "thick.png"
    render.render(spec, str(path))
    series = {s.name: s for s in chartextract.extract(str(path)).panels[0].series}
    assert sorted(series) == ["train_loss", "val_loss"]
    for name, y in truth.items():
        err = np.mean(np.abs(np.interp(series[name].x, x, y) - series[name].y)) / np.ptp(y)
        assert err < 0.05, (name, err)  # a 4 pt line this noisy reads to a few percent


@pytest.mark.parametrize("seed,index", [(7, 16), (8, 25)])
def test_a_black_line_running_level_is_not_erased_as_a_gridline(suite_chart, seed: int, index: int) -> None:
    """A black curve runs level over much of the plot, and its rows, more than half of them
    ink of one grey-free colour, were erased as gridlines, so the trace lost its flat
    stretch (the benchmark's seed-7 chart 016, plotnine theme_gray as JPEG: 1.5% off;
    seed-8 chart 025, fivethirtyeight's 5 px line along a gridline: 3.3% off). A gridline
    runs most of the way across, or unbroken and thin as a frame's edge does; the noisy
    line's rows are broken, its thick middle rows have its colour two rows above and below."""
    path, truth = suite_chart(seed, index)
    panel, want = chartextract.extract(str(path)).panels[0], truth["panels"][0]["series"]
    errs = panel_errors(panel.series, want)
    assert max(errs.values()) < 0.01, errs


@pytest.mark.parametrize("seed,index,panel", [(7, 1, 0), (7, 1, 1), (7, 0, 2)])
def test_a_faint_fringe_along_stronger_lines_is_no_series(suite_chart, seed: int, index: int, panel: int) -> None:
    """Specks of a faint tint beside strong lines (JPEG's half-size chroma rings beside a blue
    and a red line: the benchmark's seed-7 chart 001, plotnine theme_gray as JPEG; the blends
    where fivethirtyeight's thick lines cross: its chart 000) clustered as a colour of their
    own and were traced as an extra series hopping between the lines. The panel's series
    are its true ones, each read to 1%."""
    path, truth = suite_chart(seed, index)
    got, want = chartextract.extract(str(path)).panels[panel], truth["panels"][panel]["series"]
    assert len(got.series) == len(want), [s.color for s in got.series]
    errs = panel_errors(got.series, want)
    assert max(errs.values()) < 0.01, errs
