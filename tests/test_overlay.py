"""The overlay check image (issue 6): ``extract --overlay`` and ``Chart.to_overlay``."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import chartextract
from chartextract.colors import delta_e, hex_to_rgb
from chartextract.errors import ChartError
from chartextract.model import Axis, Chart, Panel, Series, Tick
from chartextract.overlay import BOX_RGB, ERROR_RGB, TICK_RGB, _fade, fitted_text, overlay_png, render_overlay

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "mpl_3series_legend.png"
ENV = {**os.environ, "OMP_THREAD_LIMIT": "1", "OMP_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("overlay")
    proc = subprocess.run([sys.executable, "-m", "chartextract", "extract", str(FIXTURE), "-o", str(out), "--overlay"],
                          capture_output=True, text=True, env=ENV, cwd=ROOT, timeout=300)
    return proc, out


def test_extract_overlay_writes_a_png_of_the_image_size(cli_run):
    proc, out = cli_run
    assert proc.returncode == 0, proc.stderr
    path = out / "mpl_3series_legend.overlay.png"
    assert str(path) in proc.stdout.splitlines()
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(path) as im:
        assert im.format == "PNG" and im.size == Image.open(FIXTURE).size and im.mode == "RGB"
    assert sorted(p.name for p in out.iterdir()) == [
        "mpl_3series_legend.csv", "mpl_3series_legend.json", "mpl_3series_legend.md",
        "mpl_3series_legend.overlay.png"]  # and no temp files left behind


def test_overlay_redraws_each_series_over_the_faded_image(cli_run):
    _, out = cli_run
    over = np.asarray(Image.open(out / "mpl_3series_legend.overlay.png").convert("RGB")).astype(int)
    orig = np.asarray(Image.open(FIXTURE).convert("RGB")).astype(int)
    chart = chartextract.extract(FIXTURE)
    panel = chart.panels[0]
    assert len(panel.series) == 3
    drawn = np.zeros(orig.shape[:2], bool)
    for s in panel.series:
        px = np.round(np.asarray(panel.x_axis.to_pixel(s.x))).astype(int)
        py = np.round(np.asarray(panel.y_axis.to_pixel(s.y))).astype(int)
        drawn[py, px] = True
        # the line is drawn in the series' own colour, on top of everything but the labels
        close = [delta_e(tuple(over[y, x]), hex_to_rgb(s.color)) < 20 for x, y in zip(px, py)]
        assert np.mean(close) > 0.8, s.name
    # it differs from the (faded) input where series are drawn, and from the input as a whole
    faded = _fade(orig.astype(np.uint8)).astype(int)
    assert np.abs(over - faded).sum(axis=2)[drawn].mean() > 100
    assert (over != orig).any(axis=2).mean() > 0.05
    # left of the plot (the y tick labels) nothing is drawn: the original is faded towards white
    x0 = panel.plot_box[0]
    left_o, left_v = orig[:, :x0 - 8], over[:, :x0 - 8]
    dark = left_o.sum(axis=2) < 200
    assert dark.sum() > 100 and left_v[dark].min() > 150


def test_no_overlay_unless_asked(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "chartextract", "extract", str(ROOT / "fixtures" / "log_loss.png"),
                           "-o", str(tmp_path)], capture_output=True, text=True, env=ENV, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert not list(tmp_path.glob("*.overlay.png"))


# --------------------------------------------------------------------------- drawing, on a synthetic chart

def _synthetic(error: str | None = None) -> Chart:
    img = np.full((300, 400, 3), 255, np.uint8)
    img[270:275, 100:150] = 0  # a black label below the plot
    x_axis = Axis("x", "linear", [Tick(50 + 100 * i, 10.0 * i, str(10 * i)) for i in range(4)], 0.1, -5.0)
    y_axis = Axis("y", "linear", [Tick(250 - 100 * i, float(i), str(i)) for i in range(3)], -0.01, 2.5)
    xs = np.arange(0, 30.5, 0.5)
    s = Series("line", "#1f77b4", "blue", xs, xs / 15.0)
    ok = Panel(0, (0, 0, 400, 300), (50, 50, 350, 250), "t", x_axis, y_axis, [s])
    panels = [ok]
    if error:
        panels.append(Panel(1, (0, 0, 40, 40), (5, 5, 35, 35), error=error))
    return Chart("synthetic.png", 400, 300, panels, image=img)


def test_render_overlay_draws_series_boxes_and_ticks():
    chart = _synthetic(error="y axis: could not read enough tick labels")
    over = render_overlay(chart).astype(int)
    assert over.shape == (300, 400, 3)
    # the series y = x/15 from x=0..30 is the pixel line from (50, 250) to (350, 50)
    for x in (100, 200, 300):
        y = int(round(250 - (x - 50) * 200 / 300))
        assert delta_e(tuple(over[y, x]), (0x1f, 0x77, 0xb4)) < 20
    assert tuple(over[150, 350]) == BOX_RGB  # right side of the plot box
    assert tuple(over[20, 5]) == ERROR_RGB  # a failed panel is boxed in red
    tick_pixels = np.all(over == TICK_RGB, axis=2)
    for t in chart.panels[0].x_axis.ticks:
        assert tick_pixels[245:256, int(t.pixel) - 5:int(t.pixel) + 6].any()
    for t in chart.panels[0].y_axis.ticks:
        assert tick_pixels[int(t.pixel) - 5:int(t.pixel) + 6, 45:56].any()
    assert over[270:275, 100:150].min() > 150  # black is faded


def test_gaps_are_not_bridged():
    chart = _synthetic()
    s = chart.panels[0].series[0]
    keep = (s.x < 10) | (s.x > 20)
    s.x, s.y = s.x[keep], s.y[keep]
    over = render_overlay(chart).astype(int)
    y = int(round(250 - (200 - 50) * 200 / 300))  # x = 15, inside the gap
    assert delta_e(tuple(over[y, 200]), (0x1f, 0x77, 0xb4)) > 40


def test_to_overlay_and_sources(tmp_path):
    chart = _synthetic()
    path = tmp_path / "o.png"
    chart.to_overlay(str(path))
    assert Image.open(path).size == (400, 300)
    assert Image.open(io.BytesIO(overlay_png(chart))).size == (400, 300)
    chart.image = None  # no pixels kept and the source is not a file
    with pytest.raises(ChartError):
        overlay_png(chart)
    assert not [p for p in tmp_path.iterdir() if p.name != "o.png"]


def test_fitted_text_rounds_to_a_pixel_and_shows_misreads():
    x = Axis("x", "linear", [], 200 / 61, -0.5)  # 200 per 61 px
    assert [fitted_text(x, p) for p in (0, 61, 122)] == ["0", "200", "400"]
    y = Axis("y", "linear", [], -0.5 / 44, 5.02)
    assert [fitted_text(y, p) for p in (0, 44, 88)] == ["5.0", "4.5", "4.0"]
    bad = Axis("x", "linear", [], -0.6, 130.36)  # "100" read as "1": the fit says 1 there
    assert fitted_text(bad, 215.27) == "1"
    log = Axis("y", "log", [], -1 / 120, 0.0)
    assert [fitted_text(log, p) for p in (0, 120, 240)] == ["10^0.00", "10^-1.00", "10^-2.00"]
