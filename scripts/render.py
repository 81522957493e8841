"""Chart renderers with known data: the test images for chartextract.

A *spec* is a plain dict describing one image::

    {"engine": "matplotlib" | "plotnine" | "vegalite" | "gnuplot",
     "style": "default",                     # engine-specific, see STYLES
     "kind": "ultralytics" | "keras",        # optional special layout (matplotlib only)
     "width_px": 640, "height_px": 480, "dpi": 100,
     "format": "png" | "jpg", "jpeg_quality": 70,   # optional
     "grid": [rows, cols],
     "panels": [{"title": "", "x_label": "Step", "y_label": "Loss",
                 "x_is_step": True, "y_log": False, "y_sci": False, "legend": True,
                 "series": [{"name": "train_loss", "color": "#1f77b4",
                             "x": [...], "y": [...],
                             # optional: "linestyle": "-"|"--"|":", "marker": "." ,
                             # "linewidth": 1.5, "alpha": 1.0, "band": [...std...]
                             }]}]}

Panels are listed in reading order (rows top to bottom, then left to right).
``render(spec, path)`` writes the image (PNG, or JPEG when the path ends in
.jpg/.jpeg) and returns the *truth*: the spec's panels with their exact data,
plus ``engine``, ``style``, the real image size and, where the engine tells us,
each panel's plot box in image pixels (x0, y0, x1, y1; y from the top).

``suite(n, seed)`` returns ``n`` reproducible random specs spread over the
engines and styles; ``python scripts/render.py --n 12 --out /tmp/charts`` writes
them with their truth JSON next to each image.
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from typing import Any, Callable

import numpy as np

ENGINES = ("matplotlib", "plotnine", "vegalite", "gnuplot")

MPL_STYLES = ("default", "ggplot", "seaborn-v0_8-whitegrid", "seaborn-v0_8-darkgrid",
              "fivethirtyeight", "bmh", "classic", "dark_background", "seaborn-ticks")
PLOTNINE_STYLES = ("theme_gray", "theme_bw", "theme_minimal")
VEGA_STYLES = ("default",)
GNUPLOT_STYLES = ("default", "grid")
STYLES = {"matplotlib": MPL_STYLES, "plotnine": PLOTNINE_STYLES,
          "vegalite": VEGA_STYLES, "gnuplot": GNUPLOT_STYLES}
KINDS = ("ultralytics", "keras")

# Usual palettes of the engines (first colours first: that is what people get).
TAB10 = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]
GGPLOT2_HUE = {1: ["#F8766D"], 2: ["#F8766D", "#00BFC4"], 3: ["#F8766D", "#00BA38", "#619CFF"],
               4: ["#F8766D", "#7CAE00", "#00BFC4", "#C77CFF"]}
VEGA_CAT10 = ["#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b"]
GNUPLOT_PAL = ["#9400d3", "#009e73", "#56b4e9", "#e69f00", "#f0e442", "#0072b2"]
PLAIN = {"blue": "#0000ff", "red": "#ff0000", "black": "#000000", "grey": "#808080",
         "darkgrey": "#404040", "white": "#ffffff", "lightgrey": "#c0c0c0"}

ULTRA_TITLES = ["train/box_loss", "train/cls_loss", "train/dfl_loss", "metrics/precision(B)",
                "metrics/recall(B)", "val/box_loss", "val/cls_loss", "val/dfl_loss",
                "metrics/mAP50(B)", "metrics/mAP50-95(B)"]


# --------------------------------------------------------------------------- helpers

def _round6(a) -> list[float]:
    """Round to 6 significant digits: the truth holds exactly what was plotted."""
    out = []
    for v in np.asarray(a, dtype=float).tolist():
        out.append(float(f"{v:.6g}") if math.isfinite(v) and v != 0 else float(v))
    return out


def _series_style(s: dict) -> dict:
    return {"linestyle": s.get("linestyle", "-"), "marker": s.get("marker"),
            "linewidth": s.get("linewidth"), "alpha": s.get("alpha", 1.0),
            "markersize": s.get("markersize")}


def _size(spec: dict) -> tuple[int, int, int]:
    dpi = int(spec.get("dpi", 100))
    w = int(spec.get("width_px", 640))
    h = int(spec.get("height_px", 480))
    return w, h, dpi


def _grid(spec: dict) -> tuple[int, int]:
    g = spec.get("grid")
    if g:
        return int(g[0]), int(g[1])
    return 1, len(spec["panels"])


def image_size(path: str) -> tuple[int, int]:
    from PIL import Image
    with Image.open(path) as im:
        return im.size


class EngineUnavailable(RuntimeError):
    """The engine cannot run on this machine (e.g. gnuplot not installed)."""


# --------------------------------------------------------------------------- matplotlib

def _mpl_palette(style: str) -> list[str]:
    import matplotlib.style as mstyle
    name = {"seaborn-ticks": "seaborn-v0_8-ticks"}.get(style, style)
    if name == "default":
        return list(TAB10)
    if name == "classic":
        return ["#0000ff", "#008000", "#ff0000", "#00bfbf", "#bf00bf", "#bfbf00"]
    cyc = mstyle.library.get(name, {}).get("axes.prop_cycle")
    if cyc is None:
        return list(TAB10)
    cols = []
    for c in cyc.by_key().get("color", []):
        c = str(c)
        cols.append(c if c.startswith("#") else "#" + c)
    return cols or list(TAB10)


def render_matplotlib(spec: dict, path: str) -> list[dict]:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    w, h, dpi = _size(spec)
    style = spec.get("style", "default")
    kind = spec.get("kind")
    rows, cols = _grid(spec)
    mstyle = {"seaborn-ticks": "seaborn-v0_8-ticks"}.get(style, style)
    extra: list[dict] = []
    with plt.style.context(mstyle):
        fig, axs = plt.subplots(rows, cols, figsize=(w / dpi, h / dpi), dpi=dpi, squeeze=False,
                                tight_layout=(kind != "ultralytics"))
        axes = [axs[r][c] for r in range(rows) for c in range(cols)]
        for ax, panel in zip(axes, spec["panels"]):
            for s in panel["series"]:
                st = _series_style(s)
                kw: dict[str, Any] = {"color": s["color"], "label": s["name"],
                                      "linestyle": st["linestyle"], "alpha": st["alpha"]}
                if st["marker"]:
                    kw["marker"] = st["marker"]
                    if st["markersize"]:
                        kw["markersize"] = st["markersize"]
                if st["linewidth"]:
                    kw["linewidth"] = st["linewidth"]
                x, y = np.asarray(s["x"], float), np.asarray(s["y"], float)
                if s.get("band") is not None:
                    b = np.asarray(s["band"], float)
                    ax.fill_between(x, y - b, y + b, color=s["color"], alpha=0.2, linewidth=0)
                ax.plot(x, y, **kw)
            if panel.get("y_log"):
                ax.set_yscale("log")
            elif panel.get("y_sci"):
                ax.ticklabel_format(axis="y", style="sci", scilimits=(0, 0))
            xs = [v for s in panel["series"] for v in s["x"]]
            if panel.get("x_is_step") and xs and max(xs) - min(xs) < 30:
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            if panel.get("x_tick_step"):
                from matplotlib.ticker import MultipleLocator
                ax.xaxis.set_major_locator(MultipleLocator(panel["x_tick_step"]))
            if panel.get("title"):
                ax.set_title(panel["title"], fontsize=panel.get("title_fontsize"))
            if panel.get("x_label"):
                ax.set_xlabel(panel["x_label"])
            if panel.get("y_label"):
                ax.set_ylabel(panel["y_label"])
            if panel.get("grid_on"):
                ax.grid(True, alpha=0.3)
            if panel.get("legend"):
                ax.legend(loc=panel.get("legend_loc", "best"))
            if style == "seaborn-ticks":
                _despine(ax)
        for ax in axes[len(spec["panels"]):]:
            ax.set_visible(False)
        if kind == "ultralytics":
            fig.tight_layout()
        fig.canvas.draw()
        H = fig.bbox.height
        for ax in axes[:len(spec["panels"])]:
            bb = ax.get_window_extent()
            extra.append({"plot_box": [round(float(v), 1) for v in (bb.x0, H - bb.y1, bb.x1, H - bb.y0)],
                          "x_range": [float(v) for v in ax.get_xlim()],
                          "y_range": [float(v) for v in ax.get_ylim()]})
        fig.savefig(path, dpi=dpi, format="png")
        plt.close(fig)
    return extra


def _despine(ax) -> None:
    """seaborn.despine(offset=10, trim=True) without seaborn."""
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.spines["left"].set_position(("outward", 10))
    ax.spines["bottom"].set_position(("outward", 10))
    for axis, spine, lim in ((ax.xaxis, "bottom", ax.get_xlim()), (ax.yaxis, "left", ax.get_ylim())):
        ticks = [t for t in axis.get_majorticklocs() if min(lim) <= t <= max(lim)]
        if len(ticks) >= 2:
            ax.spines[spine].set_bounds(ticks[0], ticks[-1])


# --------------------------------------------------------------------------- plotnine

def render_plotnine(spec: dict, path: str) -> list[dict]:
    import warnings

    import pandas as pd
    import plotnine as p9

    w, h, dpi = _size(spec)
    panels = spec["panels"]
    rows, cols = _grid(spec)
    frames = []
    keys = []
    for i, panel in enumerate(panels):
        key = panel.get("title") or f"panel {i + 1}"
        keys.append(key)
        for s in panel["series"]:
            frames.append(pd.DataFrame({"x": s["x"], "y": s["y"], "series": s["name"], "panel": key}))
    df = pd.concat(frames, ignore_index=True)
    names = list(dict.fromkeys(s["name"] for p in panels for s in p["series"]))
    colours = {}
    for p in panels:
        for s in p["series"]:
            colours.setdefault(s["name"], s["color"])
    df["series"] = pd.Categorical(df["series"], categories=names)
    df["panel"] = pd.Categorical(df["panel"], categories=keys)
    p0 = panels[0]
    g = (p9.ggplot(df, p9.aes("x", "y", color="series", group="series"))
         + p9.geom_line(size=float(p0["series"][0].get("linewidth") or 0.8))
         + p9.scale_color_manual(values=[colours[n] for n in names], breaks=names)
         + p9.labs(x=p0.get("x_label", ""), y=p0.get("y_label", ""), color=""))
    if len(panels) > 1:
        g += p9.facet_wrap("panel", nrow=rows, ncol=cols, scales="free")
    elif p0.get("title"):
        g += p9.ggtitle(p0["title"])
    if p0.get("y_log"):
        g += p9.scale_y_log10()
    theme = getattr(p9, spec.get("style", "theme_gray"))
    g += theme(base_size=int(spec.get("base_size", 10)))
    if not any(p.get("legend") for p in panels):
        g += p9.theme(legend_position="none")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g.save(path, width=w / dpi, height=h / dpi, dpi=dpi, units="in", verbose=False)
    return [{} for _ in panels]


# --------------------------------------------------------------------------- Vega-Lite

def vegalite_spec(spec: dict) -> dict:
    """The Vega-Lite JSON for a spec (also handy to look at)."""
    w, h, dpi = _size(spec)
    scale = dpi / 96.0
    rows, cols = _grid(spec)
    pw = max(120, int(w / scale / cols) - 110)
    ph = max(90, int(h / scale / rows) - 80)
    subs = []
    for panel in spec["panels"]:
        values = [{"x": float(x), "y": float(y), "series": s["name"]}
                  for s in panel["series"] for x, y in zip(s["x"], s["y"])]
        names = [s["name"] for s in panel["series"]]
        yscale: dict[str, Any] = {"zero": bool(panel.get("y_zero", False))}
        if panel.get("y_log"):
            yscale = {"type": "log"}
        color: dict[str, Any] = {"field": "series", "type": "nominal",
                                 "scale": {"domain": names, "range": [s["color"] for s in panel["series"]]},
                                 "sort": names}
        color["legend"] = {"title": None} if panel.get("legend") else None
        xaxis: dict[str, Any] = {"title": panel.get("x_label") or None}
        if panel.get("x_is_step"):
            xaxis["format"] = "d"
            xaxis["tickMinStep"] = 1
        sub = {"width": pw, "height": ph, "data": {"values": values},
               "mark": {"type": "line", "strokeWidth": float(panel["series"][0].get("linewidth") or 2)},
               "encoding": {"x": {"field": "x", "type": "quantitative", "axis": xaxis,
                                  "scale": {"zero": False, "nice": False}},
                            "y": {"field": "y", "type": "quantitative", "scale": yscale,
                                  "axis": {"title": panel.get("y_label") or None}},
                            "color": color}}
        if panel.get("title"):
            sub["title"] = panel["title"]
        subs.append(sub)
    top: dict[str, Any] = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json",
                           "background": "white"}
    if len(subs) == 1:
        top.update(subs[0])
    else:
        top.update({"concat": subs, "columns": cols,
                    "resolve": {"scale": {"color": "independent"}}})
    return top


def render_vegalite(spec: dict, path: str) -> list[dict]:
    import vl_convert as vlc
    _, _, dpi = _size(spec)
    png = vlc.vegalite_to_png(vegalite_spec(spec), scale=dpi / 96.0)
    with open(path, "wb") as f:
        f.write(png)
    return [{} for _ in spec["panels"]]


# --------------------------------------------------------------------------- gnuplot

def _gp_str(s: str) -> str:
    return "'" + str(s).replace("'", "''") + "'"


def gnuplot_script(spec: dict, path: str) -> str:
    w, h, dpi = _size(spec)
    rows, cols = _grid(spec)
    fs = max(8, round(10 * dpi / 100))
    lines = [f"set terminal pngcairo noenhanced size {w},{h} font 'sans,{fs}' background '#ffffff'",
             f"set output {_gp_str(path)}", "set encoding utf8"]
    if spec.get("style") == "grid":
        lines.append("set grid lc rgb '#d0d0d0' lw 1")
    for i, panel in enumerate(spec["panels"]):
        for j, s in enumerate(panel["series"]):
            lines.append(f"$d{i}_{j} << EOD")
            lines.extend(f"{x!r} {y!r}" for x, y in zip(s["x"], s["y"]))
            lines.append("EOD")
    if len(spec["panels"]) > 1:
        lines.append(f"set multiplot layout {rows},{cols} rowsfirst")
    for i, panel in enumerate(spec["panels"]):
        lines.append(f"set title {_gp_str(panel.get('title', ''))}")
        lines.append(f"set xlabel {_gp_str(panel.get('x_label', ''))}")
        lines.append(f"set ylabel {_gp_str(panel.get('y_label', ''))}")
        lines.append("set logscale y" if panel.get("y_log") else "unset logscale y")
        lines.append("set key top right" if panel.get("legend") else "unset key")
        lines.append("set autoscale xfixmin; set autoscale xfixmax")
        dash = {"-": "", "--": " dt 2", ":": " dt 3", "-.": " dt 4"}
        parts = []
        for j, s in enumerate(panel["series"]):
            lw = float(s.get("linewidth") or 1.5)
            parts.append(f"$d{i}_{j} using 1:2 with lines lw {lw} lc rgb '{s['color']}'"
                         f"{dash.get(s.get('linestyle', '-'), '')} title {_gp_str(s['name'])}")
        lines.append("plot " + ", \\\n     ".join(parts))
    if len(spec["panels"]) > 1:
        lines.append("unset multiplot")
    return "\n".join(lines) + "\n"


def render_gnuplot(spec: dict, path: str) -> list[dict]:
    r = subprocess.run(["gnuplot"], input=gnuplot_script(spec, path), text=True,
                       capture_output=True, timeout=60)
    if r.returncode != 0 or not os.path.exists(path):
        raise RuntimeError(f"gnuplot failed: {r.stderr.strip()[:500]}")
    return [{} for _ in spec["panels"]]


RENDERERS: dict[str, Callable[[dict, str], list[dict]]] = {
    "matplotlib": render_matplotlib, "plotnine": render_plotnine,
    "vegalite": render_vegalite, "gnuplot": render_gnuplot,
}


def engine_available(engine: str) -> bool:
    if engine == "gnuplot":
        return shutil.which("gnuplot") is not None
    mod = {"matplotlib": "matplotlib", "plotnine": "plotnine", "vegalite": "vl_convert"}[engine]
    try:
        __import__(mod)
        return True
    except ImportError:
        return False


# --------------------------------------------------------------------------- render / truth

def render(spec: dict, path_png: str) -> dict:
    """Write the chart described by ``spec`` to ``path_png`` and return its truth.

    The image is a PNG unless the path ends in .jpg/.jpeg, in which case the
    PNG is re-encoded as JPEG at ``spec.get("jpeg_quality", 70)``. Raises
    ``EngineUnavailable`` when the engine cannot run here.
    """
    engine = spec["engine"]
    if engine not in RENDERERS:
        raise ValueError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    if not engine_available(engine):
        raise EngineUnavailable(f"engine {engine} is not installed on this machine"
                                + (" (Debian: apt-get install gnuplot-nox)" if engine == "gnuplot" else ""))
    spec = copy.deepcopy(spec)
    for p in spec["panels"]:
        for s in p["series"]:
            s["x"], s["y"] = _round6(s["x"]), _round6(s["y"])
            if all(v == int(v) and abs(v) < 2**53 for v in s["x"]):
                s["x"] = [int(v) for v in s["x"]]
            if s.get("band") is not None:
                s["band"] = _round6(s["band"])
    jpeg = path_png.lower().endswith((".jpg", ".jpeg"))
    out_dir = os.path.dirname(os.path.abspath(path_png))
    os.makedirs(out_dir, exist_ok=True)
    if jpeg:
        fd, tmp = tempfile.mkstemp(suffix=".png", dir=out_dir)
        os.close(fd)
    else:
        tmp = path_png
    try:
        extras = RENDERERS[engine](spec, tmp)
        if jpeg:
            from PIL import Image
            with Image.open(tmp) as im:
                im.convert("RGB").save(path_png, "JPEG", quality=int(spec.get("jpeg_quality", 70)))
    finally:
        if jpeg and os.path.exists(tmp):
            os.remove(tmp)
    width, height = image_size(path_png)
    truth = {"engine": engine, "style": spec.get("style", "default"), "kind": spec.get("kind"),
             "image": {"width": width, "height": height, "format": "jpeg" if jpeg else "png",
                       "dpi": spec.get("dpi", 100)},
             "grid": list(_grid(spec)), "panels": []}
    for i, p in enumerate(spec["panels"]):
        tp = {"index": i, "title": p.get("title", ""), "x_label": p.get("x_label", ""),
              "y_label": p.get("y_label", ""), "x_is_step": bool(p.get("x_is_step")),
              "y_log": bool(p.get("y_log")), "legend": bool(p.get("legend")),
              "series": [{"name": s["name"], "color": s["color"], "x": s["x"], "y": s["y"],
                          **({"linestyle": s["linestyle"]} if s.get("linestyle") not in (None, "-") else {}),
                          **({"marker": s["marker"]} if s.get("marker") else {})}
                         for s in p["series"]]}
        if engine == "plotnine" and len(spec["panels"]) > 1:
            tp["title"] = p.get("title") or f"panel {i + 1}"
        if i < len(extras):
            tp.update(extras[i])
        truth["panels"].append(tp)
    return truth


def save_truth(truth: dict, path_json: str) -> None:
    """Write a truth dict as compact-but-readable JSON (one line per series array)."""
    text = json.dumps(truth, indent=1)
    # Keep number arrays on one line so the files stay small and diffable.
    import re
    text = re.sub(r"\[\s*([-0-9.eE+,\s]*?)\s*\]",
                  lambda m: "[" + ", ".join(v.strip() for v in m.group(1).split(",") if v.strip()) + "]", text)
    with open(path_json, "w") as f:
        f.write(text + "\n")


def load_truth(path_json: str) -> dict:
    with open(path_json) as f:
        return json.load(f)


# --------------------------------------------------------------------------- data generators

def gen_x(rng: np.random.Generator, n: int, is_step: bool) -> np.ndarray:
    if is_step:
        stride = int(rng.choice([1, 1, 1, 5, 10, 100]))
        start = int(rng.choice([0, 0, 1, stride]))
        return start + stride * np.arange(n)
    end = float(rng.choice([1.0, 5.0, 10.0, 24.0, 2.5, 100.0]))
    return np.linspace(0.0, end, n)


def _noise(rng, n, sd, smooth=0):
    e = rng.normal(0, sd, n)
    if smooth:
        k = np.ones(smooth) / smooth
        e = np.convolve(e, k, mode="same") * math.sqrt(smooth)
    return e


def gen_rising(rng, n, scale=1.0, base=0.0, noise=0.02):
    """Accuracy-like: saturating rise with noise."""
    t = np.linspace(0, 1, n)
    tau = rng.uniform(0.08, 0.4)
    lo, hi = rng.uniform(0.05, 0.5), rng.uniform(0.7, 0.98)
    y = lo + (hi - lo) * (1 - np.exp(-t / tau)) + _noise(rng, n, noise * (hi - lo), smooth=int(rng.integers(0, 3)))
    return base + scale * y


def gen_loss(rng, n, scale=1.0, base=0.0, noise=0.05):
    """Loss-like: decay to a floor, multiplicative noise (always > 0)."""
    t = np.linspace(0, 1, n)
    tau = rng.uniform(0.05, 0.35)
    floor = rng.uniform(0.05, 0.4)
    y = floor + (1 - floor) * np.exp(-t / tau)
    y = y * np.exp(_noise(rng, n, noise))
    return base + scale * y


def gen_reward(rng, n, scale=1.0, base=0.0, noise=0.02):
    """Peak-then-decline."""
    t = np.linspace(0, 1, n)
    peak = rng.uniform(0.35, 0.7)
    y = np.exp(-((t - peak) ** 2) / (2 * rng.uniform(0.08, 0.25) ** 2))
    y = 0.3 + 0.7 * y + rng.uniform(-0.2, 0.2) * t
    y += _noise(rng, n, noise, smooth=2)
    return base + scale * y


def gen_walk(rng, n, scale=1.0, base=0.0, noise=None):
    y = np.cumsum(rng.normal(rng.uniform(-0.02, 0.04), 1.0, n))
    y = (y - y.min()) / max(1e-9, y.max() - y.min())
    return base + scale * y


def gen_lr(rng, n, scale=1e-4, base=0.0, noise=None):
    """Warm-up then cosine decay learning rate (tiny values: offset text on y)."""
    t = np.linspace(0, 1, n)
    warm = rng.uniform(0.05, 0.2)
    y = np.where(t < warm, t / warm, 0.5 * (1 + np.cos(np.pi * (t - warm) / (1 - warm))))
    return base + scale * (0.1 + 4.9 * y)


GENERATORS = {"rising": gen_rising, "loss": gen_loss, "reward": gen_reward, "walk": gen_walk, "lr": gen_lr}

NAMES = {"rising": [["accuracy"], ["train_acc", "val_acc"], ["train", "val", "test"]],
         "loss": [["loss"], ["train_loss", "val_loss"], ["train", "val", "test"]],
         "reward": [["reward"], ["ours", "baseline"], ["PPO", "GRPO", "DPO"]],
         "walk": [["value"], ["run A", "run B"], ["seed 0", "seed 1", "seed 2"]],
         "lr": [["lr"], ["lr group 0", "lr group 1"], ["lr pg0", "lr pg1", "lr pg2"]]}
Y_LABELS = {"rising": ["Accuracy", "mAP", "Score", "F1"], "loss": ["Loss", "Train Loss", "MSE", "NLL"],
            "reward": ["Reward", "Train Reward", "Return", "Mean Reward"],
            "walk": ["Value", "Response Length", "Throughput", "Price"],
            "lr": ["Learning rate", "LR"]}
TITLES = {"rising": ["Accuracy vs Epoch", "Validation Accuracy", "mAP", ""],
          "loss": ["Training Loss", "Loss vs Step", "Loss curves", ""],
          "reward": ["Train Reward vs Step", "Episode Return", "Reward", ""],
          "walk": ["Response Length vs Step", "Throughput", "Metric", ""],
          "lr": ["Learning Rate Schedule", "LR", ""]}


def _palette(engine: str, style: str, k: int) -> list[str]:
    if engine == "matplotlib":
        return _mpl_palette(style)
    if engine == "plotnine":
        return list(GGPLOT2_HUE.get(k, GGPLOT2_HUE[4]))
    if engine == "vegalite":
        return list(VEGA_CAT10)
    return list(GNUPLOT_PAL)


def _pick_colors(rng, engine, style, k) -> list[str]:
    pal = _palette(engine, style, k)
    dark = style == "dark_background"
    u = rng.random()
    if u < 0.65:
        cols = pal[:k]
    elif u < 0.8:
        idx = rng.choice(len(pal), size=k, replace=False)
        cols = [pal[i] for i in idx]
    elif u < 0.9:  # plain blue / red as in quick scripts
        cols = [PLAIN["blue"], PLAIN["red"], PLAIN["black"] if not dark else PLAIN["white"]][:k]
    else:  # black / grey
        mono = [PLAIN["white"], PLAIN["lightgrey"]] if dark else [PLAIN["black"], PLAIN["grey"]]
        cols = (mono + [p for p in pal if p not in mono])[:k]
    return cols


def random_panel(rng, engine, style, *, n=None, k=None, kind=None, is_step=None, x=None,
                 y_log=None, legend=None) -> dict:
    kind = kind or str(rng.choice(["rising", "loss", "reward", "walk", "loss", "rising", "lr"],
                                  p=[0.2, 0.2, 0.2, 0.2, 0.06, 0.06, 0.08]))
    n = n or int(rng.integers(30, 501))
    k = k or int(rng.choice([1, 2, 3], p=[0.4, 0.4, 0.2]))
    is_step = bool(rng.random() < 0.75) if is_step is None else is_step
    if x is None:
        x = gen_x(rng, n, is_step)
    mag = 10.0 ** rng.integers(-1, 4) if kind != "lr" else 10.0 ** rng.integers(-5, -2)
    scale = float(mag * rng.uniform(1, 5))
    base = float(rng.choice([0.0, 0.0, scale * rng.uniform(0.5, 3.0)])) if kind in ("walk", "reward") else 0.0
    gen = GENERATORS[kind]
    series = []
    names = list(NAMES[kind][k - 1]) if k <= 3 else [f"s{i}" for i in range(k)]
    colors = _pick_colors(rng, engine, style, k)
    for j in range(k):
        sj = scale * (1.0 + 0.15 * j * rng.uniform(-1, 1)) if kind != "walk" else scale
        y = gen(rng, n, scale=sj, base=base)
        series.append({"name": names[j], "color": colors[j], "x": x.tolist(), "y": y.tolist()})
    if y_log is None:
        y_log = kind == "loss" and rng.random() < 0.35
    xl = ["Step", "Steps", "Iteration", "Global step"] if is_step else ["Epoch", "Time (h)", "Wall time (min)", "Tokens (B)"]
    if engine == "matplotlib" and rng.random() < 0.1 and not y_log and k <= 2:
        series[0]["linestyle"] = "--"  # dashed baseline
    if engine == "matplotlib" and rng.random() < 0.08 and not y_log:
        s0 = series[0]
        s0["band"] = (np.abs(np.asarray(s0["y"])) * 0.05 + 0.02 * scale).tolist()
    return {"title": str(rng.choice(TITLES[kind])), "x_label": str(rng.choice(xl)),
            "y_label": str(rng.choice(Y_LABELS[kind])), "x_is_step": is_step, "y_log": bool(y_log),
            "legend": (k > 1 and rng.random() < 0.85) if legend is None else legend,
            "series": series}


GRIDS = [(1, 1), (1, 1), (1, 1), (1, 2), (1, 2), (2, 1), (1, 3), (2, 2)]


def random_spec(rng: np.random.Generator, engine: str, style: str) -> dict:
    rows, cols = GRIDS[int(rng.integers(len(GRIDS)))]
    dpi = int(rng.integers(80, 151))
    pw, ph = rng.uniform(4.5, 6.5), rng.uniform(3.2, 4.5)  # inches per panel
    npan = rows * cols
    n = int(rng.integers(30, 501))
    is_step = bool(rng.random() < 0.75)
    x = gen_x(rng, n, is_step)
    k = int(rng.choice([1, 2, 3], p=[0.4, 0.4, 0.2])) if engine == "plotnine" else None
    panels = [random_panel(rng, engine, style, n=n, k=k, is_step=is_step,
                           x=x if rng.random() < 0.8 else None)
              for _ in range(npan)]
    if engine == "plotnine":  # facets share labels, series names/colours and the y scale type
        for p in panels[1:]:
            for s, s0 in zip(p["series"], panels[0]["series"]):
                s["name"], s["color"] = s0["name"], s0["color"]
            p["legend"] = panels[0]["legend"]
            p["x_label"], p["y_label"] = panels[0]["x_label"], panels[0]["y_label"]
        ylog = panels[0]["y_log"] and all(min(s["y"]) > 0 for p in panels for s in p["series"])
        for p in panels:
            p["y_log"] = ylog
        if npan > 1:
            for i, p in enumerate(panels):
                p["title"] = p["title"] or f"metric {i + 1}"
            titles = [p["title"] for p in panels]
            for i, p in enumerate(panels):
                if titles.count(p["title"]) > 1:
                    p["title"] = f"{p['title']} ({i + 1})"
    return {"engine": engine, "style": style, "dpi": dpi,
            "width_px": int(cols * pw * dpi), "height_px": int(rows * ph * dpi),
            "grid": [rows, cols], "panels": panels}


def ultralytics_spec(rng: np.random.Generator, n: int | None = None, dpi: int = 100) -> dict:
    """2x5 grid like ultralytics' results.png: dotted smooth copy, legend in panel 2 only."""
    from scipy.ndimage import gaussian_filter1d
    n = n or int(rng.integers(30, 301))
    x = np.arange(1, n + 1)
    panels = []
    for i, title in enumerate(ULTRA_TITLES):
        if "loss" in title:
            y = gen_loss(rng, n, scale=rng.uniform(0.8, 3.0), noise=0.03)
        else:
            y = gen_rising(rng, n, scale=rng.uniform(0.6, 1.0), noise=0.03)
            y = np.clip(y, 0, 1)
        y = np.asarray(_round6(y))
        panels.append({"title": title, "x_label": "", "y_label": "", "x_is_step": True, "y_log": False,
                       "legend": i == 1, "title_fontsize": 12,
                       "series": [{"name": "results", "color": "#1f77b4", "x": x.tolist(), "y": y.tolist(),
                                   "marker": ".", "markersize": 8, "linewidth": 2},
                                  {"name": "smooth", "color": "#ff7f0e", "x": x.tolist(),
                                   "y": gaussian_filter1d(y, sigma=3).tolist(), "linestyle": ":",
                                   "linewidth": 2}]})
    return {"engine": "matplotlib", "style": "default", "kind": "ultralytics", "dpi": dpi,
            "width_px": 12 * dpi, "height_px": 6 * dpi, "grid": [2, 5], "panels": panels}


def keras_spec(rng: np.random.Generator, epochs: int = 75, dpi: int = 100) -> dict:
    """One ggplot panel like the classic Keras/pyimagesearch history plot."""
    x = np.arange(0, epochs)
    tl = gen_loss(rng, epochs, scale=rng.uniform(1.0, 2.0), noise=0.02)
    vl = tl * rng.uniform(1.0, 1.2) * np.exp(_noise(rng, epochs, 0.04))
    ta = np.clip(gen_rising(rng, epochs, noise=0.01), 0, 1)
    va = np.clip(ta * rng.uniform(0.9, 1.0) + _noise(rng, epochs, 0.015), 0, 1)
    pal = _mpl_palette("ggplot")
    names = ["train_loss", "val_loss", "train_acc", "val_acc"]
    panel = {"title": f"Training Loss and Accuracy [Epoch {epochs}]", "x_label": "Epoch #",
             "y_label": "Loss/Accuracy", "x_is_step": True, "y_log": False, "legend": True,
             "series": [{"name": nm, "color": c, "x": x.tolist(), "y": y.tolist()}
                        for nm, c, y in zip(names, pal, (tl, vl, ta, va))]}
    return {"engine": "matplotlib", "style": "ggplot", "kind": "keras", "dpi": dpi,
            "width_px": int(6.4 * dpi), "height_px": int(4.8 * dpi), "grid": [1, 1], "panels": [panel]}


def variants(engines: list[str] | None = None) -> list[tuple[str, str, str | None]]:
    """(engine, style, kind) triples the suite cycles through."""
    out: list[tuple[str, str, str | None]] = []
    for e in ENGINES:
        if engines and e not in engines:
            continue
        out.extend((e, s, None) for s in STYLES[e])
        if e == "matplotlib":
            out.extend([("matplotlib", "default", "ultralytics"), ("matplotlib", "ggplot", "keras")])
    return out


def suite(n: int, seed: int = 0, engines: list[str] | None = None) -> list[dict]:
    """``n`` reproducible random specs spread evenly over engines, styles and special layouts.

    The plan does not depend on what this machine can render: chart ``i`` of a seed is the
    same chart everywhere (tests and notes name charts by seed and index), and ``render``
    raises ``EngineUnavailable`` for a chart whose engine is missing here.
    Each spec gets an ``id`` like ``007-matplotlib-ggplot``.
    """
    vs = variants([e for e in (engines or ENGINES) if e in RENDERERS])
    if not vs:
        return []
    rng = np.random.default_rng(seed)
    # engines get equal shares, then styles within the engine: cycle per engine
    by_engine: dict[str, list] = {}
    for v in vs:
        by_engine.setdefault(v[0], []).append(v)
    for lst in by_engine.values():
        rng.shuffle(lst)
    weights = {"matplotlib": 2.0}  # most charts in the wild are matplotlib
    order: list[str] = []
    credit = {e: 0.0 for e in by_engine}
    while len(order) < n:
        for e in by_engine:
            credit[e] += weights.get(e, 1.0)
        e = max(credit, key=lambda k: credit[k])
        credit[e] -= sum(weights.get(k, 1.0) for k in by_engine)
        order.append(e)
    count = {e: 0 for e in by_engine}
    specs = []
    for i, e in enumerate(order):
        engine, style, kind = by_engine[e][count[e] % len(by_engine[e])]
        count[e] += 1
        if kind == "ultralytics":
            spec = ultralytics_spec(rng, dpi=int(rng.integers(80, 121)))
        elif kind == "keras":
            spec = keras_spec(rng, epochs=int(rng.choice([50, 75, 100])), dpi=int(rng.integers(80, 151)))
        else:
            spec = random_spec(rng, engine, style)
        if rng.random() < 0.1:
            spec["format"], spec["jpeg_quality"] = "jpg", int(rng.integers(60, 86))
        spec["id"] = f"{i:03d}-{engine}-{kind or style}"
        specs.append(spec)
    return specs


def variant_of(spec_or_truth: dict) -> str:
    """A short label for tables: the special layout if any, else the style."""
    return spec_or_truth.get("kind") or spec_or_truth.get("style", "default")


# --------------------------------------------------------------------------- CLI

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Render a reproducible suite of charts with truth JSON.")
    ap.add_argument("--n", type=int, default=12)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--engines", default="", help="comma-separated subset of " + ",".join(ENGINES))
    ap.add_argument("--out", required=True, help="output directory")
    a = ap.parse_args(argv)
    engines = [e.strip() for e in a.engines.split(",") if e.strip()] or None
    os.makedirs(a.out, exist_ok=True)
    for spec in suite(a.n, a.seed, engines):
        path = os.path.join(a.out, f"{spec['id']}.{spec.get('format', 'png')}")
        try:
            truth = render(spec, path)
        except EngineUnavailable as exc:
            print(f"skip {spec['id']}: {exc}", file=sys.stderr)
            continue
        save_truth(truth, os.path.splitext(path)[0] + ".truth.json")
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
