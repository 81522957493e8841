"""Overrides for a misread chart (issue 6), through the real command line.

``--xscale/--yscale``, ``--xrange/--yrange`` and ``--series-colors`` are run on fixtures
whose truth JSON gives the data, the plot box and the axis ranges, and their effect on
the output JSON is checked against that truth.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "fixtures"
ENV = {**os.environ, "OMP_THREAD_LIMIT": "1", "OMP_NUM_THREADS": "1"}


def truth(stem: str) -> dict:
    return json.loads((FIX / f"{stem}.truth.json").read_text())


def run(tmp_path: Path, image: str, *args: str) -> tuple[subprocess.CompletedProcess, dict | None]:
    out = tmp_path / f"out{len(list(tmp_path.iterdir()))}"
    proc = subprocess.run([sys.executable, "-m", "chartextract", "extract", str(FIX / image), "-o", str(out), *args],
                          capture_output=True, text=True, env=ENV, cwd=ROOT, timeout=300)
    js = out / (Path(image).stem + ".json")
    return proc, json.loads(js.read_text()) if js.exists() else None


def xy(series: dict) -> tuple[np.ndarray, np.ndarray]:
    pts = np.asarray(series["points"], dtype=float)
    return pts[:, 0], pts[:, 1]


def error(x: np.ndarray, y: np.ndarray, true: dict, log: bool = False) -> float:
    """Mean |error| against the true series where they overlap, as a share of the true span."""
    tx, ty = np.asarray(true["x"], float), np.asarray(true["y"], float)
    if log:
        y, ty = np.log10(y), np.log10(ty)
    inside = (x >= tx.min()) & (x <= tx.max())
    assert inside.sum() > 10
    return float(np.mean(np.abs(y[inside] - np.interp(x[inside], tx, ty))) / np.ptp(ty))


def by_color(panel: dict) -> dict[str, dict]:
    return {s["color"].lower(): s for s in panel["series"]}


# --------------------------------------------------------------------------- --yrange

def test_yrange_from_the_truth_reproduces_the_data(tmp_path):
    t = truth("mpl_3series_legend")["panels"][0]
    lo, hi = t["y_range"]
    proc, d = run(tmp_path, "mpl_3series_legend.png", "--yrange", str(lo), str(hi))
    assert proc.returncode == 0, proc.stderr
    p = d["panels"][0]
    assert p["y_axis"]["fit"]["overridden"] is True and p["y_axis"]["ticks"] == []
    assert p["x_axis"]["fit"]["overridden"] is False  # only the y axis is replaced
    got = by_color(p)
    for ts in t["series"]:
        assert error(*xy(got[ts["color"]]), ts) < 0.01, ts["name"]


def test_yrange_moves_and_flips_values_predictably(tmp_path):
    lo, hi = truth("mpl_3series_legend")["panels"][0]["y_range"]
    runs = {}
    for name, rng in {"base": (lo, hi), "shifted": (lo + 10, hi + 10), "flipped": (hi, lo)}.items():
        proc, d = run(tmp_path, "mpl_3series_legend.png", "--yrange", str(rng[0]), str(rng[1]))
        assert proc.returncode == 0, proc.stderr
        runs[name] = by_color(d["panels"][0])
    for color, base in runs["base"].items():
        bx, by = xy(base)
        sx, sy = xy(runs["shifted"][color])
        fx, fy = xy(runs["flipped"][color])
        np.testing.assert_allclose(sx, bx)
        np.testing.assert_allclose(sy, by + 10, atol=1e-4)  # a shifted range shifts every value
        np.testing.assert_allclose(fy, lo + hi - by, atol=1e-4)  # a reversed range mirrors them


# --------------------------------------------------------------------------- --xrange

def test_xrange_from_the_truth_reproduces_the_data(tmp_path):
    t = truth("mpl_3series_legend")["panels"][0]
    lo, hi = t["x_range"]
    proc, d = run(tmp_path, "mpl_3series_legend.png", "--xrange", str(lo), str(hi))
    assert proc.returncode == 0, proc.stderr
    p = d["panels"][0]
    assert p["x_axis"]["fit"]["overridden"] is True and p["y_axis"]["fit"]["overridden"] is False
    got = by_color(p)
    for ts in t["series"]:
        x, y = xy(got[ts["color"]])
        assert abs(x.min() - min(ts["x"])) < 2 and abs(x.max() - max(ts["x"])) < 2
        assert error(x, y, ts) < 0.01, ts["name"]


# --------------------------------------------------------------------------- --xscale / --yscale

def test_yscale_log_reads_a_log_axis(tmp_path):
    t = truth("log_loss")["panels"][0]
    proc, d = run(tmp_path, "log_loss.png", "--yscale", "log")
    assert proc.returncode == 0, proc.stderr
    p = d["panels"][0]
    assert p["y_axis"]["scale"] == "log" and len(p["y_axis"]["ticks"]) >= 2
    got = by_color(p)
    for ts in t["series"]:
        assert error(*xy(got[ts["color"]]), ts, log=True) < 0.01, ts["name"]


def test_yscale_linear_with_a_range_maps_pixels_linearly(tmp_path):
    """A log chart forced linear: each value is linear in its height, i.e. in the true log value."""
    t = truth("log_loss")["panels"][0]
    lo, hi = t["y_range"]  # the true (log) limits at the plot edges
    proc, d = run(tmp_path, "log_loss.png", "--yscale", "linear", "--yrange", "0", "1")
    assert proc.returncode == 0, proc.stderr
    p = d["panels"][0]
    assert p["y_axis"]["scale"] == "linear" and p["y_axis"]["fit"]["overridden"] is True
    got = by_color(p)
    for ts in t["series"]:
        x, y = xy(got[ts["color"]])
        frac = (np.log10(np.asarray(ts["y"], float)) - np.log10(lo)) / (np.log10(hi) - np.log10(lo))
        assert error(x, y, {"x": ts["x"], "y": frac}) < 0.01, ts["name"]
        assert 0 <= y.min() and y.max() <= 1


def test_xscale_log_with_a_range_maps_columns_logarithmically(tmp_path):
    t = truth("mpl_3series_legend")["panels"][0]
    xlo, xhi = t["x_range"]
    proc, d = run(tmp_path, "mpl_3series_legend.png", "--xscale", "log", "--xrange", "1", "1000")
    assert proc.returncode == 0, proc.stderr
    p = d["panels"][0]
    assert p["x_axis"]["scale"] == "log" and p["x_axis"]["fit"]["overridden"] is True
    got = by_color(p)
    for ts in t["series"]:
        x, y = xy(got[ts["color"]])
        assert x.min() >= 1 and x.max() <= 1000
        true_x = xlo + np.log10(x) / 3 * (xhi - xlo)  # 1..1000 spans three decades over the width
        assert error(true_x, y, ts) < 0.01, ts["name"]


# --------------------------------------------------------------------------- --series-colors

def test_series_colors_keeps_only_the_named_series(tmp_path):
    t = {s["color"]: s for s in truth("mpl_3series_legend")["panels"][0]["series"]}
    proc, d = run(tmp_path, "mpl_3series_legend.png", "--series-colors", "#ff7f0e")
    assert proc.returncode == 0, proc.stderr
    (s,) = d["panels"][0]["series"]
    assert s["color_name"] == "orange" or s["color"] == "#ff7f0e"
    assert error(*xy(s), t["#ff7f0e"]) < 0.01

    proc, d = run(tmp_path, "mpl_3series_legend.png", "--series-colors", "#1F77B4", "2ca02c")
    assert proc.returncode == 0, proc.stderr
    kept = by_color(d["panels"][0])
    assert len(kept) == 2
    for color in ("#1f77b4", "#2ca02c"):
        assert error(*xy(kept[color]), t[color]) < 0.01


def test_series_colors_on_a_two_series_log_chart(tmp_path):
    t = {s["color"]: s for s in truth("log_loss")["panels"][0]["series"]}
    proc, d = run(tmp_path, "log_loss.png", "--series-colors", "#d62728")
    assert proc.returncode == 0, proc.stderr
    (s,) = d["panels"][0]["series"]
    assert error(*xy(s), t["#d62728"], log=True) < 0.01


@pytest.mark.parametrize("args, message", [
    (("--series-colors", "#d62728"), "no data line found"),  # no series of that colour
    (("--series-colors", "red"), "not a colour in #rrggbb form"),
])
def test_series_colors_failures_are_one_line(tmp_path, args, message):
    proc, d = run(tmp_path, "mpl_3series_legend.png", *args)
    assert proc.returncode != 0 and d is None
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
