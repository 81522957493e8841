"""Quick sanity checks of the test-chart renderer and the benchmark's scoring (no extraction)."""
from __future__ import annotations

import os
import sys
from types import SimpleNamespace

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts"))
pytest.importorskip("matplotlib")
import benchmark  # noqa: E402
import render  # noqa: E402


def _spec(**panel):
    x = list(range(40))
    return {"engine": "matplotlib", "style": "default", "dpi": 80, "width_px": 320, "height_px": 240,
            "grid": [1, 1], "panels": [{"title": "t", "x_label": "Step", "y_label": "Loss", "x_is_step": True,
                                        "legend": True, "series": [
                                            {"name": "a", "color": "#1f77b4", "x": x, "y": [1 + 0.1 * v for v in x]},
                                            {"name": "b", "color": "#d62728", "x": x, "y": [5 - 0.05 * v for v in x]}],
                                        **panel}]}


def test_render_writes_image_and_truth(tmp_path):
    path = str(tmp_path / "c.png")
    truth = render.render(_spec(), path)
    assert os.path.getsize(path) > 1000
    assert truth["image"]["width"] == 320 and truth["image"]["height"] == 240
    assert truth["engine"] == "matplotlib" and len(truth["panels"]) == 1
    s = truth["panels"][0]["series"]
    assert [x["name"] for x in s] == ["a", "b"] and s[0]["x"][:3] == [0, 1, 2]
    x0, y0, x1, y1 = truth["panels"][0]["plot_box"]
    assert 0 <= x0 < x1 <= 320 and 0 <= y0 < y1 <= 240
    render.save_truth(truth, str(tmp_path / "c.truth.json"))
    assert render.load_truth(str(tmp_path / "c.truth.json"))["panels"][0]["series"][1]["y"] == s[1]["y"]


def test_suite_is_reproducible_and_spread():
    a, b = render.suite(12, seed=5), render.suite(12, seed=5)
    assert [s["id"] for s in a] == [s["id"] for s in b]
    assert a[3]["panels"][0]["series"][0]["y"] == b[3]["panels"][0]["series"][0]["y"]
    assert len({s["engine"] for s in a}) >= 3
    for s in a:
        assert len(s["panels"]) == s["grid"][0] * s["grid"][1]
        assert all(1 <= len(p["series"]) <= 4 and len(p["series"][0]["x"]) >= 30 for p in s["panels"])


def _chart(truth, shift=0.0, scale=1.0):
    panels = [SimpleNamespace(index=i, series=[SimpleNamespace(name=s["name"], x=np.array(s["x"], float),
                                                               y=np.array(s["y"], float) * scale + shift)
                                               for s in p["series"]])
              for i, p in enumerate(truth["panels"])]
    return SimpleNamespace(panels=panels)


def test_scoring_perfect_shifted_and_log():
    truth = {"engine": "matplotlib", "style": "default", "panels": _spec()["panels"]}
    pairs, res = benchmark.match_chart(truth, _chart(truth))
    assert pairs == [(0, 0)] and all(r["ok"] and r["err"] == 0 for r in res[0])
    span = 5.0 - 1.0  # panel y-span of the true data (both series)
    _, res = benchmark.match_chart(truth, _chart(truth, shift=0.02 * span))
    assert all(not r["ok"] and abs(r["err"] - 0.02) < 1e-9 for r in res[0])
    truth["panels"][0]["y_log"] = True
    _, res = benchmark.match_chart(truth, _chart(truth, scale=1.001))
    assert all(r["ok"] for r in res[0])
    _, res = benchmark.match_chart(truth, None)
    assert all(r["pred"] is None and not r["ok"] for r in res[0])
