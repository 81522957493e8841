"""Accuracy and speed of ``chartextract.extract`` on charts rendered with known data.

    .venv/bin/python scripts/benchmark.py                      # ~40 charts, seed 0, temp dir
    .venv/bin/python scripts/benchmark.py --n 80 --seed 3 --engines matplotlib,gnuplot
    .venv/bin/python scripts/benchmark.py --out bench_out --json bench_out/results.json
    .venv/bin/python scripts/benchmark.py --images fixtures    # score existing image + .truth.json pairs
    .venv/bin/python scripts/benchmark.py --batch ...          # hand over to scripts/bench_batch.py

Scoring, per true series: in the matched panel, each predicted series is
interpolated at the true x values inside the overlapping x range; its error is
the mean absolute difference divided by the panel's y-span (max - min of all the
panel's true data; for log-y panels both are taken in log10). A prediction needs
>= 50 % x coverage. True and predicted series are paired one-to-one with the
lowest total error (Hungarian); a true series left without a partner is a miss.
A series is *ok* when its error is <= 1 % of the span. Panels are paired by
index when the counts agree, otherwise by lowest error. A chart whose
extraction raises counts all its series as missed. *Legend names*: of the paired
series in panels that draw a legend, the share named exactly as the legend says
(case and spacing aside). *Titles* and *axis labels*: of the true panels' titles (x and
y labels), the share that the paired panel reads the same (case and spacing aside, 90%
similar).

Extraction is timed alone (``time.perf_counter`` around ``extract``), in this
single process, with the thread pools of numpy/OpenCV/tesseract limited to 1.
"""
from __future__ import annotations

import os

# One core for timing: set before numpy / OpenCV / tesseract start their pools.
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_THREAD_LIMIT",
           "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import glob  # noqa: E402
import difflib  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from dataclasses import asdict, dataclass, field  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import render  # noqa: E402

OK_SERIES = 0.01      # series error threshold, fraction of the panel's y-span
OK_BULLET = 0.02      # described value threshold, fraction of the panel's y-span
MIN_COVERAGE = 0.5
HEADINGS = ("## Charts:", "### Overview", "### Components/Axes",
            "### Detailed Analysis or Content Details", "### Key Observations", "### Interpretation")


# --------------------------------------------------------------------------- scoring

def _clean_xy(x, y, log: bool) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    n = min(len(x), len(y))
    x, y = x[:n], y[:n]
    ok = np.isfinite(x) & np.isfinite(y)
    if log:
        ok &= y > 0
    x, y = x[ok], y[ok]
    if log:
        y = np.log10(y)
    if len(x) == 0:
        return x, y
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    ux, inv = np.unique(x, return_inverse=True)
    if len(ux) != len(x):  # several y at one x: average them
        y = np.bincount(inv, weights=y) / np.bincount(inv)
        x = ux
    return x, y


def panel_span(true_panel: dict) -> float:
    log = bool(true_panel.get("y_log"))
    ys = np.concatenate([_clean_xy(s["x"], s["y"], log)[1] for s in true_panel["series"]] or [np.zeros(1)])
    span = float(np.max(ys) - np.min(ys)) if len(ys) else 0.0
    if span <= 0:
        span = max(abs(float(np.max(ys))) if len(ys) else 1.0, 1e-12)
    return span


def series_error(true_s: dict, pred_x, pred_y, log: bool, span: float) -> tuple[float, float]:
    """(error as a fraction of span, x coverage 0..1) of one prediction against one true series."""
    tx, ty = _clean_xy(true_s["x"], true_s["y"], log)
    px, py = _clean_xy(pred_x, pred_y, log)
    if len(tx) == 0 or len(px) == 0:
        return math.inf, 0.0
    lo, hi = max(tx[0], px[0]), min(tx[-1], px[-1])
    if hi < lo:
        return math.inf, 0.0
    m = (tx >= lo) & (tx <= hi)
    coverage = float(m.sum()) / len(tx)
    if not m.any():
        return math.inf, 0.0
    if len(px) == 1:
        est = np.full(int(m.sum()), py[0])
    else:
        est = np.interp(tx[m], px, py)
    return float(np.mean(np.abs(est - ty[m])) / span), coverage


def _assign(cost: np.ndarray) -> list[tuple[int, int]]:
    """Minimum-cost one-to-one pairs among finite entries."""
    if cost.size == 0:
        return []
    big = 1e9
    c = np.where(np.isfinite(cost), cost, big)
    try:
        from scipy.optimize import linear_sum_assignment
        r, k = linear_sum_assignment(c)
        pairs = list(zip(r.tolist(), k.tolist()))
    except ImportError:  # greedy fallback
        pairs, used_r, used_c = [], set(), set()
        for idx in np.argsort(c, axis=None):
            i, j = np.unravel_index(idx, c.shape)
            if i not in used_r and j not in used_c:
                pairs.append((int(i), int(j)))
                used_r.add(i)
                used_c.add(j)
    return [(i, j) for i, j in pairs if np.isfinite(cost[i, j])]


def match_panel(true_panel: dict, pred_panel) -> tuple[list[dict], float]:
    """Pair true and predicted series of one panel. Returns per-true-series results and a panel cost."""
    log = bool(true_panel.get("y_log"))
    span = panel_span(true_panel)
    tss = true_panel["series"]
    pss = list(getattr(pred_panel, "series", []) or []) if pred_panel is not None else []
    cost = np.full((len(tss), len(pss)), math.inf)
    cov = np.zeros((len(tss), len(pss)))
    for i, ts in enumerate(tss):
        for j, ps in enumerate(pss):
            e, c = series_error(ts, ps.x, ps.y, log, span)
            cov[i, j] = c
            if c >= MIN_COVERAGE:
                cost[i, j] = e
    pairs = dict(_assign(cost))
    out = []
    for i, ts in enumerate(tss):
        j = pairs.get(i)
        if j is None:
            best_cov = float(cov[i].max()) if len(pss) else 0.0
            out.append({"series": ts["name"], "pred": None, "err": None, "coverage": best_cov, "ok": False})
        else:
            e = float(cost[i, j])
            out.append({"series": ts["name"], "pred": pss[j].name, "pred_index": j, "err": e,
                        "coverage": float(cov[i, j]), "ok": e <= OK_SERIES,
                        "legend": bool(true_panel.get("legend")), "named": _same_name(pss[j].name, ts["name"])})
    pcost = float(np.mean([min(1.0, r["err"]) if r["err"] is not None else 1.0 for r in out])) if out else 0.0
    return out, pcost


def _same_name(a: str, b: str) -> bool:
    return " ".join(str(a).lower().split()) == " ".join(str(b).lower().split())


def _same_text(got: str, want: str) -> bool:
    a, b = (" ".join(str(t).lower().split()) for t in (got, want))
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.9


def match_chart(truth: dict, chart) -> tuple[list[tuple[int, int | None]], dict[int, list[dict]]]:
    """Pair true panels with predicted panels; returns pairs and per-true-panel series results."""
    tps = truth["panels"]
    pps = list(chart.panels) if chart is not None else []
    if len(tps) == len(pps):
        pairs = [(i, i) for i in range(len(tps))]
        res = {i: match_panel(tps[i], pps[i])[0] for i in range(len(tps))}
        return pairs, res
    cost = np.ones((len(tps), len(pps)))
    cache: dict[tuple[int, int], list[dict]] = {}
    for i in range(len(tps)):
        for j in range(len(pps)):
            cache[i, j], cost[i, j] = match_panel(tps[i], pps[j])
    got = dict(_assign(cost)) if len(pps) else {}
    pairs, res = [], {}
    for i in range(len(tps)):
        j = got.get(i)
        pairs.append((i, j))
        res[i] = cache[i, j] if j is not None else match_panel(tps[i], None)[0]
    return pairs, res


def score_bullets(truth: dict, chart, pairs, series_res, bullets) -> list[dict]:
    """Score described values ``(panel_index, series_name, x, value)`` against the truth."""
    pred_pos = {}
    for pos, p in enumerate(chart.panels):
        pred_pos.setdefault(getattr(p, "index", pos), pos)
    pred_to_true = {j: i for i, j in pairs if j is not None}
    out = []
    for b in bullets:
        try:
            pi, name, x, value = b
            x, value = float(x), float(value)
        except (TypeError, ValueError):
            out.append({"bullet": repr(b), "ok": False, "why": "unparseable bullet"})
            continue
        rec: dict[str, Any] = {"panel": pi, "series": name, "x": x, "value": value, "ok": False}
        pos = pred_pos.get(pi, pi if isinstance(pi, int) and 0 <= pi < len(chart.panels) else None)
        ti = pred_to_true.get(pos) if pos is not None else None
        if ti is None:
            rec["why"] = "panel not matched"
            out.append(rec)
            continue
        tp = truth["panels"][ti]
        names = {s["name"].strip().lower(): s for s in tp["series"]}
        ts = names.get(str(name).strip().lower())
        if ts is None:  # the predicted series of that name, through the series pairing
            pred_series = chart.panels[pos].series
            for r in series_res.get(ti, []):
                j = r.get("pred_index")
                if j is not None and j < len(pred_series) and pred_series[j].name == name:
                    ts = next(s for s in tp["series"] if s["name"] == r["series"])
                    break
        if ts is None and len(tp["series"]) == 1:
            ts = tp["series"][0]
        if ts is None:
            rec["why"] = "series not matched"
            out.append(rec)
            continue
        log = bool(tp.get("y_log"))
        tx, ty = _clean_xy(ts["x"], ts["y"], log)
        if not len(tx) or x < tx[0] or x > tx[-1]:
            rec["why"] = "x outside the true series"
            out.append(rec)
            continue
        want = float(np.interp(x, tx, ty))
        got = math.log10(value) if log and value > 0 else (value if not log else math.nan)
        err = abs(got - want) / panel_span(tp) if math.isfinite(got) else math.inf
        rec.update({"true_series": ts["name"], "truth": 10 ** want if log else want, "err": err,
                    "ok": err <= OK_BULLET})
        out.append(rec)
    return out


# --------------------------------------------------------------------------- running

@dataclass
class ChartResult:
    id: str
    engine: str
    variant: str
    path: str
    true_panels: int
    pred_panels: int | None = None
    pred_series: int = 0
    extra_series: int = 0
    panels_exact: bool = False
    titles: int = 0  # true panels with a title
    titles_read: int = 0  # ... whose paired panel's title reads the same
    labels: int = 0  # true x and y axis labels
    labels_read: int = 0  # ... read the same
    seconds: float | None = None
    error: str | None = None
    series: list[dict] = field(default_factory=list)
    describe_error: str | None = None
    headings_ok: bool | None = None
    bullets: list[dict] = field(default_factory=list)


class Describer:
    """Wraps chartextract.describe; disables itself with a note when not available."""

    def __init__(self) -> None:
        self.note = None
        try:
            from chartextract import describe as mod
            self.describe = mod.describe
            self.parse = mod.parse_value_bullets
        except (ImportError, AttributeError) as exc:
            self.note = f"describe skipped: {type(exc).__name__}: {exc}"

    @property
    def on(self) -> bool:
        return self.note is None

    def run(self, chart, res: ChartResult, truth, pairs, series_res) -> None:
        try:
            text = self.describe(chart)
            bullets = self.parse(text)
        except (NotImplementedError, ImportError, AttributeError) as exc:
            self.note = f"describe skipped: {type(exc).__name__}: {exc}"
            return
        except Exception as exc:  # noqa: BLE001 - a failure of one chart is a result
            res.describe_error = f"{type(exc).__name__}: {exc}"
            res.headings_ok = False
            return
        res.headings_ok = all(h in text for h in HEADINGS)
        res.bullets = score_bullets(truth, chart, pairs, series_res, bullets)


def evaluate(path: str, truth: dict, cid: str, extract, describer: Describer | None) -> ChartResult:
    res = ChartResult(id=cid, engine=truth["engine"], variant=render.variant_of(truth), path=path,
                      true_panels=len(truth["panels"]))
    chart = None
    t0 = time.perf_counter()
    try:
        chart = extract(path)
    except Exception as exc:  # noqa: BLE001 - every failure is a result
        res.error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]
    res.seconds = time.perf_counter() - t0
    if chart is not None:
        res.pred_panels = len(chart.panels)
        res.panels_exact = res.pred_panels == res.true_panels
    pairs, series_res = match_chart(truth, chart)
    if chart is not None:
        res.pred_series = sum(len(p.series) for p in chart.panels)
        paired = sum(1 for rows in series_res.values() for r in rows if r["pred"] is not None)
        res.extra_series = res.pred_series - paired
    for i, j in pairs:
        tp, pp = truth["panels"][i], chart.panels[j] if j is not None else None
        if tp.get("title"):
            res.titles += 1
            res.titles_read += pp is not None and _same_text(pp.title, tp["title"])
        for key, axis in (("x_label", "x_axis"), ("y_label", "y_axis")):
            if tp.get(key):
                res.labels += 1
                got = getattr(pp, axis, None) if pp is not None else None
                res.labels_read += got is not None and _same_text(got.label, tp[key])
    for i, rows in series_res.items():
        tp = truth["panels"][i]
        for r in rows:
            r.update({"chart": cid, "engine": res.engine, "variant": res.variant, "panel": i,
                      "y_log": bool(tp.get("y_log")), "matched_panel": dict(pairs).get(i)})
            res.series.append(r)
    if chart is not None and describer is not None and describer.on:
        describer.run(chart, res, truth, pairs, series_res)
    return res


def render_suite(n: int, seed: int, engines: list[str] | None, out: str) -> list[tuple[str, dict, str]]:
    items = []
    for spec in render.suite(n, seed, engines):
        path = os.path.join(out, f"{spec['id']}.{spec.get('format', 'png')}")
        try:
            truth = render.render(spec, path)
        except render.EngineUnavailable as exc:
            print(f"skip {spec['id']}: {exc}", file=sys.stderr)
            continue
        render.save_truth(truth, os.path.splitext(path)[0] + ".truth.json")
        items.append((path, truth, spec["id"]))
    return items


def load_dir(d: str, engines: list[str] | None) -> list[tuple[str, dict, str]]:
    items = []
    for tj in sorted(glob.glob(os.path.join(d, "*.truth.json"))):
        stem = tj[: -len(".truth.json")]
        img = next((stem + e for e in (".png", ".jpg", ".jpeg") if os.path.exists(stem + e)), None)
        if img is None:
            continue
        truth = render.load_truth(tj)
        if engines and truth.get("engine") not in engines:
            continue
        items.append((img, truth, os.path.basename(stem)))
    return items


# --------------------------------------------------------------------------- reporting

def _median(v) -> float | None:
    v = [x for x in v if x is not None and math.isfinite(x)]
    return float(np.median(v)) if v else None


def _pct(num: int, den: int) -> str:
    return f"{100.0 * num / den:.0f}% ({num}/{den})" if den else "-"


def summarize(results: list[ChartResult]) -> dict:
    series = [s for r in results for s in r.series]
    n_ok = sum(1 for s in series if s["ok"])
    n_matched = sum(1 for s in series if s["err"] is not None)
    return {"charts": len(results), "failed": sum(1 for r in results if r.error),
            "series": len(series), "series_ok": n_ok, "series_matched": n_matched,
            "median_err_pct": (lambda m: None if m is None else 100 * m)(_median([s["err"] for s in series])),
            "panels_exact": sum(1 for r in results if r.panels_exact),
            "legend_series": sum(1 for s in series if s.get("legend") and s["err"] is not None),
            "named": sum(1 for s in series if s.get("legend") and s.get("named")),
            "titles": sum(r.titles for r in results), "titles_read": sum(r.titles_read for r in results),
            "labels": sum(r.labels for r in results), "labels_read": sum(r.labels_read for r in results),
            "extra_series": sum(r.extra_series for r in results),
            "median_seconds": _median([r.seconds for r in results])}


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    fmt = lambda row: "  ".join(str(c).ljust(w) if k == 0 else str(c).rjust(w)  # noqa: E731
                                for k, (c, w) in enumerate(zip(row, widths)))
    lines = [fmt(headers), "  ".join("-" * w for w in widths)]
    lines += [fmt(r) for r in rows]
    return "\n".join(lines)


def _row(label: str, s: dict) -> list[str]:
    med = "-" if s["median_err_pct"] is None else f"{s['median_err_pct']:.2f}"
    sec = "-" if s["median_seconds"] is None else f"{s['median_seconds']:.2f}"
    return [label, str(s["charts"]), str(s["failed"]), _pct(s["series_ok"], s["series"]),
            _pct(s["series_matched"], s["series"]), med, str(s["extra_series"]),
            _pct(s["panels_exact"], s["charts"]), _pct(s["named"], s["legend_series"]),
            _pct(s["titles_read"], s["titles"]), _pct(s["labels_read"], s["labels"]), sec]


HEAD = ["", "charts", "raised", "series ok<=1%", "matched", "med err% (matched)", "extra",
        "panels exact", "legend names", "titles", "axis labels", "med s/chart"]


def report(results: list[ChartResult], describer: Describer | None, by_variant: bool = True) -> str:
    out = []
    engines = sorted({r.engine for r in results})
    rows = [_row(e, summarize([r for r in results if r.engine == e])) for e in engines]
    rows.append(_row("overall", summarize(results)))
    out.append(table(["engine"] + HEAD[1:], rows))
    if by_variant:
        keys = sorted({(r.engine, r.variant) for r in results})
        rows = [_row(f"{e}/{v}", summarize([r for r in results if (r.engine, r.variant) == (e, v)]))
                for e, v in keys]
        out.append("")
        out.append(table(["engine/variant"] + HEAD[1:], rows))
    out.append("")
    if describer is None:
        out.append("describe: not run (--no-describe)")
    elif not describer.on:
        out.append(describer.note)
    else:
        described = [r for r in results if r.headings_ok is not None]
        bullets = [b for r in results for b in r.bullets]
        rows = []
        for e in engines + ["overall"]:
            rs = [r for r in described if e in ("overall", r.engine)]
            bs = [b for r in rs for b in r.bullets]
            rows.append([e, str(len(rs)), _pct(sum(1 for r in rs if r.headings_ok), len(rs)),
                         _pct(sum(1 for b in bs if b["ok"]), len(bs)),
                         str(sum(1 for r in rs if r.describe_error))])
        out.append(table(["describe", "descriptions", "all 6 headings", "bullets ok<=2%", "raised"], rows))
        if not bullets:
            out.append("(no value bullets parsed)")
    fails = [r for r in results if r.error]
    if fails:
        out.append("")
        out.append(f"extraction raised on {len(fails)} chart(s):")
        for r in fails[:15]:
            out.append(f"  {r.id}: {r.error[:160]}")
        if len(fails) > 15:
            out.append(f"  ... and {len(fails) - 15} more")
    return "\n".join(out)


# --------------------------------------------------------------------------- main

def run_batch(argv: list[str]) -> int:
    path = os.path.join(HERE, "bench_batch.py")
    if not os.path.exists(path):
        print(f"--batch: {os.path.relpath(path, ROOT)} does not exist (yet); nothing to run", file=sys.stderr)
        return 2
    spec = importlib.util.spec_from_file_location("bench_batch", path)
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    rc = mod.main(argv)
    return int(rc or 0)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--batch" in argv:
        return run_batch([a for a in argv if a != "--batch"])
    ap = argparse.ArgumentParser(description="Benchmark chartextract.extract on rendered charts with known data.")
    ap.add_argument("--n", type=int, default=40, help="charts in the dev suite (default 40)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--engines", default="", help="comma-separated subset of " + ",".join(render.ENGINES))
    ap.add_argument("--out", default="", help="keep rendered images + truth here (default: a temp dir)")
    ap.add_argument("--images", default="", help="score existing <name>.png|jpg + <name>.truth.json in DIR "
                                                  "instead of rendering a suite (e.g. fixtures)")
    ap.add_argument("--json", default="", help="write raw per-chart and per-series results here")
    ap.add_argument("--no-describe", action="store_true", help="skip the description checks")
    ap.add_argument("--no-variants", action="store_true", help="only the per-engine table")
    ap.add_argument("--batch", action="store_true", help="run scripts/bench_batch.py main(argv) instead")
    a = ap.parse_args(argv)
    engines = [e.strip() for e in a.engines.split(",") if e.strip()] or None
    if engines:
        bad = [e for e in engines if e not in render.ENGINES]
        if bad:
            ap.error(f"unknown engine(s) {bad}; choose from {', '.join(render.ENGINES)}")

    try:
        from chartextract import extract
    except Exception as exc:  # noqa: BLE001 - the package is being written concurrently
        print(f"cannot import chartextract.extract: {type(exc).__name__}: {exc}", file=sys.stderr)
        traceback.print_exc()
        return 1
    try:
        import cv2
        cv2.setNumThreads(1)
    except Exception:  # noqa: BLE001
        pass

    tmp = None
    t_render = time.perf_counter()
    if a.images:
        items = load_dir(a.images, engines)
    else:
        out = a.out or (tmp := tempfile.mkdtemp(prefix="chartbench-"))
        os.makedirs(out, exist_ok=True)
        items = render_suite(a.n, a.seed, engines, out)
    t_render = time.perf_counter() - t_render
    if not items:
        print("no charts to score", file=sys.stderr)
        return 1

    describer = None if a.no_describe else Describer()
    results = []
    t_all = time.perf_counter()
    try:
        for path, truth, cid in items:
            results.append(evaluate(path, truth, cid, extract, describer))
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    t_all = time.perf_counter() - t_all

    src = f"images in {a.images}" if a.images else f"suite n={a.n} seed={a.seed}" + (f" kept in {a.out}" if a.out else "")
    print(f"chartextract benchmark: {len(results)} charts ({src}); "
          f"render {t_render:.1f}s, extract+score {t_all:.1f}s")
    print(f"series ok = mean |error| <= {OK_SERIES:.0%} of the panel's y-span (log10 span for log-y panels), "
          f"x coverage >= {MIN_COVERAGE:.0%}; extra = predicted series left unpaired; "
          "legend names = series in panels with a legend named as it says; "
          "titles, axis labels = read as drawn")
    print()
    print(report(results, describer, by_variant=not a.no_variants))
    if a.json:
        os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
        with open(a.json, "w") as f:
            json.dump({"args": vars(a), "summary": summarize(results),
                       "describe_note": describer.note if describer else "not run",
                       "charts": [{k: v for k, v in asdict(r).items() if k != "series"} for r in results],
                       "series": [s for r in results for s in r.series]}, f, indent=1, default=str)
        print(f"\nraw results: {a.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
