"""How far to trust an extraction: the ``quality`` blocks of panels and series.

Small pure functions from what the stages found (a ``Trace``, the calibrated axes,
the OCR confidence) to a JSON-ready dict of measurements plus ``warnings``, short
human-readable sentences shown by the CLI and the description when a result is
doubtful. A series or panel without warnings is not proven right, but every
warning marks something a user should check, e.g. on the overlay image.

The thresholds come from the fixtures and a rendered dev suite (``scripts/benchmark.py``,
30 charts, seed 5), comparing each measurement with the series' error against the truth:

- coverage: every series read within 1 % of the span covered >= 52 % of the plot width
  (matplotlib's margins leave ~92 % for a full-width line); every one below 50 % was a
  spurious trace (a legend or text fragment, an anti-aliased fringe) or a broken one.
- ambiguous columns: lines with markers (ultralytics' ``results``), dotted lines and
  spurious black traces of text score 0.29-0.74 with errors of 1.4-2.4 % of the span;
  smoothed lines drawn over markers score 0.10-0.18 and are still read within 0.5 %.
- duplicates: a line split into shades (JPEG, fringes) gives traces of one hue
  (CIE76 < 50) within 3 px of each other over >= 45 % of their common columns; distinct
  lines that cross or run close never combined both (keras: 60 % close but dE 104).
- tick fits: median residuals were <= 0.9 px on every readable axis; two ticks always
  fit exactly, so nothing checks them (a "100" read as "1" passed that way).
- OCR: tesseract's mean confidence on tick labels was >= 75 on every readable panel.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .colors import delta_e
from .model import Axis
from .series import Trace

MIN_COVERAGE = 0.5  # a line covering less of the plot width may be a fragment of one
MAX_AMBIGUOUS = 0.20  # share of columns with several candidate runs: crossings of one colour
MAX_RESIDUAL_PX = 1.0  # median tick-fit residual above which the calibration is doubtful
MIN_TICKS = 3  # two ticks always fit a line exactly: nothing checks them
MIN_OCR_CONF = 60.0  # mean tesseract confidence (0-100) of the tick labels
DUPLICATE_DE = 50.0  # traces closer in colour than this (CIE76) may be shades of one line
DUPLICATE_PX = 3.0  # ... when they run this close ...
DUPLICATE_SHARE = 0.45  # ... over this share of the columns both cover


def series_quality(trace: Trace, n_points: int, extra_warnings: list[str] = ()) -> dict[str, Any]:
    """Coverage of the plot width, ambiguous columns, points and warnings of one traced line."""
    coverage = trace.coverage
    q: dict[str, Any] = {"coverage": round(coverage, 3), "ambiguous_columns": round(trace.ambiguous, 3),
                         "line_width_px": round(float(trace.width_px), 1), "points": int(n_points)}
    q.update({k: v for k, v in trace.quality.items() if k != "warnings"})
    q["warnings"] = (list(trace.quality.get("warnings", [])) + series_warnings(coverage, trace.ambiguous)
                     + list(extra_warnings))
    return q


def series_warnings(coverage: float, ambiguous: float) -> list[str]:
    out = []
    if coverage < MIN_COVERAGE:
        out.append(f"covers only {coverage:.0%} of the plot width")
    if ambiguous > MAX_AMBIGUOUS:
        out.append(f"many ambiguous crossings ({ambiguous:.0%} of its columns had several "
                   "candidate lines of its colour)")
    return out


def duplicate_warnings(traces: list[Trace], names: list[str]) -> list[list[str]]:
    """Per trace: warnings for each other trace of a similar colour that it nearly coincides with.

    Both get the warning: which one is the line and which a shade of it (an anti-aliased
    fringe, a JPEG tint) is not known here, so the user is pointed to the overlay.
    """
    out: list[list[str]] = [[] for _ in traces]
    for i, t in enumerate(traces):
        for j, u in enumerate(traces):
            if j <= i or len(u.ys) != len(t.ys) or u.x0 != t.x0 or delta_e(t.rgb, u.rgb) >= DUPLICATE_DE:
                continue
            both = np.isfinite(t.ys) & np.isfinite(u.ys)
            if both.sum() < max(10, 0.2 * min(np.isfinite(t.ys).sum(), np.isfinite(u.ys).sum())):
                continue
            share = float(np.mean(np.abs(t.ys[both] - u.ys[both]) <= DUPLICATE_PX))
            if share >= DUPLICATE_SHARE:
                for k, other in ((i, j), (j, i)):
                    out[k].append(f"nearly coincides with '{names[other]}' of a similar colour over {share:.0%} "
                                  "of their common width (one may be a shade of the other)")
    return out


def axis_quality(axis: Axis | None) -> dict[str, Any]:
    """Ticks used, median and largest tick-fit residual (px) of one axis."""
    if axis is None:
        return {"ticks": 0, "residual_px": None, "max_residual_px": None, "overridden": False}
    return {"ticks": len(axis.ticks), "residual_px": round(float(axis.residual_px), 3),
            "max_residual_px": round(max_residual_px(axis), 3), "overridden": axis.overridden}


def max_residual_px(axis: Axis) -> float:
    """Largest distance between a tick's place and where the fit puts its value (the fit
    maps the data, which a Vega axis is drawn ``data_offset_px`` off)."""
    if not axis.ticks:
        return 0.0
    px = np.asarray(axis.to_pixel([t.value for t in axis.ticks]), dtype=float) + axis.data_offset_px
    err = np.abs(px - np.array([t.pixel for t in axis.ticks]))
    err = err[np.isfinite(err)]
    return float(err.max()) if len(err) else 0.0


def panel_quality(x_axis: Axis | None, y_axis: Axis | None, ocr_conf: float) -> dict[str, Any]:
    """Tick-fit residuals, ticks used, mean OCR confidence of the tick labels and warnings."""
    qx, qy = axis_quality(x_axis), axis_quality(y_axis)
    conf = round(float(ocr_conf), 1) if ocr_conf is not None and math.isfinite(ocr_conf) and ocr_conf >= 0 else None
    q: dict[str, Any] = {
        "x_residual_px": qx["residual_px"], "y_residual_px": qy["residual_px"],
        "x_ticks": qx["ticks"], "y_ticks": qy["ticks"],
        "x_max_residual_px": qx["max_residual_px"], "y_max_residual_px": qy["max_residual_px"],
        "ocr_conf": conf,
    }
    warnings = []
    if x_axis is not None and y_axis is not None:  # otherwise the panel failed and its error says why
        for name, axis, aq in (("x", x_axis, qx), ("y", y_axis, qy)):
            warnings += axis_warnings(name, axis, aq)
        if conf is not None and conf < MIN_OCR_CONF and not (x_axis.overridden and y_axis.overridden):
            warnings.append(f"low OCR confidence on the tick labels ({conf:.0f}/100)")
    q["warnings"] = warnings
    return q


def axis_warnings(name: str, axis: Axis | None, aq: dict[str, Any]) -> list[str]:
    if axis is None or axis.overridden:  # a failed axis is the panel's error; a user range is trusted
        return []
    out = []
    if aq["ticks"] < MIN_TICKS:
        out.append(f"only {aq['ticks']} ticks on the {name} axis")
    if aq["residual_px"] > MAX_RESIDUAL_PX:
        out.append(f"{name} tick-fit residual {aq['residual_px']:.1f} px")
    if name == "x" and axis.a < 0:  # rare in charts, common when OCR drops a digit ("100" read as "1")
        out.append("x axis values decrease to the right (misread tick label?)")
    if name == "y" and axis.a > 0:
        out.append("y axis values increase downwards (misread tick label?)")
    return out
