"""Tracing a line's pixels: blends are weighed as blends of the line's own colour."""
from __future__ import annotations

import numpy as np

from chartextract.series import find_traces

BLUE = np.array([168.0, 120.0, 76.0])  # BGR of #4c78a8
WHITE = np.array([255.0, 255.0, 255.0])


def test_a_line_split_into_shades_keeps_its_ink() -> None:
    """A stroke whose blends are many and alike (a dark core in a lighter rim, as thick,
    anti-aliased or JPEG-compressed lines are) is found as two shades of one colour and
    merged. The rim was then weighed against its own lighter shade (a half-blend counted
    whole), so the stroke's edges stood a pixel too far out on each side."""
    h, w = 300, 500
    img = np.tile(WHITE, (h, w, 1))
    cols = np.arange(w)
    mid = 150 + 60 * np.sin(cols / 45.0)
    rows = np.arange(h)[:, None]
    img[np.abs(rows - mid) <= 4] = (WHITE + BLUE) / 2  # rim: 2 px of half-blend each side
    img[np.abs(rows - mid) <= 2] = BLUE  # core: 5 px of the line's colour
    img = np.round(img).astype(np.uint8)
    drawn = np.where(np.abs(rows - mid) <= 2, 1.0, np.where(np.abs(rows - mid) <= 4, 0.5, 0.0)).sum(axis=0)

    (trace,) = find_traces(img, (0, 0, w - 1, h - 1))
    seen = np.isfinite(trace.edges).all(axis=1)
    assert seen.sum() > 400
    read = trace.edges[seen, 1] - trace.edges[seen, 0]
    at = trace.x0 + np.flatnonzero(seen)
    assert np.median(np.abs(read - drawn[at])) < 0.1, f"edges {np.median(read - drawn[at]):+.2f} px off the drawn ink"
