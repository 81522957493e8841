"""The Python API (issue 6): ``chartextract.extract`` on a path, bytes or an array, typed
records, ``to_dict`` / ``to_csv`` / ``to_dataframe`` / ``describe``, and the README example."""
from __future__ import annotations

import csv
import json
import math
import os
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import chartextract
from chartextract import Chart, ChartError, Panel, Series

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "training_metrics.png"
TRUTH = json.loads((ROOT / "fixtures" / "training_metrics.truth.json").read_text())
HEADINGS = ("## Charts:", "### Overview", "### Components/Axes",
            "### Detailed Analysis or Content Details", "### Key Observations", "### Interpretation")


@pytest.fixture(scope="module")
def chart() -> Chart:
    return chartextract.extract(str(FIXTURE))


def _mean_error(series: Series, true: dict) -> float:
    """Mean |error| of the series against the truth, as a share of the true y span."""
    tx, ty = np.asarray(true["x"], float), np.asarray(true["y"], float)
    inside = (series.x >= tx.min()) & (series.x <= tx.max())
    est = np.interp(series.x[inside], tx, ty)
    return float(np.mean(np.abs(series.y[inside] - est)) / (ty.max() - ty.min()))


def test_extract_path_gives_typed_records_close_to_truth(chart):
    assert isinstance(chart, Chart) and chart.source == str(FIXTURE)
    assert (chart.width, chart.height) == Image.open(FIXTURE).size
    assert len(chart.panels) == len(TRUTH["panels"]) == 2
    for panel, true_panel in zip(chart.panels, TRUTH["panels"]):
        assert isinstance(panel, Panel) and panel.error is None
        assert len(panel.series) == 1
        s = panel.series[0]
        assert isinstance(s, Series) and isinstance(s.x, np.ndarray) and isinstance(s.y, np.ndarray)
        assert len(s.x) == len(s.y) > 10
        assert _mean_error(s, true_panel["series"][0]) < 0.01


def test_extract_accepts_pathlike_bytes_and_arrays(chart):
    im = Image.open(FIXTURE)
    sources = {
        "pathlike": FIXTURE,
        "bytes": FIXTURE.read_bytes(),
        "rgb": np.asarray(im.convert("RGB")),
        "rgba": np.asarray(im.convert("RGBA")),
        "grey": np.asarray(im.convert("L")),
    }
    for kind, src in sources.items():
        got = chartextract.extract(src)
        assert len(got.panels) == 2, kind
        for panel, ref in zip(got.panels, chart.panels):
            assert len(panel.series) == 1, kind
            s, r = panel.series[0], ref.series[0]
            assert len(s.x) == len(r.x), kind
            span = float(np.ptp(r.y))
            tol = 0.01 if kind == "grey" else 1e-9  # grey loses the colours, not the lines
            assert np.max(np.abs(s.y - r.y)) <= tol * span + 1e-12, kind
        if kind != "pathlike":
            assert got.source == "<memory>"


def test_extract_rejects_what_is_not_a_chart(tmp_path):
    with pytest.raises(ChartError):
        chartextract.extract(b"")
    with pytest.raises(ChartError):
        chartextract.extract(np.full((200, 300, 3), 255, np.uint8))
    with pytest.raises(ChartError):
        chartextract.extract(tmp_path / "missing.png")


def test_to_dict_is_the_json_contract(chart):
    d = chart.to_dict()
    json.dumps(d, allow_nan=False)  # plain JSON, no NaN
    assert d["schema"] == chartextract.SCHEMA == "chartextract/1"
    assert set(d) == {"schema", "source", "image", "panels"}
    assert d["image"] == {"width": chart.width, "height": chart.height}
    for p in d["panels"]:
        assert set(p) == {"index", "title", "bbox", "plot_box", "x_axis", "y_axis", "x_is_step",
                          "error", "quality", "series"}
        for name in ("x_axis", "y_axis"):
            assert {"label", "scale", "ticks", "fit"} <= set(p[name])
            assert set(p[name]["fit"]) == {"a", "b", "residual_px", "overridden", "data_offset_px"}
        assert {"x_residual_px", "y_residual_px", "x_ticks", "y_ticks", "ocr_conf", "warnings"} <= set(p["quality"])
        assert p["quality"]["x_ticks"] >= 3 and 0 <= p["quality"]["ocr_conf"] <= 100
        for s in p["series"]:
            assert set(s) == {"name", "color", "color_name", "quality", "points"}
            assert re.fullmatch(r"#[0-9a-f]{6}", s["color"])
            assert {"coverage", "ambiguous_columns", "points", "warnings"} <= set(s["quality"])
            assert 0.5 < s["quality"]["coverage"] <= 1 and s["quality"]["warnings"] == []
            assert s["quality"]["points"] == len(s["points"])
            assert all(len(pt) == 2 and all(math.isfinite(v) for v in pt) for pt in s["points"])


def test_to_csv_round_trip(chart, tmp_path):
    path = tmp_path / "sub" / "chart.csv"
    chart.to_csv(str(path))
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["panel", "panel_title", "series", "x", "y"]
    expected = chart.csv_rows()
    assert len(rows) - 1 == len(expected) == sum(len(s.x) for p in chart.panels for s in p.series)
    for got, (panel, title, name, x, y) in zip(rows[1:], expected):
        assert (int(got[0]), got[1], got[2]) == (panel, title, name)
        assert float(got[3]) == x and float(got[4]) == y
    first = chart.panels[0].series[0]
    xs = [float(r[3]) for r in rows[1:] if r[0] == "0"]
    np.testing.assert_allclose(xs, first.x, rtol=1e-5)


def test_to_dataframe(chart):
    pd = pytest.importorskip("pandas")
    df = chart.to_dataframe()
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["panel", "panel_title", "series", "x", "y"]
    assert len(df) == sum(len(s.x) for p in chart.panels for s in p.series)
    one = df[df.series == chart.panels[1].series[0].name]
    np.testing.assert_allclose(one.y.to_numpy(), chart.panels[1].series[0].y, rtol=1e-5)


def test_describe_has_the_six_headings(chart):
    text = chart.describe()
    assert isinstance(text, str)
    positions = [text.find(h) for h in HEADINGS]
    assert all(p >= 0 for p in positions), [h for h, p in zip(HEADINGS, positions) if p < 0]
    assert positions == sorted(positions)


def test_options_through_the_api():
    chart = chartextract.extract(FIXTURE, options=chartextract.Options(yrange=(0.0, 1.0)))
    for panel in chart.panels:
        assert panel.y_axis.overridden and panel.y_axis.ticks == []
        assert all(0.0 <= v <= 1.0 for s in panel.series for v in s.y)


def _readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Python API\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert section, "README.md has no '## Python API' section"
    block = re.search(r"```python\n(.*?)```", section.group(1), re.S)
    assert block, "the Python API section has no python code block"
    return block.group(1)


def test_readme_python_api_example_runs(tmp_path, monkeypatch, capsys):
    code = _readme_example()
    if "to_dataframe" in code:
        pytest.importorskip("pandas")
    (tmp_path / "fixtures").mkdir()
    for name in re.findall(r"fixtures/([\w.-]+)", code):
        (tmp_path / "fixtures" / name).write_bytes((ROOT / "fixtures" / name).read_bytes())
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})
    out = capsys.readouterr().out
    assert "Response Length" in out
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()
                     and "fixtures" not in p.parts)
    assert written, "the example should write its outputs"
    for p in written:
        assert os.path.getsize(tmp_path / p) > 0
