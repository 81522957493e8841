"""Segment the data lines of one plot area by colour and trace each one.

1. Background and gridlines: the plot's dominant colour is background; rows or
   columns mostly covered by one low-chroma colour are gridlines, and only
   their pixels of that colour are cleared (a coloured line crossing stays).
2. Line colours: pixels at a local contrast maximum ("core" pixels, the centre
   of a stroke even when anti-aliased) are clustered in Lab space.
3. Assignment: every inked pixel joins the colour whose background-to-colour
   blend line it lies on, so anti-aliased edges count with their own line.
4. Tracing: one y per column (the centre of the run nearest the line's course),
   filled areas and coincident halos rejected, crossings bridged.
"""
from __future__ import annotations

import colorsys
from dataclasses import dataclass, field

import cv2
import numpy as np
from scipy import ndimage

from .colors import to_lab

Box = tuple[int, int, int, int]

INK_DE = 12.0  # Lab distance from the background that counts as ink
CORE_MIN_DE = 18.0
GRID_SPAN = 0.8  # a gridline's pixels run over this share of the plot at least (lines hide parts)
GRID_FILL = 0.9  # ... or cover this share of their own span (a frame's edge, unbroken)
CLUSTER_DE = 16.0  # core colours closer than this are one line colour
MAX_BRIDGE_FRAC = 0.02  # gaps up to 2% of the width (crossings, occlusion) are bridged
AREA_MIN_OVERLAP = 0.85  # median share of rows a column's run has in common with the next: filled areas 0.9+, dense zig-zag lines about 0.75
MIN_PIECE_COLS = 6  # a piece of line narrower than this is a dot (of a dotted line), not a stroke
HOLE_PX = 7  # holes this small in a line's mask are where something is drawn on top of it
BAND_ALPHA = 0.45  # a shaded band is fainter than this share of its line's colour ...
BAND_MIN_HALF_PX = 3.0  # ... and a solid region at least this far across from its edge (half its width)
BAND_STEP = 0.2  # its line stands out of it by this much of the colour, at least
AREA_SOLID = 0.6  # an area's widest inscribed disc spans this share of its columns' height, at least
AREA_VS_LINE = 2.0  # a band's columns run this many times taller than the plot's lines
TICK_GAP_PX = 3  # an inward tick mark ends this close to the crop's side (the frame and gridlines cleared under it)
CORE_ALPHA = 0.8  # a pixel this much of a line's colour is the line itself, not its fringe
DOT_PX = 4  # a dotted line's dots are at most this wide and tall
DASH_PERIOD_PX = 12  # a short last dash and the gap before it, at most (dashes are 3-8 px at 100 dpi)
STROKE_REACH = 3  # entries above or below the others' strokes where a legend stroke may be
FRINGE_DE = 30.0  # a JPEG colour fringe is this close to the paper at most (light palette colours reach 20)
FRINGE_PX = 8  # ... and lies this close to stronger lines: half a JPEG chroma block (8 px at half size)
FRINGE_NEAR = 0.8  # ... with this share of its pixels at least


@dataclass
class Trace:
    """One line in pixel space: ``ys[i]`` is the row at image column ``x0 + i`` (NaN = no line)."""

    rgb: tuple[int, int, int]
    ys: np.ndarray
    x0: int
    width_px: float = 1.0
    quality: dict = field(default_factory=dict)
    handles: list[Box] = field(default_factory=list)  # legend strokes of this colour (image coords)
    ambiguous: float = 0.0  # share of the line's columns where it had several runs to choose from
    run_ends: np.ndarray | None = field(default=None, repr=False)  # (n, 2) top/bottom row of each column's run
    edges: np.ndarray | None = field(default=None, repr=False)  # (n, 2) sub-pixel top/bottom edge of that run; NaN where hidden
    cores: np.ndarray | None = field(default=None, repr=False)  # (n, 2) rows of each run where a disc as thick as the line fits
    radius: float = 0.0  # that disc's radius (distance transform units)
    ink: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(default=None, repr=False)  # (cols, rows, alpha) seen around each run; 0 = no ink there

    @property
    def coverage(self) -> float:
        return float(np.isfinite(self.ys).mean()) if len(self.ys) else 0.0


def find_traces(img: np.ndarray, plot_box: Box, exclude: list[Box] = ()) -> list[Trace]:
    """All data lines in ``plot_box``, strongest first; ``exclude`` boxes (legends) are ignored."""
    x0, y0, x1, y1 = plot_box
    m = 2
    crop = img[y0 + m:y1 - m + 1, x0 + m:x1 - m + 1]
    if crop.shape[0] < 10 or crop.shape[1] < 10:
        return []
    bg_rgb = _dominant_color(crop)
    lab = to_lab(crop)
    bg = to_lab(np.array(bg_rgb, dtype=np.uint8)).astype(np.float32)
    dist = np.empty(lab.shape[:2], dtype=np.float32)
    for r in range(0, len(lab), 256):  # row chunks: no full-size (lab - bg) temporaries
        dist[r:r + 256] = np.linalg.norm(lab[r:r + 256] - bg, axis=2)
    ink = dist > INK_DE
    grid = _gridline_pixels(lab, ink)
    ink &= ~grid
    ink &= ~_border_ticks(ink)
    inside = np.zeros_like(ink)  # legend boxes: their frame is never data, their content only names
    for bx0, by0, bx1, by1 in exclude:
        r0, r1 = max(0, by0 - y0 - m - 2), max(0, by1 - y0 - m + 3)
        c0, c1 = max(0, bx0 - x0 - m - 2), max(0, bx1 - x0 - m + 3)
        ink[r0:r1, c0:c1] &= ~_ring(r1 - r0, c1 - c0, 4)[:ink[r0:r1, c0:c1].shape[0], :ink[r0:r1, c0:c1].shape[1]]
        inside[r0:r1, c0:c1] = True
    dist = np.where(ink, dist, 0.0)
    centers = _line_colors(lab, crop, dist, ink, min_pixels=max(15, int(0.08 * crop.shape[1])))
    del lab
    if not centers:
        return []
    paper = np.array(bg_rgb, dtype=float)
    labels, alpha = _assign(crop, paper, ink, centers)
    masks, centers = _merge_shades([_drop_specks(labels == k) for k in range(len(centers))], centers, paper)
    for mask, c in zip(masks, centers):  # a merged shade's blends are blends of the stroke's colour
        alpha[mask] = _blend_alpha(crop[mask] - paper, c - paper)
    _give_back_fringes(masks, centers, alpha, crop, paper)
    strong = [mk & (alpha >= 0.6) for mk in masks]  # faded lines under a legend do not join its strokes
    all_handles = _in_line_with(strong, _pick_handles([_flat_pieces(mk) for mk in strong]))
    masks = [_remove_boxes(mk, handles) & ~inside for mk, handles in zip(masks, all_handles)]
    contrast = [float(np.linalg.norm(to_lab(np.clip(c, 0, 255).astype(np.uint8)) - bg)) for c in centers]
    lineish = [mk.sum() >= 10 and not _looks_like_text(mk) and not _is_fringe(k, masks, contrast)
               for k, mk in enumerate(masks)]
    heights = [_column_height(mk) if ok else 0.0 for mk, ok in zip(masks, lineish)]  # text is no line to compare with
    traces = []
    for k, (mask, handles) in enumerate(zip(masks, all_handles)):
        if not lineish[k]:
            continue
        mask, band = _off_band(mask, alpha)  # a shaded band around the line is its paper
        # other lines on top, and the blends at their edges (no line's colour), hide this one
        occ = ((labels >= 0) | (ink & _closed(mask, HOLE_PX))) & ~mask & ~band
        ys, ends, width, ambiguous = _trace(mask, alpha, occluders=occ)
        ys, ends = _drop_strays(ys, ends, width)
        edges = _edges(mask, alpha, (labels >= 0) & ~mask & ~band, ends)
        cores, radius = _cores(mask | occ, ends)
        cols, rows, seen = _ink_samples(mask, alpha, (ink | grid) & ~mask & ~band, ends)
        ys = _bridge(ys, int(max(3, MAX_BRIDGE_FRAC * len(ys))))
        rgb = _rgb_of(crop, mask, dist)
        t = Trace(rgb=rgb, ys=ys + y0 + m, x0=x0 + m, width_px=width, ambiguous=ambiguous,
                  run_ends=ends + y0 + m, edges=edges + y0 + m, cores=cores + y0 + m, radius=radius,
                  ink=(cols + x0 + m, rows + y0 + m, seen),
                  handles=[(hx0 + x0 + m, hy0 + y0 + m, hx1 + x0 + m, hy1 + y0 + m) for hx0, hy0, hx1, hy1 in handles])
        if t.coverage < 0.04 or _is_area(mask, ends, heights[:k] + heights[k + 1:]) or _erratic(ys, mask.shape[0]):
            continue
        traces.append(t)
    return _drop_halos(traces, paper)


def _ring(h: int, w: int, k: int) -> np.ndarray:
    """A frame of thickness ``k`` around an h x w box."""
    r = np.ones((h, w), dtype=bool)
    r[k:h - k, k:w - k] = False
    return r


def _dominant_color(crop: np.ndarray) -> tuple[int, int, int]:
    q = (crop // 8).reshape(-1, 3).astype(np.uint16)
    keys = (q[:, 0] << 10) | (q[:, 1] << 5) | q[:, 2]
    del q
    counts = np.zeros(1 << 15, dtype=np.int64)
    for i in range(0, len(keys), 1 << 20):  # bincount copies its input to intp: chunk it
        counts += np.bincount(keys[i:i + (1 << 20)], minlength=1 << 15)
    top = counts.argmax()
    sel = crop.reshape(-1, 3)[keys == top]
    return tuple(int(v) for v in np.median(sel, axis=0))


def _gridline_pixels(lab: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """Pixels of full-length horizontal or vertical lines of one low-chroma colour. A row
    of that colour that runs neither most of the way across nor unbroken and thin (a
    legend's frame) is data running level (a black plateau along a gridline), not a
    gridline; no data runs upright that long (a column of a frame's JPEG ringing does)."""
    out = np.zeros_like(ink)
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    for axis in (1, 0):  # rows, then columns
        frac = ink.mean(axis=axis)
        for i in np.flatnonzero(frac > 0.5):
            line = (slice(i, i + 1), slice(None)) if axis == 1 else (slice(None), slice(i, i + 1))
            vals = lab[line].reshape(-1, 3)
            on = ink[line].reshape(-1)
            if np.median(chroma[line].reshape(-1)[on]) > 15:
                continue  # a coloured flat line is data, not a gridline
            ref = np.median(vals[on], axis=0)
            near = np.linalg.norm(vals - ref, axis=1) < 12
            at = np.flatnonzero(near & on)
            if not len(at):
                continue  # no pixel of the line's middle colour (half black, half grey)
            if axis == 1 and at[-1] - at[0] < GRID_SPAN * len(on) and (
                    len(at) < GRID_FILL * (at[-1] - at[0] + 1) or _thick_run(lab, i, at, ref)):
                continue  # short, and broken or thick: data running level
            out[line] |= (near & on).reshape(out[line].shape)
    # anti-aliased gridlines leave faint neighbour rows/columns
    return cv2.dilate(out.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool) & (
        np.hypot(lab[..., 1], lab[..., 2]) < 15) if out.any() else out


def _thick_run(lab: np.ndarray, i: int, at: np.ndarray, ref: np.ndarray) -> bool:
    """Whether row ``i``'s pixels ``at`` of colour ``ref`` are mostly the middle of a stroke
    thicker than a frame's edge: the same colour two rows above and below them."""
    if i < 2 or i + 2 >= len(lab):
        return False
    both = [np.linalg.norm(lab[r, at] - ref, axis=1) < 12 for r in (i - 2, i + 2)]
    return bool(np.mean(both[0] & both[1]) > 0.5)


def _line_colors(lab: np.ndarray, rgb: np.ndarray, dist: np.ndarray, ink: np.ndarray,
                 min_pixels: int) -> list[np.ndarray]:
    """RGB centres of the line colours: pixels at a local contrast maximum, clustered in Lab."""
    local_max = ndimage.maximum_filter(dist, size=3)
    core = ink & (dist >= CORE_MIN_DE) & (dist >= 0.85 * local_max)
    pts = lab[core]
    pts_rgb = rgb[core].astype(float)
    strength = dist[core]
    centers: list[np.ndarray] = []
    remaining = np.ones(len(pts), dtype=bool)
    while remaining.sum() >= min_pixels and len(centers) < 12:
        sub = pts[remaining]
        q = np.round(sub / 6.0).astype(np.int32)
        _, inv, counts = np.unique(q, axis=0, return_inverse=True, return_counts=True)
        seed = sub[inv.reshape(-1) == counts.argmax()].mean(axis=0)
        near = np.linalg.norm(pts - seed, axis=1) < CLUSTER_DE
        members = near & remaining
        if members.sum() < min_pixels:
            remaining &= ~members
            continue
        # the colour itself is the high-contrast end of the members (edges are blends)
        s = strength[members]
        centers.append(pts_rgb[members][s >= np.percentile(s, 60)].mean(axis=0))
        remaining &= ~members
    return centers


def _assign(rgb: np.ndarray, bg: np.ndarray, ink: np.ndarray, centers: list[np.ndarray]):
    """Label each ink pixel with the colour whose blend line from the background it lies on.

    Anti-aliasing blends in RGB, so the blend line is straight there (not in Lab).
    """
    p = rgb[ink].astype(float) - bg
    best = np.full(len(p), -1)
    best_score = np.full(len(p), np.inf)
    best_alpha = np.zeros(len(p))
    for k, c in enumerate(centers):
        d = c - bg
        a = _blend_alpha(p, d, top=1.3)
        perp = np.linalg.norm(p - a[:, None] * d, axis=1)
        score = perp + 25.0 * np.clip(1.0 - a, 0, None) ** 2 + 50.0 * np.clip(a - 1.0, 0, None)
        ok = (perp < 24.0 + 0.1 * np.sqrt(d @ d)) & (a > 0.2) & (score < best_score)
        best[ok], best_score[ok], best_alpha[ok] = k, score[ok], np.minimum(a[ok], 1.0)
    labels = np.full(ink.shape, -1, dtype=np.int8)
    alpha = np.zeros(ink.shape)
    labels[ink] = best
    alpha[ink] = best_alpha
    return labels, alpha


def _components(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Label image and (x, y, w, h, area) rows of the 8-connected components, background dropped."""
    n, lab, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return lab, stats[1:]


def _border_ticks(ink: np.ndarray) -> np.ndarray:
    """Inward tick marks: short thin dashes attached to the plot frame, perpendicular to it
    (within a frame's blended edge of the crop's side: the frame itself is cleared as a
    gridline)."""
    lab, stats = _components(ink)
    h, w = ink.shape
    out = np.zeros_like(ink)
    e = TICK_GAP_PX
    for i, (x, y, cw, ch, _a) in enumerate(stats, start=1):
        from_side = (x <= e or x + cw >= w - e) and ch <= 3 and cw <= 15
        from_top = (y <= e or y + ch >= h - e) and cw <= 3 and ch <= 15
        if from_side or from_top:
            out |= lab == i
    return out


def _blend_alpha(offset: np.ndarray, d: np.ndarray, top: float = 1.0) -> np.ndarray:
    """How much of a colour each pixel is, from their offsets from the background
    (``offset``, ``d``): the pixel's projection on the blend line."""
    return np.clip(offset @ d / max(float(d @ d), 1e-6), 0.0, top)


def _merge_shades(masks: list[np.ndarray], centers: list[np.ndarray], bg: np.ndarray):
    """Join colour groups that are shades of one stroke: thick or JPEG-compressed lines split
    into a dark core and lighter edges of the same hue, whose pixels lie side by side. Two
    separate lines of one hue only touch where they cross, so stay apart."""
    masks, centers = list(masks), list(centers)
    while True:
        grown = [cv2.dilate(m.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool) for m in masks]
        pair = next(((i, j) for i in range(len(masks)) for j in range(len(masks))
                     if i != j and masks[j].sum() <= masks[i].sum()
                     and (_same_hue(centers[i], centers[j]) or _is_mix(centers[j], centers[i], bg))
                     and (masks[j] & grown[i]).sum() > 0.5 * max(1, masks[j].sum())), None)
        if pair is None:
            return masks, centers
        i, j = pair
        masks[i] = masks[i] | masks[j]
        if np.linalg.norm(centers[j] - bg) > np.linalg.norm(centers[i] - bg):
            centers[i] = centers[j]  # the stroke's colour is its strongest shade
        del masks[j], centers[j]


def _give_back_fringes(masks: list[np.ndarray], centers: list[np.ndarray], alpha: np.ndarray,
                       crop: np.ndarray, paper: np.ndarray) -> None:
    """A line whose colour blends the background with a stronger line's (grey, beside
    black) gets that line's anti-aliased fringe too: its colour cannot tell them apart.
    Its pixels touching the stronger line's core are that line's fringe and go back to it
    (the grey trace jumped to the black line's edge wherever it was hidden)."""
    cores = [m & (alpha >= CORE_ALPHA) for m in masks]
    for j, (mask, c) in enumerate(zip(masks, centers)):
        for i, strong in enumerate(centers):
            if i == j or not _is_mix(c, strong, paper):
                continue
            fringe = mask & cv2.dilate(cores[i].astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
            mask &= ~fringe
            masks[i] |= fringe
            alpha[fringe] = _blend_alpha(crop[fringe] - paper, strong - paper)


def _flat_pieces(mask: np.ndarray) -> tuple[list[Box], list[Box]]:
    """Candidate legend strokes of a colour mask: short flat pieces, and rows of flat dashes
    or small dots (a dashed or dotted line's stroke) joined into one box. A dash long enough
    to be a stroke on its own (matplotlib's dashes grow with the line width and dpi: 10 px
    at 138 dpi) still joins its row: three such dashes were no stroke, neither as pieces
    (more than two flat pieces are a dashed line) nor as a row."""
    _lab, stats = _components(mask)
    if len(stats) < 2:
        return [], []
    total = stats[:, 4].sum()
    w = mask.shape[1]
    flat = [(int(x), int(y), int(x + cw), int(y + ch)) for x, y, cw, ch, a in stats
            if cw >= 2.5 * ch and a < 0.2 * total and a >= 0.6 * cw * max(1, ch - 2)]
    solid = [b for b in flat if 8 <= b[2] - b[0] <= 0.2 * w]
    dots = [(int(x), int(y), int(x + cw), int(y + ch)) for x, y, cw, ch, a in stats  # a dotted line's dots
            if 2 <= cw <= DOT_PX and 2 <= ch <= DOT_PX and a >= 0.6 * cw * ch]
    dashes = sorted([b for b in flat if 3 <= b[2] - b[0]] + dots, key=lambda b: (b[1], b[0]))
    rows: list[list[Box]] = []
    for b in dashes:
        row = rows[-1] if rows else None
        if row and abs(b[1] - row[-1][1]) <= 1 and abs(b[3] - row[-1][3]) <= 1 \
                and 0 < b[0] - row[-1][2] <= 2.5 * (b[2] - b[0]):
            row.append(b)
        else:
            rows.append([b])
    dashed = [(r[0][0], min(b[1] for b in r), r[-1][2], max(b[3] for b in r)) for r in rows
              if len(r) >= 2 and 8 <= r[-1][2] - r[0][0] <= 0.2 * w]
    return solid, dashed


def _pick_handles(pieces: list[tuple[list[Box], list[Box]]]) -> list[list[Box]]:
    """Legend strokes: flat pieces stacked in one column with other colours' pieces, or the only
    one or two solid ones of their colour (many flat pieces are a dashed line); a row of dashes
    only when stacked, since a dashed line's flat stretch is one too."""
    boxes = [solid + dashed for solid, dashed in pieces]
    out = []
    for k, (solid, dashed) in enumerate(pieces):
        others = [b for j, bs in enumerate(boxes) if j != k for b in bs]
        stacked = [b for b in solid if any(abs(b[0] - o[0]) <= 2 and abs(b[2] - o[2]) <= 2 for o in others)]
        for b in dashed:  # its last dash, cut short, can be too short to count as flat: its row ends early
            o = next((o for o in others if abs(b[0] - o[0]) <= 2 and -2 <= o[2] - b[2] <= DASH_PERIOD_PX), None)
            if o is not None:
                stacked.append((b[0], b[1], max(b[2], o[2]), b[3]))
        out.append(stacked or (solid if len(solid) <= 2 else []))
    return out


def _in_line_with(masks: list[np.ndarray], handles: list[list[Box]]) -> list[list[Box]]:
    """Legend strokes of colours that have none, found in line with the others' strokes:
    a legend's strokes are equally long and stacked in one column. A data line running
    through its colour's stroke joins it into no flat piece (gnuplot draws the key inside
    the plot, in the lines' way); the stroke is still a row of that colour spanning the
    column, within a few entries of the others."""
    found = [b for hs in handles for b in hs]
    if not found:
        return handles
    rows = sorted({b[1] for b in found})  # one row only: a legend laid out across, no spacing to read
    thick = max(b[3] - b[1] for b in found)
    spacing = max(float(np.median(np.diff(rows))) if len(rows) > 1 else 0.0, 4.0 * thick, 20.0)
    top = max(0, int(rows[0] - STROKE_REACH * spacing))
    bottom = int(max(b[3] for b in found) + STROKE_REACH * spacing)
    out = []
    for mask, hs in zip(masks, handles):
        new: list[Box] = []
        for x0, x1 in ([] if hs else sorted({(b[0], b[2]) for b in found})):
            cover = np.flatnonzero(mask[top:bottom, x0:x1].mean(axis=1) >= 0.9)
            for g in np.split(cover, np.flatnonzero(np.diff(cover) > 1) + 1):
                if 0 < len(g) <= thick + 2:
                    new.append((x0, top + int(g[0]), x1, top + int(g[-1]) + 1))
        out.append(hs or (new if len(new) == 1 else []))
    return out


def _remove_boxes(mask: np.ndarray, boxes: list[Box]) -> np.ndarray:
    """``mask`` without the legend strokes in ``boxes``, grown by two pixels: a box holds a
    stroke's solid core only, and its faint anti-aliased edges left behind would pass for
    the line wherever the real one is hidden under another."""
    out = mask.copy()
    for x0, y0, x1, y1 in boxes:
        out[max(0, y0 - 2):y1 + 2, max(0, x0 - 2):x1 + 2] = False
    return out


def _looks_like_text(mask: np.ndarray) -> bool:
    """Glyphs (annotations, legend labels) rather than a line: small pieces in a small region."""
    _lab, stats = _components(mask)
    if not len(stats):
        return True
    h, w = mask.shape
    ys, xs = np.nonzero(mask)
    compact = (xs.max() - xs.min()) < 0.4 * w and (ys.max() - ys.min()) < 0.25 * h
    return bool(compact and stats[:, 2].max() < 0.25 * w)


def _is_fringe(k: int, masks: list[np.ndarray], contrast: list[float]) -> bool:
    """JPEG keeps colour at half size in 8 x 8 blocks, so a saturated line leaves specks of a
    faint other tint beside it (its colour's ringing); thick lines leave faint blends where
    they cross. These cluster as a colour of their own and would trace as a line hopping
    between the lines they flank. Such a colour is faint, mostly specks shorter than a dash,
    and lies almost all within half a chroma block of stronger lines. A light series is a
    whole stroke; a faint dotted one runs apart from the others."""
    mask = masks[k]
    if contrast[k] >= FRINGE_DE or not mask.any():
        return False
    _lab, stats = _components(mask)
    pieces = np.maximum(stats[:, 2], stats[:, 3]) >= MIN_PIECE_COLS
    if stats[pieces, 4].sum() >= 0.5 * stats[:, 4].sum():
        return False
    stronger = np.zeros_like(mask)
    for j, other in enumerate(masks):
        if contrast[j] > contrast[k]:
            stronger |= other
    if not stronger.any():
        return False
    dist = cv2.distanceTransform((~stronger).astype(np.uint8), cv2.DIST_L2, 3)
    return bool(np.mean(dist[mask] <= FRINGE_PX) >= FRINGE_NEAR)


def _drop_specks(mask: np.ndarray) -> np.ndarray:
    n, lab, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    keep = np.zeros(n, dtype=bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= 3
    return keep[lab]


def _runs(col: np.ndarray, occluder: np.ndarray) -> list[tuple[int, int]]:
    """Runs of the line in one column; runs split only by another line drawn on top are one."""
    idx = np.flatnonzero(col)
    if not len(idx):
        return []
    groups = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)
    runs = [(int(g[0]), int(g[-1])) for g in groups]
    merged = [runs[0]]
    for a, b in runs[1:]:
        pa, pb = merged[-1]
        if occluder[pb + 1:a].all():
            merged[-1] = (pa, b)
        else:
            merged.append((a, b))
    return merged


def _trace(mask: np.ndarray, alpha: np.ndarray, occluders: np.ndarray):
    """One row per column: the alpha-weighted centre of the run that follows the line; also
    each column's run ends, the stroke width and the share of ambiguous columns."""
    h, w = mask.shape
    runs = [_runs(mask[:, j], occluders[:, j]) for j in range(w)]
    heights = [b - a + 1 for r in runs if len(r) == 1 for a, b in r]
    width = float(np.percentile(heights, 10)) if heights else 1.0  # steep columns run taller
    ys = np.full(w, np.nan)
    chosen: list[tuple[int, int] | None] = [None] * w
    anchors = np.full(w, np.nan)
    for j, r in enumerate(runs):
        if len(r) == 1:
            anchors[j] = _center(alpha[:, j], mask[:, j], r[0])
    known = np.flatnonzero(np.isfinite(anchors))
    for j, r in enumerate(runs):
        if not r:
            continue
        if len(r) == 1:
            ys[j], chosen[j] = anchors[j], r[0]
            continue
        guess = np.interp(j, known, anchors[known]) if len(known) else h / 2
        chosen[j] = min(r, key=lambda ab: min(abs(ab[0] - guess), abs(ab[1] - guess)))
        ys[j] = _center(alpha[:, j], mask[:, j], chosen[j])
    present = [len(r) for r in runs if r]
    ends = np.array([c if c is not None else (np.nan, np.nan) for c in chosen], dtype=float).reshape(-1, 2)
    return ys, ends, width, float(np.mean([n > 1 for n in present])) if present else 0.0


def _closed(mask: np.ndarray, k: int) -> np.ndarray:
    """``mask`` with gaps narrower than ``k`` pixels filled."""
    return cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((k, k), np.uint8)).astype(bool)


def _cores(ink: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, float]:
    """Each column's first and last row, within its chosen run, where a disc of the line's
    usual thickness fits inside the ink, and that disc's radius. Marker discs are centred
    on the data and drawn over the line, so their centres lie in these cores; for a plain
    stroke the core is its middle."""
    dt = cv2.distanceTransform(np.pad(ink.astype(np.uint8), 1), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)[1:-1, 1:-1]
    cores = np.full(ends.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(ends[:, 0]))
    if not len(ok):
        return cores, 0.0
    runs = [(j, int(ends[j, 0]), int(ends[j, 1])) for j in ok]
    thickest = np.round([dt[a:b + 1, j].max() for j, a, b in runs], 2)
    values, counts = np.unique(thickest, return_counts=True)
    radius = float(values[counts.argmax()])  # the most common: crossings and clumps are fatter, rarer
    for j, a, b in runs:
        rows = np.flatnonzero(dt[a:b + 1, j] >= radius - 0.5)
        if len(rows):
            cores[j] = a + rows[0], a + rows[-1]
    return cores, radius


def _edges(mask: np.ndarray, alpha: np.ndarray, others: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Sub-pixel top and bottom edge of each column's chosen run: its ink (alpha summed,
    pixels hidden by another line counted whole) centred on its alpha-weighted middle. An
    end touching another line (within two pixels: blends between) or the crop's edge may go
    on unseen and is NaN, and so are both where the line stops beside the column (a dash's
    or dot's end, where the stroke covers the column only partly), and in the dots of a
    dotted line, whose pieces are too short to have sides."""
    h = mask.shape[0]
    out = np.full(ends.shape, np.nan)
    on = np.isfinite(ends[:, 0])
    whole = on & np.r_[False, on[:-1]] & np.r_[on[1:], False]
    lab, stats = _components(mask)
    long_piece = np.r_[False, stats[:, 2] >= MIN_PIECE_COLS]
    for j in np.flatnonzero(whole):
        a, b = int(ends[j, 0]), int(ends[j, 1])
        if not long_piece[lab[a:b + 1, j]].any():
            continue
        mid, ink = _run_ink(alpha[:, j], mask[:, j], (a, b))
        if a > 0 and not others[max(a - 2, 0):a, j].any():
            out[j, 0] = mid - ink / 2
        if b < h - 1 and not others[b + 1:b + 3, j].any():
            out[j, 1] = mid + ink / 2
    return out


def _ink_samples(mask: np.ndarray, alpha: np.ndarray, unknown: np.ndarray, ends: np.ndarray,
                 pad: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The line's ink as seen in each column, from ``pad`` px above its chosen run to ``pad``
    below: alpha on its own pixels, 0 on the background; pixels of anything else drawn
    there (other lines, gridlines, blends between) may hide it and are left out. What a
    stroke fit must reproduce, holes and all, where edges alone cannot tell a thick line
    from a thin one zig-zagging."""
    h = mask.shape[0]
    js = np.flatnonzero(np.isfinite(ends[:, 0]))
    lo = np.maximum(ends[js, 0].astype(int) - pad, 0)
    hi = np.minimum(ends[js, 1].astype(int) + pad, h - 1)
    cols = np.repeat(js, hi - lo + 1)
    rows = np.concatenate([np.arange(a, b + 1) for a, b in zip(lo, hi)]) if len(js) else np.zeros(0, int)
    keep = ~unknown[rows, cols]
    cols, rows = cols[keep], rows[keep]
    return cols, rows, np.where(mask[rows, cols], alpha[rows, cols], 0.0)


def _center(alpha_col: np.ndarray, mask_col: np.ndarray, run: tuple[int, int]) -> float:
    """Alpha-weighted centre of a run; occluded pixels inside it count as fully covered."""
    return _run_ink(alpha_col, mask_col, run)[0]


def _run_ink(alpha_col: np.ndarray, mask_col: np.ndarray, run: tuple[int, int]) -> tuple[float, float]:
    """A run's alpha-weighted centre and its ink (alpha summed), occluded pixels whole."""
    a, b = run
    wts = np.where(mask_col[a:b + 1], alpha_col[a:b + 1], 1.0)
    ink = float(wts.sum())
    return float((np.arange(a, b + 1) * wts).sum() / ink), ink


def _drop_strays(ys: np.ndarray, ends: np.ndarray, width: float) -> tuple[np.ndarray, np.ndarray]:
    """Drop short flat pieces of a trace that stand off the line on both sides: a legend
    stroke of the line's colour picked up where a dashed line has a gap or another line
    hides it, or another line's fringe of a blending colour (grey beside black) picked up
    where a left-out legend hides the line. Pieces split where neighbouring columns' runs
    do not touch, and specks a dot's gap apart at one height are one piece; a real spike is
    drawn with its flanks and is not flat. Past a long gap (the legend's), the line cannot
    be told across it: a piece stands off the near side alone."""
    ok = np.isfinite(ys)
    touch = ok[:-1] & ok[1:] & (ends[1:, 0] <= ends[:-1, 1] + 1) & (ends[1:, 1] >= ends[:-1, 0] - 1)
    idx = np.flatnonzero(ok)
    if len(idx) < 3:
        return ys, ends
    first = np.concatenate([[0], np.flatnonzero(~touch[idx[1:] - 1]) + 1])  # positions in idx
    pieces = list(zip(idx[first], idx[np.append(first[1:], len(idx)) - 1]))
    max_len = max(4, int(0.03 * len(ys)))
    far = max(6.0, 3 * width)
    pieces = _joined(pieces, ys, far)
    ys, ends = ys.copy(), ends.copy()
    for (_, pb), (a, b), (na, _) in zip(pieces[:-2], pieces[1:-1], pieces[2:]):
        if b - a + 1 > max_len:
            continue
        if na - pb > 4 * max_len:  # a long gap on one side (the legend left out): the near side alone
            if min(a - pb, na - b) > max_len:
                continue
            pb = na = pb if a - pb < na - b else na
        cols = a + np.flatnonzero(np.isfinite(ys[a:b + 1]))
        line = np.interp(cols, [pb, na], [ys[pb], ys[na]])
        flat = np.ptp(ys[cols]) <= width
        if flat and abs(ys[na] - ys[pb]) <= far and np.all(np.abs(ys[cols] - line) > far):
            ys[a:b + 1] = np.nan
            ends[a:b + 1] = np.nan
    return ys, ends


def _joined(pieces: list[tuple[int, int]], ys: np.ndarray, far: float) -> list[tuple[int, int]]:
    """Pieces a few columns apart at one height are one piece (a stray's specks)."""
    out = [pieces[0]]
    for a, b in pieces[1:]:
        pa, pb = out[-1]
        if a - pb <= DOT_PX + 1 and abs(ys[a] - ys[pb]) <= far:
            out[-1] = (pa, b)
        else:
            out.append((a, b))
    return out


def _bridge(ys: np.ndarray, max_gap: int) -> np.ndarray:
    """Linearly fill interior gaps no longer than ``max_gap`` columns."""
    ok = np.isfinite(ys)
    idx = np.flatnonzero(ok)
    out = ys.copy()
    for a, b in zip(idx[:-1], idx[1:]):
        if 1 < b - a <= max_gap + 1:
            out[a + 1:b] = np.interp(np.arange(a + 1, b), [a, b], [ys[a], ys[b]])
    return out


def _erratic(ys: np.ndarray, h: int) -> bool:
    """Not a line: from one column to the next the 'trace' jumps across the plot and back
    (scattered glyphs, marker edges and crossings that happen to share a colour). A steep
    line jumps too, but keeps going the same way."""
    d = np.diff(ys)
    d = d[np.isfinite(d)]
    big = np.abs(d) > max(8.0, 0.08 * h)
    back_and_forth = big[1:] & big[:-1] & (np.sign(d[1:]) != np.sign(d[:-1]))
    return bool(len(d) > 1 and back_and_forth.mean() > 0.05)


def _column_height(mask: np.ndarray) -> float:
    """The median number of pixels a mask covers in the columns it reaches."""
    col_h = mask.sum(axis=0)
    present = col_h[col_h > 0]
    return float(np.median(present)) if len(present) else 0.0


def _off_band(mask: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A line drawn over a shaded band of its own colour (a standard deviation filled at
    20%): the line, and the band. The band's pixels are equally faint and fill a solid
    region (a dense line's anti-aliased fringe is as faint, but a pixel thin); the line is
    what stands out of it, its blends weighed against the band (``alpha`` is rescaled)."""
    a = alpha[mask]
    faint = mask & (alpha < BAND_ALPHA)
    if faint.sum() < 0.5 * mask.sum():
        return mask, np.zeros_like(mask)
    if _half_thickness(faint) < BAND_MIN_HALF_PX:
        return mask, np.zeros_like(mask)
    level = float(np.median(a[a < BAND_ALPHA]))
    line = mask & (alpha > level + BAND_STEP)
    alpha[line] = np.clip((alpha[line] - level) / (1.0 - level), 0.0, 1.0)
    return line, mask & ~line


def _is_area(mask: np.ndarray, ends: np.ndarray, others: list[float]) -> bool:
    """A filled band or area, not a stroke: most columns are covered over a tall span, far
    taller than the plot's other lines (``others``: their column heights) when it has some,
    and each column's run covers nearly the same rows as the next. Thick lines with noise
    finer than a pixel column are drawn as bands too, as tall as the other lines drawn with
    the same pen and noise; a dense noisy line fills tall columns flank by flank, each
    column's run only partly shared with the next; dense marker discs along a noisy line
    make a band as tall, but not a solid one."""
    tall = max(10, 0.08 * mask.shape[0])
    lines = [h for h in others if 0 < h <= tall]
    height = _column_height(mask)
    if not (height > tall and (not lines or height > AREA_VS_LINE * min(lines))):
        return False
    top, bottom = ends[:, 0], ends[:, 1]
    shared = np.minimum(bottom[1:], bottom[:-1]) - np.maximum(top[1:], top[:-1]) + 1
    spanned = np.maximum(bottom[1:], bottom[:-1]) - np.minimum(top[1:], top[:-1]) + 1
    with np.errstate(invalid="ignore"):
        overlap = shared / spanned
    overlap = overlap[np.isfinite(overlap)]
    if not (len(overlap) == 0 or np.median(overlap) > AREA_MIN_OVERLAP):
        return False
    # solid: the widest disc inside a column spans a good part of it (a band of marker
    # discs along a noisy line is only a disc wide)
    return bool(2 * _half_thickness(mask) >= AREA_SOLID * height)


def _half_thickness(mask: np.ndarray) -> float:
    """The radius of the widest disc inside the mask in each column it reaches, median over
    those columns: how solid a region is (a line or a band of discs along one stays thin)."""
    inside = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 3).max(axis=0)
    return float(np.median(inside[mask.any(axis=0)]))


def _rgb_of(crop: np.ndarray, mask: np.ndarray, dist: np.ndarray) -> tuple[int, int, int]:
    d = dist[mask]
    sel = crop[mask][d >= np.percentile(d, 70)]
    return tuple(int(v) for v in np.median(sel, axis=0))


def _drop_halos(traces: list[Trace], bg: np.ndarray) -> list[Trace]:
    """Remove traces that run along a stronger one: the anti-aliased fringe of a line (a mix
    of its colour and the background's), the mix where two lines overlap, or JPEG shades.
    A faint line of the same hue elsewhere in the plot (a raw curve under a smoothed one)
    is kept."""
    traces = sorted(traces, key=lambda t: -np.isfinite(t.ys).sum())
    kept: list[Trace] = []
    for t in traces:
        mixes = [bg] + [k.rgb for k in kept]
        if not any((_runs_along(t, k, 1.5) and not _other_hue(t.rgb, k.rgb))
                   or (any(_is_mix(t.rgb, k.rgb, m) for m in mixes if m is not k.rgb)
                       and _runs_along(t, k, max(3.0, 2 * k.width_px)))
                   or (_same_hue(t.rgb, k.rgb) and t.coverage < 0.8 * k.coverage
                       and _runs_along(t, k, max(2.0, k.width_px)))
                   for k in kept):
            kept.append(t)
    return kept


def _runs_along(t: Trace, k: Trace, max_dist: float) -> bool:
    both = np.isfinite(t.ys) & np.isfinite(k.ys)
    return bool(both.sum() >= 0.6 * np.isfinite(t.ys).sum()
                and np.median(np.abs(t.ys[both] - k.ys[both])) < max_dist)


def _hue_gap(a, b) -> float | None:
    """Hue difference in degrees of two saturated colours; None if either is greyish."""
    ha, sa, _ = colorsys.rgb_to_hsv(*(np.asarray(a, float) / 255))
    hb, sb, _ = colorsys.rgb_to_hsv(*(np.asarray(b, float) / 255))
    return min(abs(ha - hb), 1 - abs(ha - hb)) * 360 if sa > 0.3 and sb > 0.3 else None


def _same_hue(a, b) -> bool:
    """Two saturated colours of one hue: JPEG ringing splits one line into such shades
    (patchy ones, unlike a second series in a lighter shade, which is whole)."""
    gap = _hue_gap(a, b)
    return gap is not None and gap < 20


def _other_hue(a, b) -> bool:
    """Two saturated colours of different hues are two lines even where one runs along the
    other (a smoothed curve over its noisy data)."""
    gap = _hue_gap(a, b)
    return gap is not None and gap >= 20


def _is_mix(rgb, strong_rgb, other) -> bool:
    """``rgb`` lies between ``strong_rgb`` and ``other`` (an anti-aliasing mix)."""
    d = np.asarray(strong_rgb, float) - np.asarray(other, float)
    p = np.asarray(rgb, float) - np.asarray(other, float)
    a = float(p @ d / max(float(d @ d), 1e-6))
    return 0.1 < a < 0.9 and float(np.linalg.norm(p - a * d)) < 30
