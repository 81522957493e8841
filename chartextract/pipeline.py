"""The pipeline: image -> plot areas -> line traces -> text -> axes -> names -> series -> ``Chart``.

Traces come before text so that OCR can skip the plot areas yet still read the legend
text beside the strokes the tracer found; once the legend is known, a panel where a line
enters it is traced again without it. The CLI, the batch runner and the Python API
all call ``extract``.
"""
from __future__ import annotations

import os

import numpy as np

from .axes import STEP_WORDS, AxesReading, name_y_axis, read_axes
from .axis_offset import shift_to_data
from .colors import color_name, delta_e, hex_to_rgb, to_hex
from .errors import ChartError
from .layout import LEGEND_MAX_SHARE, PlotArea, find_plot_areas
from .legend import (LegendEntry, NamedLines, centred_in, fill_names, legend_block, legend_box,
                     legend_entries, legend_names, legend_text_boxes)
from .load import ImageSource, load_image
from .model import Chart, Panel, Series
from .ocr import Word, prepare_page, read_blocks, read_words
from .options import Options
from .quality import duplicate_warnings, panel_quality, series_quality
from .sampling import sample_trace
from .series import Trace, find_traces

SERIES_COLOR_TOLERANCE = 25.0  # CIE76 distance accepted by --series-colors
SAME_LINE_DE = 16.0  # a line traced again is the one traced before of a colour this close (CIE76)


def extract(source: ImageSource, *, options: Options | None = None) -> Chart:
    """Read every line chart in an image.

    Accepts a path, encoded image bytes or an RGB(A)/grey numpy array. Raises
    ``ChartError`` when the image cannot be decoded or holds no readable chart;
    a panel whose axes cannot be read is kept with ``error`` set and no series.

    >>> chart = extract("fixtures/training_metrics.png")  # doctest: +SKIP
    >>> chart.panels[0].series[0].y[:3]                  # doctest: +SKIP
    """
    options = options or Options()
    img = load_image(source)
    name = os.fspath(source) if isinstance(source, (str, os.PathLike)) else "<memory>"
    areas = find_plot_areas(img)
    if not areas:
        raise ChartError("no chart found: no plot area (axes, frame or gridlines) detected")
    traces = [find_traces(img, a.plot_box, exclude=a.inner_boxes) for a in areas]
    keep = [b for a, ts in zip(areas, traces) for b in a.inner_boxes + legend_text_boxes(ts, a.plot_box)]
    page = prepare_page(img, [a.plot_box for a in areas])
    words = read_words(page, keep)
    sure = [(w.x0, w.y0, w.x1, w.y1) for w in words if w.conf >= 50 and len(w.text) >= 2]
    traces = [[t for t in ts if not _mostly_inside(t, sure + _on_top_edge(words, a.plot_box))]
              for a, ts in zip(areas, traces)]
    entries = [legend_entries(img, _with_right_gap(a, areas, img.shape[1]), a.plot_box, ts, words)
               for a, ts in zip(areas, traces)]
    for k, area in enumerate(areas):
        box = _legend_in_plot(area, entries[k])
        if box:
            traces[k], entries[k] = _without_legend(img, area, box, traces[k], entries[k], sure)
    claimed: set[int] = set()  # words a panel above has used: its x label is not the next title
    readings = [read_axes(page, area, words, options, claimed) for area in areas]
    shift_to_data([(r.x_axis, r.y_axis) for r in readings], page.grey, [a.plot_box for a in areas])
    closer = read_blocks([legend_block(img, page, es, ts) for es, ts in zip(entries, traces)]
                         + [r.y_label.block for r in readings])
    legends = [legend_names(page, es, ws) for es, ws in zip(entries, closer)]
    for r, ws in zip(readings, closer[len(areas):]):
        name_y_axis(r, ws)
    shared = [[(t.rgb, n) for t, n in zip(ts, ns)] for ts, ns in zip(traces, legends) if any(ns)]
    _share_row_labels(areas, readings)
    panels = [_read_panel(i, area, axes, ts, names, shared, options)
              for i, (area, axes, ts, names) in enumerate(zip(areas, readings, traces, legends))]
    if all(p.error for p in panels):
        reasons = "; ".join(sorted({p.error or "" for p in panels}))
        raise ChartError(f"no readable chart: {reasons}")
    return Chart(source=name, width=img.shape[1], height=img.shape[0], panels=panels, image=img)


def _read_panel(index: int, area: PlotArea, axes: AxesReading, traces: list[Trace], names: list[str],
                shared: list[NamedLines], options: Options) -> Panel:
    """One panel: its axes, then its traces as named data series (or the reason it failed)."""
    panel = Panel(index=index, bbox=area.bbox, plot_box=area.plot_box)
    panel.title = axes.title
    panel.x_axis, panel.y_axis = axes.x_axis, axes.y_axis
    panel.x_is_step = axes.x_is_step
    panel.quality = panel_quality(axes.x_axis, axes.y_axis, axes.ocr_conf)
    if axes.error:
        panel.error = axes.error
        return panel
    if options.series_colors:
        wanted = [_color_wanted(t, options.series_colors) for t in traces]
        traces = [t for t, w in zip(traces, wanted) if w]
        names = [n for n, w in zip(names, wanted) if w]
    names = fill_names(traces, names, shared, fallback=axes.y_axis.label or panel.title or "series")
    doubts = duplicate_warnings(traces, names)
    panel.series = [_to_series(t, n, axes, d) for t, n, d in zip(traces, names, doubts)]
    panel.series = [s for s in panel.series if len(s.x)]
    if not panel.series:
        panel.error = "no data line found in the plot area"
    return panel


def _share_row_labels(areas: list[PlotArea], readings: list[AxesReading]) -> None:
    """A panel with nothing drawn where its x (y) label goes takes the label of the nearest
    panel in its row that has one: facets share one x label under the row and one y label
    left of it; failing that, an x label from below in its column (one under a column of
    facets, or under the bottom row of a grid sharing x). Before any line is sampled: the
    x label decides whether x counts steps."""
    for k, axis in enumerate(("x_axis", "y_axis")):
        for area, r in zip(areas, readings):
            own = getattr(r, axis)
            if not r.blank_labels[k] or own is None:
                continue
            x0, y0, x1, y1 = area.plot_box
            labelled = [(b.plot_box, getattr(q, axis)) for b, q in zip(areas, readings) if q is not r
                        and getattr(q, axis) is not None and getattr(q, axis).label]
            row = [(b, a) for b, a in labelled if min(y1, b[3]) > max(y0, b[1]) and (axis == "x_axis" or b[2] <= x0)]
            below = [(b, a) for b, a in labelled if axis == "x_axis" and min(x1, b[2]) > max(x0, b[0]) and b[1] >= y1]
            if not row and not below:
                continue
            own.label = (min(row, key=lambda d: abs(d[0][0] - x0)) if row else min(below, key=lambda d: d[0][1]))[1].label
            if axis == "x_axis":
                r.x_is_step = r.x_is_step and bool(STEP_WORDS.search(own.label))


def _with_right_gap(area: PlotArea, areas: list[PlotArea], width: int) -> tuple[int, int, int, int]:
    """The panel's region reaching right to the next plot in its row: a legend set right of
    a plot (Vega-Lite) can stand past the split between panels, which leaves room for the
    next panel's tick labels."""
    x0, y0, x1, y1 = area.plot_box
    right = min((o.plot_box[0] for o in areas if o is not area and o.plot_box[0] >= x1
                 and min(y1, o.plot_box[3]) > max(y0, o.plot_box[1])), default=width)
    bx0, by0, bx1, by1 = area.bbox
    return bx0, by0, max(bx1, right), by1


def _legend_in_plot(area: PlotArea, entries: list[LegendEntry | None]) -> tuple[int, int, int, int] | None:
    """The box of the legend entries whose strokes stand inside the plot area (a stray one
    outside, in the title above a despined plot, would stretch it over the data), with a
    margin of half a glyph, where that legend is small beside the plot and not in a frame
    already left out; else None."""
    px0, py0, px1, py1 = area.plot_box
    box = legend_box([e for e in entries if e and centred_in(e.handle, area.plot_box)])
    if box is None:
        return None
    glyph = float(np.median([w.height for e in entries if e for w in e.words] or [10.0]))
    pad = max(3.0, 0.5 * glyph)
    x0, y0, x1, y1 = int(box[0] - pad), int(box[1] - pad), int(np.ceil(box[2] + pad)), int(np.ceil(box[3] + pad))
    inside = centred_in((x0, y0, x1, y1), area.plot_box)
    small = (x1 - x0) * (y1 - y0) <= LEGEND_MAX_SHARE * (px1 - px0) * (py1 - py0)
    framed = any(b[0] <= x0 + pad and b[1] <= y0 + pad and b[2] >= x1 - pad and b[3] >= y1 - pad
                 for b in area.inner_boxes)
    return (x0, y0, x1, y1) if inside and small and not framed else None


def _without_legend(img: np.ndarray, area: PlotArea, box: tuple[int, int, int, int], traces: list[Trace],
                    entries: list[LegendEntry | None], sure: list[tuple[float, float, float, float]],
                    ) -> tuple[list[Trace], list[LegendEntry | None]]:
    """The panel's lines traced again with its legend left out. Legend text is drawn in
    the colour of black and grey lines: where another line hides such a line, its trace
    jumps to the legend's words. A trace lying mostly in the legend is its text (where a
    line crossing the legend hid the words from OCR) and is dropped; each other line is
    replaced by the new trace of its colour (closest first), which keeps its legend
    strokes and entry. A line with no new trace was made of legend text (its colour
    gathered from the words), and a new trace with no old line is the rest of such text:
    tracing again only refines the lines, and only where one of them enters the legend."""
    kept = [j for j, (t, e) in enumerate(zip(traces, entries)) if e or not _mostly_inside(t, [box])]
    if not any(_inside_share(traces[j], [box]) > 0 for j in kept):
        return [traces[j] for j in kept], [entries[j] for j in kept]
    new = [t for t in find_traces(img, area.plot_box, exclude=area.inner_boxes + [box])
           if not _mostly_inside(t, sure)]
    pairs = sorted((delta_e(t.rgb, traces[j].rgb), i, j) for i, t in enumerate(new) for j in kept)
    match: dict[int, int] = {}
    for d, i, j in pairs:
        if d < SAME_LINE_DE and j not in match and i not in match.values():
            match[j] = i
    for j, i in match.items():
        new[i].handles = traces[j].handles
    return [new[match[j]] for j in kept if j in match], [entries[j] for j in kept if j in match]


def _on_top_edge(words: list[Word], box: tuple[int, int, int, int]) -> list[tuple[float, float, float, float]]:
    """The boxes of words (however garbled) standing on a plot area's top edge, reaching
    half their height lower for descenders: a title that a despined plot's box, stretched
    above its last tick for the data's margin, takes in. Its glyphs' feet are no line."""
    out = []
    for w in words:
        foot = w.y1 + 0.5 * (w.y1 - w.y0)
        if len(w.text) >= 2 and w.y0 < box[1] <= foot and box[0] <= w.cx <= box[2]:
            out.append((w.x0, w.y0, w.x1, foot))
    return out


def _mostly_inside(trace: Trace, boxes: list[tuple[float, float, float, float]]) -> bool:
    """A 'line' whose points lie mostly inside ``boxes`` (words OCR read with confidence):
    annotation or legend text."""
    return _inside_share(trace, boxes) >= 0.5


def _inside_share(trace: Trace, boxes: list[tuple[float, float, float, float]]) -> float:
    """The share of a trace's points inside ``boxes`` (1 for a trace without points)."""
    cols = np.flatnonzero(np.isfinite(trace.ys))
    if not len(cols):
        return 1.0
    xs, ys = cols + trace.x0, trace.ys[cols]
    inside = np.zeros(len(cols), dtype=bool)
    for x0, y0, x1, y1 in boxes:
        inside |= (xs >= x0 - 2) & (xs <= x1 + 2) & (ys >= y0 - 2) & (ys <= y1 + 2)
    return float(inside.mean())


def _color_wanted(trace: Trace, wanted: tuple[str, ...]) -> bool:
    return any(delta_e(trace.rgb, hex_to_rgb(w)) <= SERIES_COLOR_TOLERANCE for w in wanted)


def _to_series(trace: Trace, name: str, axes: AxesReading, warnings: list[str] = ()) -> Series:
    x, y = sample_trace(trace, axes.x_axis, axes.y_axis, steps=axes.x_is_step)
    return Series(name=name, color=to_hex(trace.rgb), color_name=color_name(trace.rgb),
                  x=x, y=y, quality=series_quality(trace, len(x), warnings))
