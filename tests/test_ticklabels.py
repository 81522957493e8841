"""Tick label text as OCR reads it, turned into numbers."""
from __future__ import annotations

import numpy as np
import pytest

from chartextract.axes import _decades, _mark_rows, _round_pair
from chartextract.ticklabels import parse_pow10


@pytest.mark.parametrize("text, values", [
    ("103", [1000.0]), ("10-2", [0.01, 0.01]), ("10°", [1.0]),
    ("10³", [1000.0]), ("10⁻²", [0.01, 0.01]),  # unicode superscripts (int('³') raised before)
    ("2x103", [2000.0]), ("2×10³", [2000.0]), ("3 x 102", [300.0]), ("5x10-1", [0.5, 0.5]),
    ("20x103", []), ("2x", []), ("10?", []),
    ("1072", [0.01]), ("4x1071", [0.4]),  # a raised minus read as 7: no chart shows 10^71
])
def test_powers_of_ten_and_minor_labels_of_a_log_axis(text: str, values: list[float]) -> None:
    assert parse_pow10(text) == pytest.approx(values)


@pytest.mark.parametrize("a, b, ok", [
    (0, 1, True), (0.3, 0.7, True), (1000, 2000, True), (1e-4, 5e-4, True), (0, 1500, True),
    (10, 103, False),  # "10" and "10³" read as 103: no round step fits
    (3, 97, False),
])
def test_two_ticks_are_round_numbers_a_few_steps_apart(a: float, b: float, ok: bool) -> None:
    assert _round_pair(a, b) is ok


def test_a_log_axis_is_known_by_short_minor_ticks_drawn_inside() -> None:
    """gnuplot draws a log axis's minor ticks inward, 2.5 px long, and labels only the
    decades (1000 at the bottom, 10000 at the top, where the frame's corners pass for two
    tick marks): the minor ticks between are looked for inside the axis too."""
    grey = np.full((420, 200), 255, dtype=np.uint8)
    grey[10:411, 50] = 0  # the y axis
    grey[10, 50:190] = grey[410, 50:190] = 0  # the frame's top and bottom
    for k in range(2, 10):
        y = int(round(410 - 400 * np.log10(k)))
        grey[y, 51:53], grey[y, 53] = 0, 127
    found = {d for m in _mark_rows(grey, (50, 10, 190, 410), "y", 0.4) for d in _decades(m)}
    assert found == {10.0, 410.0}
