"""Name each trace from the legend: the text just right of a short stroke in its colour."""
from __future__ import annotations

import numpy as np

from .colors import delta_e
from .layout import PlotArea
from .ocr import Word
from .series import Trace


def name_traces(img: np.ndarray, area: PlotArea, traces: list[Trace], words: list[Word],
                fallback: str) -> list[str]:
    """One name per trace: its legend text, else ``fallback`` (numbered when several)."""
    handles = find_handles(img, area, traces)
    names: list[str] = []
    for t, h in zip(traces, handles):
        names.append(_text_right_of(h, words) if h else "")
    unnamed = [i for i, n in enumerate(names) if not n]
    for k, i in enumerate(unnamed):
        names[i] = fallback if len(traces) == 1 else f"{fallback} {k + 1}" if len(unnamed) > 1 else fallback
    return names


def find_handles(img: np.ndarray, area: PlotArea, traces: list[Trace]) -> list[tuple[int, int, int, int] | None]:
    """For each trace, the box of a short horizontal stroke of its colour in a legend, if any."""
    bx0, by0, bx1, by1 = area.bbox
    region = img[by0:by1, bx0:bx1].astype(np.int16)
    out: list[tuple[int, int, int, int] | None] = []
    for t in traces:
        diff = np.abs(region - np.array(t.rgb, dtype=np.int16)).max(axis=2) < 40
        out.append(_short_stroke(diff, area, t, (bx0, by0)))
    return out


def _short_stroke(mask: np.ndarray, area: PlotArea, t: Trace, off) -> tuple[int, int, int, int] | None:
    import cv2
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    px0, py0, px1, py1 = area.plot_box
    best = None
    for i in range(1, n):
        x, y, w, h, a = stats[i]
        x, y = x + off[0], y + off[1]
        if not (8 <= w <= 80 and h <= max(4, 2.5 * t.width_px + 2) and a >= 0.6 * w * max(1, h - 2)):
            continue
        # the stroke must not be part of the traced line itself
        j0 = int(x - t.x0)
        seg = t.ys[max(0, j0):max(0, j0 + w)]
        if len(seg) and np.isfinite(seg).any() and np.nanmedian(np.abs(seg - (y + h / 2))) < 3:
            continue
        if best is None or y < best[1]:
            best = (int(x), int(y), int(x + w), int(y + h))
    return best


def _text_right_of(handle: tuple[int, int, int, int], words: list[Word]) -> str:
    x0, y0, x1, y1 = handle
    cy = (y0 + y1) / 2
    line = [w for w in words if w.x0 >= x1 - 2 and w.x0 <= x1 + 150 and abs(w.cy - cy) <= max(6, w.height * 0.7)]
    line.sort(key=lambda w: w.x0)
    kept: list[Word] = []
    for w in line:
        if kept and w.x0 - kept[-1].x1 > 2.5 * w.height:
            break
        kept.append(w)
    return " ".join(w.text for w in kept).strip()
