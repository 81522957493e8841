"""Placeholder until the description writer lands (issue 4)."""
from __future__ import annotations

from .model import Chart


def describe(chart: Chart) -> str:
    raise NotImplementedError("description writer not built yet")
