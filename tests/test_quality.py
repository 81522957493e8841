"""Confidence (issue 6): quality blocks and warnings, and where users see them (CLI, description)."""
from __future__ import annotations

import numpy as np
import pytest

from chartextract import cli, pipeline
from chartextract.model import Axis, Chart, Panel, Series, Tick
from chartextract.quality import (MAX_AMBIGUOUS, MIN_COVERAGE, duplicate_warnings, max_residual_px,
                                  panel_quality, series_quality)
from chartextract.series import Trace


def trace(ys, rgb=(31, 119, 180), ambiguous=0.0, x0=100) -> Trace:
    return Trace(rgb=rgb, ys=np.asarray(ys, float), x0=x0, width_px=2.0, ambiguous=ambiguous)


def axis(values, pixels, a, b, scale="linear", overridden=False) -> Axis:
    return Axis("", scale, [Tick(p, v, f"{v:g}", 90.0) for v, p in zip(values, pixels)], a, b,
                residual_px=0.2, overridden=overridden)


GOOD_X = axis([0, 10, 20, 30], [100, 200, 300, 400], 0.1, -10.0)
GOOD_Y = axis([0, 1, 2], [400, 300, 200], -0.01, 4.0)


def test_series_quality_of_a_clean_full_width_line():
    q = series_quality(trace(np.linspace(300, 200, 500)), n_points=500)
    assert q["coverage"] == 1.0 and q["ambiguous_columns"] == 0.0 and q["points"] == 500
    assert q["warnings"] == []


def test_low_coverage_and_ambiguity_warn():
    ys = np.full(500, np.nan)
    ys[:150] = 250.0
    q = series_quality(trace(ys, ambiguous=0.4), n_points=150)
    assert q["coverage"] == pytest.approx(0.3)
    assert q["coverage"] < MIN_COVERAGE and q["ambiguous_columns"] > MAX_AMBIGUOUS
    assert "covers only 30% of the plot width" in q["warnings"]
    assert any(w.startswith("many ambiguous crossings (40%") for w in q["warnings"])


def test_near_duplicate_shades_warn_both_but_distinct_lines_do_not():
    x = np.arange(500)
    line = 300 - 0.2 * x
    shade = line + 1.0  # a lighter fringe of the same blue, one pixel off
    other = 300 - 0.1 * x  # a different line, crossing at the left
    ts = [trace(line), trace(shade, rgb=(90, 150, 200)), trace(other, rgb=(255, 127, 14))]
    w = duplicate_warnings(ts, ["a", "b", "c"])
    assert len(w[0]) == 1 and "'b'" in w[0][0] and len(w[1]) == 1 and "'a'" in w[1][0]
    assert w[2] == []
    # the same shapes in clearly different colours are two lines, not one
    assert duplicate_warnings([trace(line), trace(shade, rgb=(214, 39, 40))], ["a", "b"]) == [[], []]


def test_panel_quality_of_a_good_calibration():
    q = panel_quality(GOOD_X, GOOD_Y, 93.0)
    assert (q["x_ticks"], q["y_ticks"], q["ocr_conf"]) == (4, 3, 93.0)
    assert q["x_residual_px"] == 0.2 and q["x_max_residual_px"] == pytest.approx(0.0)
    assert q["warnings"] == []


def test_panel_warnings():
    two = axis([0, 100], [100, 400], 1 / 3, -100 / 3)
    off = axis([0, 1, 2], [400, 300, 203], -0.01, 4.0)
    off.residual_px = 2.3
    backwards = axis([50, 1], [134, 215], -0.6, 130.4)  # "100" read as "1"
    assert panel_quality(two, GOOD_Y, 90)["warnings"] == ["only 2 ticks on the x axis"]
    assert panel_quality(GOOD_X, off, 90)["warnings"] == ["y tick-fit residual 2.3 px"]
    assert max_residual_px(off) == pytest.approx(3.0)
    assert "x axis values decrease to the right (misread tick label?)" in panel_quality(backwards, GOOD_Y, 90)["warnings"]
    assert panel_quality(GOOD_X, GOOD_Y, 41.0)["warnings"] == ["low OCR confidence on the tick labels (41/100)"]
    # a user's range is trusted; a failed axis is the panel's error, not a warning
    user = Axis("", "linear", [], 0.1, 0.0, overridden=True)
    assert panel_quality(user, user, 30.0)["warnings"] == []
    assert panel_quality(None, GOOD_Y, 90)["warnings"] == []


def _chart_with_doubts() -> Chart:
    xs = np.arange(0, 31, dtype=float)
    good = Series("train", "#1f77b4", "blue", xs, 1 - xs / 40, quality={"coverage": 0.92, "warnings": []})
    bad = Series("val", "#ff7f0e", "orange", xs[:10], 1 - xs[:10] / 30,
                 quality={"coverage": 0.3, "warnings": ["covers only 30% of the plot width"]})
    panel = Panel(0, (0, 0, 500, 400), (50, 50, 450, 350), "Loss", GOOD_X, GOOD_Y, [good, bad],
                  quality={"warnings": ["only 2 ticks on the y axis"]})
    return Chart("fig.png", 500, 400, [panel])


def test_chart_warnings_name_panel_and_series():
    chart = _chart_with_doubts()
    assert chart.warnings() == ["panel 0 (Loss): only 2 ticks on the y axis",
                                "panel 0 series 'val': covers only 30% of the plot width"]
    assert chart.panels[0].series[1].doubtful and not chart.panels[0].series[0].doubtful


def test_cli_and_description_warn_about_a_doubtful_series(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(pipeline, "extract", lambda source, options=None: _chart_with_doubts())
    assert cli.main(["extract", "fig.png", "-o", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "chartextract: fig.png: warning: panel 0 series 'val': covers only 30% of the plot width" in err
    assert "warning: panel 0 (Loss): only 2 ticks on the y axis" in err
    md = (tmp_path / "fig.md").read_text()
    assert "covers only 30% of the plot width" in md  # the description does not present it as certain


def test_describe_command_warns_on_stderr(monkeypatch, capsys):
    monkeypatch.setattr(pipeline, "extract", lambda source, options=None: _chart_with_doubts())
    assert cli.main(["describe", "fig.png"]) == 0
    out, err = capsys.readouterr()
    assert "### Overview" in out and "covers only 30% of the plot width" in out
    assert "chartextract: fig.png: warning: panel 0 series 'val': covers only 30% of the plot width" in err
