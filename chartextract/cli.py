"""Command line: a thin layer over ``extract`` and the writers.

Every failure ends as one line on stderr naming the file and the reason, and a
non-zero exit code; outputs are written only when the whole chart was read.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import ChartError
from .options import Options

EXIT_FAILED = 1
EXIT_USAGE = 2


def add_override_args(p: argparse.ArgumentParser) -> None:
    """Options that correct a misread axis or restrict the series."""
    p.add_argument("--xscale", choices=["linear", "log"], help="force the x axis scale")
    p.add_argument("--yscale", choices=["linear", "log"], help="force the y axis scale")
    p.add_argument("--xrange", nargs=2, type=float, metavar=("LEFT", "RIGHT"),
                   help="data x values at the plot area's left and right edges")
    p.add_argument("--yrange", nargs=2, type=float, metavar=("BOTTOM", "TOP"),
                   help="data y values at the plot area's bottom and top edges")
    p.add_argument("--series-colors", nargs="+", default=[], metavar="#RRGGBB",
                   help="keep only series near these colours")


def options_from(args: argparse.Namespace) -> Options:
    from .colors import parse_hex
    try:
        colors = tuple(parse_hex(c) for c in args.series_colors)
    except ValueError as exc:
        raise SystemExit(f"chartextract: error: {exc}") from exc
    return Options(xscale=args.xscale, yscale=args.yscale,
                   xrange=tuple(args.xrange) if args.xrange else None,
                   yrange=tuple(args.yrange) if args.yrange else None,
                   series_colors=colors)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chartextract",
                                     description="Turn a picture of a line chart back into its numbers.")
    sub = parser.add_subparsers(dest="command", required=True)

    ex = sub.add_parser("extract", help="extract one image to JSON, CSV and Markdown")
    ex.add_argument("image")
    ex.add_argument("-o", "--outdir", default=".", help="output folder (default: current)")
    ex.add_argument("--overlay", action="store_true",
                    help="also write <stem>.overlay.png: the image faded, with the extracted series, "
                         "plot areas and fitted tick values drawn on top, to check by eye")
    add_override_args(ex)

    de = sub.add_parser("describe", help="print the description of one image")
    de.add_argument("image")
    add_override_args(de)

    ba = sub.add_parser("batch", help="extract every image of a folder, in parallel and resumable")
    ba.add_argument("folder", help="folder of images (png, jpg, jpeg, webp, tif, bmp)")
    ba.add_argument("-o", "--outdir", required=True,
                    help="output folder: per-chart outputs mirror the input tree, plus series.csv, "
                         "summary.csv and failures.csv")
    ba.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                    help="worker processes (default: number of cores)")
    ba.add_argument("-r", "--recursive", action="store_true", help="include subfolders")
    ba.add_argument("--resume", action="store_true",
                    help="skip files whose outputs are complete and newer than the input")
    ba.add_argument("--scheduler", metavar="ADDRESS",
                    help="run on a Dask cluster, e.g. tcp://host:8786 (needs chartextract[dask]; "
                         "the folders must be visible to the workers)")
    ba.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                    help="give up on a file after this long (default: 60; 0: no limit)")
    ba.add_argument("--overlay", action="store_true",
                    help="also write each chart's <stem>.overlay.png next to its other outputs; "
                         "with --resume, a file without its overlay is done again")
    add_override_args(ba)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "extract":
        return _cmd_extract(args)
    if args.command == "describe":
        return _cmd_describe(args)
    if args.command == "batch":
        return _cmd_batch(args)
    return EXIT_USAGE  # pragma: no cover - argparse rejects unknown commands


def _fail(image: str, exc: Exception) -> int:
    print(f"chartextract: {image}: {exc}", file=sys.stderr)
    return EXIT_FAILED


def _cmd_extract(args: argparse.Namespace) -> int:
    from .pipeline import extract
    from .writers import write_outputs
    try:
        chart = extract(args.image, options=options_from(args))
        paths = write_outputs(chart, args.outdir, Path(args.image).stem, overlay=args.overlay)
    except (ChartError, OSError) as exc:
        return _fail(args.image, exc)
    for w in chart.warnings():
        print(f"chartextract: {args.image}: warning: {w}", file=sys.stderr)
    for p in paths:
        print(p)
    return 0


def _cmd_describe(args: argparse.Namespace) -> int:
    from .pipeline import extract
    try:
        chart = extract(args.image, options=options_from(args))
    except (ChartError, OSError) as exc:
        return _fail(args.image, exc)
    sys.stdout.write(chart.describe())
    for w in chart.warnings():
        print(f"chartextract: {args.image}: warning: {w}", file=sys.stderr)
    return 0


def _cmd_batch(args: argparse.Namespace) -> int:
    from .batch import BatchError, run_batch
    options = options_from(args)
    try:
        report = run_batch(args.folder, args.outdir, options=options, jobs=args.jobs,
                           recursive=args.recursive, resume=args.resume,
                           scheduler=args.scheduler, timeout=args.timeout, overlay=args.overlay)
    except BatchError as exc:
        print(f"chartextract: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("chartextract: interrupted; finished outputs are kept, run again with --resume "
              "to continue", file=sys.stderr)
        return 130
    print(report.line())
    return EXIT_FAILED if report.failed else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
