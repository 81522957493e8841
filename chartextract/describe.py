"""Describe an extracted chart in words: the ``<stem>.md`` text.

Facts come first and only from the extracted data (``series_facts``): a linear
fit gives the overall trend, a smoothed curve gives the turning points, the
plateaus and the size of the fluctuations around it. The text is then rendered
from those facts, so every number and claim in it can be traced back.

>>> text = describe(chart)             # doctest: +SKIP
>>> parse_value_bullets(text)[0]       # doctest: +SKIP
(0, 'Response Length', 0.0, 490.0)
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from .model import Axis, Chart, Panel, Series
from .ticklabels import decimals

HEADINGS = ("Overview", "Components/Axes", "Detailed Analysis or Content Details",
            "Key Observations", "Interpretation")
APPROX = "≈"
TARGET_BULLETS = 8
TREND_MIN = 0.10       # |fitted change| / y-span below this: no overall trend
SLIGHT_MAX = 0.30      # moves smaller than this (/ y-span) are called slight
TURN_MIN = 0.10        # a reversal must retrace this much (/ y-span) to count as a turn
PLATEAU_SLOPE = 0.25   # |slope| * x-range / y-span below this is locally flat
PLATEAU_MIN = 0.15     # shortest plateau worth naming, / x-range
BANDWIDTH = 0.04       # smoothing kernel width, / x-range
NOISE_SOME = 0.015     # residual std / y-span from which a line "fluctuates"
NOISE_STRONG = 0.05    # ... and from which it is "noisy"
GRID = 201             # points on which the smoothed curve is evaluated
MAX_RELATIONS = 6      # sentences about pairs of charts
MAX_READINGS = 8       # interpretation sentences about single lines

_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_BULLET = re.compile(rf"^\*\s+(?P<xl>.*?)\s*(?P<x>{_NUM}):\s+(?P<name>.+?)\s+{APPROX}\s+(?P<v>{_NUM})")
_CHART = re.compile(r"^\*\*Chart (\d+):")
_VERSUS = re.compile(r"\s+(?:vs\.?|versus)\s+", re.IGNORECASE)


@dataclass(frozen=True, eq=False)
class SeriesFacts:
    """Numbers behind the sentences about one line.

    Values are in data units; ``span`` and the smoothed curve ``smooth`` are in
    analysis units (log10 of the data on a log axis).
    """

    name: str
    color_name: str
    log: bool
    span: float
    x_start: float
    x_end: float
    start: float
    end: float
    low: float
    low_x: float
    high: float
    high_x: float
    change: float  # linear-fit change over the x range, / span
    turns: tuple[tuple[float, float], ...]  # (x, value): start, turning points, end
    setback: tuple[tuple[float, float], tuple[float, float]] | None  # largest dip against a single trend
    plateau: tuple[float, float] | None
    volatility: float  # robust residual std around the smoothed curve, / span
    deviation: float  # that residual std in data units (relative, in %, on a log axis)
    warnings: tuple[str, ...]
    grid: np.ndarray
    smooth: np.ndarray

    @property
    def moves(self) -> list[tuple[int, float]]:
        """Direction (+1/-1/0) and size (/ span) of each smoothed stretch between turns."""
        levels = np.interp([x for x, _ in self.turns], self.grid, self.smooth)
        sizes = np.diff(levels) / self.span
        return [(int(np.sign(d)) if abs(d) >= TURN_MIN / 2 else 0, float(abs(d))) for d in sizes]

    @property
    def trend(self) -> int:
        """Overall direction from the linear fit: +1, -1, or 0 when small."""
        return int(np.sign(self.change)) if abs(self.change) >= TREND_MIN else 0

    @property
    def peak(self) -> tuple[float, float] | None:
        """(x, value) of the highest interior turning point, if any."""
        inner = [t for prev, t in zip(self.turns, self.turns[1:-1]) if t[1] >= prev[1]]
        return max(inner, key=lambda t: t[1]) if inner else None

    @property
    def trough(self) -> tuple[float, float] | None:
        """(x, value) of the lowest interior turning point, if any."""
        inner = [t for prev, t in zip(self.turns, self.turns[1:-1]) if t[1] < prev[1]]
        return min(inner, key=lambda t: t[1]) if inner else None

    @property
    def levels_off(self) -> float | None:
        """Where a plateau that lasts to the end of the line begins, if there is one."""
        p = self.plateau
        if p and p[0] > self.x_start and p[1] >= self.x_end - 0.05 * (self.x_end - self.x_start):
            return p[0]
        return None

    def direction_between(self, a: float, b: float) -> int:
        """Direction of the smoothed curve from x=a to x=b, 0 when it moves less than a turn."""
        va, vb = np.interp([a, b], self.grid, self.smooth)
        rel = (vb - va) / self.span
        return int(np.sign(rel)) if abs(rel) >= TURN_MIN else 0


@dataclass(frozen=True)
class PanelView:
    """A panel with the names and formats its text uses."""

    number: int
    panel: Panel
    title: str
    x_name: str
    y_name: str
    position: str
    y_quantum: float
    facts: tuple[SeriesFacts, ...]
    sources: tuple[Series, ...]  # the series each of ``facts`` was computed from

    @property
    def failed(self) -> bool:
        return bool(self.panel.error)

    @property
    def log_y(self) -> bool:
        return _is_log(self.panel.y_axis)

    @property
    def log_x(self) -> bool:
        return _is_log(self.panel.x_axis)

    def fx(self, x: float) -> str:
        """An x position as text, e.g. ``Step 40``."""
        xs = [f.x_end - f.x_start for f in self.facts] or [0.0]
        q = _pow10(max(xs) / 40) if max(xs) > 0 else 1.0
        if self.panel.x_is_step:
            q = max(q, 1.0)
        return f"{self.x_name} {_fmt_x(x, q, self.log_x)}"

    def fy(self, v: float) -> str:
        """A y value rounded to the precision the y ticks justify."""
        return _fmt_sig(v) if self.log_y else _fmt_round(v, self.y_quantum)


# ---------------------------------------------------------------- public API

def describe(chart: Chart) -> str:
    """Describe a chart in Markdown, from its extracted data only.

    Parameters
    ----------
    chart : Chart
        The extraction result.

    Returns
    -------
    str
        Markdown with the headings of ``HEADINGS`` under ``## Charts: <title>``.
    """
    views = panel_views(chart)
    parts = [f"## Charts: {overall_title(views)}",
             f"### {HEADINGS[0]}", overview(views),
             f"### {HEADINGS[1]}", *[components(v) for v in views],
             f"### {HEADINGS[2]}", *[details(v) for v in views],
             f"### {HEADINGS[3]}", key_observations(views),
             f"### {HEADINGS[4]}", interpretation(views)]
    return "\n".join(p for p in parts if p) + "\n"


def parse_value_bullets(text: str) -> list[tuple[int, str, float, float]]:
    """Read the value bullets back from a description.

    Parameters
    ----------
    text : str
        Output of ``describe``.

    Returns
    -------
    list of (panel_index, series_name, x, value)
        One entry per ``* <x label> <x>: <series> ≈ <value>`` bullet of the
        Detailed Analysis section; ``panel_index`` is 0-based, taken from the
        preceding ``**Chart N: ...**`` header.
    """
    out: list[tuple[int, str, float, float]] = []
    section, panel = "", -1
    for line in text.splitlines():
        if line.startswith("### "):
            section = line[4:].strip()
            continue
        if section != HEADINGS[2]:
            continue
        head = _CHART.match(line)
        if head:
            panel = int(head.group(1)) - 1
            continue
        m = _BULLET.match(line)
        if m and panel >= 0:
            out.append((panel, m.group("name"), float(m.group("x")), float(m.group("v"))))
    return out


def series_facts(series: Series, name: str, span: float, log: bool = False) -> SeriesFacts | None:
    """Compute the facts about one line.

    Parameters
    ----------
    series : Series
        The extracted line; points may come in any x order.
    name : str
        Name used in the text.
    span : float
        Yardstick for "large" and "small", in analysis units (decades on a log axis).
    log : bool
        Whether the y axis is logarithmic; non-positive values are then ignored.

    Returns
    -------
    SeriesFacts or None
        None when the line has no usable point.
    """
    x = np.asarray(series.x, dtype=float)
    y = np.asarray(series.y, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y) & ((y > 0) if log else True)
    order = np.argsort(x[keep], kind="stable")
    x, y = x[keep][order], y[keep][order]
    if not len(x):
        return None
    t = _to_space(y, log)
    grid = np.linspace(x[0], x[-1], GRID) if x[-1] > x[0] else x[:1]
    smooth, width = _smooth(x, t, grid)
    resid = t - np.interp(x, grid, smooth)
    spread = 1.4826 * float(np.median(np.abs(resid - np.median(resid))))  # robust std
    change = 0.0
    if x[-1] > x[0]:
        change = float(np.polyfit(x, t, 1)[0] * (x[-1] - x[0]) / span)
    idx = _turning_points(smooth, TURN_MIN * span)
    turns = [(float(x[0]), float(y[0]))]
    for prev, i in zip(idx, idx[1:-1]):
        turns.append((float(grid[i]), _extreme_near(x, y, grid[i], width, smooth[i] > smooth[prev])))
    if len(idx) > 1:
        turns.append((float(x[-1]), float(y[-1])))
    setback = None
    if len(idx) == 2:
        drop = _setback(smooth, smooth[-1] - smooth[0])
        if drop and abs(smooth[drop[1]] - smooth[drop[0]]) >= TURN_MIN / 2 * span:
            up = smooth[-1] > smooth[0]
            setback = tuple((float(grid[i]), _extreme_near(x, y, grid[i], width, up == (k == 0)))
                            for k, i in enumerate(drop))
    return SeriesFacts(
        name=name, color_name=series.color_name, log=log, span=span,
        x_start=float(x[0]), x_end=float(x[-1]), start=float(y[0]), end=float(y[-1]),
        low=float(y.min()), low_x=float(x[np.argmin(y)]), high=float(y.max()), high_x=float(x[np.argmax(y)]),
        change=change, turns=tuple(turns), setback=setback, plateau=_plateau(grid, smooth, span),
        volatility=spread / span, deviation=(10 ** spread - 1) * 100 if log else spread,
        warnings=tuple(str(w) for w in series.quality.get("warnings", [])),
        grid=grid, smooth=smooth)


def panel_views(chart: Chart) -> list[PanelView]:
    """Name every panel and its series and compute their facts."""
    positions = _positions([p.bbox for p in chart.panels])
    views = []
    for k, (p, pos) in enumerate(zip(chart.panels, positions)):
        x_name = (p.x_axis.label if p.x_axis else "").strip() or "x"
        y_name = (p.y_axis.label if p.y_axis else "").strip() or p.title.strip() or "y"
        title = p.title.strip() or (f"{y_name} vs {x_name}" if p.x_axis or p.y_axis else "Untitled")
        span, quantum = _y_scale(p)
        pairs = []
        if not p.error:
            for s, n in zip(p.series, _series_names(p.series, y_name)):
                f = series_facts(s, n, span, _is_log(p.y_axis))
                if f is not None:
                    pairs.append((f, s))
        views.append(PanelView(k + 1, p, title, x_name, y_name, pos, quantum,
                               tuple(f for f, _ in pairs), tuple(s for _, s in pairs)))
    return views


def overall_title(views: list[PanelView]) -> str:
    """The chart's own title for one panel, else a summary of the panels' titles."""
    titles = list(dict.fromkeys(v.title for v in views if v.title != "Untitled"))
    if not titles:
        return "Untitled"
    if len(titles) == 1:
        return titles[0]
    pairs = [_VERSUS.split(t, maxsplit=1) for t in titles]
    if all(len(p) == 2 for p in pairs) and len({p[1].casefold() for p in pairs}) == 1:
        return f"{_join([p[0] for p in pairs], limit=4)} vs {pairs[0][1]}"
    return _join(titles, limit=4)


# ---------------------------------------------------------------- sections

def overview(views: list[PanelView]) -> str:
    """How many charts, what each plots against what, over what range, shared axes."""
    live = [v for v in views if not v.failed]
    n = len(views)
    what = "a single line chart" if n == 1 else f"{_count(n)} line charts"
    extent = _extent(live)
    out = [f"The image presents {what}{' ' + extent if extent else ''}."]
    plots = [_plots(v) for v in views]
    if n == 2 and all(v.position for v in views):
        out.append(f"The {views[0].position} chart {plots[0]}, while the {views[1].position} chart {plots[1]}.")
    elif n == 1:
        out.append(f"It {plots[0]}.")
    else:
        out += [f"Chart {v.number}{f' ({v.position})' if v.position else ''} {p}." for v, p in zip(views, plots)]
    shared = _shared_axes(live)
    if shared:
        out.append(shared)
    return " ".join(out)


def components(view: PanelView) -> str:
    """Title, axes and data series of one panel."""
    p = view.panel
    lines = [f"**Chart {view.number}: {view.title}**",
             f"* **Title:** {p.title.strip() or 'none shown (called ' + repr(view.title) + ' here)'}"]
    if p.error:
        lines.append(f"* **Extraction failed:** {p.error}. No data is reported for this chart.")
        return "\n".join(lines)
    lines.append(f"* **X-axis:** {_axis_text(p.x_axis)}")
    lines.append(f"* **Y-axis:** {_axis_text(p.y_axis)}")
    facts = view.facts
    if not facts:
        lines.append("* **Data Series:** none found.")
    elif len(facts) == 1:
        lines.append(f"* **Data Series:** A single {_line(facts[0])} representing {facts[0].name}.{_caution(facts[0])}")
    else:
        lines.append(f"* **Data Series:** {_count(len(facts))} lines:")
        lines += [f"  * {_article(_line(f)).capitalize()} labelled \"{f.name}\".{_caution(f)}" for f in facts]
    return "\n".join(lines)


def details(view: PanelView) -> str:
    """Trend sentence, value bullets and remarks for each series of one panel."""
    lines = [f"**Chart {view.number}: {view.title}**"]
    if view.failed:
        lines.append(f"Extraction failed for this chart ({view.panel.error}), so no values are given.")
        return "\n".join(lines)
    if not view.facts:
        lines.append("No data line was found in this chart.")
        return "\n".join(lines)
    positions = _bullet_positions(view)
    for f, s in zip(view.facts, view.sources):
        lines.append(_trend_sentence(view, f))
        if f.warnings:
            lines.append(f"Caution: the extraction of this line was flagged ({'; '.join(f.warnings)}), "
                         "so the values below may be off.")
        lines += _value_bullets(view, f, s, positions)
        remark = _remarks(view, f)
        if remark:
            lines.append(remark)
    if len(view.facts) > 1:
        lines += _compare_series(view)
    return "\n".join(lines)


def key_observations(views: list[PanelView]) -> str:
    """Bullets: shape of each series, fluctuations, comparisons and relations."""
    out = []
    for v in views:
        if v.failed:
            out.append(f"* Chart {v.number} ({v.title}) could not be read ({v.panel.error}).")
            continue
        if not v.facts:
            out.append(f"* Chart {v.number} ({v.title}) shows no data line that could be read.")
        for f in v.facts:
            out.append(f"* {_shape_observation(v, f)}")
            if f.volatility >= NOISE_SOME:
                out.append(f"* The fluctuations in {f.name} (about ±{_fmt_dev(v, f)} around its smoothed course) "
                           f"suggest that it is not entirely stable from one {_unit(v)} to the next.")
            plateau = _plateau_observation(v, f)
            if plateau:
                out.append(f"* {plateau}")
            if f.warnings:
                out.append(f"* The extraction of {f.name} was flagged, so these statements about it are uncertain.")
        if len(v.facts) > 1:
            out += [f"* {s}" for s in _compare_series(v)]
    out += [f"* {s}" for s in _relations(views)]
    return "\n".join(out)


def interpretation(views: list[PanelView]) -> str:
    """A cautious reading of the observations, in a paragraph."""
    live = [v for v in views if not v.failed and v.facts]
    out = [_reading(v, f) for v in live for f in v.facts][:MAX_READINGS]
    out += _relation_readings(live)
    noisy = [f.name for v in live for f in v.facts if f.volatility >= NOISE_SOME]
    if noisy:
        out.append(f"As {_join(noisy)} {'fluctuates' if len(noisy) == 1 else 'fluctuate'}, "
                   "single readings should not be over-interpreted; the overall course is more reliable.")
    flagged = [f.name for v in live for f in v.facts if f.warnings]
    if flagged:
        out.append(f"The lines for {_join(flagged)} were flagged during extraction and should be checked "
                   "against the image before drawing conclusions.")
    failed = [f"Chart {v.number}" for v in views if v.failed]
    if failed:
        out.append(f"{_join(failed)} could not be read, so nothing is concluded about "
                   f"{'it' if len(failed) == 1 else 'them'}.")
    if live:
        out.append("All values are read from the picture and are therefore approximate.")
    else:
        out.append("No data could be read, so there is nothing to interpret.")
    return " ".join(out)


# ---------------------------------------------------------------- facts

def _to_space(v, log: bool):
    return np.log10(v) if log else v


def _from_space(t: float, log: bool) -> float:
    return float(10 ** t) if log else float(t)


def _is_log(axis: Axis | None) -> bool:
    return bool(axis and axis.scale == "log")


def _smooth(x: np.ndarray, t: np.ndarray, grid: np.ndarray) -> tuple[np.ndarray, float]:
    """Gaussian-weighted local linear fit of t(x) on ``grid``; returns it and the kernel width."""
    if len(x) < 5 or x[-1] <= x[0]:
        return np.interp(grid, x, t), 0.0
    dx = np.diff(x)
    width = max(BANDWIDTH * (x[-1] - x[0]), 1.5 * float(np.median(dx[dx > 0])))
    d = (x[None, :] - grid[:, None]) / width
    w = np.exp(-0.5 * d * d)
    s0, s1, s2 = w.sum(1), (w * d).sum(1), (w * d * d).sum(1)
    r0, r1 = w @ t, (w * d) @ t
    det = s0 * s2 - s1 * s1
    out = np.interp(grid, x, t)
    ok = (s0 > 1e-6) & (det > 1e-9 * np.maximum(s0, 1e-300) ** 2)
    out[ok] = (s2[ok] * r0[ok] - s1[ok] * r1[ok]) / det[ok]
    return out, width


def _extreme_near(x: np.ndarray, y: np.ndarray, xc: float, width: float, highest: bool) -> float:
    """Highest (or lowest) data value within ``width`` of x=xc, or the nearest value."""
    near = np.abs(x - xc) <= width
    if not near.any():
        return float(y[np.argmin(np.abs(x - xc))])
    return float(np.max(y[near]) if highest else np.min(y[near]))


def _setback(s: np.ndarray, direction: float) -> tuple[int, int] | None:
    """Indices (from, to) of the largest move of ``s`` against ``direction``, None if it never goes back."""
    v = s if direction >= 0 else -s
    best = np.maximum.accumulate(v)
    back = best - v
    to = int(np.argmax(back))
    if back[to] <= 0:
        return None
    return int(np.argmax(v[:to + 1])), to


def _turning_points(s: np.ndarray, threshold: float) -> list[int]:
    """Indices of start, reversals retracing at least ``threshold``, last extreme and end."""
    piv, trend, ext = [0], 0, 0
    for i in range(1, len(s)):
        if trend == 0:
            if abs(s[i] - s[0]) >= threshold:
                trend, ext = (1 if s[i] > s[0] else -1), i
        elif (s[i] - s[ext]) * trend > 0:
            ext = i
        elif (s[ext] - s[i]) * trend >= threshold:
            piv.append(ext)
            trend, ext = -trend, i
    last = len(s) - 1
    if trend and ext != last and abs(s[last] - s[ext]) >= threshold / 2:
        piv.append(ext)
    if last > 0:
        piv.append(last)
    return piv


def _plateau(grid: np.ndarray, smooth: np.ndarray, span: float) -> tuple[float, float] | None:
    """Longest x stretch where the smoothed slope stays small, if long enough."""
    if len(grid) < 3:
        return None
    width = grid[-1] - grid[0]
    flat = np.abs(np.gradient(smooth, grid)) * width / span < PLATEAU_SLOPE
    best, start = (0, -1), None
    for i, ok in enumerate([*flat, False]):
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            if i - 1 - start > best[1] - best[0]:
                best = (start, i - 1)
            start = None
    if best[1] < 0 or grid[best[1]] - grid[best[0]] < PLATEAU_MIN * width:
        return None
    return float(grid[best[0]]), float(grid[best[1]])


def _y_scale(panel: Panel) -> tuple[float, float]:
    """Yardstick span (analysis units) and value rounding quantum of a panel.

    The quantum is one decimal place finer than the leading digit of the y tick
    increment (ticks every 50 -> 1, every 0.05 -> 0.001), and at most span/40.
    """
    log = _is_log(panel.y_axis)
    ticks = [t.value for t in panel.y_axis.ticks] if panel.y_axis else []
    tv = _to_space(np.unique([v for v in ticks if math.isfinite(v) and (v > 0 or not log)]).astype(float), log)
    ys = [np.asarray(s.y, dtype=float) for s in panel.series]
    ys = [y[np.isfinite(y) & ((y > 0) if log else True)] for y in ys]
    data = np.concatenate([_to_space(y, log) for y in ys]) if ys else np.array([])
    tick_span = float(tv[-1] - tv[0]) if len(tv) > 1 else 0.0
    data_span = float(np.ptp(data)) if len(data) else 0.0
    span = max(tick_span, data_span)
    if span <= 0:
        span = abs(float(data[0])) if len(data) and data[0] else 1.0
    inc = float(np.median(np.diff(tv))) if len(tv) > 1 else span / 5
    return span, min(_pow10(inc) / 10, _pow10(span / 40))


def _series_names(series: list[Series], y_name: str) -> list[str]:
    """Legend names; unnamed lines take the y label, with their colour when there are several."""
    names = []
    for s in series:
        n = s.name.strip()
        if not n:
            n = y_name if len(series) == 1 else f"{y_name} ({s.color_name or 'line'})"
        names.append(n)
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if names.count(n) == 1 else f"{n} #{seen[n]}")
    return out


def _positions(boxes: list[tuple[int, int, int, int]]) -> list[str]:
    """Words for where each panel sits (left/right, top/bottom, grid), or '' when unclear."""
    n = len(boxes)
    if n < 2:
        return [""] * n
    cx = [(b[0] + b[2]) / 2 for b in boxes]
    cy = [(b[1] + b[3]) / 2 for b in boxes]
    w = float(np.median([b[2] - b[0] for b in boxes])) or 1.0
    h = float(np.median([b[3] - b[1] for b in boxes])) or 1.0
    cols = _clusters(cx, w / 2)
    rows = _clusters(cy, h / 2)
    nc, nr = max(cols) + 1, max(rows) + 1
    if len(set(zip(rows, cols))) != n or nc > 3 or nr > 3:
        return [""] * n
    col_words = {1: [""], 2: ["left", "right"], 3: ["left", "middle", "right"]}[nc]
    row_words = {1: [""], 2: ["top", "bottom"], 3: ["top", "middle", "bottom"]}[nr]
    return [" ".join(w for w in (row_words[r], col_words[c]) if w) for r, c in zip(rows, cols)]


def _clusters(centres: list[float], gap: float) -> list[int]:
    """Rank of each centre's group, grouping centres closer than ``gap``."""
    order = np.argsort(centres)
    label, out, prev = 0, [0] * len(centres), None
    for i in order:
        if prev is not None and centres[i] - prev > gap:
            label += 1
        out[i], prev = label, centres[i]
    return out


# ---------------------------------------------------------------- formatting

def _pow10(v: float) -> float:
    return 10.0 ** math.floor(math.log10(v)) if v > 0 and math.isfinite(v) else 1.0


def _decimals(v: float) -> int:
    """Fewest decimals that write ``v`` exactly (up to 8)."""
    for d in range(9):
        if abs(round(v, d) - v) <= 1e-9 * max(1.0, abs(v)):
            return d
    return 8


def _fmt_round(v: float, quantum: float) -> str:
    d = max(0, -int(round(math.log10(quantum))))
    text = f"{round(v / quantum) * quantum:.{d}f}"
    return "0" if float(text) == 0 else text


def _fmt_sig(v: float, digits: int = 3) -> str:
    if v == 0 or not math.isfinite(v):
        return f"{v:g}"
    e = math.floor(math.log10(abs(v)))
    if e >= 6 or e < -4:
        return f"{v:.{digits - 1}e}"
    return _fmt_round(v, 10.0 ** (e - digits + 1))


def _fmt_x(x: float, quantum: float, log: bool) -> str:
    return _fmt_sig(x) if log else _fmt_round(x, quantum)


def _fmt_dev(view: PanelView, f: SeriesFacts) -> str:
    """The typical deviation around the smoothed line: a percentage on a log axis."""
    if f.log:
        return f"{f.deviation:.0f}%"
    text = view.fy(f.deviation)
    return _fmt_sig(f.deviation, 1) if float(text) == 0 else text


def _count(n: int) -> str:
    return _NUMBER_WORDS[n] if n < len(_NUMBER_WORDS) else str(n)


def _join(items: list[str], limit: int = 0) -> str:
    if limit and len(items) > limit:
        items = [*items[:limit - 1], f"{len(items) - limit + 1} more"]
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _line(f: SeriesFacts) -> str:
    return f"{f.color_name} line" if f.color_name else "line"


def _article(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _caution(f: SeriesFacts) -> str:
    return f" Caution: its extraction was flagged ({'; '.join(f.warnings)})." if f.warnings else ""


def _unit(view: PanelView) -> str:
    """The x quantity as a singular lower-case noun ('step', 'epoch'), 'point' when x is not a count."""
    if not view.panel.x_is_step:
        return "point"
    m = re.fullmatch(r"([A-Za-z]+)\W*", view.x_name)
    word = m.group(1).lower() if m and view.x_name != "x" else "step"
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def _axis_text(axis: Axis | None) -> str:
    """``Step (Scale: 0 to 70, increments of approximately 5)`` from the read ticks."""
    label = axis.label.strip() if axis and axis.label.strip() else "unlabelled"
    vals = sorted({t.value for t in axis.ticks if math.isfinite(t.value)}) if axis else []
    if len(vals) < 2:
        return f"{label} (Scale: not read)"
    if _is_log(axis):
        pos = [v for v in vals if v > 0]
        factor = 10 ** float(np.median(np.diff(np.log10(pos)))) if len(pos) > 1 else math.nan
        return (f"{label} (Scale: {_fmt_sig(vals[0])} to {_fmt_sig(vals[-1])}, logarithmic, "
                f"ticks a factor of approximately {_fmt_sig(factor, 2)} apart)")
    inc = float(np.median(np.diff(vals)))
    d = max([_decimals(round(inc, 8))] + [decimals(t.text) or 0 for t in axis.ticks])
    return f"{label} (Scale: {vals[0]:.{d}f} to {vals[-1]:.{d}f}, increments of approximately {inc:.{d}f})"


def _extent(views: list[PanelView]) -> str:
    """'over 70 steps', or 'with Time running from 0 to 10'."""
    facts = [f for v in views for f in v.facts]
    if not facts:
        return ""
    lo, hi = min(f.x_start for f in facts), max(f.x_end for f in facts)
    if hi <= lo or min(f.x_end - f.x_start for f in facts) < 0.9 * (hi - lo):
        return ""
    v = views[0]
    names = {w.x_name for w in views}
    if all(w.panel.x_is_step for w in views) and len(names) == 1:
        plural = _unit(v) + "s"
        if lo <= 1:
            return f"over {_fmt_round(hi, 1)} {plural}"
        return f"over {plural} {_fmt_round(lo, 1)} to {_fmt_round(hi, 1)}"
    if len(names) == 1:
        return f"with {v.x_name} running from {_fmt_x(lo, _pow10((hi - lo) / 40), v.log_x)} " \
               f"to {_fmt_x(hi, _pow10((hi - lo) / 40), v.log_x)}"
    return ""


def _plots(view: PanelView) -> str:
    """What a chart shows against what, as a verb phrase."""
    if view.failed:
        return f"could not be read ({view.panel.error})"
    what = f"'{view.y_name}'"
    if len(view.facts) > 1:
        what = f"{_count(len(view.facts))} series ({_join([f.name for f in view.facts], limit=5)}) of '{view.y_name}'"
    verb = "shows the relationship between" if len(view.facts) <= 1 else "shows"
    sep = " and " if len(view.facts) <= 1 else " against "
    return f"{verb} {what}{sep}'{view.x_name}'"


def _shared_axes(views: list[PanelView]) -> str:
    """Whether the charts share their x-axis: same label and same tick range."""
    if len(views) < 2 or len({v.x_name.casefold() for v in views}) != 1:
        return ""
    both = "Both" if len(views) == 2 else "All"
    name = views[0].x_name
    spans = np.array([v.panel.x_axis.span if v.panel.x_axis else (math.nan, math.nan) for v in views])
    if np.isfinite(spans).all() and np.ptp(spans, axis=0).max() <= 0.02 * np.ptp(spans):
        return f"{both} charts share the same x-axis scale{'' if name == 'x' else ', representing ' + name}."
    if name == "x":
        return ""
    return f"{both} charts use {name} as the x-axis, over different ranges."


# ---------------------------------------------------------------- detailed analysis

def _bullet_positions(view: PanelView) -> np.ndarray:
    """Round x positions, about ``TARGET_BULLETS`` of them, within the panel's data (a value
    is never given where no line was read)."""
    lo = min(f.x_start for f in view.facts)
    hi = max(f.x_end for f in view.facts)
    if view.log_x and lo > 0:
        return _log_positions(lo, hi)
    width = hi - lo
    if width <= 0:
        return np.array([lo])
    best: tuple[int, float, np.ndarray] | None = None
    k0 = math.floor(math.log10(width / (TARGET_BULLETS - 1)))
    for k in (k0 - 1, k0, k0 + 1):
        for m in (1, 2, 2.5, 5):
            step = m * 10.0 ** k
            if view.panel.x_is_step and (step < 1 or step != round(step)):
                continue
            pos = np.arange(math.ceil(lo / step), math.floor(hi / step) + 1) * step
            score = abs(len(pos) - TARGET_BULLETS)
            if len(pos) and (best is None or (score, -step) < (best[0], -best[1])):
                best = (score, step, np.round(pos, 10))
    return best[2] if best else np.array([lo])


def _log_positions(lo: float, hi: float) -> np.ndarray:
    """Decades, or 1-2-5 steps when the range is short, for a log x axis."""
    k0, k1 = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    sets = [[m * 10.0 ** k for k in range(k0, k1 + 1) for m in ms] for ms in ((1,), (1, 2, 5), (1, 2, 3, 5))]
    sets = [[p for p in s if lo <= p <= hi] for s in sets]
    return np.array(min((s for s in sets if s), key=lambda s: abs(len(s) - TARGET_BULLETS), default=[lo]))


def _value_at(series: Series, p: float, log_x: bool, log_y: bool) -> float | None:
    """The series' value at x=p by linear interpolation, or None where it has no data."""
    x = np.asarray(series.x, dtype=float)
    y = np.asarray(series.y, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y) & ((y > 0) if log_y else True) & ((x > 0) if log_x else True)
    order = np.argsort(x[keep], kind="stable")
    xs, ts = _to_space(x[keep][order], log_x), _to_space(y[keep][order], log_y)
    if not len(xs):
        return None
    q = float(_to_space(p, log_x))
    width = xs[-1] - xs[0]
    dx = np.diff(xs)
    gap = max(4 * float(np.median(dx)) if len(dx) else 0.0, 0.03 * width)
    tol = 1e-9 * max(1.0, abs(q))
    if q < xs[0] - tol or q > xs[-1] + tol:
        return None
    if q <= xs[0] or q >= xs[-1]:
        return _from_space(ts[0] if q <= xs[0] else ts[-1], log_y)
    i = int(np.searchsorted(xs, q))
    if xs[i] == q:
        return _from_space(float(np.mean(ts[xs == q])), log_y)
    if xs[i] - xs[i - 1] > gap:
        return None
    return _from_space(float(np.interp(q, xs[i - 1:i + 1], ts[i - 1:i + 1])), log_y)


def _value_bullets(view: PanelView, f: SeriesFacts, series: Series, positions: np.ndarray) -> list[str]:
    """``* Step 10: Response Length ≈ 530`` bullets, the peak and trough noted where they fall."""
    rows = [(p, v) for p in positions
            if (v := _value_at(series, float(p), view.log_x, view.log_y)) is not None]
    notes: dict[int, list[str]] = {}
    if len(rows) > 2:
        xs = np.array([r[0] for r in rows])
        for word, (vx, vv) in (("peak", (f.high_x, f.high)), ("trough", (f.low_x, f.low))):
            i = int(np.argmin(np.abs(xs - vx)))
            if view.fy(vv) != view.fy(rows[i][1]):
                notes.setdefault(i, []).append(f"with a {word} around {view.fy(vv)}")
    return [f"* {view.fx(p)}: {f.name} {APPROX} {view.fy(v)}{''.join(', ' + n for n in notes.get(i, []))}"
            for i, (p, v) in enumerate(rows)]


def _trend_sentence(view: PanelView, f: SeriesFacts) -> str:
    """The overall course of one line, from its fit and turning points."""
    subject = f"The {_line(f)} representing {f.name}"
    scale = " on the logarithmic y-axis" if f.log else ""
    a = f"about {view.fy(f.start)} at {view.fx(f.x_start)}"
    e = f"about {view.fy(f.end)} at {view.fx(f.x_end)}"
    moves = f.moves
    if len(f.turns) == 1:
        return f"{subject} has a single point: {a}."
    if len(moves) == 1 and moves[0][0] == 0:
        return (f"{subject} stays roughly flat{scale}, between about {view.fy(f.low)} and "
                f"{view.fy(f.high)}, from {a} to {e}.")
    if len(moves) == 1:
        if f.trend == 0:
            return f"{subject} shows no clear overall trend{scale}, moving from {a} to {e}."
        slight = "slight " if max(abs(f.change), moves[0][1]) < SLIGHT_MAX else ""
        word, verb = ("upward", "increasing") if f.trend > 0 else ("downward", "decreasing")
        level = f", and levels off from around {view.fx(f.levels_off)}" if f.levels_off is not None else ""
        return f"{subject} exhibits an overall {slight}{word} trend{scale}, {verb} from {a} to {e}{level}.{_dip(view, f)}"
    if len(moves) == 2 and moves[0][0] > 0 > moves[1][0]:
        px, pv = f.turns[1]
        flat = ", then plateaus," if f.plateau and f.plateau[0] <= px <= f.plateau[1] else ""
        slight = "slight " if moves[1][1] < SLIGHT_MAX else ""
        return (f"{subject} initially increases{flat} and then shows a {slight}decrease towards the end{scale}: "
                f"it rises from {a} to a peak of about {view.fy(pv)} around {view.fx(px)}, "
                f"then falls to {e}.")
    if len(moves) == 2 and moves[0][0] < 0 < moves[1][0]:
        tx, tv = f.turns[1]
        slight = "slightly " if moves[1][1] < SLIGHT_MAX else ""
        return (f"{subject} initially decreases and then {slight}recovers{scale}: it falls from {a} to a low "
                f"of about {view.fy(tv)} around {view.fx(tx)}, then rises to {e}.")
    if len(moves) <= 5:
        steps = [f"{'rises' if d > 0 else 'falls'} to about {view.fy(v)} around {view.fx(x)}"
                 for (d, _), (x, v) in zip(moves[:-1], f.turns[1:-1])]
        return (f"{subject} changes direction {len(moves) - 1} times{scale}: starting at {a}, it "
                f"{_join(steps)}, and ends at {e}.")
    return (f"{subject} oscillates{scale}, changing direction {len(moves) - 1} times between about "
            f"{view.fy(f.low)} and {view.fy(f.high)}; it starts at {a} and ends at {e}.")


def _dip(view: PanelView, f: SeriesFacts) -> str:
    """' The rise is interrupted ...' for a trending line with a notable setback, else ''."""
    if not f.setback or f.trend == 0:
        return ""
    (xa, va), (xb, vb) = f.setback
    what = "rise" if f.trend > 0 else "fall"
    way = "drop" if f.trend > 0 else "rebound"
    return (f" The {what} is interrupted by a temporary {way} from about {view.fy(va)} around {view.fx(xa)} "
            f"to about {view.fy(vb)} around {view.fx(xb)}.")


def _remarks(view: PanelView, f: SeriesFacts) -> str:
    """Sentences after the bullets: fluctuations, plateau, where the peak or trough lies."""
    out = []
    if f.volatility >= NOISE_STRONG:
        out.append(f"The line is noisy: it scatters by about ±{_fmt_dev(view, f)} around its smoothed course.")
    elif f.volatility >= NOISE_SOME:
        out.append(f"The line fluctuates by about ±{_fmt_dev(view, f)} around its smoothed course.")
    if f.peak and f.moves[-1][0] < 0:
        out.append(f"{f.name} reaches a peak around {view.fx(f.peak[0])} and then declines.")
    elif f.trough and f.moves[-1][0] > 0:
        out.append(f"{f.name} reaches its low around {view.fx(f.trough[0])} and then rises again.")
    plateau = f.plateau
    if plateau and f.moves[0][0] != 0 and not (f.peak and plateau[0] <= f.peak[0] <= plateau[1]):
        out.append(f"Between {view.fx(plateau[0])} and {view.fx(plateau[1])} the line changes little.")
    return " ".join(out)


def _compare_series(view: PanelView) -> list[str]:
    """Which line is highest where they all end, and whether they move apart or together."""
    lo = max(f.x_start for f in view.facts)
    hi = min(f.x_end for f in view.facts)
    if hi < lo:
        return ["The lines cover different x ranges and are not compared."]
    at = [(f, _value_at(s, hi, view.log_x, view.log_y)) for f, s in zip(view.facts, view.sources)]
    ranked = [f"{f.name} (about {view.fy(v)})" for f, v in sorted(
        [(f, v) for f, v in at if v is not None], key=lambda fv: fv[1], reverse=True)]
    out = [f"At {view.fx(hi)}, {ranked[0]} is highest, followed by {_join(ranked[1:])}."] if len(ranked) > 1 else []
    if hi > lo:
        ends = np.array([np.interp([lo, hi], f.grid, f.smooth) for f in view.facts])
        gap0, gap1 = np.ptp(ends[:, 0]), np.ptp(ends[:, 1])
        rel = (gap1 - gap0) / view.facts[0].span
        if rel >= TURN_MIN:
            out.append(f"The lines move apart: their spread grows from {view.fx(lo)} to {view.fx(hi)}.")
        elif rel <= -TURN_MIN:
            out.append(f"The lines come closer together from {view.fx(lo)} to {view.fx(hi)}.")
    return out


# ---------------------------------------------------------------- observations and interpretation

def _shape_observation(view: PanelView, f: SeriesFacts) -> str:
    """One sentence summing up the course of a line."""
    moves = f.moves
    over = f"from {view.fx(f.x_start)} to {view.fx(f.x_end)}"
    if view.panel.x_is_step and f.x_start <= 1:
        over = f"over the {_fmt_round(f.x_end, 1)} {_unit(view)}s"
    if len(f.turns) == 1:
        return f"{f.name} has a single reading, about {view.fy(f.start)} at {view.fx(f.x_start)}."
    if len(moves) == 1 and (moves[0][0] == 0 or f.trend == 0):
        return f"{f.name} shows no clear trend {over}, staying between about {view.fy(f.low)} and {view.fy(f.high)}."
    if len(moves) == 1:
        steady = "consistently " if f.volatility < NOISE_SOME and not f.plateau and not f.setback else ""
        verb = "increases" if f.trend > 0 else "decreases"
        return f"{f.name} {steady}{verb} {over}, from about {view.fy(f.start)} to about {view.fy(f.end)}.{_dip(view, f)}"
    if len(moves) == 2 and moves[0][0] > 0 > moves[1][0]:
        px, pv = f.turns[1]
        slightly = "slightly " if moves[1][1] < SLIGHT_MAX else ""
        return (f"{f.name} initially rises, peaks around {view.fx(px)} (about {view.fy(pv)}) and then "
                f"{slightly}decreases to about {view.fy(f.end)}.")
    if len(moves) == 2 and moves[0][0] < 0 < moves[1][0]:
        tx, tv = f.turns[1]
        return (f"{f.name} initially falls to a low around {view.fx(tx)} (about {view.fy(tv)}) and then "
                f"rises to about {view.fy(f.end)}.")
    return (f"{f.name} changes direction {len(moves) - 1} times; its highest reading is about "
            f"{view.fy(f.high)} at {view.fx(f.high_x)} and its lowest about {view.fy(f.low)} at {view.fx(f.low_x)}.")


def _plateau_observation(view: PanelView, f: SeriesFacts) -> str:
    """A sentence on the plateau of a line that otherwise moves, or ''."""
    if not f.plateau or f.moves[0][0] == 0 or len(f.moves) > 2:
        return ""
    a, b = f.plateau
    to_end = b >= f.x_end - 0.05 * (f.x_end - f.x_start)
    if to_end:
        return f"The plateau in {f.name} after {view.fx(a)} suggests that it changes little beyond that point."
    return f"{f.name} changes little between {view.fx(a)} and {view.fx(b)}, a plateau in its course."


def _pairs(views: list[PanelView]) -> list[tuple[SeriesFacts, SeriesFacts, PanelView, float, float]]:
    """First series of every two charts whose x ranges overlap, with the overlap."""
    out = []
    for i, va in enumerate(views):
        for vb in views[i + 1:]:
            if not (va.facts and vb.facts) or va.failed or vb.failed:
                continue
            a, b = va.facts[0], vb.facts[0]
            lo, hi = max(a.x_start, b.x_start), min(a.x_end, b.x_end)
            if hi - lo > 0.2 * min(a.x_end - a.x_start, b.x_end - b.x_start) > 0:
                out.append((a, b, va, lo, hi))
    return out


def _relation(a: SeriesFacts, b: SeriesFacts, view: PanelView, lo: float, hi: float
              ) -> tuple[str, bool, float | None]:
    """A sentence relating two lines over their common x range, whether they move oppositely, and from where."""
    verb = {1: "rises", -1: "falls"}
    da, db = a.direction_between(lo, hi), b.direction_between(lo, hi)
    if da * db == -1:
        return f"{a.name} {verb[da]} while {b.name} {verb[db]} over the shared range.", True, None
    for f, g in ((a, b), (b, a)):
        turn = f.turns[-2] if len(f.turns) > 2 else None
        if turn and lo < turn[0] < hi:
            df, dg = f.direction_between(turn[0], hi), g.direction_between(turn[0], hi)
            if df * dg == -1:
                keeps = verb[dg]
                if g.direction_between(lo, turn[0]) == dg:
                    keeps = "keeps rising" if dg > 0 else "keeps falling"
                return f"After {view.fx(turn[0])}, {f.name} {verb[df]} while {g.name} {keeps}.", True, turn[0]
    if da == db != 0:
        return f"Both {a.name} and {b.name} {'rise' if da > 0 else 'fall'} over the shared range.", False, None
    return "", False, None


def _relations(views: list[PanelView]) -> list[str]:
    """Sentences relating the charts: how many rise or fall, and pairs that move together or apart."""
    out = [s for s, _, _ in (_relation(*p) for p in _pairs(views)) if s]
    live = [v for v in views if v.facts and not v.failed]
    if len(live) > 2:
        groups: dict[int, list[str]] = {1: [], -1: [], 0: []}
        for v in live:
            groups[v.facts[0].trend].append(f"{v.facts[0].name} in Chart {v.number}")
        words = {1: ("rises", "rise"), -1: ("falls", "fall"), 0: ("shows no clear trend", "show no clear trend")}
        parts = [f"{_count(len(n))} {words[d][len(n) > 1]}{' overall' if d else ''} ({_join(n, limit=5)})"
                 for d, n in groups.items() if n]
        out.insert(0, f"Of the {_count(len(live))} charts read, judged by their first line, {_join(parts)}.")
    return out[:MAX_RELATIONS]


def _reading(view: PanelView, f: SeriesFacts) -> str:
    """A cautious sentence on what the course of one line suggests."""
    moves = f.moves
    if len(f.turns) == 1:
        return f"With a single reading of {f.name}, nothing can be said about how it changes."
    if len(moves) == 1 and (moves[0][0] == 0 or f.trend == 0):
        return f"The data suggest that {f.name} stays about level over the range shown."
    if len(moves) == 1:
        level = f", although it changes little after {view.fx(f.levels_off)}" if f.levels_off is not None else ""
        return f"The data suggest that {f.name} {'grows' if f.trend > 0 else 'shrinks'} over the range shown{level}."
    if len(moves) == 2 and moves[0][0] > 0 > moves[1][0]:
        return (f"{f.name} rises at first but reaches its highest value around {view.fx(f.turns[1][0])} and "
                "then falls, so the later part of the range gives back part of the earlier rise and it does "
                "not rise further beyond that point.")
    if len(moves) == 2 and moves[0][0] < 0 < moves[1][0]:
        return (f"{f.name} falls at first, reaches its lowest value around {view.fx(f.turns[1][0])} and then "
                "rises, so its best or worst point, depending on what it measures, lies inside the range shown.")
    return f"{f.name} moves up and down repeatedly, so no single direction describes it well."


def _relation_readings(views: list[PanelView]) -> list[str]:
    out = []
    """Cautious sentences about charts whose lines move in opposite directions."""
    for a, b, view, lo, hi in _pairs(views):
        _, opposite, start = _relation(a, b, view, lo, hi)
        if not opposite:
            continue
        where = f" after {view.fx(start)}" if start is not None else ""
        out.append(f"Because {a.name} and {b.name} move in opposite directions{where}, higher values of one "
                   "do not go together with higher values of the other there; the chart alone cannot tell "
                   "whether one influences the other.")
        if len(out) >= MAX_RELATIONS:
            break
    return out
