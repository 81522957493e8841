"""Tests for the description writer (issue 4): facts computed from the data, text rendered from facts."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from chartextract.describe import HEADINGS, describe, parse_value_bullets, series_facts
from chartextract.model import Axis, Chart, Panel, Series, Tick

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "training_metrics.png"
STEPS = np.arange(0, 71, dtype=float)


def axis(label: str, values, scale: str = "linear", fmt: str = "{:g}") -> Axis:
    return Axis(label=label, scale=scale, a=1.0, b=0.0,
                ticks=[Tick(pixel=10.0 * i, value=float(v), text=fmt.format(v)) for i, v in enumerate(values)])


def panel(index: int, title: str, series: list[Series], x_label: str = "Step", y_label: str = "",
          y_ticks=(0, 0.5, 1), x_ticks=tuple(range(0, 71, 10)), y_scale: str = "linear",
          bbox=(0, 0, 500, 400), error: str | None = None, step: bool = True) -> Panel:
    return Panel(index=index, bbox=bbox, plot_box=bbox, title=title, x_axis=axis(x_label, x_ticks),
                 y_axis=axis(y_label, y_ticks, y_scale), series=series, x_is_step=step, error=error)


def line(name: str, y, x=STEPS, color: str = "blue", warnings=None) -> Series:
    return Series(name=name, color="#000000", color_name=color, x=np.asarray(x, float), y=np.asarray(y, float),
                  quality={"warnings": warnings} if warnings else {})


def chart(*panels: Panel) -> Chart:
    return Chart(source="synthetic.png", width=1000, height=400, panels=list(panels))


def rising(noise: float = 0.0, seed: int = 0) -> np.ndarray:
    return 490 + 190 * STEPS / 70 + np.random.default_rng(seed).normal(0, noise, STEPS.size)


def peak_at_40() -> np.ndarray:
    return 1.87 - np.where(STEPS < 40, 0.36 * ((STEPS - 40) / 40) ** 2, 0.13 * ((STEPS - 40) / 30) ** 2)


def two_panels() -> Chart:
    return chart(
        panel(0, "Response Length vs Step", [line("Response Length", rising(6))], y_label="Response Length",
              y_ticks=range(500, 701, 50)),
        panel(1, "Train Reward vs Step", [line("Train Reward", peak_at_40(), color="red")], y_label="Train Reward",
              y_ticks=np.arange(1.5, 1.91, 0.05), bbox=(500, 0, 1000, 400)))


def section(text: str, heading: str) -> str:
    return text.split(f"### {heading}\n", 1)[1].split("\n### ", 1)[0]


def chart_block(text: str, heading: str, number: int) -> str:
    body = section(text, heading)
    return re.split(r"^\*\*Chart \d+:.*$", body, flags=re.M)[number]


def check_bullets(text: str, c: Chart, rel_tol: float = 0.01, log: bool = False) -> int:
    """Every value bullet names a series of its panel and matches the data at its x."""
    bullets = parse_value_bullets(text)
    for pi, name, x, value in bullets:
        s = next(s for s in c.panels[pi].series if name in (s.name, c.panels[pi].y_axis.label) or
                 name.startswith(c.panels[pi].y_axis.label + " ("))
        want = np.interp(x, s.x, s.y)
        if log:
            assert abs(np.log10(value) - np.log10(want)) <= 0.01, (pi, name, x, value, want)
        else:
            span = np.ptp(np.concatenate([t.y for t in c.panels[pi].series])) or 1.0
            assert abs(value - want) <= rel_tol * span, (pi, name, x, value, want)
    return len(bullets)


# ---------------------------------------------------------------- shape of the text

def test_headings_in_order_and_title():
    text = describe(two_panels())
    lines = text.splitlines()
    assert lines[0] == "## Charts: Response Length and Train Reward vs Step"
    pos = [lines.index(f"### {h}") for h in HEADINGS]
    assert pos == sorted(pos)
    assert "two line charts over 70 steps" in text
    assert "share the same x-axis scale" in text


def test_components_name_axes_and_colours():
    comp = section(describe(two_panels()), "Components/Axes")
    assert "**Chart 1: Response Length vs Step**" in comp and "**Chart 2: Train Reward vs Step**" in comp
    assert "* **X-axis:** Step (Scale: 0 to 70, increments of approximately 10)" in comp
    assert "Train Reward (Scale: 1.50 to 1.90, increments of approximately 0.05)" in comp
    assert "A single blue line representing Response Length." in comp
    assert "A single red line representing Train Reward." in comp


def test_bullets_parse_back_to_the_data():
    c = two_panels()
    text = describe(c)
    assert check_bullets(text, c) == 16
    xs = sorted({x for _, _, x, _ in parse_value_bullets(text)})
    assert xs == [0, 10, 20, 30, 40, 50, 60, 70]
    assert "* Step 10: Response Length ≈ " in text


def test_value_precision_follows_ticks():
    bullets = parse_value_bullets(describe(two_panels()))
    text = describe(two_panels())
    length = re.findall(r"^\* Step \d+: Response Length ≈ (\S+?)(?:,|$)", text, flags=re.M)
    reward = re.findall(r"^\* Step \d+: Train Reward ≈ (\S+?)(?:,|$)", text, flags=re.M)
    assert length and all("." not in v for v in length)  # ticks every 50: whole numbers
    assert reward and all(len(v.split(".")[1]) == 3 for v in reward)  # every 0.05: one place finer
    assert len(bullets) == len(length) + len(reward)


# ---------------------------------------------------------------- claims

def test_rising_line_is_not_called_declining():
    text = describe(chart(panel(0, "Up", [line("metric", rising(4))], y_ticks=range(500, 701, 50))))
    claims = section(text, "Detailed Analysis or Content Details") + section(text, "Key Observations")
    assert "upward trend" in claims and "increases" in claims
    assert not re.search(r"declin|decreas|falls|downward", claims)


def test_peak_then_decline_is_named_near_40():
    text = describe(two_panels())
    m = re.search(r"Train Reward reaches a peak around Step (\d+) and then declines", text)
    assert m and abs(int(m.group(1)) - 40) <= 4
    assert re.search(r"Train Reward initially rises, peaks around Step \d+ .* decreases", text)
    assert "After Step" in text and "Train Reward falls while Response Length keeps rising" in text


def test_peak_facts_from_the_data():
    f = series_facts(line("r", peak_at_40()), "r", span=0.4)
    assert f.peak is not None and abs(f.peak[0] - 40) <= 3 and f.peak[1] == pytest.approx(1.87, abs=0.005)
    assert [d for d, _ in f.moves] == [1, -1]
    assert f.trough is None and f.volatility < 0.005


def test_plateau_and_levelling_off():
    y = 1 - np.exp(-STEPS / 8)
    text = describe(chart(panel(0, "Saturating", [line("acc", y)], y_label="acc")))
    m = re.search(r"levels off from around Step (\d+)", text)
    assert m and 15 <= int(m.group(1)) <= 35
    assert "plateau in acc after Step" in text


def test_flat_and_noisy_lines():
    rng = np.random.default_rng(3)
    flat = 0.5 + rng.normal(0, 0.01, STEPS.size)
    noisy = STEPS / 70 + rng.normal(0, 0.08, STEPS.size)
    text = describe(chart(panel(0, "Flat", [line("f", flat)]), panel(1, "Noisy", [line("n", noisy)],
                                                                     bbox=(500, 0, 1000, 400))))
    flat_part = chart_block(text, "Detailed Analysis or Content Details", 1)
    noisy_part = chart_block(text, "Detailed Analysis or Content Details", 2)
    assert "roughly flat" in flat_part and "noisy" not in flat_part
    assert "noisy" in noisy_part or "fluctuates" in noisy_part
    assert "upward trend" in noisy_part
    assert "fluctuations in n" in section(text, "Key Observations")


def test_three_series_are_compared():
    x = np.linspace(0, 100, 101)
    lines = [line("train", 1 - 0.8 * (1 - np.exp(-x / 20)), x),
             line("val", 1 - 0.5 * (1 - np.exp(-x / 20)), x, color="orange"),
             line("test", 0.2 + 0.6 * x / 100, x, color="green")]
    c = chart(panel(0, "Loss", lines, x_label="Epoch", y_label="loss", x_ticks=range(0, 101, 20),
                    y_ticks=(0.2, 0.4, 0.6, 0.8, 1.0), step=False))
    text = describe(c)
    comp = section(text, "Components/Axes")
    assert "three lines" in comp and 'An orange line labelled "val"' in comp
    assert check_bullets(text, c) == 3 * 6
    assert "At Epoch 100, test (about 0.80) is highest, followed by val (about 0.50) and train (about 0.21)" in text
    assert "with Epoch running from 0 to 100" in text


def test_four_panels_with_relations_and_a_failed_one():
    up, down = STEPS / 70, 1 - STEPS / 70
    c = chart(panel(0, "A", [line("a", up)], bbox=(0, 0, 500, 400)),
              panel(1, "B", [line("b", down)], bbox=(500, 0, 1000, 400)),
              panel(2, "C", [line("c", up ** 2)], bbox=(0, 400, 500, 800)),
              panel(3, "D", [], bbox=(500, 400, 1000, 800), error="no tick labels read"))
    text = describe(c)
    assert text.startswith("## Charts: A, B, C and D\n")
    assert "four line charts" in text and "Chart 2 (top right)" in text
    assert "Chart 4 (bottom right) could not be read (no tick labels read)" in text
    assert "* **Extraction failed:** no tick labels read." in section(text, "Components/Axes")
    assert "Extraction failed for this chart" in chart_block(text, "Detailed Analysis or Content Details", 4)
    assert {pi for pi, *_ in parse_value_bullets(text)} == {0, 1, 2}
    obs = section(text, "Key Observations")
    assert "a rises while b falls over the shared range" in obs
    assert "one falls overall (b in Chart 2)" in obs
    assert "Chart 4 could not be read" in section(text, "Interpretation")


def test_log_axis_described_in_log_space():
    x = np.arange(1, 1001, 5.0)
    y = 2 * x ** -0.9
    c = chart(panel(0, "Loss (log)", [line("loss", y, x, color="black")], x_label="Iteration", y_label="loss",
                    y_ticks=(0.001, 0.01, 0.1, 1), y_scale="log", x_ticks=range(0, 1001, 250), step=False))
    text = describe(c)
    assert "logarithmic" in section(text, "Components/Axes")
    assert "downward trend on the logarithmic y-axis" in text
    assert "fluctuat" not in text and "noisy" not in text
    assert check_bullets(text, c, log=True) >= 5


def test_a_different_chart_gives_a_different_true_text():
    a, b = two_panels(), chart(panel(0, "Loss vs Epoch", [line("Loss", 2 - STEPS / 50, color="green")],
                                     x_label="Epoch", y_label="Loss", y_ticks=(0.5, 1, 1.5, 2)))
    ta, tb = describe(a), describe(b)
    assert ta != tb
    assert tb.startswith("## Charts: Loss vs Epoch\n") and "a single line chart over 70 epochs" in tb
    assert "downward trend" in tb and "Response Length" not in tb
    check_bullets(tb, b)


def test_missing_names_fall_back_to_labels():
    c = chart(panel(0, "", [line("", STEPS / 70)], x_label="", y_label="accuracy"))
    text = describe(c)
    assert text.startswith("## Charts: accuracy vs x\n")
    assert re.search(r"^\* x 10: accuracy ≈ 0\.14", text, flags=re.M)
    two = describe(chart(panel(0, "T", [line("", STEPS / 70), line("", 1 - STEPS / 70, color="red")],
                               y_label="acc")))
    assert {n for _, n, _, _ in parse_value_bullets(two)} == {"acc (blue)", "acc (red)"}


def test_short_and_empty_series():
    one = describe(chart(panel(0, "One", [line("s", [0.5], [3.0])])))
    assert "single point" in one and parse_value_bullets(one) == [(0, "s", 3.0, 0.5)]
    two = describe(chart(panel(0, "Two", [line("s", [0.2, 0.7], [10.0, 60.0])])))
    assert "upward trend" in two and check_bullets(two, chart(panel(0, "Two", [line("s", [0.2, 0.7], [10.0, 60.0])])))
    empty = describe(chart(panel(0, "Empty", [])))
    assert "No data line was found" in empty and parse_value_bullets(empty) == []


def test_gaps_are_skipped():
    x = np.concatenate([STEPS[:25], STEPS[50:]])
    text = describe(chart(panel(0, "Gap", [line("g", x / 70, x)])))
    assert 30.0 not in {x for _, _, x, _ in parse_value_bullets(text)}


def test_flagged_series_get_a_caution():
    text = describe(chart(panel(0, "W", [line("w", STEPS / 70, warnings=["crosses another line"])])))
    assert "Caution" in section(text, "Detailed Analysis or Content Details")
    assert "crosses another line" in text and "flagged" in section(text, "Interpretation")


def test_parse_value_bullets_reads_only_the_detailed_section():
    text = ("### Overview\n* Step 1: a ≈ 2\n### Detailed Analysis or Content Details\n**Chart 2: t**\n"
            "* Time (s) 2.5: val: loss ≈ -1.5e-3, with a peak around 3\n* not a bullet\n**Chart 3: u**\n"
            "* x 10: y ≈ 7\n### Key Observations\n* Step 1: a ≈ 2\n")
    assert parse_value_bullets(text) == [(1, "val: loss", 2.5, -0.0015), (2, "y", 10.0, 7.0)]


# ---------------------------------------------------------------- the bundled example, end to end

@pytest.mark.skipif(not FIXTURE.exists(), reason="fixtures/training_metrics.png not created yet")
def test_bundled_example_via_cli():
    out = subprocess.run([sys.executable, "-m", "chartextract", "describe", str(FIXTURE)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "Response Length" in text and "Train Reward" in text
    assert "blue line" in text and "red line" in text
    assert re.search(r"Response Length (consistently )?increases", text)
    m = re.search(r"Train Reward reaches a peak around Step (\d+) and then declines", text)
    assert m and abs(int(m.group(1)) - 40) <= 8
    truth = json.loads(FIXTURE.with_suffix(".truth.json").read_text())
    bullets = parse_value_bullets(text)
    assert {pi for pi, *_ in bullets} == {0, 1}
    for pi, name, x, value in bullets:
        ts = truth["panels"][pi]["series"][0]
        assert name == ts["name"]
        span = max(ts["y"]) - min(ts["y"])
        assert abs(value - np.interp(x, ts["x"], ts["y"])) <= 0.03 * span, (name, x, value)
