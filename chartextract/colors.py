"""Colour helpers: hex codes, perceptual distance and plain-English colour names."""
from __future__ import annotations

import colorsys
import re

import numpy as np
from skimage.color import rgb2lab

TEXT_CHROMA = 60  # max - min of R, G, B above which a pixel is coloured (a line), not text
_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")


def parse_hex(text: str) -> str:
    """Normalise ``#RRGGBB`` / ``rrggbb`` to ``#rrggbb``; raise ValueError otherwise."""
    m = _HEX.match(text.strip())
    if not m:
        raise ValueError(f"not a colour in #rrggbb form: {text!r}")
    return "#" + m.group(1).lower()


def to_hex(rgb: tuple[float, float, float] | np.ndarray) -> str:
    r, g, b = (int(round(float(c))) for c in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def hex_to_rgb(text: str) -> tuple[int, int, int]:
    h = parse_hex(text)
    return int(h[1:3], 16), int(h[3:5], 16), int(h[5:7], 16)


def to_lab(rgb: np.ndarray, chunk: int = 1 << 20) -> np.ndarray:
    """CIE Lab (float32) of uint8 RGB values of any leading shape (..., 3).

    Converted a million pixels at a time, so a 12-megapixel chart needs tens of
    megabytes of scratch memory rather than a gigabyte.
    """
    flat = np.asarray(rgb).reshape(-1, 3)
    out = np.empty(flat.shape, dtype=np.float32)
    for i in range(0, len(flat), chunk):
        part = flat[i:i + chunk].astype(np.float32).reshape(-1, 1, 3) / 255.0
        out[i:i + chunk] = rgb2lab(part).reshape(-1, 3)
    return out.reshape(np.shape(rgb))


def delta_e(rgb1, rgb2) -> float:
    """CIE76 distance between two RGB colours: ~2 is just noticeable, >20 clearly different."""
    return float(np.linalg.norm(to_lab(np.array(rgb1)) - to_lab(np.array(rgb2))))


def color_name(rgb: tuple[float, float, float] | np.ndarray) -> str:
    """A plain name such as ``blue`` or ``dark grey`` from hue, saturation and value."""
    r, g, b = (float(c) / 255.0 for c in rgb)
    h, s, v = colorsys.rgb_to_hsv(r, g, b)
    if v < 0.2:
        return "black"
    if s < 0.18 or (v - min(r, g, b)) < 0.08:
        if v > 0.85:
            return "white"
        return "grey" if v > 0.45 else "dark grey"
    hue = h * 360
    if (hue < 45 or hue > 345) and v < 0.65 and s < 0.7:
        return "brown"
    name = next(n for top, n in _HUES if hue < top)
    if name in ("red",) and s < 0.5 and v > 0.8:
        return "pink"
    if name == "yellow" and v < 0.8:
        return "olive"
    return name


_HUES = [(12, "red"), (40, "orange"), (65, "yellow"), (160, "green"), (195, "cyan"),
         (245, "blue"), (290, "purple"), (335, "pink"), (361, "red")]
