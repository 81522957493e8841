"""Text on the image, read once with tesseract (through pytesseract).

One call on the whole image, with the plot areas blanked out so the data lines
cannot become letters, is much cheaper than one call per label. The image is
scaled so that glyphs are about the size tesseract reads best, and inverted
when the page is dark. The closer readings (legends, rotated y-axis labels) are made
together in a second call.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass

import cv2
import numpy as np
import pytesseract

from .errors import ChartError

# tesseract's OpenMP threads slow it down several-fold on small images and oversubscribe
# the cores when charts are read in parallel; one thread per call is fastest here.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

Box = tuple[int, int, int, int]
# In sans-serif fonts a capital I is a lower-case l: "Ir" before a consonant begins no
# English word, while "lr" (learning rate) begins many a training-curve legend.
CAPITAL_I_AS_L = re.compile(r"\bI(?=r(?![aeiouyr]))")
# A capital O closing a lower-case word or standing alone after one is the digit zero of a
# numbered name ("lr pg0", "lr group 0"): no English word ends in a capital.
CAPITAL_O_AS_ZERO = re.compile(r"(?<=[a-z])O\b|(?<=[a-z] )O\b")
# A lower-case l closing a run of capitals is the digit one of a metric's name ("F1", "R1").
CAPS_THEN_L = re.compile(r"\b([A-Z]+)l\b")
TARGET_GLYPH_PX = 26  # tesseract reads digits best at roughly 20-30 px tall
GLYPH_INK = 192  # grey level under which a label's pixel is ink: a small raised digit is set light and thin
PAPER_GLYPHS = 0.6  # strokes thinner than this many glyph heights (and PAPER_MIN_PX) are text, not paper
PAPER_MIN_PX = 7
TINT = 12  # paper this much darker than white is a tinted band


@dataclass
class Word:
    """One word tesseract found, in original image coordinates."""

    text: str
    conf: float
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def cx(self) -> float:
        """Centre in pixel-index coordinates (pixel j's centre is j; boxes are edge-to-edge)."""
        return (self.x0 + self.x1) / 2 - 0.5

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2 - 0.5

    @property
    def height(self) -> float:
        return self.y1 - self.y0


def tidy_text(text: str) -> str:
    """OCR's usual confusions of look-alike glyphs in labels and names, undone where the
    context decides (see the patterns)."""
    return CAPS_THEN_L.sub(r"\g<1>1", CAPITAL_O_AS_ZERO.sub("0", CAPITAL_I_AS_L.sub("l", text)))


def check_tesseract() -> None:
    """Fail early with an actionable message when the tesseract binary is missing."""
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        raise ChartError("the tesseract OCR binary is not installed (Debian: apt-get install tesseract-ocr)")


def page_grey(img: np.ndarray) -> np.ndarray:
    """Grey image with dark text on a light page, whatever the theme."""
    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    return 255 - grey if np.median(border) < 128 else grey


def _on_white(grey: np.ndarray, gh: float) -> np.ndarray:
    """Tinted bands behind text (a facet's title strip) lifted to white, the text keeping
    its contrast to them: OCR reads dark on grey poorly. The paper behind each pixel is the
    page with strokes thinner than about half a glyph's height closed over; only paper that
    is clearly tinted is lifted (not JPEG noise around small text). Not for finding ticks:
    light gridlines on a tinted plot would fade into the lifted page."""
    k = 2 * int(max(PAPER_MIN_PX, PAPER_GLYPHS * gh) / 2) + 1
    paper = cv2.morphologyEx(grey, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    return np.where(paper <= 255 - TINT, 255 - cv2.subtract(paper, grey), grey)


def without_long_lines(grey: np.ndarray, glyph: float) -> np.ndarray:
    """``grey`` with straight runs longer than a few glyphs whitened (frames, a title strip's
    border, grid and tick lines): a reading otherwise takes them for a line of text and
    garbles the text beside them."""
    out = grey.copy()
    ink = (out < 200).astype(np.uint8)  # light grey frames too
    run = max(3, round(2.5 * glyph))
    lines = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, run), np.uint8)) | \
        cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((run, 1), np.uint8))
    out[cv2.dilate(lines, np.ones((3, 3), np.uint8)) > 0] = 255
    return out


def glyph_height(grey: np.ndarray) -> float:
    """Typical height of text glyphs: the median height of small dark blobs."""
    ink = (grey < 160).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    hs = stats[1:, cv2.CC_STAT_HEIGHT]
    ws = stats[1:, cv2.CC_STAT_WIDTH]
    keep = (hs >= 5) & (hs <= 80) & (ws <= 2 * hs) & (ws >= 2)
    return float(np.median(hs[keep])) if keep.sum() >= 3 else 12.0


@dataclass
class Page:
    """The image as OCR sees it: ``grey`` (dark text on light), ``masked`` (plot areas, their
    tick marks and long straight lines blanked, tinted bands lifted to white) and ``gh``, the
    typical glyph height. Made once per image."""

    grey: np.ndarray
    masked: np.ndarray
    gh: float


def prepare_page(img: np.ndarray, plot_boxes: list[Box]) -> Page:
    grey = page_grey(img)
    masked, gh = _mask_plots(grey, plot_boxes)
    return Page(grey, without_long_lines(_on_white(masked, gh), gh), gh)


def read_words(page: Page, keep: list[Box] = ()) -> list[Word]:
    """Words outside the plot areas (and inside any ``keep`` box), with confidences."""
    check_tesseract()
    masked = page.masked.copy() if keep else page.masked
    for x0, y0, x1, y1 in keep:
        masked[y0:y1, x0:x1] = page.grey[y0:y1, x0:x1]
    return ocr_words(masked, float(np.clip(TARGET_GLYPH_PX / page.gh, 1.0, 4.0)))


def read_strip(page: Page, strip: Box, gh: float) -> list[Word]:
    """A second, closer reading of one strip of tick labels, as a block of text at a larger
    scale: it finds lone digits and exponents that the sparse whole-image pass misses."""
    x0, y0, x1, y1 = (int(v) for v in strip)
    x0, y0 = max(0, x0), max(0, y0)
    crop = page.masked[y0:y1, x0:x1]
    if crop.size == 0 or (crop < 128).sum() < 5:
        return []
    return ocr_words(crop, float(np.clip(1.5 * TARGET_GLYPH_PX / gh, 1.0, 6.0)), psm=6, offset=(x0, y0))


def _mask_plots(grey: np.ndarray, boxes: list[Box]) -> tuple[np.ndarray, float]:
    """Blank the plot areas and their tick marks; also return the typical glyph height."""
    masked = grey.copy()
    for x0, y0, x1, y1 in boxes:
        masked[max(0, y0 - 1):y1 + 2, max(0, x0 - 1):x1 + 2] = 255
    gh = glyph_height(masked)
    for box in boxes:
        _erase_tick_marks(masked, grey, box, int(round(1.2 * gh)))
    return masked, gh


def _erase_tick_marks(grey: np.ndarray, original: np.ndarray, box: Box, max_len: int) -> None:
    """Blank short thin ink runs sticking out of a blanked plot box: tick marks, which OCR
    otherwise reads as ``-`` or ``1`` glued to the labels. Glyphs are taller, so stay.
    A mark grows out of the box edge or spine (``original``: before blanking), or stands
    just off a plot with no spine (ggplot's, see ``_tick_off_edge``); another run that
    starts after a gap is the top of a label set close to a frameless plot, and stays."""
    x0, y0, x1, y1 = box
    for side in ("left", "right", "bottom", "top"):
        horizontal = side in ("left", "right")
        g = grey if horizontal else grey.T  # rows of g run across the side
        orig = original if horizontal else original.T
        n_rows, n_cols = g.shape
        lo, hi = (y0, y1) if horizontal else (x0, x1)
        start = {"left": x0 - 2, "right": x1 + 2, "top": y0 - 2, "bottom": y1 + 2}[side]
        step = -1 if side in ("left", "top") else 1
        for i in range(max(3, lo - 3), min(n_rows - 3, hi + 4)):
            first = start  # step over the spine: ink above and below as well
            while abs(first - start) < 3 and 0 <= first < n_cols and (g[i - 3:i + 4, first] < 200).all():
                first += step
            n = 0
            while n <= max_len and 0 <= first + step * n < n_cols and g[i, first + step * n] < 200:
                n += 1
            if not 0 < n <= max_len or not 0 <= first - step < n_cols:
                continue
            if orig[i, first - step] >= 200 and not _tick_off_edge(g, i, first, step, n, max_len, start):
                continue
            cols = [first + step * k for k in range(n)]
            if (g[i - 3, cols] >= 200).all() and (g[i + 3, cols] >= 200).all():
                g[i, cols] = 255


def _tick_off_edge(g: np.ndarray, i: int, first: int, step: int, n: int, max_len: int, start: int) -> bool:
    """A run starting right at the plot's edge with a gap before it is a tick mark, not a
    label's top stroke, if it is shorter than any glyph and blank page follows it: a
    label starts after its tick, while a glyph's stroke runs on into the glyph's others."""
    after = [first + step * (n + k) for k in range(2)]
    if first != start or n > max_len / 2 or not all(0 <= a < g.shape[1] for a in after):
        return False
    return bool((g[max(0, i - 3):i + 4, after] >= 200).all())


def ocr_words(grey: np.ndarray, scale: float, psm: int = 11, offset: tuple[float, float] = (0, 0)) -> list[Word]:
    """Run tesseract on ``grey`` scaled by ``scale``; boxes come back unscaled and offset."""
    if scale != 1.0:
        grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    grey = cv2.copyMakeBorder(grey, 10, 10, 10, 10, cv2.BORDER_CONSTANT, value=255)
    with tempfile.TemporaryDirectory(prefix="chartextract_") as tmp:
        path = os.path.join(tmp, "page.pgm")  # pytesseract's own PNG encoding of a page costs ~0.1 s
        cv2.imwrite(path, grey)
        data = pytesseract.image_to_data(path, config=f"--psm {psm}", output_type=pytesseract.Output.DICT)
    words = []
    for i, text in enumerate(data["text"]):
        text = text.strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        x, y = (data["left"][i] - 10) / scale, (data["top"][i] - 10) / scale
        w, h = data["width"][i] / scale, data["height"][i] / scale
        words.append(Word(text, conf, x + offset[0], y + offset[1], x + w + offset[0], y + h + offset[1]))
    return words


@dataclass
class Block:
    """A piece of the page read closer, as a block of text: ``grey`` enlarged by ``scale``,
    its words placed back at ``offset`` (image coordinates of its top-left corner)."""

    grey: np.ndarray
    scale: float
    offset: tuple[float, float] = (0.0, 0.0)


def rotated_block(grey_strip: np.ndarray, scale: float) -> Block:
    """A strip whose text runs bottom-to-top (a y-axis label), turned to read left to right;
    its words come back in the turned strip's coordinates."""
    return Block(cv2.rotate(grey_strip, cv2.ROTATE_90_CLOCKWISE), scale)


def read_blocks(blocks: list[Block | None]) -> list[list[Word]]:
    """The words of each block (none for None), read as blocks of text (psm 6), all in one
    tesseract run: each run costs tesseract's start-up, about 0.08 s, as much as reading a
    legend or a label, so a chart's closer readings (its legends, its y labels) are made
    together. Given a list of image files, tesseract reads each as a page of its own, as
    it would alone."""
    out: list[list[Word]] = [[] for _ in blocks]
    todo = [k for k, b in enumerate(blocks) if b is not None and b.grey.size]
    if not todo:
        return out
    with tempfile.TemporaryDirectory(prefix="chartextract_") as tmp:
        paths = []
        for k in todo:
            b = blocks[k]
            g = b.grey if b.scale == 1.0 else cv2.resize(b.grey, None, fx=b.scale, fy=b.scale,
                                                         interpolation=cv2.INTER_CUBIC)
            paths.append(os.path.join(tmp, f"{k}.png"))
            cv2.imwrite(paths[-1], cv2.copyMakeBorder(g, 10, 10, 10, 10, cv2.BORDER_CONSTANT, value=255))
        listing = os.path.join(tmp, "blocks.txt")
        with open(listing, "w") as f:
            f.write("\n".join(paths) + "\n")
        data = pytesseract.image_to_data(listing, config="--psm 6", output_type=pytesseract.Output.DICT)
    for i, text in enumerate(data["text"]):
        text, conf = text.strip(), float(data["conf"][i])
        if not text or conf < 0:
            continue
        b = blocks[todo[data["page_num"][i] - 1]]
        x, y = (data["left"][i] - 10) / b.scale + b.offset[0], (data["top"][i] - 10) / b.scale + b.offset[1]
        out[todo[data["page_num"][i] - 1]].append(
            Word(text, conf, x, y, x + data["width"][i] / b.scale, y + data["height"][i] / b.scale))
    return out


def read_power_label(page: Page, box: Box, anchor: str) -> float | None:
    """The value of the ``10^k`` or ``m × 10^k`` tick label in ``box`` (the group of glyphs
    at its right end for ``anchor="right"``, nearest its middle for ``"centre"``), or None.

    Whole-label OCR garbles the small raised exponent (``10²`` comes back as ``107``, ``10?``
    or nothing). Here the label's glyphs are split by where they sit: the base ``10`` (the
    last two glyphs on the line, after any mantissa digit and the ``×`` between), the
    exponent raised above it. A flat raised glyph is the minus sign; the raised digits, and
    a mantissa, are read on their own, enlarged, as digits only."""
    x0, y0, x1, y1 = (max(0, int(v)) for v in box)
    crop = page.masked[y0:y1, x0:x1]
    if crop.size == 0:
        return None
    ink = (crop < GLYPH_INK).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    glyphs = [s for s in stats[1:] if s[cv2.CC_STAT_AREA] >= 2  # not a spine crossing the box
              and s[cv2.CC_STAT_HEIGHT] < 0.9 * crop.shape[0] and s[cv2.CC_STAT_WIDTH] < 0.9 * crop.shape[1]]
    comps = _label_group(_on_label_line(glyphs, crop.shape[0]), anchor, crop.shape[1])
    if len(comps) < 3:
        return None
    base_h = max(s[cv2.CC_STAT_HEIGHT] for s in comps)
    bottom = max(s[cv2.CC_STAT_TOP] + s[cv2.CC_STAT_HEIGHT] for s in comps)
    base = [s for s in comps if s[cv2.CC_STAT_TOP] + s[cv2.CC_STAT_HEIGHT] >= bottom - 0.15 * base_h
            and s[cv2.CC_STAT_HEIGHT] >= 0.8 * base_h]  # digits, not the × between
    ten, head = base[-2:], base[:-2]
    if len(head) == 2 and head[1][cv2.CC_STAT_HEIGHT] < min(s[cv2.CC_STAT_HEIGHT] for s in [head[0], *ten]):
        head = head[:1]  # a large × (DejaVu's is 0.85 of a digit's height) between mantissa and 10
    if len(ten) < 2 or len(head) > 1:
        return None
    raised = [s for s in comps if s[cv2.CC_STAT_TOP] + s[cv2.CC_STAT_HEIGHT] < bottom - 0.3 * base_h
              and s[cv2.CC_STAT_LEFT] > ten[0][cv2.CC_STAT_LEFT]]
    if not raised or _digits(crop, ten) != "10":
        return None
    flat = [s for s in raised if s[cv2.CC_STAT_WIDTH] >= 1.5 * s[cv2.CC_STAT_HEIGHT]
            and s[cv2.CC_STAT_HEIGHT] <= 0.25 * base_h]
    digits = [s for s in raised if not any(s is m for m in flat)]
    first = min((s[cv2.CC_STAT_LEFT] for s in digits), default=crop.shape[1])
    # the minus leads the exponent; a flat trace after it is a tick mark's faint end
    minus = [s for s in flat if s[cv2.CC_STAT_LEFT] + s[cv2.CC_STAT_WIDTH] <= first + 1]
    text = _digits(crop, digits) if digits else ""
    mantissa = _digits(crop, head) if head else "1"
    if not text.isdigit() or not mantissa.isdigit() or mantissa == "0":
        return None
    return float(f"{int(mantissa)}e{-int(text) if minus else int(text)}")  # 6e-1 is 0.6, not 0.6000000000000001


def raised_tail(page: Page, box: Box) -> bool:
    """Whether the label in ``box`` ends in glyphs raised above the two before them: the
    exponent of ``10^k``, which whole-label OCR reads as a plain ``10k``."""
    x0, y0, x1, y1 = (max(0, int(v)) for v in box)
    crop = page.masked[y0:y1, x0:x1]
    if crop.size == 0:
        return False
    n, _, stats, _ = cv2.connectedComponentsWithStats((crop < GLYPH_INK).astype(np.uint8), connectivity=8)
    comps = sorted((s for s in stats[1:] if s[cv2.CC_STAT_AREA] >= 2), key=lambda s: s[cv2.CC_STAT_LEFT])
    if len(comps) < 3:
        return False
    ten, tail = comps[:2], comps[2:]
    base_h = max(s[cv2.CC_STAT_HEIGHT] for s in ten)
    bottom = max(s[cv2.CC_STAT_TOP] + s[cv2.CC_STAT_HEIGHT] for s in ten)
    return all(s[cv2.CC_STAT_TOP] + s[cv2.CC_STAT_HEIGHT] < bottom - 0.3 * base_h for s in tail)


def _on_label_line(comps: list[np.ndarray], height: int) -> list[np.ndarray]:
    """The components on the label's line: around the full-height glyph nearest the box's
    middle (the tick), from a raised exponent's top to just below the base; not the faint
    remnants of tick marks, or of a neighbouring label, above or below."""
    if not comps:
        return comps
    full = max(s[cv2.CC_STAT_HEIGHT] for s in comps)
    tall = min((s for s in comps if s[cv2.CC_STAT_HEIGHT] >= 0.8 * full),
               key=lambda s: abs(s[cv2.CC_STAT_TOP] + s[cv2.CC_STAT_HEIGHT] / 2 - height / 2))
    top = tall[cv2.CC_STAT_TOP] - 0.6 * tall[cv2.CC_STAT_HEIGHT]
    bottom = tall[cv2.CC_STAT_TOP] + 1.3 * tall[cv2.CC_STAT_HEIGHT]
    return [s for s in comps if s[cv2.CC_STAT_TOP] < bottom and s[cv2.CC_STAT_TOP] + s[cv2.CC_STAT_HEIGHT] > top]


def _label_group(comps: list[np.ndarray], anchor: str, width: int) -> list[np.ndarray]:
    """The glyphs of one label: components split where the gap between them exceeds 0.8 of a
    glyph height (the spaces around an ``×`` are 0.6; a rotated axis label beside the tick
    labels may stand one height away), then the group at the crop's right end or nearest its
    middle."""
    if not comps:
        return []
    comps = sorted(comps, key=lambda s: s[cv2.CC_STAT_LEFT])
    gap = 0.8 * max(s[cv2.CC_STAT_HEIGHT] for s in comps)
    groups, end = [[comps[0]]], comps[0][cv2.CC_STAT_LEFT] + comps[0][cv2.CC_STAT_WIDTH]
    for s in comps[1:]:
        if s[cv2.CC_STAT_LEFT] - end > gap:
            groups.append([])
        groups[-1].append(s)
        end = max(end, s[cv2.CC_STAT_LEFT] + s[cv2.CC_STAT_WIDTH])
    if anchor == "right":
        return groups[-1]

    def off_centre(g: list[np.ndarray]) -> float:
        xa = g[0][cv2.CC_STAT_LEFT]
        xb = max(s[cv2.CC_STAT_LEFT] + s[cv2.CC_STAT_WIDTH] for s in g)
        return abs((xa + xb) / 2 - width / 2)
    return min(groups, key=off_centre)


def _digits(crop: np.ndarray, comps: list[np.ndarray]) -> str:
    """The digits the components ``comps`` of ``crop`` spell, read as one enlarged line."""
    xa = min(s[cv2.CC_STAT_LEFT] for s in comps)
    xb = max(s[cv2.CC_STAT_LEFT] + s[cv2.CC_STAT_WIDTH] for s in comps)
    ya = min(s[cv2.CC_STAT_TOP] for s in comps)
    yb = max(s[cv2.CC_STAT_TOP] + s[cv2.CC_STAT_HEIGHT] for s in comps)
    part = crop[max(0, ya - 1):yb + 1, max(0, xa - 1):xb + 1]
    scale = float(np.clip(TARGET_GLYPH_PX / max(1, yb - ya), 1.0, 8.0))
    part = cv2.resize(part, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    part = cv2.copyMakeBorder(part, 12, 12, 12, 12, cv2.BORDER_CONSTANT, value=255)
    for psm in (7, 8):  # as a line; a lone thin "1" is at times read only as a word
        text = pytesseract.image_to_string(part, config=f"--psm {psm} -c tessedit_char_whitelist=0123456789")
        if text.strip():
            break
    return text.strip().replace(" ", "")
