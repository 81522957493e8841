"""Read a panel's axes: tick labels, tick positions, title and axis labels.

Tick labels are the numeric words aligned along the left and bottom of the plot
area; each label's position is snapped to the tick mark or gridline it names,
then all of them are fitted together (``calibration.fit_axis``). The texts
around the plot area give the title and axis labels.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import cv2
import numpy as np

from .calibration import fit_axis
from .layout import PlotArea
from .model import Axis, Tick
from .ocr import Block, Page, Word, raised_tail, read_power_label, read_strip, rotated_block, tidy_text
from .options import Options
from .ticklabels import decimals, parse_label, parse_offset, parse_pow10

STEP_WORDS = re.compile(r"\b(step|steps|epoch|epochs|iter|iters|iteration|iterations|update|updates|"
                        r"round|rounds|episode|episodes|batch|batches|generation|generations|"
                        r"global[_ ]?step|it)\b", re.I)


SNAP_MIN_PX = 1.5
CORNER_PX = 2  # a tick at the plot's corner is drawn on the frame's edge or just past it
TICK_SHARE = 0.6  # of a tick strip's rows (columns) a tick mark darkens
LABEL_GAP = 0.5  # glyph heights of blank between the tick labels and the y axis title beside them
_POW10_HEAD = re.compile(r"^[x×X*]?10\S{1,3}$")  # the 10^k of a label that may have an m × before it
_POW10_LIKE = re.compile(r"^(\d[x×X*])?10\S{0,3}$")


@dataclass
class AxesReading:
    """What ``read_axes`` found for one panel; ``error`` says why it could not be calibrated."""

    x_axis: Axis | None
    y_axis: Axis | None
    title: str
    x_is_step: bool
    error: str | None
    ocr_conf: float
    blank_labels: tuple[bool, bool] = (False, False)  # x, y: no label read and nothing drawn where it goes
    y_label: PendingLabel | None = None  # the y label's strip, read later with the chart's other blocks


@dataclass
class PendingLabel:
    """A rotated y label to read (``block``), the panel's glyph height, and whether nothing
    is drawn where the label goes."""

    block: Block | None
    gh: float
    bare: bool


@dataclass
class _Label:
    word: Word
    value: float | None  # the plain number, if the text is one
    pow10: list[float]  # readings as 10^k, for log axes


def read_axes(page: Page, area: PlotArea, words: list[Word], options: Options,
              claimed: set[int] | None = None) -> AxesReading:
    """Calibrate both axes of ``area`` from ``words`` (all words on the image).

    ``claimed`` holds ids of words that earlier panels used (their axis labels); they are
    not read again here, and this panel's own words are added to it.
    """
    claimed = set() if claimed is None else claimed
    x0, y0, x1, y1 = area.plot_box
    bx0, by0, bx1, by1 = area.bbox
    inside = [w for w in words if bx0 - 2 <= w.cx <= bx1 + 2 and by0 - 2 <= w.cy <= by1 + 2]
    local = [w for w in inside if id(w) not in claimed]
    grey = page.grey
    gh = max(6.0, float(np.median([w.height for w in local])) if local else page.gh)

    ylabels = _y_tick_labels(local, area.plot_box, gh)
    xlabels = _x_tick_labels(local, area.plot_box, gh)
    used = {id(l.word) for l in ylabels + xlabels}

    y_mult = _offset_multiplier(local, used, near=(x0, y0), above=True, gh=gh)
    x_mult = _offset_multiplier(local, used, near=(x1, y1), above=False, gh=gh)
    title = _text_line_above(local, area.plot_box, used, gh)
    # where the first reading found no x tick labels (lone small digits), they are still
    # drawn: the x label and the blank below them start past where they would end
    x_tick_bottom = max([l.word.y1 for l in xlabels], default=y1 + 2 * gh)
    row = [w for w in words if by0 - 2 <= w.cy <= by1 + 2]  # a label shared by a row of panels is centred between them
    xlabel_words = _continued(_text_line_below(row, area.plot_box, x_tick_bottom, used, gh), words, gh)
    xlabel = _join(xlabel_words)
    claimed.update(id(w) for w in xlabel_words)
    claimed.update(used)
    ytick_left = min([l.word.x0 for l in ylabels], default=x0)
    # over the panel's whole height: a y label shared by a column of panels may stand
    # entirely between their plots, beside the lower one's title strip
    ylabel_block = _y_label_block(grey, (bx0, by0, int(ytick_left) - 1, by1), gh)

    errors: list[str] = []
    panel_grey = _without_words(grey, local, area.bbox)
    inner = (x0 - bx0, y0 - by0, x1 - bx0, y1 - by0)

    def marks(axis: str) -> np.ndarray:
        return _tick_positions(panel_grey, inner, axis) + (by0 if axis == "y" else bx0)

    def decades(axis: str) -> list[float]:
        """Decade ticks by the minor ticks between, wherever those are drawn (gnuplot's inside,
        where the frame's corners pass for two marks outside). The axis ends count as marks:
        a decade tick drawn inside at a corner is lost in the frame (matplotlib's classic)."""
        ends = [inner[1], inner[3]] if axis == "y" else [inner[0], inner[2]]
        found = sorted({d for m in mark_rows(panel_grey, inner, axis, 0.4) for d in _decades(np.append(m, ends))})
        apart = [d for k, d in enumerate(found) if k == 0 or d - found[k - 1] > 2]  # a mark at an end is one
        return [d + (by0 if axis == "y" else bx0) for d in apart]

    y_decades, x_decades = decades("y"), decades("x")
    # a decade found by its minor ticks is a tick, though the frame hides its mark
    y_marks, x_marks = np.union1d(marks("y"), y_decades), np.union1d(marks("x"), x_decades)
    yscale = options.yscale or ("log" if y_decades else None)
    xscale = options.xscale or ("log" if x_decades else None)

    def fit_y(labels: list[_Label], errs: list[str]) -> Axis | None:
        return _calibrate(_as_printed(page, labels, gh), lambda w: w.cy, y_marks, (y1, y0), "", y_mult,
                          yscale, options.yrange, gh, errs, "y")

    def fit_x(labels: list[_Label], errs: list[str]) -> Axis | None:
        return _calibrate(_as_printed(page, labels, gh), lambda w: w.cx, x_marks, (x0, x1), xlabel, x_mult,
                          xscale, options.xrange, gh, errs, "x")

    y_axis = _with_second_look(fit_y, ylabels, [
        lambda: _y_tick_labels(read_strip(page, _label_column(page.masked, (max(bx0, x0 - 8 * gh), y0 - gh, x0, y1 + gh),
                                                              gh), gh),
                               area.plot_box, gh),
        lambda: _beside(ylabels, [_power_label(page, (x0 - 8 * gh, p - 1.5 * gh, x0 - 1, p + 1.2 * gh), "right",
                                               (x0 - gh, p), gh)
                                  for p in _power_places(y_decades, _y_side(local, area.plot_box, gh), gh,
                                                         lambda w: w.cy)], lambda w: w.cy, gh)],
        errors)
    x_axis = _with_second_look(fit_x, xlabels, [
        lambda: _x_tick_labels(read_strip(page, (x0 - 2 * gh, y1, x1 + 2 * gh, y1 + 3 * gh), gh),
                               area.plot_box, gh),
        lambda: _beside(xlabels, [_power_label(page, (p - 3 * gh, y1 + 1, p + 3 * gh, y1 + 2.2 * gh), "centre",
                                               (p, y1 + gh), gh)
                                  for p in _power_places(x_decades, _x_side(local, area.plot_box, gh), gh,
                                                         lambda w: w.cx)], lambda w: w.cx, gh)],
        errors)
    x_is_step = bool(x_axis and x_axis.scale == "linear" and x_axis.ticks
                     and all(float(t.value).is_integer() and t.value >= 0 for t in x_axis.ticks)
                     and (STEP_WORDS.search(xlabel) or not xlabel))
    confs = [l.word.conf for l in ylabels + xlabels]
    # left of the tick labels (not of one that OCR glued to a word beside it: it reaches further)
    widths = [l.word.x1 - l.word.x0 for l in ylabels]
    label_left = min((l.word.x0 for l, wd in zip(ylabels, widths) if wd <= 1.5 * np.median(widths)), default=x0)
    blank = (not xlabel and _bare(page.masked, (x0, int(x_tick_bottom) + 2, x1, by1)), False)
    pending = PendingLabel(ylabel_block, gh, _bare(page.masked, (bx0, y0, int(label_left) - 2, y1)))
    return AxesReading(x_axis, y_axis, title, x_is_step, "; ".join(errors) or None,
                       float(np.mean(confs)) if confs else -1.0, blank, pending)


def name_y_axis(reading: AxesReading, words: list[Word]) -> None:
    """Give the y axis the label read in its strip (``words``, of ``reading.y_label.block``)."""
    pending = reading.y_label
    label = _rotated_label(words, pending.gh)
    if reading.y_axis is not None:
        reading.y_axis.label = label
    reading.blank_labels = (reading.blank_labels[0], not label and pending.bare)


def _label_column(masked: np.ndarray, box, gh: float) -> tuple[float, float, float, float]:
    """``box``, left of a plot, cut to the column of tick labels next to the axis: from the
    first ink leftwards to the middle of a blank gap wider than ``LABEL_GAP`` glyph heights.
    The y axis's rotated title beyond it, read in the same block, garbles lone digits (``4``
    as ``04``); cut at the labels' very edge, OCR misreads them too (``9`` as ``2``).
    Flat marks that reach the axis are tick marks left on the page (where a despined spine
    ends, nothing above and below tells a tick from a label's stroke), not the labels' column."""
    x0, y0, x1, y1 = box
    crop = masked[max(0, int(y0)):int(y1), max(0, int(x0)):int(x1)]
    if crop.size == 0:
        return box
    ink = (crop < 128).astype(np.uint8)
    n, comp, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    for k in range(1, n):
        left, _, w, h, _ = stats[k]
        if h <= 0.3 * gh and left + w >= crop.shape[1] - max(3.0, 0.5 * gh):
            ink[comp == k] = 0
    inked = np.flatnonzero(ink.any(axis=0)[::-1])  # columns counted from the axis
    if not len(inked):
        return box
    gaps = np.flatnonzero(np.diff(inked) > LABEL_GAP * gh)
    if not len(gaps):
        return box
    mid = (inked[gaps[0]] + inked[gaps[0] + 1]) / 2  # the middle of the gap: OCR wants a margin
    return (x1 - 1 - mid, y0, x1, y1)


def _bare(masked: np.ndarray, box) -> bool:
    """Nothing drawn in ``box`` of the page (plot areas and tick marks blanked)."""
    x0, y0, x1, y1 = (max(0, int(v)) for v in box)
    return bool((masked[y0:y1, x0:x1] < 128).sum() < 3)


def _with_second_look(fit, labels: list[_Label], rereads, errors: list[str]) -> Axis | None:
    """Fit an axis; while that fails, or rests on two ticks that nothing checks, read its
    labels again in the next, closer way (``rereads``) and keep the best fit: the one with
    more ticks, two ticks that are round numbers a few steps apart before two that are not
    (OCR reads ``10³`` as ``103``); on a tie, the closer reading (``1077`` parses as 10⁻⁷
    where the glyphs say 10⁻²). Where the closer reading alone fits fewer than three ticks,
    both readings' labels are candidates together."""
    first_errors: list[str] = []
    axis = fit(labels, first_errors)
    for reread in rereads:
        if axis is not None and (len(axis.ticks) >= 3 or axis.overridden):
            return axis
        closer = reread()
        again = fit(closer, [])
        if again is None or len(again.ticks) < 3:  # each reading got some labels right ("0,3" and "3")
            both = fit(closer + labels, [])
            again = both if both is not None and (again is None or _rank(both) > _rank(again)) else again
        if again is not None and (axis is None or _rank(again) >= _rank(axis)):  # ties: the closer reading
            axis = again
    if axis is None:
        errors.extend(first_errors)
    return axis


def _beside(first: list[_Label], again: list[_Label | None], centre, gh: float) -> list[_Label]:
    """Labels read again glyph by glyph, and the first readings of the labels elsewhere on
    the axis (those read well, or garbled where no second reading was made or it failed:
    the fit weighs them all)."""
    got = [l for l in again if l is not None]
    return got + [l for l in first if all(abs(centre(l.word) - centre(a.word)) > gh for a in got)]


def _rank(axis: Axis) -> tuple[bool, int]:
    """How far an axis fit is checked: a linear axis on two ticks only if they are round."""
    two = len(axis.ticks) == 2 and axis.scale == "linear"
    return (not two or _round_pair(axis.ticks[0].value, axis.ticks[1].value), len(axis.ticks))


def _round_pair(a: float, b: float) -> bool:
    """Two tick values as engines label them: multiples of a round step (1, 2, 2.5 or 5
    times a power of ten) at most ten steps apart."""
    d = abs(b - a)
    for k in range(-12, 13):
        for base in (1.0, 2.0, 2.5, 5.0):
            step = base * 10.0 ** k
            m, r = d / step, a / step
            whole = abs(m - round(m)) < 1e-6 * max(1.0, m) and abs(r - round(r)) < 1e-6 * max(1.0, abs(r))
            if whole and 1 <= round(m) <= 10:
                return True
    return False


def _power_label(page: Page, box, anchor: str, centre: tuple[float, float], gh: float) -> _Label | None:
    """A ``10^k`` (or ``m × 10^k``) label read glyph by glyph beside a tick of a log axis,
    placed on that tick (``centre``) so that it snaps there."""
    v = read_power_label(page, box, anchor)
    if v is None:
        return None
    cx, cy = centre[0] + 0.5, centre[1] + 0.5
    word = Word(f"{v:g}", 90.0, cx - gh, cy - gh / 2, cx + gh, cy + gh / 2)
    return _Label(word, None, [v])


def _power_places(decades: list[float], words: list[Word], gh: float, centre) -> list[float]:
    """Where to read labels again glyph by glyph: the decade ticks of a log axis, and where
    words that look like a power of ten stand (a minor tick's label, or a decade's where too
    few minor ticks show): OCR garbles the raised exponent (``10?``) or misreads it into
    another that parses (``1077`` for 10⁻², ``107°`` for 10⁻¹)."""
    places = list(decades)
    for w in words:
        if _POW10_LIKE.match(w.text) and all(abs(centre(w) - p) > gh for p in places):
            places.append(centre(w))
    return places


def _as_printed(page: Page, labels: list[_Label], gh: float) -> list[_Label]:
    """Labels with a plain reading that are powers of ten as printed: ``103`` whose last
    glyph stands raised above the ``10`` is 10³ and nothing else (read as 103, 10⁴ 10³ 10²
    make a linear axis from 102 to 104)."""
    pad = 0.2 * gh
    return [_Label(l.word, None, l.pow10) if l.value is not None and l.pow10 and raised_tail(
        page, (l.word.x0 - pad, l.word.y0 - pad, l.word.x1 + pad, l.word.y1 + pad)) else l for l in labels]


def _numeric(words: list[Word], gh: float) -> list[_Label]:
    out = []
    for w in words:
        v, p = parse_label(w.text), parse_pow10(w.text)
        if v is not None or p:
            out.append(_Label(w, v, p))
    return out


def _with_mantissas(words: list[Word], gh: float) -> list[Word]:
    """Words with each ``m ×`` that OCR read apart from the ``10^k`` after it (``2x`` and
    ``103`` for 2 × 10³, a log axis's minor label) joined to it as one word."""
    out = list(words)
    for w in words:
        if not _POW10_HEAD.match(w.text):
            continue
        row = sorted((v for v in out if v is not w and abs(v.cy - w.cy) <= 0.5 * gh
                      and -1 <= w.x0 - v.x1 <= 0.8 * gh), key=lambda v: -v.x1)
        for k in (1, 2):  # "2x" "103", or "2" "x" "103"
            if len(row) >= k and parse_pow10("".join(v.text for v in row[:k][::-1]) + w.text):
                parts = row[:k][::-1] + [w]
                joined = Word("".join(v.text for v in parts), min(v.conf for v in parts),
                              min(v.x0 for v in parts), min(v.y0 for v in parts),
                              max(v.x1 for v in parts), max(v.y1 for v in parts))
                out = [v for v in out if not any(v is q for q in parts)] + [joined]
                break
    return out


def _y_tick_labels(words: list[Word], box, gh: float) -> list[_Label]:
    """Numeric words right-aligned just left of the plot area."""
    return _aligned(_numeric(_y_side(words, box, gh), gh), key=lambda l: l.word.x1, tol=0.8 * gh)


def _x_tick_labels(words: list[Word], box, gh: float) -> list[_Label]:
    """Numeric words in a row just below the plot area."""
    return _aligned(_numeric(_x_side(words, box, gh), gh), key=lambda l: l.word.cy, tol=0.5 * gh)


def _y_side(words: list[Word], box, gh: float) -> list[Word]:
    """Words where y tick labels stand: ending just left of the plot area (an ``m ×`` read
    apart from its ``10^k`` joined to it first: it starts further left)."""
    x0, y0, x1, y1 = box
    return [w for w in _with_mantissas(words, gh) if x0 - 3.5 * gh <= w.x1 <= x0 + 2 and y0 - gh <= w.cy <= y1 + gh]


def _x_side(words: list[Word], box, gh: float) -> list[Word]:
    """Words where x tick labels stand: just below the plot area (``m ×`` joined to its ``10^k``)."""
    x0, y0, x1, y1 = box
    return [w for w in _with_mantissas(words, gh) if y1 - 2 <= w.y0 <= y1 + 2.5 * gh and x0 - 1.5 * gh <= w.cx <= x1 + 1.5 * gh]


def _aligned(cands: list[_Label], key, tol: float) -> list[_Label]:
    """The largest group of labels sharing one alignment coordinate (nearest the axis on ties)."""
    best: list[_Label] = []
    for c in cands:
        group = [d for d in cands if abs(key(d) - key(c)) <= tol]
        if len(group) > len(best):
            best = group
    return best


def _offset_multiplier(words: list[Word], used: set[int], near, above: bool, gh: float) -> float:
    """The ``1e-4`` style multiplier printed at the end of an axis, or 1."""
    nx, ny = near
    for w in words:
        if id(w) in used or (m := parse_offset(w.text)) is None:
            continue
        if above and ny - 3 * gh <= w.cy <= ny and abs(w.x0 - nx) <= 4 * gh:
            return m
        if not above and ny <= w.cy <= ny + 5 * gh and abs(w.x1 - nx) <= 4 * gh:
            return m
    return 1.0


def _lines(words: list[Word], gh: float) -> list[list[Word]]:
    """Words grouped into text lines, each sorted left to right."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: w.cy):
        if lines and abs(lines[-1][-1].cy - w.cy) <= 0.5 * gh:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [sorted(line, key=lambda w: w.x0) for line in lines]


def _join(line: list[Word]) -> str:
    """A line's words as text; bars at its ends are a box's sides (a facet
    strip's border), not text."""
    return tidy_text(" ".join(w.text for w in line if w.conf >= 20).strip().strip("|").strip())


def _text_line_above(words: list[Word], box, used: set[int], gh: float) -> str:
    x0, y0, x1, _ = box
    above = [w for w in words if id(w) not in used and w.y1 <= y0 + 2 and x0 - gh <= w.cx <= x1 + gh
             and parse_offset(w.text) is None]
    lines = [line for line in _lines(above, gh) if _is_wordy(line)]
    return _join(lines[-1]) if lines else ""


def _text_line_below(words: list[Word], box, below_y: float, used: set[int], gh: float) -> list[Word]:
    """The first line of words below ``below_y`` reaching over the plot's width."""
    x0, _, x1, _ = box
    below = [w for w in words if id(w) not in used and w.y0 >= below_y - 1 and w.x1 >= x0 - gh
             and w.x0 <= x1 + gh and parse_offset(w.text) is None and w.y0 <= below_y + 4 * gh]
    lines = _lines(below, gh)
    return lines[0] if lines else []


def _continued(line: list[Word], words: list[Word], gh: float) -> list[Word]:
    """``line`` with the words that continue it on either side at word spacing, past the
    panel's region: one x label shared by a row of panels (facets) is centred between them,
    and each panel sees a part of it."""
    if not line:
        return line
    line = list(line)
    row = sorted((w for w in words if abs(w.cy - line[0].cy) <= 0.5 * gh and w not in line), key=lambda w: w.x0)
    grew = True
    while grew:
        grew = False
        for w in row:
            if w not in line and (0 <= w.x0 - line[-1].x1 <= gh or 0 <= line[0].x0 - w.x1 <= gh):
                line = sorted(line + [w], key=lambda v: v.x0)
                grew = True
    return line


def _y_label_block(grey: np.ndarray, strip, gh: float) -> Block | None:
    """The strip left of the y tick labels, where the rotated y-axis label is, turned
    upright to be read (None when the strip holds no text)."""
    sx0, sy0, sx1, sy1 = (int(v) for v in strip)
    if sx1 - sx0 < 0.8 * gh or sy1 <= sy0:
        return None
    sy0, sy1 = _whole_text(grey[:, max(0, sx0):sx1] < 128, sy0, sy1, gh)
    crop = grey[sy0:sy1, max(0, sx0):sx1]
    if crop.size == 0 or (crop < 128).sum() < 10:
        return None
    return rotated_block(crop, scale=float(np.clip(26 / gh, 1.0, 4.0)))


def _rotated_label(words: list[Word], gh: float) -> str:
    """The y-axis label: the line of the turned strip's words with most letters."""
    lines = [line for line in _lines([w for w in words if w.conf >= 50], gh) if _is_wordy(line)]
    best = max(lines, key=lambda line: sum(c.isalpha() for w in line for c in w.text), default=[])
    return _join(best).strip(" |_-")


def _whole_text(ink: np.ndarray, r0: int, r1: int, gh: float) -> tuple[int, int]:
    """Rows ``r0..r1`` grown over the text the strip's edge cuts: one y label shared by a
    column of panels is centred between them, and each panel's strip holds a part of it.
    Text runs on while its inked rows are less than a glyph height apart."""
    rows = ink.any(axis=1)
    gap = max(2, int(gh))
    if rows[r0:min(r0 + gap, r1)].any():
        while r0 > 0 and rows[max(0, r0 - gap):r0].any():
            r0 -= 1
    if rows[max(r0, r1 - gap):r1].any():
        while r1 < len(rows) and rows[r1:r1 + gap].any():
            r1 += 1
    return r0, r1


def _is_wordy(line: list[Word]) -> bool:
    """A line of words (a label or title), not stray digits or OCR noise."""
    text = "".join(w.text for w in line)
    return sum(c.isalpha() for c in text) >= max(2, 0.5 * len(text))


def _decades(marks: np.ndarray) -> list[float]:
    """The decade ticks of a log axis: between two marks a decade apart stand the minor ticks
    2..9 at log10(k) of the way, and little else (a dense even run of marks matches most of
    those places by chance). Every mark that ends such a pair (most of the eight found);
    empty when the axis does not look logarithmic."""
    m = np.sort(marks)
    fractions = np.log10(np.arange(2, 10))
    found: set[float] = set()
    for i in range(len(m)):
        for j in range(i + 1, len(m)):
            span = m[j] - m[i]
            if span < 40 or j - i - 1 > len(fractions) + 1:
                continue
            for lo, sign in ((m[i], 1), (m[j], -1)):  # values may grow either way along the axis
                want = lo + sign * span * fractions
                if (np.abs(m[:, None] - want[None, :]).min(axis=0) <= max(2.0, 0.01 * span)).sum() >= 6:
                    found.update((float(m[i]), float(m[j])))
    return sorted(found)


def _without_words(grey: np.ndarray, words: list[Word], bbox) -> np.ndarray:
    """The panel ``bbox`` of ``grey`` with its words painted over in the background grey, so
    that the upright strokes of tick labels set close to the axis are not taken for tick marks."""
    bx0, by0, bx1, by1 = bbox
    out = grey[by0:by1, bx0:bx1].copy()
    fill = int(np.median(out[::4, ::4]))
    for w in words:
        out[max(0, int(w.y0) - by0 - 1):max(0, int(w.y1) - by0 + 2),
            max(0, int(w.x0) - bx0 - 1):max(0, int(w.x1) - bx0 + 2)] = fill
    return out


def _tick_positions(grey: np.ndarray, box, axis: str) -> np.ndarray:
    """Pixel positions of tick marks just outside the axis, else gridlines, else tick marks
    just inside (where data lines also run, so they come last)."""
    return next((m for m in mark_rows(grey, box, axis, TICK_SHARE) if len(m) >= 2), np.array([], dtype=float))


def mark_rows(grey: np.ndarray, box, axis: str, need_out: float) -> list[np.ndarray]:
    """The marks found in each place ticks are drawn: just outside the axis, gridlines
    across the plot, just inside the axis; ``need_out`` lower finds short minor ticks too.
    Outside, the marks at the axis's ends count too: the first and last ticks stand at the
    plot's corners, on or just past the frame's edge (Vega's, whose end labels are flush
    with the axis ends, off their ticks: their centres alone put the end ticks pixels off)."""
    x0, y0, x1, y1 = box
    e = CORNER_PX
    if axis == "y":
        strips = (grey[max(0, y0 - e):y1 + 1 + e, max(0, x0 - 5):max(0, x0 - 1)], grey[y0:y1 + 1, x0 + 3:x1 - 3],
                  grey[y0:y1 + 1, x0 + 1:x0 + 5])
    else:
        strips = (grey[y1 + 2:y1 + 6, max(0, x0 - e):x1 + 1 + e].T, grey[y0 + 3:y1 - 3, x0:x1 + 1].T,
                  grey[max(0, y1 - 4):max(0, y1), x0:x1 + 1].T)
    lo = y0 if axis == "y" else x0
    offsets = (max(0, lo - e), lo, lo)  # outside the axis the strip runs past the plot's corners
    out = []
    for k, (strip, need, contrast) in enumerate(zip(strips, (need_out, 0.6, max(need_out, 0.75)), (25, 6, 25))):
        if strip.size == 0:
            out.append(np.array([], dtype=float))
            continue
        depth = np.abs(strip.astype(float) - np.median(strip))
        flags = (depth > contrast).mean(axis=1) >= need
        if k == 1:  # gridlines: the frame's own edges are not gridlines
            flags[:3] = flags[-3:] = False
        out.append(np.array(_run_centers(flags, depth.mean(axis=1)), dtype=float) + offsets[k])
    return out


def _run_centers(flags: np.ndarray, weight: np.ndarray) -> list[float]:
    """Weighted centres of short runs of flagged rows, widened by one row each side so that
    an anti-aliased mark's faint edge rows count: sub-pixel positions of thin marks."""
    idx = np.flatnonzero(flags)
    if not len(idx):
        return []
    out = []
    for g in np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1):
        if len(g) > 4:
            continue
        rows = np.arange(max(0, g[0] - 1), min(len(weight), g[-1] + 2))
        out.append(float((rows * weight[rows]).sum() / weight[rows].sum()))
    return out


def _calibrate(labels: list[_Label], pos, marks: np.ndarray, edges, label: str, mult: float,
               scale: str | None, override, gh: float, errors: list[str], name: str) -> Axis | None:
    """Fit one axis from its labels, or from a user range; record why it failed."""
    if override is not None:
        lo, hi = override
        p0, p1 = edges
        if scale == "log":
            lo, hi = np.log10(lo), np.log10(hi)
        a = (hi - lo) / (p1 - p0)
        return Axis(label, scale or "linear", [], float(a), float(lo - a * p0), 0.0, overridden=True)
    tol = max(1.5, 0.25 * gh)
    # every reading of every label is a candidate point; the robust fit keeps one consistent set
    cands = [(i, l.value * mult) for i, l in enumerate(labels) if l.value is not None]
    n_plain = len(cands)
    cands += [(i, v * mult) for i, v in _point_dropped(labels)]
    n_linear = len(cands)
    if scale != "linear":
        cands += [(i, v) for i, l in enumerate(labels) for v in l.pow10]
    pixels = _tick_pixels([pos(labels[i].word) for i, _ in cands], marks, 0.6 * gh)
    # where some label is a power and nothing else (2 × 10³), "103" is one too: labels share a
    # format; and on an axis known to be log (by its minor ticks), "102 103 104" are powers,
    # but not "100" beside a "10" that can be no power ("10 100" is plain)
    powers = (scale == "log" and all(l.pow10 for l in labels)) or any(l.pow10 and l.value is None for l in labels)
    fit = fit_axis(pixels, [v for _, v in cands], tol, scale, groups=[i for i, _ in cands],
                   plain=[(k >= n_linear) if powers else (k < n_plain) for k in range(len(cands))],
                   log_only=[k >= n_linear for k in range(len(cands))])
    if fit is None or len(fit.inliers) < 2:
        found = len(labels)
        errors.append(f"{name} axis: could not read enough tick labels ({found} numeric label"
                      f"{'s' if found != 1 else ''} found, 2 consistent ones needed)")
        return None
    if len(labels) >= 3 and len(fit.inliers) < 3:
        errors.append(f"{name} axis: tick labels do not form a progression "
                      f"({', '.join(l.word.text for l in labels)})")
        return None
    ticks = [Tick(pixels[k], cands[k][1], labels[cands[k][0]].word.text, labels[cands[k][0]].word.conf)
             for k in sorted(fit.inliers, key=lambda k: pixels[k])]
    return Axis(label, fit.scale, ticks, fit.a, fit.b, fit.residual_px)


def _point_dropped(labels: list[_Label]) -> list[tuple[int, float]]:
    """Second readings of labels whose decimal point OCR lost (small print, JPEG): when
    some labels show ``d`` decimals, a label of more than ``d`` bare digits (``08``, ``14``)
    may be one too (0.8, 1.4). Only the axis fit decides; printed text wins ties."""
    places = [decimals(l.word.text) for l in labels]
    shown = [p for p in places if p]
    if not shown:
        return []
    d = max(set(shown), key=shown.count)
    return [(i, l.value / 10 ** d) for i, (l, p) in enumerate(zip(labels, places))
            if p == 0 and l.value is not None and sum(c.isdigit() for c in l.word.text) > d]


def _tick_pixels(centres: list[float], marks: np.ndarray, tol: float) -> list[float]:
    """Tick positions: the label centres, unless the tick marks beside them say the labels sit
    off-centre (gnuplot's all, Vega's first and last, which are flush with the axis ends); then
    the marks. Marks snapped to whole pixels (matplotlib) are up to a pixel off, so labels
    that agree with their mark to within ``SNAP_MIN_PX`` keep their exact centre."""
    if not len(marks):
        return centres
    nearest = [float(marks[np.argmin(np.abs(marks - c))]) for c in centres]
    offsets = [m - c for m, c in zip(nearest, centres) if abs(m - c) <= tol]
    all_off = len(offsets) >= 2 and abs(float(np.median(offsets))) > 0.75
    return [m if abs(m - c) <= tol and (all_off or abs(m - c) > SNAP_MIN_PX) else c
            for m, c in zip(nearest, centres)]
