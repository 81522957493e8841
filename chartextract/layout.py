"""Find the plot areas (data rectangles) of every chart in an image.

Spines, frames, gridlines and the edges of a filled panel background all show
up as long straight edges. Horizontal edges of one plot area share the same
left/right extent and vertical ones the same top/bottom extent, so a plot area
is a pair (x-extent of a group of horizontal edges, y-extent of a group of
vertical edges) that support each other. This covers matplotlib spines,
ggplot grey panels, gridline-only themes, full frames and offset axes alike.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (inclusive-exclusive)

EDGE_THRESHOLD = 10  # grey-level step that counts as an edge (light gridlines on white are ~20)
MIN_PLOT_SIDE = 40


@dataclass
class Segment:
    """A long straight edge: ``pos`` across it, ``lo..hi`` along it."""

    pos: float
    lo: int
    hi: int


@dataclass
class PlotArea:
    """One chart: its data rectangle, the region its labels live in, and boxes inside it."""

    plot_box: Box
    bbox: Box = (0, 0, 0, 0)
    inner_boxes: list[Box] = field(default_factory=list)  # legend frames and the like
    support: int = 0


def find_plot_areas(img: np.ndarray) -> list[PlotArea]:
    """Plot areas of all charts in ``img`` (H, W, 3 uint8), in reading order."""
    h, w = img.shape[:2]
    hsegs, vsegs = long_edges(img)
    tol = max(4, int(0.012 * max(h, w)))
    xgroups = _group(hsegs, tol)
    ygroups = _group(vsegs, tol)
    cands: list[PlotArea] = []
    for xs in xgroups:
        x0, x1 = _extent(xs)
        for ys in ygroups:
            y0, y1 = _extent(ys)
            if x1 - x0 < MIN_PLOT_SIDE or y1 - y0 < MIN_PLOT_SIDE:
                continue
            hs = [s for s in xs if y0 - 3 * tol <= s.pos <= y1 + 3 * tol]
            vs = [s for s in ys if x0 - 3 * tol <= s.pos <= x1 + 3 * tol]
            if not hs or not vs:
                continue
            # both directions must reach an edge or corner of the rectangle
            touches_h = any(abs(s.pos - y0) <= 3 * tol or abs(s.pos - y1) <= 3 * tol for s in hs)
            touches_v = any(abs(s.pos - x0) <= 3 * tol or abs(s.pos - x1) <= 3 * tol for s in vs)
            if not (touches_h or touches_v):
                continue
            box = _snap_to_frame((x0, y0, x1, y1), hsegs, vsegs, 3 * tol)
            cands.append(PlotArea(plot_box=box, support=len(hs) + len(vs)))
    areas = _keep_outermost(cands, tol)
    _assign_inner(areas, cands)
    areas = reading_order(areas)
    _assign_bboxes(areas, w, h)
    return areas


def _snap_to_frame(box: Box, hs: list[Segment], vs: list[Segment], tol: int) -> Box:
    """Move each side onto the spine or panel edge running along it, when there is one.

    Edge extents overshoot where tick marks continue a gridline; the perpendicular
    spine (or the edge of a filled panel) gives the exact side.
    """
    x0, y0, x1, y1 = box

    def nearest(segs: list[Segment], target: int, lo: int, hi: int) -> int:
        near = [s.pos for s in segs if abs(s.pos - target) <= tol
                and min(s.hi, hi) - max(s.lo, lo) >= 0.6 * (hi - lo)]
        return int(round(min(near, key=lambda p: abs(p - target)))) if near else target

    return (nearest(vs, x0, y0, y1), nearest(hs, y0, x0, x1),
            nearest(vs, x1, y0, y1), nearest(hs, y1, x0, x1))


def long_edges(img: np.ndarray) -> tuple[list[Segment], list[Segment]]:
    """Horizontal and vertical edges longer than a few percent of the image."""
    grey = img.astype(np.int16)
    h, w = grey.shape[:2]
    dy = np.abs(np.diff(grey, axis=0)).max(axis=2) >= EDGE_THRESHOLD  # (h-1, w)
    dx = np.abs(np.diff(grey, axis=1)).max(axis=2) >= EDGE_THRESHOLD  # (h, w-1)
    min_len = max(MIN_PLOT_SIDE, int(0.04 * min(h, w)))
    hsegs = _runs(dy.astype(np.uint8), min_len, horizontal=True)
    vsegs = _runs(dx.astype(np.uint8), min_len, horizontal=False)
    return hsegs, vsegs


def _runs(mask: np.ndarray, min_len: int, horizontal: bool) -> list[Segment]:
    """Connected straight runs of at least ``min_len`` pixels (gaps of 2 px, crossings, bridged)."""
    if not horizontal:
        mask = mask.T
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((1, 3), np.uint8))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((1, min_len), np.uint8))
    n, _, stats, cents = cv2.connectedComponentsWithStats(mask, connectivity=8)
    segs = []
    for i in range(1, n):
        x, y, ww, hh, _area = stats[i]
        if hh > 6:  # a thick blob, not a line edge
            continue
        segs.append(Segment(pos=float(cents[i][1]) + 0.5, lo=int(x), hi=int(x + ww)))
    return segs


def _group(segs: list[Segment], tol: int) -> list[list[Segment]]:
    """Groups of segments whose two ends agree within ``tol``."""
    groups: list[list[Segment]] = []
    for s in sorted(segs, key=lambda s: (s.lo, s.hi)):
        for g in groups:
            lo, hi = _extent(g)
            if abs(s.lo - lo) <= tol and abs(s.hi - hi) <= tol:
                g.append(s)
                break
        else:
            groups.append([s])
    return groups


def _extent(g: list[Segment]) -> tuple[int, int]:
    """The common extent of a group: the median ends, robust to one stray edge."""
    return int(np.median([s.lo for s in g])), int(np.median([s.hi for s in g]))


def _contains(outer: Box, inner: Box, tol: int) -> bool:
    return (inner[0] >= outer[0] - tol and inner[1] >= outer[1] - tol
            and inner[2] <= outer[2] + tol and inner[3] <= outer[3] + tol)


def _overlap(a: Box, b: Box) -> float:
    """Intersection over the smaller box's area."""
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return ix * iy / small if small else 0.0


def _area(b: Box) -> int:
    return (b[2] - b[0]) * (b[3] - b[1])


def _keep_outermost(cands: list[PlotArea], tol: int) -> list[PlotArea]:
    """Drop candidates inside or mostly overlapping a larger one."""
    kept: list[PlotArea] = []
    for c in sorted(cands, key=lambda c: (-_area(c.plot_box), -c.support)):
        if any(_contains(k.plot_box, c.plot_box, tol) or _overlap(k.plot_box, c.plot_box) > 0.3 for k in kept):
            continue
        kept.append(c)
    return kept


def _assign_inner(areas: list[PlotArea], cands: list[PlotArea]) -> None:
    """Small framed boxes inside a plot area (legends) are remembered, not dropped."""
    for a in areas:
        ax0, ay0, ax1, ay1 = a.plot_box
        for c in cands:
            b = c.plot_box
            inside = b[0] > ax0 + 2 and b[1] > ay0 + 2 and b[2] < ax1 - 2 and b[3] < ay1 - 2
            if inside and _area(b) < 0.35 * _area(a.plot_box) and c.support >= 4:
                if not any(_contains(o, b, 2) for o in a.inner_boxes):
                    a.inner_boxes.append(b)


def reading_order(areas: list[PlotArea]) -> list[PlotArea]:
    """Rows top to bottom (areas overlapping vertically share a row), left to right."""
    rows: list[list[PlotArea]] = []
    for a in sorted(areas, key=lambda a: a.plot_box[1]):
        for row in rows:
            r = row[0].plot_box
            overlap = min(r[3], a.plot_box[3]) - max(r[1], a.plot_box[1])
            if overlap > 0.5 * min(r[3] - r[1], a.plot_box[3] - a.plot_box[1]):
                row.append(a)
                break
        else:
            rows.append([a])
    return [a for row in rows for a in sorted(row, key=lambda a: a.plot_box[0])]


def _assign_bboxes(areas: list[PlotArea], w: int, h: int) -> None:
    """Each panel's region: its plot box grown halfway towards its neighbours (or the border)."""
    for a in areas:
        x0, y0, x1, y1 = a.plot_box
        left, top, right, bottom = 0, 0, w, h
        for o in areas:
            if o is a:
                continue
            ox0, oy0, ox1, oy1 = o.plot_box
            v_overlap = min(y1, oy1) - max(y0, oy0) > 0
            h_overlap = min(x1, ox1) - max(x0, ox0) > 0
            # y tick labels and the y label sit left of their plot: split near the left neighbour
            if v_overlap and ox1 <= x0:
                left = max(left, ox1 + (x0 - ox1) // 6)
            if v_overlap and ox0 >= x1:
                right = min(right, x1 + (ox0 - x1) // 6)
            if h_overlap and oy1 <= y0:
                top = max(top, (oy1 + y0) // 2)
            if h_overlap and oy0 >= y1:
                bottom = min(bottom, (y1 + oy0) // 2)
        a.bbox = (left, top, right, bottom)
