"""Name each trace from its legend: the text beside the short stroke of its colour."""
from __future__ import annotations

import cv2
import numpy as np

from .colors import delta_e
from .ocr import Word
from .series import Box, Trace

SHARED_LEGEND_DE = 12.0  # colours this close (CIE76) are one series across a grid's panels
LEGEND_REACH = 0.35  # how far (share of the plot width) legend text may extend from a stroke


def legend_text_boxes(traces: list[Trace], plot_box: Box) -> list[Box]:
    """Where legend text can be, so OCR reads it although the plot area is blanked."""
    x0, y0, x1, y1 = plot_box
    reach = int(LEGEND_REACH * (x1 - x0))
    return [(max(x0 + 2, hx0 - reach), max(y0 + 2, hy0 - 8), min(x1 - 2, hx1 + reach), min(y1 - 2, hy1 + 8))
            for t in traces for hx0, hy0, hx1, hy1 in t.handles]


def outside_handles(img: np.ndarray, bbox: Box, plot_box: Box, rgb: tuple[int, int, int]) -> list[Box]:
    """Short flat strokes of one colour in the panel, right of or above its plot area: a
    legend placed beside the plot (ggplot, Vega-Lite)."""
    bx0, by0, bx1, by1 = bbox
    region = img[by0:by1, bx0:bx1].astype(np.float32)
    bg = np.median(region.reshape(-1, 3), axis=0)
    d = np.array(rgb, dtype=np.float32) - bg
    p = region - bg
    a = (p @ d) / max(float(d @ d), 1e-6)  # how far along the blend from background to colour
    near = ((a > 0.5) & (np.linalg.norm(p - a[..., None] * d, axis=2) < 30)).astype(np.uint8)
    px0, py0, px1, py1 = plot_box
    # a legend beside the plot stands to its right or above it, clear of the tick marks; left
    # and below are the axes' labels (whose glyph strokes can look like short dashes)
    gap = 8
    near[max(0, py0 - by0 - gap):, :max(0, px1 - bx0 + gap)] = 0
    _n, _lab, stats, _c = cv2.connectedComponentsWithStats(near, connectivity=8)
    return [(int(x + bx0), int(y + by0), int(x + w + bx0), int(y + h + by0))
            for x, y, w, h, a in stats[1:] if 8 <= w <= 60 and h <= max(6, w / 3) and a >= 0.5 * w * h]


def legend_names(img: np.ndarray, bbox: Box, plot_box: Box, traces: list[Trace], words: list[Word]) -> list[str]:
    """For each trace, the text beside its legend stroke (inside the plot area, else beside
    it: a flat stretch of the line itself can pass for a stroke but has no text), or "" when
    it has none."""
    def named(handles: list[Box]) -> str:
        return next((n for h in handles if (n := _text_beside(h, words))), "")
    return [named(t.handles) or named(outside_handles(img, bbox, plot_box, t.rgb)) for t in traces]


def fill_names(traces: list[Trace], names: list[str], shared: list[tuple[tuple[int, int, int], str]],
               fallback: str) -> list[str]:
    """Complete the names: a panel without a legend borrows the names another panel's legend
    gives to the same colours (a grid with one legend); the rest are ``fallback``, numbered."""
    names = list(names)
    if not any(names):
        for i, t in enumerate(traces):
            same = [n for rgb, n in shared if delta_e(rgb, t.rgb) < SHARED_LEGEND_DE]
            names[i] = same[0] if len(set(same)) == 1 else ""
    unnamed = [i for i, n in enumerate(names) if not n]
    for k, i in enumerate(unnamed):
        names[i] = f"{fallback} {k + 1}" if len(unnamed) > 1 else fallback
    return names


def _text_beside(handle: Box, words: list[Word]) -> str:
    """The words on the stroke's line, right of it (most engines) or else left of it (gnuplot):
    the nearest word within reach, then its neighbours while the gaps stay word-sized."""
    x0, y0, x1, y1 = handle
    cy = (y0 + y1) / 2
    row = [w for w in words if abs(w.cy - cy) <= max(6.0, 0.7 * w.height) and w.conf >= 30]
    right = sorted((w for w in row if w.x0 >= x1 - 2), key=lambda w: w.x0)
    left = sorted((w for w in row if w.x1 <= x0 + 2), key=lambda w: -w.x1)
    for side, gap, first_gap in ((right, lambda a, b: b.x0 - a.x1, lambda w: w.x0 - x1),
                                 (left, lambda a, b: a.x0 - b.x1, lambda w: x0 - w.x1)):
        if not side or first_gap(side[0]) > 40:
            continue
        kept = [side[0]]
        for w in side[1:]:
            if gap(kept[-1], w) > 1.5 * w.height:
                break
            kept.append(w)
        kept.sort(key=lambda w: w.x0)
        return " ".join(w.text for w in kept).strip(" |[](){}-—_:;,.'\"")
    return ""
