"""Turn OCR'd tick label text into numbers.

Handles what plotting engines print and what OCR makes of it: unicode and
dash minus signs, thousands separators and decimal commas, ``k``/``M``/``B``
suffixes, percentages, scientific notation, and ``10^k`` (and ``m × 10^k``) labels of
log axes whose exponent OCR reads as plain digits (``10-2``).
"""
from __future__ import annotations

import re

_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u2012": "-", "~": "-", "_": "-"})
_DIGITLIKE = str.maketrans({"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1", "S": "5"})
MAX_EXPONENT = 30  # |k| of the largest 10^k a chart labels: "1071" read as 10^71 is 10^-1
_SUFFIX = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "G": 1e9}
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
_OFFSET = re.compile(r"^(?:[x×X]?\s*)?[1l]e([-+]?\d{1,3})$")
_POW10 = re.compile(r"^(?:(\d(?:\.\d{1,2})?)[x×X*])?10(.{1,3})$")  # 10^k, or m × 10^k (a log axis's minor label)
# superscript glyphs OCR reads as other characters
_SUPERSCRIPT = str.maketrans({"°": "0", "o": "0", "O": "0", "º": "0", "}": "1", "]": "1", "|": "1",
                              "l": "1", "I": "1", "'": "1", **dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-"))})


def _clean(text: str) -> str:
    t = text.strip().translate(_MINUS).replace(" ", "")
    t = t.strip("()[]{}'\"`,;:").rstrip("-")  # a tick mark glued after a label reads as "-"
    if any(c.isdigit() for c in t):
        head, tail = (t[:-1], t[-1]) if t and t[-1] in _SUFFIX else (t, "")
        t = head.translate(_DIGITLIKE) + tail
    return t


def parse_label(text: str) -> float | None:
    """The number a tick label shows, or None when it is not a number."""
    t = _clean(text)
    if not t:
        return None
    if t.endswith("%"):
        t = t[:-1]
    mult = 1.0
    if t and t[-1] in _SUFFIX and len(t) > 1:
        mult, t = _SUFFIX[t[-1]], t[:-1]
    if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?", t):
        t = t.replace(",", "")
    elif t.count(",") == 1 and "." not in t:
        t = t.replace(",", ".")
    if t.startswith("--"):
        t = t[1:]
    if not _NUMBER.match(t):
        return None
    try:
        return float(t) * mult
    except ValueError:  # pragma: no cover - the regex admits only floats
        return None


def decimals(text: str) -> int | None:
    """How many digits a plain decimal label (``-0.25``, ``16``) shows after its point, or
    None for any other label. Engines print an axis's labels with one number of decimals."""
    m = re.fullmatch(r"[-+]?(\d*)(?:\.(\d+))?", _clean(text))
    if not m or not (m.group(1) or m.group(2)):
        return None
    return len(m.group(2)) if m.group(2) else 0


def parse_pow10(text: str) -> list[float]:
    """Readings of a ``10^k`` label as OCR renders it: ``10°``, ``10-2``, ``1072`` (the
    superscript minus read as 7), and of ``m × 10^k`` (``2x103``): matplotlib labels a log
    axis's minor ticks so when it shows less than a decade. Several candidates; the axis fit
    picks the consistent ones."""
    m = _POW10.match(text.strip().replace(" ", "").translate(_MINUS).translate(_SUPERSCRIPT))
    if not m:
        return []
    mantissa, rest = m.group(1) or "1", m.group(2)
    exponents = []
    digits = rest.lstrip("-+")
    if digits.isdecimal() and (len(digits) == 1 or digits[0] != "0"):  # "1000" is no 10^00
        exponents.append(int(rest))
    if len(rest) >= 2 and rest[0] in "7-~" and rest[1:].isdecimal():
        exponents.append(-int(rest[1:]))
    # exact decimals (6e-1 is 0.6); no chart's values reach 10^30 ("1071" is 10^-1)
    return [float(f"{mantissa}e{k}") for k in exponents if abs(k) <= MAX_EXPONENT]


def parse_offset(text: str) -> float | None:
    """The multiplier of an axis offset text such as ``1e-4`` or ``×1e3``, or None."""
    m = _OFFSET.match(_clean(text).replace("−", "-"))
    return 10.0 ** int(m.group(1)) if m else None
