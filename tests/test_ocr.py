"""Closer readings: blocks read together in one tesseract run as each would be alone, and
power labels read glyph by glyph."""
from __future__ import annotations

import cv2
import numpy as np
import pytesseract

from chartextract.ocr import Block, Page, read_blocks, read_power_label, rotated_block


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


def test_a_power_label_is_read_on_its_own_line() -> None:
    """The box read around a y tick reaches below its label, where the faint remnant of a
    minor tick mark may stand: taken for part of the label, it set the label's bottom, no
    glyph stood on that baseline, and ``10³`` was not read (seed-4 chart 005)."""
    img = np.full((60, 120), 255, np.uint8)
    cv2.putText(img, "10", (40, 36), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 0, 1, cv2.LINE_AA)
    cv2.putText(img, "3", (60, 27), cv2.FONT_HERSHEY_SIMPLEX, 0.35, 0, 1, cv2.LINE_AA)
    assert read_power_label(Page(grey=img, masked=img.copy(), gh=10.0), (0, 0, 120, 60), "right") == 1000.0
    img[54, 70:76] = 150  # a faint tick-mark remnant below the label
    assert read_power_label(Page(grey=img, masked=img.copy(), gh=10.0), (0, 0, 120, 60), "right") == 1000.0
