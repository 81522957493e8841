"""Write the bundled example and the small test fixtures, each with its truth JSON.

    .venv/bin/python scripts/make_fixtures.py            # writes into fixtures/
    .venv/bin/python scripts/make_fixtures.py --out DIR  # elsewhere
    .venv/bin/python scripts/make_fixtures.py --only training_metrics

Everything is seeded, so re-running gives the same data (the images may differ
by a few bytes between library versions). ``fixtures/<name>.truth.json`` holds
the exact numbers that were plotted; ``fixtures/training_metrics.csv`` is the
data the bundled example was drawn from.
"""
from __future__ import annotations

import argparse
import csv
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import render  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Anchor values read off the example description (fixtures are "shaped like" it).
RESPONSE_ANCHORS = {0: 490, 5: 512, 10: 530, 15: 549, 20: 570, 25: 583, 30: 600, 35: 621, 40: 640,
                    45: 656, 50: 670, 52: 681, 55: 665, 60: 650, 65: 663, 70: 680}
REWARD_ANCHORS = {0: 1.51, 5: 1.63, 10: 1.72, 15: 1.78, 20: 1.82, 25: 1.845, 30: 1.86, 35: 1.866,
                  40: 1.872, 45: 1.865, 50: 1.86, 55: 1.845, 60: 1.82, 65: 1.785, 70: 1.74}


def _through(anchors: dict[int, float], steps: np.ndarray, noise_sd: float, rng, decimals: int) -> np.ndarray:
    """Monotone-cubic curve through the anchors plus noise that is zero on multiples of 10."""
    from scipy.interpolate import PchipInterpolator
    ax = np.array(sorted(anchors))
    base = PchipInterpolator(ax, [anchors[k] for k in ax])(steps)
    noise = rng.normal(0, noise_sd, len(steps))
    noise = 0.6 * noise + 0.4 * np.roll(noise, 1)  # a little autocorrelation: plateaus and dips
    noise[steps % 10 == 0] = 0.0
    noise[np.isin(steps, ax[(ax % 10) != 0])] *= 0.3
    return np.round(base + noise, decimals)


def training_metrics_data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(20240602)
    steps = np.arange(0, 71)
    length = _through(RESPONSE_ANCHORS, steps, 5.0, rng, 1)
    reward = _through(REWARD_ANCHORS, steps, 0.006, rng, 4)
    return steps, length, reward


def training_metrics_spec() -> dict:
    steps, length, reward = training_metrics_data()
    common = {"x_label": "Step", "x_is_step": True, "y_log": False, "legend": False,
              "x_tick_step": 10, "grid_on": True}
    return {"engine": "matplotlib", "style": "default", "dpi": 100, "width_px": 1200, "height_px": 450,
            "grid": [1, 2],
            "panels": [
                {**common, "title": "Response Length vs Step", "y_label": "Response Length",
                 "series": [{"name": "Response Length", "color": "#0000ff", "x": steps.tolist(),
                             "y": length.tolist(), "linewidth": 1.5}]},
                {**common, "title": "Train Reward vs Step", "y_label": "Train Reward",
                 "series": [{"name": "Train Reward", "color": "#ff0000", "x": steps.tolist(),
                             "y": reward.tolist(), "linewidth": 1.5}]}]}


def _panel(title, xl, yl, series, *, step=True, log=False, legend=True, **kw) -> dict:
    return {"title": title, "x_label": xl, "y_label": yl, "x_is_step": step, "y_log": log,
            "legend": legend, "series": series, **kw}


def _s(name, color, x, y, **kw) -> dict:
    return {"name": name, "color": color, "x": np.asarray(x).tolist(), "y": np.asarray(y).tolist(), **kw}


def fixture_specs() -> dict[str, dict]:
    """name -> spec for every small fixture (file extension from spec['format'])."""
    rng = np.random.default_rng(7)
    specs: dict[str, dict] = {"training_metrics": training_metrics_spec()}

    # 1. one panel, three series, legend, matplotlib default
    x = np.arange(0, 200)
    tr = render.gen_loss(rng, 200, scale=2.0, noise=0.04)
    va = tr * 1.15 * np.exp(rng.normal(0, 0.02, 200))
    te = tr * 1.3 + 0.05
    specs["mpl_3series_legend"] = {
        "engine": "matplotlib", "style": "default", "dpi": 100, "width_px": 640, "height_px": 480,
        "grid": [1, 1], "panels": [_panel("Loss", "Step", "Loss", [
            _s("train", render.TAB10[0], x, tr), _s("val", render.TAB10[1], x, va),
            _s("test", render.TAB10[2], x, te)])]}

    # 2. ggplot2 look (plotnine theme_gray), two series
    x = np.arange(0, 120) * 10
    a = np.clip(render.gen_rising(rng, 120, noise=0.015), 0, 1)
    b = np.clip(a * 0.93 + rng.normal(0, 0.01, 120), 0, 1)
    specs["plotnine_gray"] = {
        "engine": "plotnine", "style": "theme_gray", "dpi": 100, "width_px": 640, "height_px": 420,
        "grid": [1, 1], "panels": [_panel("Accuracy vs Step", "Step", "Accuracy", [
            _s("train", render.GGPLOT2_HUE[2][0], x, a), _s("val", render.GGPLOT2_HUE[2][1], x, b)])]}

    # 3. Vega-Lite, two series
    x = np.arange(0, 80)
    r1 = render.gen_reward(rng, 80, scale=10.0, base=5.0)
    r2 = render.gen_reward(rng, 80, scale=8.0, base=5.0)
    specs["vegalite"] = {
        "engine": "vegalite", "style": "default", "dpi": 96, "width_px": 620, "height_px": 400,
        "grid": [1, 1], "panels": [_panel("Episode Return", "Episode", "Return", [
            _s("PPO", render.VEGA_CAT10[0], x, r1), _s("baseline", render.VEGA_CAT10[1], x, r2)])]}

    # 4. gnuplot, two series
    x = np.arange(0, 150)
    g1 = render.gen_loss(rng, 150, scale=4.0, noise=0.05)
    g2 = render.gen_loss(rng, 150, scale=3.0, noise=0.03)
    specs["gnuplot"] = {
        "engine": "gnuplot", "style": "default", "dpi": 100, "width_px": 640, "height_px": 480,
        "grid": [1, 1], "panels": [_panel("Training Loss", "Iteration", "Loss", [
            _s("train_loss", render.GNUPLOT_PAL[0], x, g1), _s("val_loss", render.GNUPLOT_PAL[1], x, g2)])]}

    # 5. Ultralytics-style 2x5 results grid
    specs["ultralytics_grid"] = render.ultralytics_spec(rng, n=100, dpi=100)

    # 6. Keras-style history
    specs["keras_history"] = render.keras_spec(rng, epochs=75, dpi=100)

    # 7. log-y loss over ~3 decades
    n = 400
    x = np.arange(0, n)
    t = np.linspace(0, 1, n)
    lt = (3.0 * np.exp(-t / 0.12) + 0.004) * np.exp(rng.normal(0, 0.08, n))
    lv = (3.2 * np.exp(-t / 0.13) + 0.008) * np.exp(rng.normal(0, 0.02, n))
    specs["log_loss"] = {
        "engine": "matplotlib", "style": "default", "dpi": 100, "width_px": 640, "height_px": 480,
        "grid": [1, 1], "panels": [_panel("Training loss (log scale)", "Step", "Loss", [
            _s("train", render.TAB10[0], x, lt), _s("val", render.TAB10[3], x, lv)], log=True)]}

    # 8. tiny values with a "1e-4" offset label at the top of the y axis
    x = np.arange(0, 300)
    t = np.linspace(0, 1, 300)
    warm = 0.1
    lr = np.where(t < warm, 1e-4 + 4e-4 * t / warm,
                  1e-4 + 4e-4 * 0.5 * (1 + np.cos(np.pi * (t - warm) / (1 - warm))))
    specs["offset_1e-4"] = {
        "engine": "matplotlib", "style": "default", "dpi": 100, "width_px": 640, "height_px": 480,
        "grid": [1, 1], "panels": [_panel("Learning Rate Schedule", "Step", "Learning rate", [
            _s("lr", render.TAB10[0], x, lr)], legend=False, y_sci=True)]}

    # 9. JPEG screenshot of a simple chart
    x = np.arange(0, 100)
    y = render.gen_rising(rng, 100, scale=100.0, noise=0.02)
    specs["jpeg_screenshot"] = {
        "engine": "matplotlib", "style": "default", "dpi": 96, "width_px": 614, "height_px": 460,
        "format": "jpg", "jpeg_quality": 70,
        "grid": [1, 1], "panels": [_panel("Validation accuracy", "Epoch", "Accuracy (%)", [
            _s("accuracy", render.TAB10[0], x, y)], legend=False)]}

    # 10. log axis with only two labelled decades, set as 10^k with raised exponents, dark theme
    x = np.arange(0, 101)
    t = np.linspace(0, 1, 101)
    dt = (80.0 * np.exp(-t / 0.15) + 30.0) * np.exp(rng.normal(0, 0.04, 101))
    dv = 110.0 * np.exp(-t / 0.4) * np.exp(rng.normal(0, 0.04, 101))
    specs["log_two_decades_dark"] = {
        "engine": "matplotlib", "style": "dark_background", "dpi": 100, "width_px": 640, "height_px": 420,
        "grid": [1, 1], "panels": [_panel("Loss curves", "Epoch", "Loss", [
            _s("train_loss", "#8dd3c7", x, dt), _s("val_loss", "#feffb3", x, dv)], log=True)]}

    # 11. gridlines only (plotnine theme_minimal): tick labels set right under the plot area
    x = np.arange(0, 90)
    specs["plotnine_minimal"] = {
        "engine": "plotnine", "style": "theme_minimal", "dpi": 100, "width_px": 640, "height_px": 400,
        "grid": [1, 1], "panels": [_panel("Reward", "Iteration", "Reward", [
            _s(name, color, x, render.gen_reward(rng, 90, scale=0.15, base=0.03))
            for name, color in zip(["PPO", "GRPO", "DPO"], render.GGPLOT2_HUE[3])])]}

    # 12. dashed line whose legend stroke (dashed too) stands above the line's own gaps
    x = np.arange(0, 801, 5)
    t = x / 800
    def schedule(warm: float) -> np.ndarray:
        return np.where(t < warm, 2e-3 * t / warm, 2e-3 * 0.5 * (1 + np.cos(np.pi * (t - warm) / (1 - warm))))
    specs["dashed_schedule"] = {
        "engine": "matplotlib", "style": "seaborn-ticks", "dpi": 89, "width_px": 439, "height_px": 351,
        "grid": [1, 1], "panels": [_panel("Learning Rate Schedule", "Step", "LR", [
            _s("lr group 0", "#0000ff", x, schedule(0.11) + 4e-5, linestyle="--"),
            _s("lr group 1", "#ff0000", x, schedule(0.19) + 4e-5)])]}

    # 13. a thick line (fivethirtyeight draws 4 pt) through dense, noisy data: the stroke is
    # wider than the points are apart, and a thin zig-zag would fill its band as well
    rng13 = np.random.default_rng(13)
    x = np.linspace(0, 1, 345)
    specs["thick_dense"] = {
        "engine": "matplotlib", "style": "fivethirtyeight", "dpi": 118, "width_px": 751, "height_px": 500,
        "grid": [1, 1], "panels": [_panel("Train Reward vs Step", "Time (h)", "Reward", [
            _s("reward", "#0000ff", x, render.gen_reward(rng13, 345, scale=1.5, base=0.1, noise=0.03))],
            step=False, legend=False)]}

    # 14. a log axis showing less than a decade: matplotlib labels its minor ticks "2 × 10³"
    rng14 = np.random.default_rng(14)
    x = np.arange(1, 1811, 10)
    t = np.linspace(0, 1, len(x))
    specs["log_minor_labels"] = {
        "engine": "matplotlib", "style": "bmh", "dpi": 100, "width_px": 640, "height_px": 420,
        "grid": [1, 1], "panels": [_panel("Training Loss", "Global step", "MSE", [
            _s(name, color, x, (1900.0 * np.exp(-t / tau) + 800.0) * np.exp(rng14.normal(0, 0.03, len(x))))
            for name, color, tau in (("train_loss", "#348ABD", 0.35), ("val_loss", "#A60628", 0.5))], log=True)]}
    return specs


def write_training_metrics_csv(path: str) -> None:
    steps, length, reward = training_metrics_data()
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["step", "response_length", "train_reward"])
        for s, a, b in zip(steps.tolist(), length.tolist(), reward.tolist()):
            w.writerow([s, f"{a:.1f}", f"{b:.4f}"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    ap.add_argument("--only", default="", help="comma-separated fixture names")
    a = ap.parse_args(argv)
    only = {s for s in a.only.split(",") if s}
    os.makedirs(a.out, exist_ok=True)
    for name, spec in fixture_specs().items():
        if only and name not in only:
            continue
        path = os.path.join(a.out, f"{name}.{spec.get('format', 'png')}")
        try:
            truth = render.render(spec, path)
        except render.EngineUnavailable as exc:
            print(f"skip {name}: {exc}", file=sys.stderr)
            continue
        render.save_truth(truth, os.path.join(a.out, f"{name}.truth.json"))
        print(f"{path}  {os.path.getsize(path) // 1024} KB")
        if name == "training_metrics":
            write_training_metrics_csv(os.path.join(a.out, "training_metrics.csv"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
