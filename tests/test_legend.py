"""Legend names as OCR reads them: a sans-serif capital I that is an l."""
from __future__ import annotations

import pytest

from chartextract.legend import _join
from chartextract.ocr import Word


@pytest.mark.parametrize("read, name", [
    ("Ir group 0", "lr group 0"), ("Irgroup 1", "lrgroup 1"), ("train Ir", "train lr"),
    ("Iron", "Iron"), ("Irregular", "Irregular"), ("Iris", "Iris"), ("IR", "IR"), ("lr pg0", "lr pg0"),
])
def test_capital_i_before_a_consonant_r_is_an_l(read: str, name: str) -> None:
    words = [Word(text=t, conf=90.0, x0=10.0 * i, y0=0.0, x1=10.0 * i + 8, y1=10.0) for i, t in enumerate(read.split())]
    assert _join(words) == name
