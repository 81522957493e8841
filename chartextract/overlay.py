"""Overlay image for checking an extraction by eye (``<stem>.overlay.png``).

The original picture is faded towards white and greyed, and on top of it:

- each detected plot area is boxed (red, with the reason, when the panel failed);
- each extracted series is redrawn from its *data* (mapped back to pixels through the
  fitted axes, so errors in the calibration show as well as errors in the tracing) as a
  line of the series' colour inside an outline that contrasts with it;
- each tick that the fit used is marked with a small cross on the axis and the value the
  fit gives that place, to compare with the faded label next to it.

Where the redrawn line leaves the faded original, or a fitted value differs from the
label beside it, the extraction is wrong there.
"""
from __future__ import annotations

import io
import math

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .colors import hex_to_rgb
from .model import Axis, Chart, Panel, Series

FADE = 0.3  # share of the original kept over white
BOX_RGB = (40, 40, 200)
ERROR_RGB = (220, 0, 0)
TICK_RGB = (200, 0, 140)
GAP_FACTOR = 4.0  # a jump wider than this many typical point spacings is a gap, not a segment


def render_overlay(chart: Chart, image: np.ndarray | None = None) -> np.ndarray:
    """The overlay as an ``(H, W, 3)`` uint8 RGB array; ``image`` defaults to ``chart.image``."""
    img = _source_image(chart, image)
    out = _fade(img)
    scale = max(1.0, min(img.shape[:2]) / 500.0)  # thicker lines and bigger text on big images
    for panel in chart.panels:
        for s in panel.series:
            _draw_series(out, panel, s, scale)
    pil = Image.fromarray(out)
    draw = ImageDraw.Draw(pil)
    font = _font(int(round(10 * scale)))
    for panel in chart.panels:
        _draw_panel(draw, panel, font, scale)
    return np.asarray(pil)


def overlay_png(chart: Chart, image: np.ndarray | None = None) -> bytes:
    """The overlay encoded as PNG."""
    buf = io.BytesIO()
    Image.fromarray(render_overlay(chart, image)).save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def _source_image(chart: Chart, image: np.ndarray | None) -> np.ndarray:
    if image is None:
        image = getattr(chart, "image", None)
    if image is None:
        from .load import load_image
        image = load_image(chart.source)  # raises ChartError when the source is not a readable file
    from .load import _from_array
    return _from_array(np.asarray(image))


def _fade(img: np.ndarray) -> np.ndarray:
    """Half-greyed and faded towards white, so redrawn colours stand out."""
    out = np.empty_like(img)
    for r in range(0, len(img), 256):  # row chunks: float32 copies of 256 rows, not of the image
        part = img[r:r + 256].astype(np.float32)
        muted = 0.5 * part + 0.5 * part.mean(axis=2, keepdims=True)
        out[r:r + 256] = (FADE * muted + (1 - FADE) * 255.0).round().clip(0, 255).astype(np.uint8)
    return out


def _outline_for(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """Black around light colours, white around dark ones."""
    lum = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]
    return (0, 0, 0) if lum > 140 else (255, 255, 255)


def series_pixels(panel: Panel, s: Series) -> list[np.ndarray]:
    """The series' points on the image, as runs of ``(N, 2)`` float pixel coordinates split at gaps."""
    if panel.x_axis is None or panel.y_axis is None or not len(s.x):
        return []
    px = np.asarray(panel.x_axis.to_pixel(s.x), dtype=float).reshape(-1)
    py = np.asarray(panel.y_axis.to_pixel(s.y), dtype=float).reshape(-1)
    ok = np.isfinite(px) & np.isfinite(py)
    px, py = px[ok], py[ok]
    if not len(px):
        return []
    order = np.argsort(px, kind="stable")
    pts = np.stack([px[order], py[order]], axis=1)
    if len(pts) < 2:
        return [pts]
    dx = np.diff(pts[:, 0])
    typical = float(np.median(dx[dx > 0])) if (dx > 0).any() else 1.0
    cuts = np.flatnonzero(dx > max(3.0, GAP_FACTOR * typical)) + 1
    return np.split(pts, cuts)


def _draw_series(out: np.ndarray, panel: Panel, s: Series, scale: float) -> None:
    rgb = hex_to_rgb(s.color)
    width = max(1, int(round(1.5 * scale)))
    for run in series_pixels(panel, s):
        pts = np.round(run * 16).astype(np.int32).reshape(-1, 1, 2)  # 4 fractional bits
        if len(run) == 1:
            c = tuple(int(v) for v in np.round(run[0]))
            cv2.circle(out, c, width + 2, _outline_for(rgb), -1, cv2.LINE_AA)
            cv2.circle(out, c, width + 1, rgb, -1, cv2.LINE_AA)
            continue
        cv2.polylines(out, [pts], False, _outline_for(rgb), width + 2, cv2.LINE_AA, shift=4)
        cv2.polylines(out, [pts], False, rgb, width, cv2.LINE_AA, shift=4)


def _draw_panel(draw: ImageDraw.ImageDraw, panel: Panel, font, scale: float) -> None:
    x0, y0, x1, y1 = panel.plot_box
    lw = max(1, int(round(scale)))
    color = ERROR_RGB if panel.error else BOX_RGB
    draw.rectangle((x0, y0, x1, y1), outline=color, width=lw)
    tag = f"panel {panel.index}" + (": not read" if panel.error else "")
    _label(draw, (x1, y0 - lw), tag, font, color, anchor="rd")  # above the right end: y ticks are left
    if panel.error:  # its fits, if any, were not used for data
        return
    arm = int(round(4 * scale))
    if panel.x_axis is not None:
        for t in panel.x_axis.ticks:
            x = t.pixel
            draw.line((x - arm, y1 - arm, x + arm, y1 + arm), fill=TICK_RGB, width=lw)
            draw.line((x - arm, y1 + arm, x + arm, y1 - arm), fill=TICK_RGB, width=lw)
            _label(draw, (x, y1 - arm - 2 * lw), fitted_text(panel.x_axis, t.pixel), font, TICK_RGB, anchor="md")
    if panel.y_axis is not None:
        for t in panel.y_axis.ticks:
            y = t.pixel
            draw.line((x0 - arm, y - arm, x0 + arm, y + arm), fill=TICK_RGB, width=lw)
            draw.line((x0 - arm, y + arm, x0 + arm, y - arm), fill=TICK_RGB, width=lw)
            _label(draw, (x0 + arm + 2 * lw, y), fitted_text(panel.y_axis, t.pixel), font, TICK_RGB, anchor="lm")


def fitted_text(axis: Axis, pixel: float) -> str:
    """The value the fit gives ``pixel``, rounded to what one pixel of the axis can tell apart.

    Finer digits would only show sub-pixel noise ("201" at a "200" label); a misread label
    ("1" at "100", "2.7" at "2.5") still stands out.
    """
    v = float(axis.to_value(pixel))
    if not math.isfinite(v) or (axis.scale == "log" and v <= 0):
        return "?"
    per_px = abs(axis.a)  # value (log: exponent) change over one pixel
    quantum = 10.0 ** math.ceil(math.log10(per_px)) if per_px > 0 else 1.0
    decimals = max(0, -int(round(math.log10(quantum))))
    if axis.scale == "log":  # the exponent, as the labels of a log axis show it
        t = round(math.log10(v) / quantum) * quantum
        return "10^" + _signless_zero(f"{t:.{decimals}f}")
    if abs(v) >= 1e6 or decimals > 6:
        return f"{v:.3g}"
    return _signless_zero(f"{round(v / quantum) * quantum:.{decimals}f}")


def _signless_zero(text: str) -> str:
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _label(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, font, color, anchor: str) -> None:
    """Text on a white, slightly transparent-looking box so it reads over lines."""
    box = draw.textbbox(xy, text, font=font, anchor=anchor)
    w, h = draw.im.size
    dx = max(0, 1 - box[0]) - max(0, box[2] + 2 - w)  # keep it on the image
    dy = max(0, 1 - box[1]) - max(0, box[3] + 2 - h)
    if dx or dy:
        xy = (xy[0] + dx, xy[1] + dy)
        box = draw.textbbox(xy, text, font=font, anchor=anchor)
    draw.rectangle((box[0] - 1, box[1] - 1, box[2] + 1, box[3] + 1), fill=(255, 255, 255))
    draw.text(xy, text, font=font, fill=color, anchor=anchor)


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType sizes
        return ImageFont.load_default()
