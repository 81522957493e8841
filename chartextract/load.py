"""Safe decoding of user images into one RGB uint8 array.

Pillow checks the header before decoding, so absurd dimensions are refused
before any memory is spent; every mode (grey, palette, RGBA, 16-bit) ends as RGB.
"""
from __future__ import annotations

import io
import os
import warnings
from typing import Union

import numpy as np
from PIL import Image, UnidentifiedImageError

from .errors import ChartError

MAX_PIXELS = 50_000_000  # a 4000x3000 chart is 12 MP; beyond 50 MP is a bomb, not a figure
MIN_SIDE = 32

ImageSource = Union[str, os.PathLike, bytes, np.ndarray]


def load_image(source: ImageSource) -> np.ndarray:
    """Return an ``(H, W, 3)`` uint8 RGB array from a path, encoded bytes or an array."""
    if isinstance(source, np.ndarray):
        return _from_array(source)
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:
        try:
            with open(source, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise ChartError(f"cannot read file: {exc.strerror or exc}") from exc
    if not data:
        raise ChartError("empty file (0 bytes)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            w, h = img.size
            if w * h > MAX_PIXELS:
                raise ChartError(f"image too large: {w}x{h} pixels (limit {MAX_PIXELS:,})")
            img.load()
    except ChartError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ChartError(f"image too large: over {MAX_PIXELS:,} pixels (a decompression bomb?)") from exc
    except UnidentifiedImageError as exc:
        raise ChartError("not a readable image (unknown or unsupported format)") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ChartError(f"corrupt or truncated image: {exc}") from exc
    return _from_array(_to_rgb(img))


def _to_rgb(img: Image.Image) -> np.ndarray:
    """Flatten any Pillow mode onto white and return 8-bit RGB."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(img, dtype=np.float64)
        top = 65535.0 if arr.max() > 255 else 255.0
        return np.repeat((arr / top * 255).round().clip(0, 255).astype(np.uint8)[..., None], 3, axis=2)
    if img.mode in ("RGBA", "LA") and img.getextrema()[-1] == (255, 255):
        return np.asarray(img.convert("RGB"))  # opaque (most saved figures): no compositing copies
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        canvas = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        canvas.alpha_composite(rgba)
        return np.asarray(canvas.convert("RGB"))
    return np.asarray(img.convert("RGB"))


def _from_array(arr: np.ndarray) -> np.ndarray:
    """Validate an array and bring it to (H, W, 3) uint8."""
    if arr.ndim == 2:
        arr = np.repeat(arr[..., None], 3, axis=2)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4):
        raise ChartError(f"unsupported array shape {arr.shape}")
    if arr.shape[2] == 4:
        alpha = arr[..., 3:4].astype(np.float64) / (255.0 if arr.dtype == np.uint8 else float(arr[..., 3].max() or 1))
        arr = arr[..., :3] * alpha + (255.0 if arr.dtype == np.uint8 else arr[..., :3].max()) * (1 - alpha)
    if arr.dtype != np.uint8:
        top = 255.0 if arr.max() <= 255 else float(np.iinfo(arr.dtype).max) if arr.dtype.kind in "ui" else float(arr.max())
        if arr.dtype.kind == "f" and arr.max() <= 1.0:
            top = 1.0
        arr = (arr.astype(np.float64) / top * 255).round().clip(0, 255).astype(np.uint8)
    h, w = arr.shape[:2]
    if min(h, w) < MIN_SIDE:
        raise ChartError(f"image too small to hold a chart: {w}x{h} pixels")
    return np.ascontiguousarray(arr)
