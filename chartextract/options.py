"""User overrides for a misread chart, shared by the CLI, the batch runner and the API."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Options:
    """Overrides applied on top of what the extractor reads.

    ``xscale``/``yscale`` force ``"linear"`` or ``"log"``; ``xrange``/``yrange`` replace the
    tick calibration by the data values at the plot area's edges (left/right, bottom/top);
    ``series_colors`` keeps only series whose colour is near one of these ``#rrggbb`` values.
    """

    xscale: str | None = None
    yscale: str | None = None
    xrange: tuple[float, float] | None = None
    yrange: tuple[float, float] | None = None
    series_colors: tuple[str, ...] = ()
