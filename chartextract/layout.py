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

from .colors import TEXT_CHROMA

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (inclusive-exclusive)

EDGE_THRESHOLD = 6  # grey-level step that counts as an edge (theme_minimal gridlines on white are ~8)
INK_STEP = 25  # a pixel this far from the line's, the page's and the figure's colours is ink drawn over them
BAND = 4  # rows either side of a line whose median colour is the page it is drawn on
STEADY_SHARE = 0.7  # share of a line's pieces that keep its colour (a stroke's edge wanders)
MAX_OPEN_GAP = 2  # page pixels tolerated in a row inside an ink-covered gap (anti-aliased stroke edges)
MIN_PLOT_SIDE = 40
OFFSET_REACH = 0.3  # despined spines stand off the corner by at most this share of the panel
LINE_EDGES_PX = 4  # a line's two edges are at most this far apart
LEGEND_MAX_SHARE = 0.35  # a legend inside a plot covers at most this share of its area
TRIM_MARGIN = 0.1  # share of a trimmed spine's length the data may reach past its end
TOP_REACH = 0.4  # share of a despined plot's height its data may run on above the box found
TOP_DEPTH = 0.1  # ... and that share of it, at least, below the box's top (deeper than a title's glyphs)
TEXT_MIN_PX = 4  # ink this tall standing clear of the plot above a despined spine's top is text
TITLE_OFF_CENTRE = 0.1  # share of the plot's width a title's centre may stand off the plot's centre
EDGE_MAX_ROWS = 6  # an edge's pieces span this many rows at most (taller blobs are no edge)
CRISP_OVER_RINGING = 4.0  # a crisp line's edges step this many times more than the JPEG ringing beside them
STRIP_MIN_PX = 4  # a band of another background this deep along one side of a plot is a title strip


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
    framed: bool = False  # a line on all four sides


def find_plot_areas(img: np.ndarray) -> list[PlotArea]:
    """Plot areas of all charts in ``img`` (H, W, 3 uint8), in reading order."""
    h, w = img.shape[:2]
    hsegs, vsegs = long_edges(img)
    tol = max(4, int(0.012 * max(h, w)))
    xgroups = _group(hsegs, tol)
    ygroups = _group(vsegs, tol)
    near = int(1.5 * tol)  # offset axes stand this far outside the data rectangle
    min_side = max(MIN_PLOT_SIDE, int(0.07 * min(h, w)))
    cands: list[PlotArea] = []
    framing: set[int] = set()  # the sides of a full frame are no despined spine
    for xs in xgroups:
        x0, x1 = _extent(xs)
        for ys in ygroups:
            y0, y1 = _extent(ys)
            hs = [s for s in xs if y0 - near <= s.pos <= y1 + near]
            vs = [s for s in ys if x0 - near <= s.pos <= x1 + near]
            if hs and vs and _supported(hs, vs, (x0, y0, x1, y1), near):
                box = _snap_to_frame(img, (x0, y0, x1, y1), hsegs, vsegs, hs, vs, 3 * tol)
                framed = _framed(hs, vs, (x0, y0, x1, y1), near)
                if box[2] - box[0] >= min_side and box[3] - box[1] >= min_side:
                    cands.append(PlotArea(plot_box=box, support=len(hs) + len(vs), framed=framed))
                    if framed:
                        framing.update(id(s) for s in hs + vs)
    for xs in xgroups:
        for ys in ygroups:
            found = _offset_spines([s for s in xs if id(s) not in framing], [s for s in ys if id(s) not in framing])
            box = None
            if found:  # the reach past the last tick stops at the image's edge
                box, spine_top = found
                box = (max(0, box[0]), max(0, box[1]), min(w - 1, box[2]), min(h - 1, box[3]))
                box = _over_the_data_above(img, _under_text_above(img, box, spine_top))
            if box and box[2] - box[0] >= min_side and box[3] - box[1] >= min_side:
                cands.append(PlotArea(plot_box=box, support=2, framed=False))
    areas = _keep_outermost(img, cands, tol)
    _assign_inner(areas, cands)
    areas = reading_order(areas)
    _assign_bboxes(areas, w, h)
    return areas


def _framed(hs: list[Segment], vs: list[Segment], box: Box, near: int) -> bool:
    x0, y0, x1, y1 = box
    return (any(abs(s.pos - y0) <= near for s in hs) and any(abs(s.pos - y1) <= near for s in hs)
            and any(abs(s.pos - x0) <= near for s in vs) and any(abs(s.pos - x1) <= near for s in vs))


def _supported(hs: list[Segment], vs: list[Segment], box: Box, near: int) -> bool:
    """A plot area needs three full-length lines, or two meeting at a corner (L-shaped spines)."""
    if len(hs) + len(vs) >= 3:
        return True
    x0, y0, x1, y1 = box
    return any(abs(h.pos - y1) <= near and abs(v.pos - x0) <= near for h in hs for v in vs)


def _offset_spines(xs: list[Segment], ys: list[Segment]) -> tuple[Box, int] | None:
    """Left and bottom spines moved outwards (and trimmed to the ticks), seaborn's despine:
    a horizontal and a vertical line that would meet at a corner below-left, each short of
    the corner by more than a line's width (a frame's sides meet) and by at most a small
    share of the panel they frame (from the far end of one line to the other: the trimmed
    spines themselves may be short). The horizontals of a column of such panels share one
    extent; each line of them is tried, but not one whose extent-mates cross the vertical
    above it, nor a vertical whose extent-mates cross the line (gridlines, not the next
    panel's spine). Also returns the top of the vertical spine."""
    lines, columns = _lines_of(xs), _lines_of(ys)
    for hl in lines:
        near = [v for v in ys if LINE_EDGES_PX < hl.lo - v.pos <= OFFSET_REACH * (hl.hi - v.pos)
                and LINE_EDGES_PX < hl.pos - v.hi <= OFFSET_REACH * (hl.pos - v.lo)
                and not any(v.lo <= o.pos < hl.pos for o in lines)  # gridlines cross a plot
                and not any(hl.lo <= o.pos <= hl.hi for o in columns)]
        if not near:
            continue
        vl = max(near, key=lambda v: v.pos)
        # past its last tick, where the trimmed spine ends, the data reaches by the plot's margin
        # (matplotlib's is 5% of the data's span, and the last tick may stand inside the data)
        # and not beyond the offset at the corner
        reach = min(hl.lo - vl.pos, hl.pos - vl.hi)
        return (int(vl.pos) + 2, int(vl.lo - min(reach, TRIM_MARGIN * (vl.hi - vl.lo))),
                int(hl.hi + min(reach, TRIM_MARGIN * (hl.hi - hl.lo))), int(hl.pos) - 2), vl.lo
    return None


def _under_text_above(img: np.ndarray, box: Box, spine_top: int) -> Box:
    """A despined box's top lowered under a title standing in the margin it reaches above
    the trimmed spine's top: the panel's title, set close above the plot, is no data (its
    glyphs were read as a line, and the title left unread). Data that runs into the margin
    comes up from the plot; a title is grey or black, stands clear of the spine's top row
    and is centred over the plot (a legend's text there stands to one side)."""
    x0, y0, x1, y1 = box
    if spine_top - y0 < 2:
        return box
    window = img[y0:spine_top, x0:x1].astype(np.int16)
    grey = window.max(axis=2) - window.min(axis=2) <= TEXT_CHROMA  # text, not a coloured line's dashes
    ink = ((np.abs(window - _sheet_colour(img)).max(axis=2) >= INK_STEP) & grey).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    text = [(x, x + w, t + hgt) for x, t, w, hgt, _ in stats[1:] if t + hgt < len(ink) - 1 and hgt >= TEXT_MIN_PX]
    if not text:
        return box
    centre = (min(t[0] for t in text) + max(t[1] for t in text)) / 2
    if abs(centre - (x1 - x0) / 2) > TITLE_OFF_CENTRE * (x1 - x0):
        return box
    return (x0, y0 + int(max(t[2] for t in text)), x1, y1)


def _over_the_data_above(img: np.ndarray, box: Box) -> Box:
    """A despined box's top raised over the data that runs on past it: the trimmed spine
    ends at the last tick, and the view (the data's span and a margin) may reach most of a
    tick's interval above it. Data is ink that runs on from above the top deep into the
    box; a title's glyphs (which the top may cut: the box reaches past the last tick) end
    within a glyph's depth of it."""
    x0, y0, x1, y1 = box
    limit = max(0, y0 - int(TOP_REACH * (y1 - y0)))
    depth = int(TOP_DEPTH * (y1 - y0))
    window = img[limit:y0 + depth, x0:x1].astype(np.int16)
    ink = (np.abs(window - _sheet_colour(img)).max(axis=2) >= INK_STEP).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    tops = [limit + t for _, t, _, hgt, _ in stats[1:] if limit + t < y0 and limit + t + hgt >= y0 + depth]
    return (x0, int(min(tops, default=y0)), x1, y1)


def _lines_of(segs: list[Segment]) -> list[Segment]:
    """The distinct lines among segments of one extent (a line's two edges are one), each
    by its first edge (the top of a horizontal line: the plot ends above it)."""
    out: list[Segment] = []
    for s in sorted(segs, key=lambda s: s.pos):
        if not out or s.pos - out[-1].pos > LINE_EDGES_PX:
            out.append(s)
    return out


def _snap_to_frame(img: np.ndarray, box: Box, hsegs: list[Segment], vsegs: list[Segment],
                   hs: list[Segment], vs: list[Segment], tol: int) -> Box:
    """Move each side onto the spine or panel edge running along it, when there is one.

    Gridline edges overshoot the data rectangle where tick marks continue them. A
    side moves inwards onto a perpendicular line only when the overshoot looks
    different from the gridline inside (ticks are drawn in the axis colour); a
    gridline that simply extends into the plot's margin keeps the side where it is.
    """
    x0, y0, x1, y1 = box
    px = img.astype(np.int16)

    def differs(rows_or_cols: list[float], outside: int, inside: int, horizontal: bool) -> bool:
        if not rows_or_cols:
            return True
        diffs = []
        for pos in rows_or_cols:
            # an edge lies between two pixels (pos k + 0.5): look at both, one is the line's
            rs = sorted({int(np.floor(pos)), int(np.ceil(pos))})
            a, b = (px[rs, outside], px[rs, inside]) if horizontal else (px[outside, rs], px[inside, rs])
            diffs.append(int(np.abs(a - b).max()))
        return float(np.median(diffs)) > 30

    def snap(segs: list[Segment], target: int, lo: int, hi: int, defining: list[float], horizontal: bool,
             limit: int) -> int:
        near = [s.pos for s in segs if abs(s.pos - target) <= tol
                and min(s.hi, hi) - max(s.lo, lo) >= 0.6 * (hi - lo)]
        if not near:
            return target
        p = int(round(min(near, key=lambda q: abs(q - target))))
        inward = (p - target) * (1 if target in (x0, y0) else -1) > 0
        if not inward:
            return p
        out_dir = 1 if target > p else -1  # from the candidate side towards the overshoot
        outside = int(np.clip(p + 2 * out_dir, 0, limit - 1))
        inside = int(np.clip(p - 3 * out_dir, 0, limit - 1))
        return p if differs(defining, outside, inside, horizontal) else target

    h, w = img.shape[:2]
    lo_rows = [s.pos for s in hs if abs(s.lo - x0) <= tol]
    hi_rows = [s.pos for s in hs if abs(s.hi - x1) <= tol]
    lo_cols = [s.pos for s in vs if abs(s.lo - y0) <= tol]
    hi_cols = [s.pos for s in vs if abs(s.hi - y1) <= tol]
    return (snap(vsegs, x0, y0, y1, lo_rows, True, w), snap(hsegs, y0, x0, x1, lo_cols, False, h),
            snap(vsegs, x1, y0, y1, hi_rows, True, w), snap(hsegs, y1, x0, x1, hi_cols, False, h))


def long_edges(img: np.ndarray) -> tuple[list[Segment], list[Segment]]:
    """Horizontal and vertical edges longer than a few percent of the image."""
    h, w = img.shape[:2]  # cv2.absdiff gives |a - b| on uint8 without int16 copies of the image
    dy = cv2.absdiff(img[1:], img[:-1]).max(axis=2)  # (h-1, w)
    dx = cv2.absdiff(img[:, 1:], img[:, :-1]).max(axis=2)  # (h, w-1)
    min_len = max(30, int(0.03 * min(h, w)))  # legend frames are shorter than plot sides
    gap = max(10, int(0.02 * max(h, w)))
    sheet = _sheet_colour(img)
    hsegs = _runs(img, dy, sheet, min_len, gap, horizontal=True)
    vsegs = _runs(img, dx, sheet, min_len, gap, horizontal=False)
    hsegs = [s for s in (_trim(img, s, True) for s in hsegs) if s.hi - s.lo >= min_len]
    vsegs = [s for s in (_trim(img, s, False) for s in vsegs) if s.hi - s.lo >= min_len]
    return hsegs, vsegs


def _trim(img: np.ndarray, seg: Segment, horizontal: bool, run: int = 4) -> Segment:
    """Cut the ends of a segment where the line's colour changes or it no longer stands out:
    a gridline's edge run continues through tick marks or a label beside it, which are not
    part of the frame."""
    strip = img if horizontal else img.transpose(1, 0, 2)
    n = strip.shape[0]

    def along(r: int) -> np.ndarray:
        return strip[int(np.clip(r, 0, n - 1)), seg.lo:seg.hi]

    def contrast(r: int) -> float:  # how much this row stands out from rows 4 away
        around = (np.median(along(r - 4), axis=0) + np.median(along(r + 4), axis=0)) / 2
        return float(np.abs(np.median(along(r), axis=0) - around).max())

    r0 = int(round(seg.pos))
    for best in sorted(range(r0 - 2, r0 + 3), key=contrast, reverse=True):
        line = along(best).astype(np.int16)
        ok = np.abs(line - np.median(line, axis=0)).max(axis=1) <= 20
        # a light gridline is within 20 of a white page: where the line goes on, it still
        # stands out from the rows beside it (a gap joined across blank page does not)
        beside = (along(best - 4).astype(np.int16) + along(best + 4)) // 2
        diff = line - beside
        stand = np.abs(diff).max(axis=1)
        if ok.any():
            # and not the other way (lighter where it is darker, in the channel it stands
            # out in most) by as much as it stands out: the white inside a label's glyph,
            # where a gridline's edge runs on through its tick into the label, is lighter
            # than the strokes around it (JPEG noise on a faint line is far less)
            k = int(np.argmax(np.abs(np.median(diff[ok], axis=0))))
            way = np.sign(np.median(diff[ok, k]))
            m = np.median(stand[ok])
            ok &= (stand >= 0.5 * m) & (diff[:, k] * way > -m)
        good = np.convolve(ok, np.ones(run), mode="valid") == run  # ``run`` matching pixels in a row
        idx = np.flatnonzero(good)
        if len(idx):  # else the row is a data line running along the edge, in pieces
            return Segment(seg.pos, seg.lo + int(idx[0]), seg.lo + int(idx[-1]) + run)
    return seg


def _sheet_colour(img: np.ndarray) -> np.ndarray:
    """The figure's own background, the median colour of the image's border."""
    border = np.concatenate([img[0], img[-1], img[:, 0], img[:, -1]])
    return np.median(border, axis=0)


def _runs(img: np.ndarray, step: np.ndarray, sheet: np.ndarray, min_len: int, gap: int,
          horizontal: bool) -> list[Segment]:
    """Straight runs of at least ``min_len`` pixels. Pieces on one line are joined across gaps
    of up to ``gap`` pixels, where thin data lines cross a gridline (unless the gap is bare
    page: two lines end there), and across longer gaps that ink covers all along, where
    thick ones hide it. ``step``: the grey-level step between neighbouring rows (columns)."""
    if not horizontal:
        step, img = step.T, img.transpose(1, 0, 2)
    mask = (step >= EDGE_THRESHOLD).astype(np.uint8)
    piece = max(20, min_len // 2)
    closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((1, 3), np.uint8))
    opened = cv2.morphologyEx(closed, cv2.MORPH_OPEN, np.ones((1, piece), np.uint8))
    n, labels, stats, cents = cv2.connectedComponentsWithStats(opened, connectivity=8)
    pieces = [(float(cents[i][1]) + 0.5, int(stats[i][0]), int(stats[i][0] + stats[i][2]))
              for i in range(1, n) if stats[i][3] <= EDGE_MAX_ROWS]
    for i in np.flatnonzero(stats[1:, 3] > EDGE_MAX_ROWS) + 1:
        pieces += _edge_in(labels, stats[i], i, step)

    def joins(seg: Segment, pos: float, lo: int, hi: int) -> bool:
        return abs(seg.pos - pos) <= 1.5 and seg.lo <= lo and (
            (lo <= seg.hi + gap and not _bare_gap(img, sheet, seg, lo))
            or (abs(seg.pos - pos) <= 1 and _ink_covered(img, sheet, seg, lo, hi)))

    segs: list[Segment] = []
    for pos, lo, hi in sorted(pieces, key=lambda p: (round(p[0]), p[1])):
        # pieces come row by row (rounded), left to right: one starting left of the last
        # segment opened a new row of the same line and must not vanish into that segment
        if segs and joins(segs[-1], pos, lo, hi):
            segs[-1].hi = max(segs[-1].hi, hi)
        else:
            segs.append(Segment(pos, lo, hi))
    # a line whose pieces' centres fall either side of a row boundary (a JPEG's, where a data
    # line crosses it) came apart by that order: join pieces that follow on, not overlap
    for s in sorted(segs, key=lambda s: s.lo):
        prev = [t for t in segs if t is not s and t.hi <= s.lo and joins(t, s.pos, s.lo, s.hi)]
        if prev:
            t = max(prev, key=lambda t: t.hi)
            t.hi = s.hi
            segs.remove(s)
    return [s for s in segs if s.hi - s.lo >= min_len]


def _edge_in(labels: np.ndarray, stat: np.ndarray, i: int, step: np.ndarray) -> list[tuple[float, int, int]]:
    """The long edges in a blob taller than an edge: a JPEG's ringing beside a crisp line
    joins the line's edge rows to short runs above and below it, and data lines join
    gridlines far apart into one blob. The rows that run most of the blob's width, in
    groups apart by more than an edge's rows, each no more than an edge's rows (a thick
    line's two edges, merged by the ringing). A group with a gap is a faint line's blurred
    edges, or text, unless one run of adjacent rows steps far more than the rest: a crisp
    line's edges, with its ringing a row apart."""
    x, y, w, h = (int(v) for v in stat[:4])
    counts = (labels[y:y + h, x:x + w] == i).sum(axis=1)
    rows = np.flatnonzero(counts >= 0.8 * w)
    edges = []
    for g in np.split(rows, np.flatnonzero(np.diff(rows) > EDGE_MAX_ROWS) + 1):
        if len(g) and g[-1] - g[0] < EDGE_MAX_ROWS:
            runs = np.split(g, np.flatnonzero(np.diff(g) > 1) + 1)
            strength = [float(np.median(step[y + r, x:x + w])) for r in runs]
            g = runs[int(np.argmax(strength))]
            if len(runs) == 1 or max(strength) >= CRISP_OVER_RINGING * sorted(strength)[-2]:
                edges.append((float(y + np.average(g, weights=counts[g])) + 0.5, x, x + w))
    return edges


def _bare_gap(img: np.ndarray, sheet: np.ndarray, seg: Segment, lo: int) -> bool:
    """Bare page (the plot's, or the figure's) on both sides of the edge for more than
    ``MAX_OPEN_GAP`` pixels between ``seg`` and a piece starting at ``lo``: neighbouring
    panels' frames or facet strips end there, joined into one line only by a tick label set
    level with them, or by the gap between them being short."""
    r0 = int(np.floor(seg.pos - 0.5))  # the edge lies between image rows r0 and r0 + 1
    if lo <= seg.hi or r0 < BAND or r0 + BAND + 2 > img.shape[0]:
        return False
    page = np.median(img[r0 - BAND:r0 + BAND + 2, seg.lo:seg.hi].reshape(-1, 3), axis=0)
    rows = img[r0:r0 + 2, seg.hi:lo].astype(np.int16)
    bare = np.ones(rows.shape[1], dtype=bool)
    for row in rows:
        bare &= np.minimum(np.abs(row - page).max(axis=1), np.abs(row - sheet).max(axis=1)) < EDGE_THRESHOLD
    return _longest_run(bare) > MAX_OPEN_GAP


def _ink_covered(img: np.ndarray, sheet: np.ndarray, seg: Segment, lo: int, hi: int) -> bool:
    """The gap between ``seg`` and the next piece ``lo..hi`` of its line is drawn over: every
    pixel either still shows the line or, on both sides of its edge, differs from the line's
    colour, the page's around it and the figure's. A gridline that stops at the plot's edge,
    behind a legend or between facets meets page, figure or gridline-coloured pixels there."""
    r0 = int(np.floor(seg.pos - 0.5))  # the edge lies between image rows r0 and r0 + 1
    if r0 < BAND or r0 + BAND + 2 > img.shape[0]:
        return False
    cols = np.r_[seg.lo:seg.hi, lo:hi]
    page = np.median(img[r0 - BAND:r0 + BAND + 2, cols].reshape(-1, 3), axis=0)
    sides = img[r0:r0 + 2, cols].astype(np.int16)  # the two sides of the edge along the pieces
    colours = np.median(sides, axis=1)
    near = np.abs(colours - page).max(axis=1)
    steady = (np.abs(sides - colours[:, None]).max(axis=2) <= INK_STEP).mean(axis=1)
    # one side of the edge is the page; a thin line's anti-aliased side row only tints it
    if near.min() > max(EDGE_THRESHOLD, near.max() / 2) or near.max() < EDGE_THRESHOLD \
            or steady.min() < STEADY_SHARE:
        return False  # not an even line on a plain page: the edge of a stroke or of text
    rows = img[r0:r0 + 2, seg.hi:lo].astype(np.int16)  # (2, gap, 3)
    known = np.vstack([colours, page, sheet]).astype(np.int16)
    diff = np.abs(rows[:, :, None] - known[None, None]).max(axis=3)  # (2, gap, 4)
    k = int(np.argmax(np.abs(colours[0] - colours[1])))  # the channel the line stands out in
    # the line itself, drawn or seen through a translucent fill: the same step across the edge
    shown = (rows[0, :, k] - rows[1, :, k]) * np.sign(colours[0, k] - colours[1, k]) >= EDGE_THRESHOLD
    inked = (diff.min(axis=2) > INK_STEP).all(axis=0)
    return _longest_run(~(shown | inked)) <= MAX_OPEN_GAP


def _longest_run(flags: np.ndarray) -> int:
    """Length of the longest run of True in a 1-D boolean array."""
    padded = np.concatenate([[0], flags.astype(np.int8), [0]])
    edges = np.flatnonzero(np.diff(padded))
    return int((edges[1::2] - edges[::2]).max()) if len(edges) else 0


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


def _keep_outermost(img: np.ndarray, cands: list[PlotArea], tol: int) -> list[PlotArea]:
    """Drop candidates inside or mostly overlapping a larger one; but of two nearly equal
    boxes, one side of the larger may rest on a lone line that runs on into the labels
    (a gridline through its tick and label), and the far better supported one is kept.
    A box that is another and a strip of other background along one side keeps the
    other: the strip holds a facet's title, not data."""
    kept: list[PlotArea] = []
    for c in sorted(cands, key=lambda c: (-_area(c.plot_box), -c.support)):
        covering = [i for i, k in enumerate(kept) if _contains(k.plot_box, c.plot_box, tol)
                    or _overlap(k.plot_box, c.plot_box) > 0.3 or _abuts(k.plot_box, c.plot_box, tol)]
        if not covering:
            kept.append(c)
        elif len(covering) == 1 and (
                (_near_equal(kept[covering[0]].plot_box, c.plot_box, 2 * tol)
                 and c.support > 2 * kept[covering[0]].support)
                or _strip_beside(img, kept[covering[0]].plot_box, c.plot_box)):
            kept[covering[0]] = c
    return kept


def _strip_beside(img: np.ndarray, outer: Box, inner: Box) -> bool:
    """Whether ``outer`` is ``inner`` and a band along one side (``STRIP_MIN_PX`` deep up to
    a quarter of the box) of another background colour: a facet's title strip. One plot
    area has one background."""
    depths = [inner[0] - outer[0], inner[1] - outer[1], outer[2] - inner[2], outer[3] - inner[3]]
    wide = [i for i, d in enumerate(depths) if d >= STRIP_MIN_PX]
    if len(wide) != 1:
        return False
    side = wide[0]
    x0, y0, x1, y1 = inner
    ox0, oy0, ox1, oy1 = outer
    band = [img[y0:y1, ox0 + 1:x0 - 1], img[oy0 + 1:y0 - 1, x0:x1],
            img[y0:y1, x1 + 2:ox1], img[y1 + 2:oy1, x0:x1]][side]
    if depths[side] > 0.25 * (y1 - y0 if side % 2 else x1 - x0) or min(band.shape[:2]) < STRIP_MIN_PX:
        return False
    inside = np.median(img[y0 + 2:y1 - 1, x0 + 2:x1 - 1].reshape(-1, 3), axis=0)
    return bool(np.abs(np.median(band.reshape(-1, 3), axis=0) - inside).max() > EDGE_THRESHOLD)


def _near_equal(a: Box, b: Box, tol: int) -> bool:
    return all(abs(p - q) <= tol for p, q in zip(a, b))


def _abuts(a: Box, b: Box, tol: int) -> bool:
    """``b`` sits flush against a side of ``a``: a strip of labels, not a separate chart."""
    v_share = min(a[3], b[3]) - max(a[1], b[1]) > 0.5 * (b[3] - b[1])
    h_share = min(a[2], b[2]) - max(a[0], b[0]) > 0.5 * (b[2] - b[0])
    return bool((v_share and (abs(b[2] - a[0]) <= tol or abs(b[0] - a[2]) <= tol))
                or (h_share and (abs(b[3] - a[1]) <= tol or abs(b[1] - a[3]) <= tol)))


def _assign_inner(areas: list[PlotArea], cands: list[PlotArea]) -> None:
    """Small framed boxes inside a plot area (legends) are remembered, not dropped."""
    for a in areas:
        ax0, ay0, ax1, ay1 = a.plot_box
        for c in cands:
            b = c.plot_box
            inside = b[0] > ax0 + 2 and b[1] > ay0 + 2 and b[2] < ax1 - 2 and b[3] < ay1 - 2
            if inside and _area(b) < LEGEND_MAX_SHARE * _area(a.plot_box) and c.framed:
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
            # x tick labels and the x label sit below their plot, a title just above its own
            if h_overlap and oy1 <= y0:
                top = max(top, oy1 + (7 * (y0 - oy1)) // 10)
            if h_overlap and oy0 >= y1:
                bottom = min(bottom, y1 + (7 * (oy0 - y1)) // 10)
        a.bbox = (left, top, right, bottom)
