"""Writers for the output contract: ``<stem>.json``, ``<stem>.csv`` and ``<stem>.md``.

Every file is written to a temporary name in the target folder and renamed into
place only once all of them are complete, so an error or Ctrl-C never leaves a
half-written output behind.
"""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Callable

from .model import Chart

CSV_HEADER = ("panel", "panel_title", "series", "x", "y")


def json_text(chart: Chart) -> str:
    return json.dumps(chart.to_dict(), indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def csv_text(chart: Chart) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_HEADER)
    w.writerows(chart.csv_rows())
    return buf.getvalue()


def md_text(chart: Chart) -> str:
    from .describe import describe
    return describe(chart)


RENDERERS: dict[str, Callable[[Chart], str]] = {"json": json_text, "csv": csv_text, "md": md_text}


def write_json(chart: Chart, path: str | os.PathLike) -> None:
    atomic_write_texts({Path(path): json_text(chart)})


def write_csv(chart: Chart, path: str | os.PathLike) -> None:
    atomic_write_texts({Path(path): csv_text(chart)})


def write_outputs(chart: Chart, outdir: str | os.PathLike, stem: str,
                  formats: tuple[str, ...] = ("json", "csv", "md"), overlay: bool = False) -> list[Path]:
    """Render every format first, then move them all into ``outdir``; returns the paths.

    ``overlay=True`` adds ``<stem>.overlay.png``, the check image of ``chartextract.overlay``.
    """
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    texts: dict[Path, str | bytes] = {out / f"{stem}.{fmt}": RENDERERS[fmt](chart) for fmt in formats}
    if overlay:
        from .overlay import overlay_png
        texts[out / f"{stem}.overlay.png"] = overlay_png(chart)
    atomic_write_texts(texts)
    return list(texts)


def atomic_write_texts(texts: dict[Path, str | bytes]) -> None:
    """Write all texts (or bytes) to temp files, then rename each into place; clean up on any failure."""
    temps: list[tuple[str, Path]] = []
    try:
        for path, text in texts.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            temps.append((tmp, path))
            if isinstance(text, bytes):
                with os.fdopen(fd, "wb") as fh:
                    fh.write(text)
                continue
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        for tmp, path in temps:
            os.replace(tmp, path)
    finally:
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)
