"""Tracing a line's pixels: blends are weighed as blends of the line's own colour."""
from __future__ import annotations

import numpy as np

from chartextract.series import _border_ticks, find_traces

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


def test_inward_tick_marks_short_of_the_frame_are_not_ink() -> None:
    """bmh draws tick marks inward: the frame row and the gridline under a tick are cleared
    before, so a tick's dash ends a pixel or two short of the crop's side; left in, the
    dark ticks seeded a 'line' of their own. A short dash in the middle stays."""
    ink = np.zeros((100, 200), dtype=bool)
    ink[90:98, 40:42] = True  # a tick up from the bottom, ending 2 px short of it
    ink[45:50, 100:102] = True  # a dash of a line in the middle
    ticks = _border_ticks(ink)
    assert ticks[90:98, 40:42].all()
    assert not ticks[45:50, 100:102].any()
