"""Tick label text as OCR reads it, turned into numbers."""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest

import chartextract
from conftest import panel_errors
from chartextract.axes import _beside, _decades, _Label, mark_rows, _round_pair
from chartextract.ocr import Word
from chartextract.ticklabels import parse_pow10


@pytest.mark.parametrize("text, values", [
    ("103", [1000.0]), ("10-2", [0.01, 0.01]), ("10°", [1.0]),
    ("10³", [1000.0]), ("10⁻²", [0.01, 0.01]),  # unicode superscripts (int('³') raised before)
    ("2x103", [2000.0]), ("2×10³", [2000.0]), ("3 x 102", [300.0]), ("5x10-1", [0.5, 0.5]),
    ("20x103", []), ("2x", []), ("10?", []),
    ("1072", [0.01]), ("4x1071", [0.4]),  # a raised minus read as 7: no chart shows 10^71
    ("1000", []), ("10000", []),  # no exponent has a leading zero: these are plain numbers
])
def test_powers_of_ten_and_minor_labels_of_a_log_axis(text: str, values: list[float]) -> None:
    assert parse_pow10(text) == pytest.approx(values)


@pytest.mark.parametrize("a, b, ok", [
    (0, 1, True), (0.3, 0.7, True), (1000, 2000, True), (1e-4, 5e-4, True), (0, 1500, True),
    (10, 103, False),  # "10" and "10³" read as 103: no round step fits
    (3, 97, False),
])
def test_two_ticks_are_round_numbers_a_few_steps_apart(a: float, b: float, ok: bool) -> None:
    assert _round_pair(a, b) is ok


def test_a_log_axis_is_known_by_short_minor_ticks_drawn_inside() -> None:
    """gnuplot draws a log axis's minor ticks inward, 2.5 px long, and labels only the
    decades (1000 at the bottom, 10000 at the top, where the frame's corners pass for two
    tick marks): the minor ticks between are looked for inside the axis too."""
    grey = np.full((420, 200), 255, dtype=np.uint8)
    grey[10:411, 50] = 0  # the y axis
    grey[10, 50:190] = grey[410, 50:190] = 0  # the frame's top and bottom
    for k in range(2, 10):
        y = int(round(410 - 400 * np.log10(k)))
        grey[y, 51:53], grey[y, 53] = 0, 127
    found = {d for m in mark_rows(grey, (50, 10, 190, 410), "y", 0.4) for d in _decades(m)}
    assert found == {10.0, 410.0}


def test_a_light_raised_exponent_broken_into_pieces_is_read(tmp_path) -> None:
    """seaborn's darkgrid draws no tick marks (so no minor ticks tell a log axis) and sets the
    raised ``2`` of ``10⁻²`` so light that it breaks into three pieces at the ink threshold:
    the label was not read, the axis rested on ``10⁻¹`` alone and the panel was lost."""
    pytest.importorskip("matplotlib")
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts"))
    import render  # noqa: E402

    x = list(range(0, 376))
    y = [0.1 * np.exp(-v / 90) + 0.006 for v in x]
    spec = {"engine": "matplotlib", "style": "seaborn-v0_8-darkgrid", "dpi": 101, "width_px": 630, "height_px": 375,
            "grid": [1, 1], "panels": [{"title": "Loss curves", "x_label": "Iteration", "y_label": "NLL",
                                        "x_is_step": True, "y_log": True, "legend": False,
                                        "series": [{"name": "val", "color": "#9467bd", "x": x, "y": y}]}]}
    path = tmp_path / "log.png"
    render.render(spec, str(path))
    (panel,) = chartextract.extract(str(path)).panels
    assert panel.y_axis.scale == "log"
    assert sorted(t.value for t in panel.y_axis.ticks) == pytest.approx([0.01, 0.1])
    (s,) = panel.series
    err = np.abs(np.log10(s.y) - np.log10(np.interp(s.x, x, y)))
    assert np.mean(err) / np.ptp(np.log10(y)) < 0.01


def test_labels_read_again_keep_the_first_readings_elsewhere_on_the_axis() -> None:
    """A log axis labelled 10⁰, 6×10⁻¹, 4×10⁻¹, 3×10⁻¹: the glyph-by-glyph second reading
    is made only where a label looked like a garbled power. Where it fails (``4×10⁻¹``), and
    where no second reading was made (``10°``, read well the first time), the first readings
    stay, for the fit to weigh: the axis rested on two ticks, 10° and a misread ``107``."""
    def label(text: str, cy: float, value: float | None, pow10: list[float]) -> _Label:
        return _Label(Word(text, 90.0, 0.0, cy - 5, 20.0, cy + 5), value, pow10)

    first = [label("10°", 120, None, [1.0]), label("6x10", 237, None, []),
             label("107", 330, None, [1e7, 1e-7]), label("3x10", 397, None, [])]
    again = [label("0.6", 237.5, 0.6, [0.6]), None, label("0.3", 397.5, 0.3, [0.3])]
    kept = _beside(first, again, lambda w: w.cy, gh=10.0)
    assert sorted(l.word.text for l in kept) == ["0.3", "0.6", "107", "10°"]


def test_lone_digit_labels_beside_the_y_title_are_read(tmp_path) -> None:
    """Tick labels 1 to 4, each a lone digit that the whole-page reading misses, with the
    rotated y title a few pixels to their left: read again as one block with the title,
    ``4`` came back as ``04`` and ``2`` as ``£2``, and the panel was lost. The block is cut
    to the labels' own column."""
    pytest.importorskip("matplotlib")
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts"))
    import render  # noqa: E402

    rng = np.random.default_rng(14)
    x = np.arange(0, 501)
    y = 1.2 + 3.4 * np.exp(-((x - 230) / 120.0) ** 2) + rng.normal(0, 0.08, len(x))
    panel = {"title": "Train Reward vs Step", "x_label": "Steps", "y_label": "Train Reward", "x_is_step": True,
             "legend": False, "series": [{"name": "ours", "color": "#008fd5", "x": x.tolist(), "y": y.tolist()}]}
    spec = {"engine": "matplotlib", "style": "fivethirtyeight", "dpi": 116, "width_px": 725, "height_px": 484,
            "grid": [1, 1], "panels": [panel]}
    path = tmp_path / "digits.png"
    render.render(spec, str(path))
    (p,) = chartextract.extract(str(path)).panels
    assert [t.value for t in p.y_axis.ticks] == [4, 3, 2, 1]
    (s,) = p.series
    assert np.mean(np.abs(np.interp(s.x, x, y) - s.y)) / np.ptp(y) < 0.02


def test_a_tick_marks_faint_end_after_the_exponent_is_no_minus(tmp_path) -> None:
    """ggplot's grey tick marks leave a faint flat trace right of a y label once erased;
    read glyph by glyph, that flat raised trace was taken for the exponent's minus:
    ``10³`` became 10⁻³ and the axis ran upside down (values off by 100%). A minus leads
    the exponent."""
    pytest.importorskip("matplotlib")
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts"))
    import render  # noqa: E402

    x = [v / 20 for v in range(0, 481)]
    y = [600 + 1400 * np.exp(-v / 6) for v in x]
    spec = {"engine": "matplotlib", "style": "ggplot", "dpi": 118, "width_px": 743, "height_px": 450,
            "grid": [1, 1], "panels": [{"title": "", "x_label": "Time (h)", "y_label": "MSE", "x_is_step": False,
                                        "y_log": True, "legend": False,
                                        "series": [{"name": "val", "color": "#348abd", "x": x, "y": y}]}]}
    path = tmp_path / "log.png"
    render.render(spec, str(path))
    (panel,) = chartextract.extract(str(path)).panels
    assert panel.y_axis.scale == "log" and panel.y_axis.a < 0  # values grow upwards
    (s,) = panel.series
    err = np.abs(np.log10(s.y) - np.log10(np.interp(s.x, x, y)))
    assert np.mean(err) / np.ptp(np.log10(y)) < 0.01


def test_wide_minor_labels_with_a_negative_exponent_are_read_whole(suite_chart) -> None:
    """A log axis over less than a decade below 1 labels its minor ticks ``3×10⁻¹``,
    ``6×10⁻²``: wider than the box read glyph by glyph, which cut the mantissa off (``6``
    lost: 10⁻², or half a ``3`` read as 5), and the axis failed as no progression. The
    chart is the benchmark's seed-4 chart 030, whose whole-word readings of these labels
    (``2x1073``, ``1072``) send it to the glyph-by-glyph reading."""
    path, truth = suite_chart(4, 30)
    panel = chartextract.extract(str(path)).panels[0]
    assert panel.y_axis.scale == "log" and len(panel.y_axis.ticks) >= 3
    assert sorted(t.value for t in panel.y_axis.ticks) == pytest.approx([0.06, 0.1, 0.2, 0.3])
    for want in truth["panels"][0]["series"]:
        (got,) = [s for s in panel.series if s.name == want["name"]]
        err = np.abs(np.log10(got.y) - np.log10(np.interp(got.x, want["x"], want["y"])))
        assert np.mean(err) / np.ptp(np.log10(want["y"])) < 0.025  # two dense noisy lines overlapping


def test_the_label_column_keeps_a_margin_for_ocr(suite_chart) -> None:
    """Cut to the tick labels' own column right at their left edge, lone digits touch the
    block's side and OCR misreads them (``9`` as ``2``; plotnine's theme_minimal labels
    3, 6, 9, the benchmark's seed-4 chart 026): the cut is made in the middle of the gap
    between the labels and the y title."""
    pytest.importorskip("plotnine")
    path, truth = suite_chart(4, 26)
    panel = chartextract.extract(str(path)).panels[0]
    assert [t.value for t in panel.y_axis.ticks] == [9, 6, 3]
    want = truth["panels"][0]["series"][0]
    (got,) = panel.series
    assert np.mean(np.abs(got.y - np.interp(got.x, want["x"], want["y"]))) / np.ptp(want["y"]) < 0.01


def test_tick_marks_standing_off_a_spineless_plot_are_not_read_with_the_labels(suite_chart) -> None:
    """matplotlib's ggplot style draws no spine and starts its grey ticks a pixel below the
    plot. The marks stayed on the page OCR reads (a run after a gap was taken for a label's
    top), the mark over "1000" made tesseract split it into "1" and a taller "000", and
    every x axis read 1, 2, 3, 5 (the benchmark's seed-5 chart 034: five series of five
    unread)."""
    path, truth = suite_chart(5, 34)
    chart = chartextract.extract(str(path))
    assert len(chart.panels) == len(truth["panels"]) == 3
    for panel, want in zip(chart.panels, truth["panels"]):
        assert {t.value for t in panel.x_axis.ticks} >= {1000.0, 2000.0, 3000.0, 5000.0}
        assert len(panel.series) == len(want["series"])
        errs = panel_errors(panel.series, want["series"])
        assert max(errs.values()) < 0.01, errs


def _log_errors(series, want: list[dict]) -> dict[str, float]:
    """``panel_errors`` on a log axis: each true series' mean error in log10, as a share
    of the panel's log10 span."""
    span = np.ptp(np.log10(np.concatenate([w["y"] for w in want])))
    return {w["name"]: min(np.mean(np.abs(np.log10(np.interp(w["x"], s.x, s.y)) - np.log10(w["y"]))) / span
                           for s in series) for w in want}


def test_a_mantissa_read_apart_from_its_power_is_joined_before_the_label_column(suite_chart) -> None:
    """matplotlib labels a log axis's minor ticks ``6 × 10⁻²``; OCR reads the ``6x`` apart
    from the ``1072``. The labels' column was cut to words ending near the axis before the
    parts were joined, so every ``6x`` was dropped, the three minor labels read 10⁻²
    alike, and the chart raised "no progression" (the benchmark's seed-7 chart 039)."""
    path, truth = suite_chart(7, 39)
    (panel,) = chartextract.extract(str(path)).panels
    values = {t.value for t in panel.y_axis.ticks}
    assert panel.y_axis.scale == "log" and len(values) >= 3
    assert values <= {0.1, 0.06, 0.04, 0.03, 0.02} and len(values - {0.1}) >= 2  # minor labels read
    errs = _log_errors(panel.series, truth["panels"][0]["series"])
    assert max(errs.values()) < 0.01, errs


def test_minor_labels_are_read_glyph_by_glyph_past_a_large_times_sign(suite_chart) -> None:
    """The glyph-by-glyph reading of ``4 × 10³`` took DejaVu's ×, 0.85 of a digit's
    height, for a digit (four glyphs on the base line: no label), and the rotated y title
    a glyph's height left of ``2 × 10³`` for part of it. Only two labels were left, read
    as 10³ and 10² (the benchmark's seed-6 chart 025, panel 1: 100% off)."""
    path, truth = suite_chart(6, 25)
    panel = chartextract.extract(str(path)).panels[1]
    assert panel.y_axis.scale == "log"
    assert {600.0, 1000.0, 2000.0, 3000.0, 4000.0, 6000.0} <= {t.value for t in panel.y_axis.ticks}
    errs = _log_errors(panel.series, truth["panels"][1]["series"])
    assert max(errs.values()) < 0.02, errs  # three dense noisy lines over each other


@pytest.mark.parametrize("seed, index", [(7, 4), (0, 4)])
def test_decade_ticks_hidden_in_the_frame_corners_still_make_a_log_axis(suite_chart, seed: int,
                                                                         index: int) -> None:
    """matplotlib's classic style draws its ticks inside, where the frame hides those at
    the corners: on a log axis of 10², 10³, 10⁴ the decades between them went unseen, the
    axis was taken for linear and the labels, read ``102 103 104``, made a progression
    (the benchmark's seed-7 chart 004: 64% off). The axis ends count as marks; a mark at
    an end counts once (the seed-0 chart 004, a JPEG, where a corner tick shows too)."""
    path, truth = suite_chart(seed, index)
    panel = chartextract.extract(str(path)).panels[0]
    powers = [np.log10(t.value) for t in panel.y_axis.ticks]
    assert panel.y_axis.scale == "log" and len(powers) >= 3
    assert powers == pytest.approx(np.round(powers))  # 10², not the text "102" as 102
    errs = _log_errors(panel.series, truth["panels"][0]["series"])
    assert max(errs.values()) < 0.01, errs


def test_a_raised_exponent_makes_a_plain_reading_a_power(suite_chart) -> None:
    """matplotlib's classic 2x2 grid as JPEG, a log axis of 10², 10³, 10⁴ whose decades no
    minor tick shows: OCR read the labels ``104 103 102``, a linear axis from 102 to 104,
    and the two lines were 98-114% off (the benchmark's seed-8 chart 015, panel 3). The
    last glyph of each label stands raised above its ``10``: they are powers as printed."""
    path, truth = suite_chart(8, 15)
    chart = chartextract.extract(str(path))
    assert len(chart.panels) == 4
    panel, want = chart.panels[3], truth["panels"][3]
    assert panel.y_axis.scale == "log"
    assert sorted(t.value for t in panel.y_axis.ticks) == pytest.approx([100, 1000, 10000])
    errs = _log_errors(panel.series, want["series"])
    assert max(errs.values()) < 0.015, errs  # noisy lines in a JPEG: 0.9-1.1% off


def test_a_hundred_beside_a_ten_on_a_log_axis_is_no_power(suite_chart) -> None:
    """gnuplot's log y axis labelled "10" and "100" (JPEG; the benchmark's seed-9 chart 023):
    on an axis known to be log, "100" was taken for 10^0 as "103" is for 10^3, which made
    the axis run from 1 at the top to 10 at the bottom and every line 70-90% off. A "10"
    can be no power, and labels share a format: both are plain."""
    path, truth = suite_chart(9, 23)
    panel, want = chartextract.extract(str(path)).panels[1], truth["panels"][1]
    assert panel.y_axis.scale == "log"
    assert sorted(t.value for t in panel.y_axis.ticks) == [10.0, 100.0]
    errs = panel_errors(panel.series, want["series"])
    assert max(errs.values()) < 0.01, errs


def test_two_readings_of_small_labels_together_make_the_axis(suite_chart) -> None:
    """plotnine theme_minimal's log axis labelled 0.3, 1, 3 in small grey digits (the
    benchmark's seed-9 chart 021): the page reading got only "0,3", the closer strip
    reading "3", "1" and "3" (the 0.3 read as 3), and neither fitted an axis, so the panel
    was not read. The two readings' labels together fit a log axis on all three ticks."""
    path, truth = suite_chart(9, 21)
    panel, want = chartextract.extract(str(path)).panels[0], truth["panels"][0]
    assert panel.error is None
    assert sorted(round(t.value, 3) for t in panel.y_axis.ticks) == [0.3, 1.0, 3.0]
    errs = panel_errors(panel.series, want["series"])
    assert max(errs.values()) < 0.01, errs
