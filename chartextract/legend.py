"""Name each trace from its legend: the text beside the short stroke of its colour."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

import cv2
import numpy as np

from .colors import TEXT_CHROMA, delta_e
from .ocr import TARGET_GLYPH_PX, Block, Page, Word, tidy_text, without_long_lines
from .series import Box, Trace
from .ticklabels import parse_label

NamedLines = list[tuple[tuple[int, int, int], str]]  # one panel's lines: colour and legend name ('' unnamed)

SHARED_LEGEND_DE = 12.0  # colours this close (CIE76) are one series across a grid's panels
LEGEND_REACH = 0.35  # how far (share of the plot width) legend text may extend from a stroke
LETTER_THEN_MARK = re.compile(r"[a-z]{2,}[A-Z0-9]")  # "runA": a word, then one capital or digit
BEYOND_BLEND = 1.4  # this far along the blend from the background past a colour is a darker one
SPACE_GAP = 1.6  # a space is this many times wider than the widest gap between letters
SAME_TEXT = 0.7  # similarity (difflib ratio, spaces and case aside) of two readings of one name
# share of the gap between two words an underscore spans: DejaVu's is 10 px of a 13 px gap
# before an "l" (its left side bearing widens the gap: "val loss" for "val_loss")
UNDERSCORE_SPAN = 0.7
SURE_WORD = 70  # OCR confidence of a word read surely: a second reading must keep its characters
STACK_REACH = 4  # glyph heights past a panel's region that its legend's stacked strokes may reach
TEXT_REACH = 6  # glyph heights the legend text may run on past the words first read
DIGIT_LIKE = {**{d: d for d in "0123456789"}, "o": "0", "O": "0", "i": "1", "l": "1", "I": "1"}  # a last glyph read as a letter
TWIN_CORR = 0.9  # correlation of two glyphs' pixels above which they are one letter drawn twice


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
    region = img[by0:by1, bx0:bx1]
    bg = np.median(region[::4, ::4].reshape(-1, 3), axis=0).astype(np.float32)
    d = np.array(rgb, dtype=np.float32) - bg
    px0, py0, px1, py1 = plot_box
    # a legend beside the plot stands to its right or above it, clear of the tick marks; left
    # and below are the axes' labels (whose glyph strokes can look like short dashes)
    gap = 8
    top, right = max(0, py0 - by0 - gap), max(0, px1 - bx0 + gap)
    near = np.zeros(region.shape[:2], dtype=np.uint8)
    beyond = np.zeros(region.shape[:2], dtype=bool)
    for rows, cols in ((slice(0, top), slice(None)), (slice(top, None), slice(right, None))):
        p = region[rows, cols].astype(np.float32) - bg
        a = (p @ d) / max(float(d @ d), 1e-6)  # how far along the blend from background to colour
        near[rows, cols] = (a > 0.5) & (np.linalg.norm(p - a[..., None] * d, axis=2) < 30)
        beyond[rows, cols] = a >= BEYOND_BLEND
    _n, lab, stats, _c = cv2.connectedComponentsWithStats(near, connectivity=8)
    # of the colour itself, not of one further along its blend (black, for grey)
    darker = np.bincount(lab[beyond], minlength=len(stats))
    return [(int(x + bx0), int(y + by0), int(x + w + bx0), int(y + h + by0))
            for (x, y, w, h, a), dk in zip(stats[1:], darker[1:])
            if 8 <= w <= 60 and h <= max(6, w / 3) and a >= 0.5 * w * h and dk < 0.2 * a]


@dataclass
class LegendEntry:
    """One legend stroke and the words read beside it: kept together so the text can be read
    again, closer, once the strokes are known."""

    handle: Box
    words: list[Word]

    @property
    def name(self) -> str:
        return _join(self.words)


def legend_entries(img: np.ndarray, bbox: Box, plot_box: Box, traces: list[Trace],
                   words: list[Word]) -> list[LegendEntry | None]:
    """For each trace, its stroke and the text beside it (inside the plot area, else beside
    it: a flat stretch of the line itself can pass for a stroke but has no text), or None.
    A stroke in the plot is named by no text left of or below the plot (a y tick label
    stands beside a legend in the plot's corner). A name has a letter or digit; outside the
    plot, a number beside a short dark stroke is a tick label by its tick mark. Where others'
    text was read, a trace's one stroke in the plot with none read beside it is an entry too, for the closer reading to name (a line
    crossing its text hid it), and so is its one stroke beside the plot stacked with the
    others' (the sparse first reading garbled its text: "rmunA", read unsure), a few rows
    past the panel's region too (a legend between two panels' regions)."""
    def named(name: str, numbers: bool) -> bool:
        return _is_name(name) and (numbers or parse_label(name) is None)

    # not the tick labels left of and below the plot (its text may spill over the other sides)
    inside = [w for w in words if w.cx > plot_box[0] and w.cy < plot_box[3]]

    def entry(handles: list[Box], pool: list[Word], numbers: bool) -> LegendEntry | None:
        return next((LegendEntry(h, ws) for h in handles
                     if named(_join(ws := _words_beside(h, pool)), numbers)), None)
    out, beside = [], []
    for t in traces:
        e = entry(t.handles, inside, True)
        outs = [] if e else outside_handles(img, bbox, plot_box, t.rgb)
        out.append(e or entry(outs, words, False))
        beside.append(outs)
    found = [e.handle for e in out if e and not centred_in(e.handle, plot_box)]
    for k, (e, t) in enumerate(zip(out, traces)):  # a legend beside the plot: a flat piece of
        if found and e and centred_in(e.handle, plot_box):  # line in it, with noise read as text, is no entry
            stacked = [h for h in outside_handles(img, bbox, plot_box, t.rgb) if _stacked(h, found)]
            if stacked:
                out[k] = entry(stacked, words, False) or LegendEntry(stacked[0], [])
    if any(out):  # a stroke in the legend whose text the first reading missed or a line crossing it hid
        found = [e.handle for e in out if e]
        # a legend beside a column of panels may run on into the next one's region
        glyph = float(np.median([w.height for e in out if e for w in e.words] or [TARGET_GLYPH_PX / 2]))
        reach = int(STACK_REACH * glyph)
        wider = (bbox[0], max(0, bbox[1] - reach), bbox[2], min(img.shape[0], bbox[3] + reach))
        beside = [outs or ([] if e else outside_handles(img, wider, plot_box, t.rgb))
                  for outs, e, t in zip(beside, out, traces)]
        stacked = [[h for h in outs if _stacked(h, found)] for outs in beside]
        out = [e or (LegendEntry(t.handles[0], []) if len(t.handles) == 1 else
                     LegendEntry(st[0], []) if len(st) == 1 else None)
               for e, t, st in zip(out, traces, stacked)]
    return out


def centred_in(box: Box, outer: Box) -> bool:
    """Whether ``box``'s centre lies in ``outer``."""
    return outer[0] <= (box[0] + box[2]) / 2 <= outer[2] and outer[1] <= (box[1] + box[3]) / 2 <= outer[3]


def _stacked(handle: Box, others: list[Box]) -> bool:
    """A stroke in a column with others: a legend's strokes share their ends."""
    return any(abs(handle[0] - f[0]) <= 2 and abs(handle[2] - f[2]) <= 2 for f in others)


def legend_box(entries: list[LegendEntry | None]) -> tuple[float, float, float, float] | None:
    """The box around a legend's strokes and text, where it has two entries or more."""
    found = [e for e in entries if e]
    return _extent(found) if len(found) >= 2 else None


def _extent(found: list[LegendEntry]) -> tuple[float, float, float, float]:
    """The box around the entries' strokes and words."""
    boxes = [e.handle for e in found] + [(w.x0, w.y0, w.x1, w.y1) for e in found for w in e.words]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def legend_block(img: np.ndarray, page: Page, entries: list[LegendEntry | None], traces: list[Trace]) -> Block | None:
    """The block of the entries' strokes and words to read again, closer (None without a
    legend), cleaned of all but the text and enlarged to tesseract's glyph size (at least
    2x: legend text is small). The whole-page pass reads legend text small and sparse, so
    it glues words ("lrgroup1") and misreads glyphs; one block reading gets spacing and
    letters better."""
    found = [e for e in entries if e]
    if not found:
        return None
    strokes = [h for t in traces for h in t.handles] + [e.handle for e in found]
    glyph = float(np.median([w.height for e in found for w in e.words] or [TARGET_GLYPH_PX / 2]))
    pad = 0.4 * glyph  # a margin, short of the frame or gridline next to the legend
    bx0, by0, bx1, by1 = _extent(found)
    mids = [(e.handle[1] + e.handle[3]) / 2 for e in found if not e.words]  # unread text, level with its stroke
    if mids:
        by0, by1 = min(by0, min(mids) - 0.6 * glyph), max(by1, max(mids) + 0.6 * glyph)
    reach = int(TEXT_REACH * glyph)
    y0, y1 = max(0, int(by0 - pad)), int(by1 + pad)
    wx0, wx1 = max(0, int(bx0) - reach), min(img.shape[1], int(bx1) + reach)
    wide = _text_only(img[y0:y1, wx0:wx1], page.grey[y0:y1, wx0:wx1], glyph)
    # the text runs on away from the strokes (left of gnuplot's, right of the others')
    left = any(e.handle[2] >= bx1 - 1 for e in found)
    lo, hi = _text_run(wide, int(bx0) - wx0, int(bx1) - wx0, glyph, left)
    x0, x1 = max(0, int(wx0 + lo - pad)), int(wx0 + hi + pad)
    crop = wide[:, x0 - wx0:x1 - wx0].copy()
    for hx0, hy0, hx1, hy1 in strokes:  # read as dashes glued to the words
        crop[max(0, hy0 - y0 - 1):max(0, hy1 - y0 + 1), max(0, hx0 - x0 - 1):max(0, hx1 - x0 + 1)] = 255
    return Block(crop, float(np.clip(TARGET_GLYPH_PX / glyph, 2.0, 4.0)), (x0, y0))


def _text_run(clean: np.ndarray, lo: int, hi: int, glyph: float, left: bool) -> tuple[int, int]:
    """Columns ``lo..hi`` widened on one side while dark ink follows on within a word gap:
    the first reading missed the letters a data line crosses ("eline" for "baseline"), but
    with the line whitened the block can read them."""
    dark = clean < 128
    ink = dark.any(axis=0) & (dark.sum(axis=0) < 0.8 * len(clean))  # not a frame's side
    gap = max(2, int(0.8 * glyph))
    while left and lo > 0 and ink[max(0, lo - gap):lo].any():
        lo = max(0, lo - gap) + int(np.flatnonzero(ink[max(0, lo - gap):lo])[0])
    while not left and hi < len(ink) and ink[hi:hi + gap].any():
        hi = hi + int(np.flatnonzero(ink[hi:hi + gap])[-1]) + 1
    return lo, hi


def legend_names(page: Page, entries: list[LegendEntry | None], second: list[Word]) -> list[str]:
    """The name of each entry ("" for none): its line of the block reading (``second``,
    of ``legend_block``) replaces the first reading when it is the same text, spaced or
    read better (see ``_better``)."""
    names = [_join(_better(e, _words_beside(e.handle, second)), page.grey) if e else "" for e in entries]
    return _numbered([n if _is_name(n) else "" for n in names])


def _numbered(names: list[str]) -> list[str]:
    """Names alike but for a last digit ("lr pg0", "lr pg1"; "seed 0" .. "seed 2") where OCR
    read some of those digits as the letters they look like ("lr pgo", "seedi"): where two
    or more names share all but their last character, and every one of those characters
    is a digit or reads as a distinct one, one at least read as a digit, the letters are
    digits, spaced as that one is."""
    groups: dict[str, list[int]] = {}
    for k, n in enumerate(names):
        if len(n) >= 2 and n[-1] in DIGIT_LIKE:
            groups.setdefault(n[:-1].replace(" ", "").lower(), []).append(k)
    out = list(names)
    for members in groups.values():
        digits = [DIGIT_LIKE[names[k][-1]] for k in members]
        sure = [k for k in members if names[k][-1].isdigit()]
        if len(members) >= 2 and len(set(digits)) == len(digits) and sure:
            for k, d in zip(members, digits):
                if k not in sure:
                    out[k] = names[sure[0]][:-1] + d
    return out


def _is_name(text: str) -> bool:
    """A name has a letter or digit (not a stroke's end read as '=' or '-')."""
    return any(ch.isalnum() for ch in text)


def _text_only(rgb: np.ndarray, grey: np.ndarray, glyph: float) -> np.ndarray:
    """``grey`` with what is not legend text whitened: coloured pixels (data lines crossing
    the legend) and straight runs longer than a few glyphs (frame, grid and tick lines), which
    a block reading otherwise takes for a line of text and garbles its neighbours with."""
    out = grey.copy()
    out[rgb.max(axis=2).astype(int) - rgb.min(axis=2) > TEXT_CHROMA] = 255
    return without_long_lines(out, glyph)


def fill_names(traces: list[Trace], names: list[str], legends: list[NamedLines], fallback: str) -> list[str]:
    """Complete the names: a line its panel's legend does not name borrows the name another
    panel's legend gives to its colour, if that is not one of this panel's (a grid with one
    legend; a legend beside a column of panels, split between their regions; ``legends``
    holds each such panel's lines, named or not). Only where it shows that panel's lines,
    all or at least two: a lone line in one of a comparison's colours is more likely another
    quantity, named by its axis. The rest are ``fallback``, numbered."""
    names = list(names)
    own = {n for n in names if n}
    pool = [(rgb, n) for legend in legends if len(traces) >= min(2, len(legend)) for rgb, n in legend if n]
    for i, t in enumerate(traces):
        if not names[i]:
            same = {n for rgb, n in pool if delta_e(rgb, t.rgb) < SHARED_LEGEND_DE} - own
            names[i] = same.pop() if len(same) == 1 else ""
    unnamed = [i for i, n in enumerate(names) if not n]
    for k, i in enumerate(unnamed):
        names[i] = f"{fallback} {k + 1}" if len(unnamed) > 1 else fallback
    return names


def _words_beside(handle: Box, words: list[Word]) -> list[Word]:
    """The words on the stroke's line, right of it (most engines) or left of it (gnuplot):
    on each side the nearest word within reach, then its neighbours while the gaps stay
    word-sized; of two sides, the one with more text read surely (a line crossing the
    legend beside a gnuplot stroke reads as a short unsure word), numbers not counting
    (a tick label beside a legend in the plot's corner)."""
    x0, y0, x1, y1 = handle
    cy = (y0 + y1) / 2
    row = [w for w in words if abs(w.cy - cy) <= max(6.0, 0.7 * w.height) and w.conf >= 30]
    right = sorted((w for w in row if w.x0 >= x1 - 2), key=lambda w: w.x0)
    left = sorted((w for w in row if w.x1 <= x0 + 2), key=lambda w: -w.x1)
    found = []
    for side, gap, first_gap in ((right, lambda a, b: b.x0 - a.x1, lambda w: w.x0 - x1),
                                 (left, lambda a, b: a.x0 - b.x1, lambda w: x0 - w.x1)):
        if not side or first_gap(side[0]) > 40:
            continue
        kept = [side[0]]
        for w in side[1:]:
            if gap(kept[-1], w) > 1.5 * w.height:
                break
            kept.append(w)
        found.append(sorted(kept, key=lambda w: w.x0))
    return max(found, key=lambda ws: sum(w.conf * len(w.text) for w in ws if parse_label(w.text) is None),
               default=[])


def _join(words: list[Word], grey: np.ndarray | None = None) -> str:
    """The words as one name, without the stray marks OCR reads at a stroke's ends; where
    ``grey`` (the page) shows an underscore between two words, they are joined by it (OCR
    reads "train_acc" as "train" and "acc"), and glyphs it shows alike are one letter
    (``_twins``)."""
    if grey is not None:
        words = [_twins(w, grey) for w in words]
    text = "".join(_spaced(w, grey) + (("_" if grey is not None and _underscore_between(w, nxt, grey) else " ")
                                       if nxt else "") for w, nxt in zip(words, words[1:] + [None]))
    return tidy_text(text.strip(" |[](){}-—_:;,.'\""))


def _glyph_columns(crop: np.ndarray) -> list[tuple[int, int]]:
    """Column spans of a word's glyphs: runs of columns with ink above the baseline's reach
    (an underscore joins the letters it runs under)."""
    lo, hi = float(crop.min()), float(crop.max())
    if hi - lo < 40:
        return []
    body = crop[: max(1, int(0.8 * crop.shape[0]))] < (lo + hi) / 2
    idx = np.flatnonzero(body.any(axis=0))
    if not len(idx):
        return []
    return [(int(g[0]), int(g[-1]) + 1) for g in np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)]


def _twins(word: Word, grey: np.ndarray) -> Word:
    """The word with a "ce" that the page draws as one glyph twice read "cc": tesseract's
    word list turns "acc" into "ace" even where both glyphs are crisp and alike. Only where
    the glyphs from that "c" to the word's end come apart one per letter, and the two have
    the same width (to a pixel) and pixels."""
    text = word.text
    k = text.rfind("ce")
    tail = text[k + 2:]
    if k < 0 or (tail and not tail.isalnum()):
        return word
    x0, y0, x1, y1 = int(word.x0), int(word.y0), int(np.ceil(word.x1)), int(np.ceil(word.y1))
    crop = grey[y0:y1, x0:x1].astype(np.float32)
    spans = _glyph_columns(crop)
    after = 2 + len(tail)  # glyphs from the "c" to the word's end
    if len(spans) < after:
        return word
    (a0, a1), (b0, b1) = spans[-after], spans[-after + 1]
    if abs((a1 - a0) - (b1 - b0)) > 1 or min(a1 - a0, b1 - b0) < 3:
        return word  # glyphs run together, or split
    narrow, wide = sorted((crop[:, a0:a1], crop[:, b0:b1]), key=lambda g: g.shape[1])
    # the correlation of their pixels, the narrower glyph slid along the wider
    corr = float(np.nan_to_num(cv2.matchTemplate(wide, narrow, cv2.TM_CCOEFF_NORMED)).max())
    return replace(word, text=text[:k] + "cc" + tail) if corr >= TWIN_CORR else word


def _spaced(word: Word, grey: np.ndarray | None) -> str:
    """The word, with the space OCR dropped before a closing capital or digit ("runA" for
    "run A"): where ``grey`` (the page) shows the gap before the last glyph a space wide,
    much wider than the gaps between the other letters ("pg1" has none)."""
    if grey is None or not LETTER_THEN_MARK.fullmatch(word.text):
        return word.text
    x0, y0, x1, y1 = int(word.x0), int(word.y0), int(np.ceil(word.x1)), int(np.ceil(word.y1))
    cols = np.flatnonzero((grey[y0:y1, x0:x1] < 128).any(axis=0))
    blank = np.diff(cols) - 1  # blank columns between inked ones, left to right
    gaps = blank[blank > 0]
    if len(gaps) >= 2 and gaps[-1] >= SPACE_GAP * gaps[:-1].max() and gaps[-1] >= 0.3 * (y1 - y0):
        return word.text[:-1] + " " + word.text[-1]
    return word.text


def _underscore_between(a: Word, b: Word, grey: np.ndarray) -> bool:
    """A dark stroke along the baseline across most of the gap between two words (UNDERSCORE_SPAN),
    with nothing at the letters' middle height there: an underscore."""
    x0, x1 = int(np.ceil(a.x1)), int(b.x0)
    h = max(a.height, b.height)
    base = max(a.y1, b.y1)
    if x1 - x0 < 2 or h < 4:
        return False
    gap = grey[max(0, int(base - 0.15 * h)):int(base + 0.4 * h) + 1, x0:x1] < 128
    middle = grey[int(base - 0.6 * h), x0:x1] < 128
    return bool(gap.size and gap.mean(axis=1).max() >= UNDERSCORE_SPAN and middle.mean() < 0.3)


def _better(first: LegendEntry, second: list[Word]) -> list[Word]:
    """The second reading when it is the same name read at least as surely and losing no
    character the first read surely (a respacing or a surer glyph: "lrgroup1" -> "lr group 1",
    "PPC" -> "PPO"), else the first; the second where the first read nothing. Only letters,
    digits and underscores count: the first, sparse reading takes the end of a stroke or a
    line crossing the legend for a glyph ("~—runA", "«run A", "seed 2/\\"), and for a word
    read unsure ("WM baseline", "rundA" at 44 and 66), which the block reading leaves out.
    Measured on the benchmark: taking the second reading always loses underscores
    ("train acc", "valloss": none the first read may be lost) and misreads tiny glyphs
    ("train_ace") as often as it fixes spacing."""
    old, new = _core(first.name), _core(_join(second))
    if not first.words:
        return second
    matched = sum(m.size for m in SequenceMatcher(None, old, new).get_matching_blocks())
    same = 2 * matched >= SAME_TEXT * (len(old) + len(new)) or matched >= max(len(old), len(new), 3) - 1
    surer = np.mean([w.conf for w in second] or [0]) >= np.mean([w.conf for w in first.words])
    # an underscore is the glyph a reading drops most ("valloss"), read surely or not
    kept = len(new) >= len(_core(_join([w for w in first.words if w.conf >= SURE_WORD]))) and \
        new.count("_") >= old.count("_")
    return second if same and surer and kept else first.words


def _core(text: str) -> str:
    """What two readings of one name must share: its letters, digits and underscores,
    lower case (spaces and stray marks aside)."""
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch == "_")
