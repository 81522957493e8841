"""Closer readings made together: one tesseract run reads every block as it would alone."""
from __future__ import annotations

import cv2
import numpy as np
import pytesseract

from chartextract.ocr import Block, read_blocks, rotated_block


def _text(words: list[str], size: tuple[int, int]) -> np.ndarray:
    page = np.full(size, 255, dtype=np.uint8)
    for k, w in enumerate(words):
        cv2.putText(page, w, (10, 30 + 30 * k), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 2, cv2.LINE_AA)
    return page


def test_blocks_are_read_in_one_run_and_placed_back(monkeypatch) -> None:
    """A legend block (two lines, at its place on the page) and a rotated y label, read in
    one tesseract run; words come back in page coordinates (the label's in its turned
    strip's), and a missing block reads as no words."""
    calls = []
    real = pytesseract.image_to_data
    monkeypatch.setattr(pytesseract, "image_to_data", lambda *a, **k: calls.append(1) or real(*a, **k))
    legend = _text(["train", "valid"], (80, 160))
    label = cv2.rotate(_text(["Accuracy"], (45, 200)), cv2.ROTATE_90_COUNTERCLOCKWISE)  # reads bottom to top
    got = read_blocks([Block(legend, 2.0, (300, 40)), None, rotated_block(label, 1.0)])
    assert len(calls) == 1
    assert [w.text for w in got[0]] == ["train", "valid"]
    assert got[1] == []
    assert [w.text for w in got[2]] == ["Accuracy"]
    first = got[0][0]
    assert abs(first.x0 - 310) <= 3 and abs(first.y1 - 70) <= 4  # where putText drew it, on the page
