"""chartextract: turn a picture of a line chart back into the numbers behind it.

>>> import chartextract
>>> chart = chartextract.extract("fixtures/training_metrics.png")  # doctest: +SKIP
>>> chart.panels[0].series[0].x, chart.panels[0].series[0].y       # doctest: +SKIP
"""
from .errors import ChartError
from .model import SCHEMA, Axis, Chart, Panel, Series, Tick
from .options import Options
from .pipeline import extract

__all__ = ["extract", "Chart", "Panel", "Series", "Axis", "Tick", "Options", "ChartError", "SCHEMA"]
__version__ = "0.1.0"
