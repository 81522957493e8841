"""Records passed between the pipeline stages and handed to users.

Each stage returns one of these small dataclasses so that it can be tested
alone; ``Chart.to_dict`` is the stable JSON contract (schema ``chartextract/1``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

SCHEMA = "chartextract/1"


@dataclass
class Tick:
    """One labelled tick: where it is on the image and what its label says."""

    pixel: float
    value: float
    text: str
    conf: float = -1.0  # OCR confidence 0..100, -1 when unknown


@dataclass
class Axis:
    """A calibrated axis: ``value = f(a * pixel + b)`` with f = id or 10**x for log."""

    label: str
    scale: str  # "linear" | "log"
    ticks: list[Tick]
    a: float
    b: float
    residual_px: float = 0.0  # median |pixel error| of the ticks under the fit
    overridden: bool = False
    data_offset_px: float = 0.0  # how far right of (below) the data its ticks are drawn (Vega's)

    def to_value(self, pixel: np.ndarray | float) -> np.ndarray | float:
        t = self.a * np.asarray(pixel, dtype=float) + self.b
        return np.power(10.0, t) if self.scale == "log" else t

    def to_pixel(self, value: np.ndarray | float) -> np.ndarray | float:
        v = np.asarray(value, dtype=float)
        if self.scale == "log":
            with np.errstate(divide="ignore", invalid="ignore"):
                v = np.log10(v)
        return (v - self.b) / self.a

    @property
    def span(self) -> tuple[float, float]:
        """Lowest and highest tick value."""
        vals = [t.value for t in self.ticks]
        return (min(vals), max(vals)) if vals else (math.nan, math.nan)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "scale": self.scale,
            "ticks": [{"pixel": round(t.pixel, 2), "value": t.value, "text": t.text} for t in self.ticks],
            "fit": {"a": self.a, "b": self.b, "residual_px": round(self.residual_px, 3),
                    "overridden": self.overridden, "data_offset_px": round(self.data_offset_px, 3)},
        }


@dataclass
class Series:
    """One extracted line in data coordinates; NaN in ``y`` never appears (gaps are omitted)."""

    name: str
    color: str  # "#rrggbb"
    color_name: str
    x: np.ndarray
    y: np.ndarray
    quality: dict[str, Any] = field(default_factory=dict)

    @property
    def points(self) -> list[list[float]]:
        return [[_num(a), _num(b)] for a, b in zip(self.x.tolist(), self.y.tolist())]

    @property
    def doubtful(self) -> bool:
        return bool(self.quality.get("warnings"))

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "color": self.color, "color_name": self.color_name,
                "quality": self.quality, "points": self.points}


@dataclass
class Panel:
    """One chart inside the image: its box, axes and series, or why it could not be read."""

    index: int
    bbox: tuple[int, int, int, int]  # panel box on the image, x0 y0 x1 y1
    plot_box: tuple[int, int, int, int]  # data rectangle on the image, x0 y0 x1 y1
    title: str = ""
    x_axis: Axis | None = None
    y_axis: Axis | None = None
    series: list[Series] = field(default_factory=list)
    x_is_step: bool = False
    error: str | None = None
    quality: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        empty = {"label": "", "scale": "linear", "ticks": []}
        return {
            "index": self.index,
            "title": self.title,
            "bbox": list(self.bbox),
            "plot_box": list(self.plot_box),
            "x_axis": self.x_axis.to_dict() if self.x_axis else empty,
            "y_axis": self.y_axis.to_dict() if self.y_axis else empty,
            "x_is_step": self.x_is_step,
            "error": self.error,
            "quality": self.quality,
            "series": [s.to_dict() for s in self.series],
        }


@dataclass
class Chart:
    """Everything extracted from one image; the object ``chartextract.extract`` returns."""

    source: str
    width: int
    height: int
    panels: list[Panel]
    image: np.ndarray | None = field(default=None, repr=False, compare=False)  # RGB input, for overlays

    def to_dict(self) -> dict[str, Any]:
        return {"schema": SCHEMA, "source": self.source,
                "image": {"width": self.width, "height": self.height},
                "panels": [p.to_dict() for p in self.panels]}

    def warnings(self) -> list[str]:
        """Human-readable doubts: panels that failed or whose axes are doubtful, and doubtful series."""
        out = []
        for p in self.panels:
            if p.error:
                out.append(f"panel {p.index} ({p.title or 'untitled'}): {p.error}")
            out.extend(f"panel {p.index} ({p.title or 'untitled'}): {w}" for w in p.quality.get("warnings", []))
            for s in p.series:
                out.extend(f"panel {p.index} series '{s.name}': {w}" for w in s.quality.get("warnings", []))
        return out

    def csv_rows(self) -> list[tuple[int, str, str, float, float]]:
        """Long-format rows ``(panel, panel_title, series, x, y)``."""
        return [(p.index, p.title, s.name, _num(x), _num(y))
                for p in self.panels for s in p.series
                for x, y in zip(s.x.tolist(), s.y.tolist())]

    def to_csv(self, path: str) -> None:
        from .writers import write_csv
        write_csv(self, path)

    def to_json(self, path: str) -> None:
        from .writers import write_json
        write_json(self, path)

    def describe(self) -> str:
        from .describe import describe
        return describe(self)

    def to_overlay(self, path: str) -> None:
        """Write the check image (faded original, redrawn series, boxes, fitted ticks) as PNG."""
        from .overlay import overlay_png
        from .writers import atomic_write_texts
        from pathlib import Path
        atomic_write_texts({Path(path): overlay_png(self)})

    def to_dataframe(self):  # -> pandas.DataFrame
        """The CSV rows as a DataFrame; needs the optional ``pandas`` extra."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("to_dataframe needs pandas: pip install 'chartextract[pandas]'") from exc
        return pd.DataFrame(self.csv_rows(), columns=["panel", "panel_title", "series", "x", "y"])


def _num(v: float) -> float:
    """Round to 6 significant digits so that outputs stay readable and stable."""
    if v == 0 or not math.isfinite(v):
        return float(v)
    return float(f"{v:.6g}")
