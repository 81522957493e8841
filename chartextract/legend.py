"""Name each trace from its legend: the text beside the short stroke of its colour."""
from __future__ import annotations

from .ocr import Word
from .series import Box, Trace

LEGEND_REACH = 0.35  # how far (share of the plot width) legend text may extend from a stroke


def legend_text_boxes(traces: list[Trace], plot_box: Box) -> list[Box]:
    """Where legend text can be, so OCR reads it although the plot area is blanked."""
    x0, y0, x1, y1 = plot_box
    reach = int(LEGEND_REACH * (x1 - x0))
    return [(max(x0 + 2, hx0 - reach), max(y0 + 2, hy0 - 8), min(x1 - 2, hx1 + reach), min(y1 - 2, hy1 + 8))
            for t in traces for hx0, hy0, hx1, hy1 in t.handles]


def name_traces(traces: list[Trace], words: list[Word], fallback: str) -> list[str]:
    """One name per trace: its legend text, else ``fallback`` (numbered when several)."""
    names = [next((n for h in t.handles if (n := _text_beside(h, words))), "") for t in traces]
    unnamed = [i for i, n in enumerate(names) if not n]
    for k, i in enumerate(unnamed):
        names[i] = f"{fallback} {k + 1}" if len(unnamed) > 1 else fallback
    return names


def _text_beside(handle: Box, words: list[Word]) -> str:
    """The words on the stroke's line, right of it (most engines) or else left of it (gnuplot)."""
    x0, y0, x1, y1 = handle
    cy = (y0 + y1) / 2
    row = [w for w in words if abs(w.cy - cy) <= max(6.0, 0.7 * w.height) and w.conf >= 30]
    right = sorted((w for w in row if 0 <= w.x0 - x1 <= 40), key=lambda w: w.x0)
    left = sorted((w for w in row if 0 <= x0 - w.x1 <= 40), key=lambda w: -w.x1)
    for side, gap in ((right, lambda a, b: b.x0 - a.x1), (left, lambda a, b: a.x0 - b.x1)):
        if not side:
            continue
        kept = [side[0]]
        for w in side[1:]:
            if gap(kept[-1], w) > 1.5 * w.height:
                break
            kept.append(w)
        kept.sort(key=lambda w: w.x0)
        return " ".join(w.text for w in kept).strip()
    return ""
