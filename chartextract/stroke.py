"""Fit the vertices of a thick polyline to the edges of its stroke, column by column.

Where data points are 1-3 px apart, a line drawn 2-4 px thick fills each pixel column from
one vertex's flank to the next: the column's middle is not the data there, and peaks are
cut. Sparser lines gain too (a stroke's middle is biased where it bends), so every line
with seen edges is fitted. Knowing where the vertices sit along x (the steps, or else every column), their rows
follow from the stroke's top and bottom edge in every column: the stroke is the polyline
swept by a disc of radius ``h``, so each column's mean top edge is linear in the vertex
rows once it is known which point of the polyline is highest within reach. That is solved
by a few rounds of least squares (Gauss-Newton on an active set), with edges that another
line hides left out, outliers down-weighted (Huber) and a weak pull to the first guess.

Edges do not fix the stroke's half-width: a thin line zig-zagging fills the band a thick
one fills running straight. So each half-width (and marker discs) tried is judged by
redrawing the fitted stroke and comparing it with the line's ink, pixel by pixel. The
edges place the outermost vertices only; the last step moves each vertex to where that
redrawing matches the ink best.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import solveh_banded
from scipy.optimize import minimize_scalar

SUBSAMPLES = 4  # points per column where the edge is evaluated (the pixel averages the edge)
DISC_STEP = 0.25  # px between the disc's offsets tried
ROUNDS = 10
HUBER_PX = 1.0
PRIOR = 3e-3  # weight of the first guess: vertices no seen edge constrains keep it
SETTLED_PX = 0.01
MIN_HALF_WIDTH = 0.4  # px; a stroke's half-width is searched between this and the ink's radius
WIDTH_TOL = 0.15  # px
WIDTH_TRIES = 6
THIN_HALF_WIDTHS = (0.5, 1.0, 1.5, 2.0)  # px: the line joining marker discs, tried when redrawn
MARKER_RADII = (0.75, 0.875, 1.0)  # marker discs tried, times the ink's radius (theirs, and their anti-aliased rim)
MARKER_MIN_RADIUS = 3.0  # px: thinner ink is no line with markers (and its runs' middles are right within a pixel)
SEARCH_ROUNDS = 3
REDRAW_STEPS = (1.0, 0.5, 0.25, 0.125)  # px: each sweep moves a vertex by up to two such steps, finer each time
START_APART_PX = 0.3  # a second start, from the band's middle, where it differs from the first guess by this much


@dataclass(frozen=True)
class Stroke:
    """A fitted line: vertex rows, and the half-width of its stroke (or of its marker discs)."""

    rows: np.ndarray
    half_width: float
    discs: bool


def fit_stroke(cols: np.ndarray, edges: np.ndarray, xv: np.ndarray, rows0: np.ndarray,
               radius: float, ink: tuple[np.ndarray, np.ndarray, np.ndarray]) -> Stroke:
    """Vertex rows at ``xv`` for the shape and half-width that explain the line's ink best.
    The ink's radius (its thickest, most common) overstates a stroke's half-width, by the
    anti-aliased fringe and where a zig-zag's flanks merge; a line with marker discs is its
    discs joined by a thin line. Edges alone cannot tell these apart (a thin line zig-zagging
    fills the same band as a thick one running straight), so half-widths up to the radius,
    and marker discs, are fitted briefly to the edges and judged by how well they redraw
    ``ink`` ((cols, rows, alpha) pixels); the best is fitted fully. A thick line's first
    guess (its runs' middles) can hold the fit in a poor minimum, so the middle of the band
    its edges leave it is tried as a start too."""
    all_cols, all_edges = cols, edges
    seen = np.isfinite(edges).any(axis=1)
    cols, edges = cols[seen], edges[seen]
    tries: dict[tuple[float, bool], tuple[float, np.ndarray]] = {}

    def judge(h: float, discs: bool = False) -> float:
        """Fit briefly from the first guess (and, for a plain stroke, from the band's middle
        where that differs); keep the fit that redraws the ink best, and its mismatch."""
        starts = [rows0]
        if not discs:
            band = band_middle(all_cols, all_edges, xv, h, rows0)
            if np.mean(np.abs(band - rows0)) > START_APART_PX:
                starts.append(band)
        for start in starts:
            rows = fit_rows(cols, edges, xv, start, h, SEARCH_ROUNDS, prior=rows0, discs=discs)
            score = min(float(np.mean(np.abs(coverage(rows, xv, h, ink[0], ink[1], thin) - ink[2])))
                        for thin in (THIN_HALF_WIDTHS if discs else (None,)))
            if (h, discs) not in tries or score < tries[h, discs][0]:
                tries[h, discs] = score, rows
        return tries[h, discs][0]

    top = max(radius, MIN_HALF_WIDTH + WIDTH_TOL)
    minimize_scalar(judge, bounds=(MIN_HALF_WIDTH, top), method="bounded",
                    options={"xatol": WIDTH_TOL, "maxiter": WIDTH_TRIES})
    if radius >= MARKER_MIN_RADIUS:
        for f in MARKER_RADII:
            judge(f * radius, True)
    (h, discs), (_, rows) = min(tries.items(), key=lambda kv: kv[1][0])
    rows = fit_rows(cols, edges, xv, rows, h, ROUNDS, prior=rows0, discs=discs)
    return Stroke(rows if discs else redraw(rows, xv, h, ink), h, discs)


def redraw(rows: np.ndarray, xv: np.ndarray, h: float,
           ink: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
    """``rows`` moved vertex by vertex to where the stroke redraws ``ink`` best. The edges
    fit sees each column's outermost ink only, so vertices inside the band stay where the
    first guess put them; the ink (holes, fringes, a flank's slope) places them too.
    Vertices far enough apart that no pixel is within reach of two are moved together; a
    vertex's cost is its pixels' within the usual gap and the stroke's reach (a long segment
    across a gap is judged near its ends). A step moves the polyline by two step sizes at
    most, so a pixel further than that from the stroke's anti-aliased rim is covered the
    same (fully, or not at all) whatever the moves: it is left out of that step's costs."""
    px, py, alpha = ink
    if len(xv) < 3 or not len(px):
        return rows
    rows = rows.copy()
    gaps = np.diff(xv)
    reach = h + 1.0 + float(np.median(gaps))  # a vertex's segments end a gap away
    group = int(np.ceil(2 * reach / max(float(np.min(gaps)), 0.5))) + 1
    sweeps = []  # each group of vertices moved together, and the pixels within their reach
    for g in range(min(group, len(xv))):
        members = np.arange(g, len(xv), group)
        k = members[_nearest(xv[members], px)]
        near = np.flatnonzero(np.abs(px - xv[k]) <= reach)
        sweeps.append((members, near, k[near], _segments_near(xv, px[near], h)))
    around = _segments_near(xv, px, h)
    for step in REDRAW_STEPS:
        shifts = np.array([0.0, -2 * step, -step, step, 2 * step])  # ties keep the row (0 first)
        rim = np.abs(np.sqrt(_distance2(rows, xv, around, px, py)) - h) <= 0.5 + 2 * step + 1e-9
        for members, near, k, (first, span) in sweeps:
            on = rim[near]
            q, kq = near[on], k[on]
            qx, qy = px[q], py[q]
            rest = _distance2(rows, xv, (first[on], span), qx, qy, skip=kq)  # to the segments the move leaves
            costs = [np.bincount(kq, np.abs(_cover(np.minimum(rest, _moved2(rows, xv, kq, d, qx, qy)), h) - alpha[q]),
                                 len(xv)) for d in shifts]
            move = shifts[np.argmin(np.stack(costs), axis=0)]
            free = _beside_paper(k, py[near] - rows[k], alpha[near], len(xv))
            rows[members] += np.where(free, move, 0.0)[members]
    return rows


def _beside_paper(k: np.ndarray, dy: np.ndarray, a: np.ndarray, n: int) -> np.ndarray:
    """Vertices (``k`` of each pixel, ``dy`` below it) with the paper seen above or below
    among their pixels. Where all around is hidden (a line running inside another's shaded
    band), nothing stops the stroke from spreading over its own fringes."""
    bg = a == 0
    return (np.bincount(k, bg & (dy < 0), n) > 0) | (np.bincount(k, bg & (dy > 0), n) > 0)


def _nearest(sorted_x: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Index of the nearest of ``sorted_x`` to each of ``x``."""
    if len(sorted_x) == 1:
        return np.zeros(len(x), dtype=int)
    i = np.clip(np.searchsorted(sorted_x, x), 1, len(sorted_x) - 1)
    return np.where(np.abs(sorted_x[i - 1] - x) <= np.abs(sorted_x[i] - x), i - 1, i)


def _moved2(rows: np.ndarray, xv: np.ndarray, k: np.ndarray, d: float, px: np.ndarray,
            py: np.ndarray) -> np.ndarray:
    """Squared distance of each pixel to the two segments at its vertex ``k``, moved by ``d``."""
    yk = rows[k] + d
    left, right = np.maximum(k - 1, 0), np.minimum(k + 1, len(xv) - 1)
    return np.minimum(_segment2(px, py, xv[left], rows[left], xv[k], yk),
                      _segment2(px, py, xv[k], yk, xv[right], rows[right]))


def _segment2(px, py, ax, ay, bx, by) -> np.ndarray:
    """Squared distance from points (px, py) to segments a-b."""
    vx, vy = bx - ax, by - ay
    t = np.clip(((px - ax) * vx + (py - ay) * vy) / np.maximum(vx * vx + vy * vy, 1e-9), 0.0, 1.0)
    return (px - ax - t * vx) ** 2 + (py - ay - t * vy) ** 2


def _cover(d2: np.ndarray, h: float) -> np.ndarray:
    """A pixel's share inside a stroke of half-width ``h`` at squared distance ``d2``."""
    return np.clip(h + 0.5 - np.sqrt(d2), 0.0, 1.0)


def _segments_near(xv: np.ndarray, px: np.ndarray, reach: float) -> tuple[np.ndarray, int]:
    """The first of the polyline's segments within ``reach`` + 1 of each pixel along x, and
    how many follow on at most."""
    lo = np.clip(np.searchsorted(xv, px - reach - 1) - 1, 0, len(xv) - 2)
    return lo, int(np.max(np.searchsorted(xv, px + reach + 1) - lo)) + 1 if len(px) else 0


def _distance2(rows: np.ndarray, xv: np.ndarray, near: tuple[np.ndarray, int], px: np.ndarray,
               py: np.ndarray, skip: np.ndarray | None = None) -> np.ndarray:
    """Squared distance of each pixel to the polyline, over its segments ``near`` (from
    ``_segments_near``); with ``skip``, not the two segments at each pixel's vertex ``skip``."""
    lo, span = near
    d2 = np.full(len(px), np.inf)
    for o in range(span):
        j = np.minimum(lo + o, len(xv) - 2)
        d = _segment2(px, py, xv[j], rows[j], xv[j + 1], rows[j + 1])
        if skip is not None:
            d = np.where((j == skip - 1) | (j == skip), np.inf, d)
        d2 = np.minimum(d2, d)
    return d2


def band_middle(cols: np.ndarray, edges: np.ndarray, xv: np.ndarray, h: float, rows0: np.ndarray) -> np.ndarray:
    """Rows at ``xv`` midway between the lowest and highest a stroke of half-width ``h`` may
    pass there: a column's top edge keeps the line at least its reach below it, for ``h``
    around, and the bottom edge likewise above. A thick line's run in one column is set by
    its neighbours, so this is nearer than the run's middle; ``rows0`` where edges are hidden."""
    n = len(cols)
    lo, hi = np.full(n, -np.inf), np.full(n, np.inf)
    for o in range(-int(h), int(h) + 1):
        r = np.sqrt(h * h - o * o)
        shifted = np.full((n, 2), np.nan)
        shifted[max(o, 0):n + min(o, 0)] = edges[max(-o, 0):n - max(o, 0)]
        lo, hi = np.fmax(lo, shifted[:, 0] + r), np.fmin(hi, shifted[:, 1] - r)
    with np.errstate(invalid="ignore"):
        mid = (lo + hi) / 2
    ok = np.flatnonzero(np.isfinite(mid))
    if len(ok) < 2:
        return rows0
    have = cols[ok]
    i = np.clip(np.searchsorted(have, xv), 1, len(have) - 1)
    gap = np.minimum(np.abs(have[i] - xv), np.abs(have[i - 1] - xv))
    return np.where(gap <= 1, np.interp(xv, have, mid[ok]), rows0)


def coverage(rows: np.ndarray, xv: np.ndarray, h: float, px: np.ndarray, py: np.ndarray,
             thin: float | None = None) -> np.ndarray:
    """How much of each pixel (``px``, ``py``) the polyline's stroke of half-width ``h`` covers
    (or its marker discs of radius ``h`` on a line of half-width ``thin``): the usual
    anti-aliasing estimate, half-width + 1/2 - distance, clipped to 0..1."""
    discs = thin is not None
    reach = thin if discs else h
    cover = _cover(_distance2(rows, xv, _segments_near(xv, px, reach), px, py), reach)
    if discs:
        lo = np.clip(np.searchsorted(xv, px - h - 1), 0, len(xv) - 1)
        span = int(np.max(np.searchsorted(xv, px + h + 1) - lo)) + 1 if len(px) else 0
        for o in range(span):
            j = np.minimum(lo + o, len(xv) - 1)
            cover = np.maximum(cover, np.clip(h + 0.5 - np.hypot(xv[j] - px, rows[j] - py), 0.0, 1.0))
    return cover


def fit_rows(cols: np.ndarray, edges: np.ndarray, xv: np.ndarray, rows0: np.ndarray,
             h: float, rounds: int, prior: np.ndarray | None = None,
             discs: bool = False) -> np.ndarray:
    """Rows of the vertices at ``xv`` (increasing), starting from ``rows0``, whose stroke
    of half-width ``h`` (or, with ``discs``, whose marker discs of radius ``h`` on a thin
    line) best matches ``edges`` ((n, 2) top/bottom edge per column at ``cols``, NaN = not
    seen). ``prior`` (default ``rows0``) holds vertices that no seen edge reaches."""
    y = np.asarray(rows0, dtype=float).copy()
    sub = (np.arange(SUBSAMPLES) + 0.5) / SUBSAMPLES - 0.5
    x = (cols[:, None] + sub)[:, :, None]  # (columns, subsamples, 1)
    k, t, s = _marker_reach(x, xv, h) if discs else _stroke_reach(x, xv, h)
    eqs = []  # per edge side: its seen edges, the side's sign, and their samples' reach
    for obs, sign in ((edges[:, 0], -1.0), (edges[:, 1], 1.0)):
        seen = np.flatnonzero(np.isfinite(obs))
        eqs.append((obs[seen], sign, k[seen], t[seen], s[seen]))
    prior = np.asarray(rows0 if prior is None else prior, dtype=float)
    for _ in range(rounds):
        idx, val, rhs = _linearise(y, eqs)
        r = np.abs(np.einsum("ij,ij->i", val, y[idx]) - rhs)
        wt = np.where(r <= HUBER_PX, 1.0, HUBER_PX / np.maximum(r, 1e-9))
        new = _solve_weighted(idx, val, wt, rhs, PRIOR, prior)
        done = np.max(np.abs(new - y)) < SETTLED_PX
        y = new
        if done:
            break
    return y


def _stroke_reach(x: np.ndarray, xv: np.ndarray, h: float):
    """The polyline points within ``h`` of each sample ``x`` (segment ``k``, fraction ``t``)
    and how far the disc around each reaches up and down there (``s``)."""
    m = max(1, int(np.ceil(h / DISC_STEP)))
    u = np.linspace(-h, h, 2 * m + 1)
    k, t = _on_line(x + u, xv)
    return k, t, np.broadcast_to(np.sqrt(np.maximum(h * h - u * u, 0.0)), k.shape)


def _marker_reach(x: np.ndarray, xv: np.ndarray, h: float):
    """The vertices within ``h`` of each sample, each a disc of radius ``h``, and the thin
    line under the sample itself (reach 0); vertices out of reach get reach -inf."""
    lo = np.searchsorted(xv, x - h)
    span = int(np.max(np.searchsorted(xv, x + h) - lo)) if x.size else 0
    j = lo + np.arange(max(span, 1))
    near = j < len(xv)
    jc = np.minimum(j, len(xv) - 1)
    dx = xv[jc] - x
    s = np.where(near & (np.abs(dx) <= h), np.sqrt(np.maximum(h * h - dx * dx, 0.0)), -np.inf)
    k = np.minimum(jc, len(xv) - 2)
    t = (jc - k).astype(float)
    kl, tl = _on_line(x, xv)
    return np.concatenate([k, kl], axis=2), np.concatenate([t, tl], axis=2), np.concatenate([s, np.zeros(kl.shape)], axis=2)


def _on_line(p: np.ndarray, xv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Segment index and fraction along it of the polyline at ``p`` (flat beyond its ends)."""
    k = np.clip(np.searchsorted(xv, p) - 1, 0, len(xv) - 2)
    return k, np.clip((p - xv[k]) / (xv[k + 1] - xv[k]), 0.0, 1.0)


def _linearise(y: np.ndarray, eqs):
    """One row per seen edge: the column's mean edge as weights on the vertex rows, for the
    polyline points that are outermost within the disc's reach at ``y``. Rows are given as
    (vertex index, weight) pairs, ``idx`` and ``val`` (rows, 2 x subsamples), and ``rhs``."""
    idx, val, rhs = [], [], []
    for obs, sign, k, t, s in eqs:
        n_sub = k.shape[1]
        line = (1 - t) * y[k] + t * y[k + 1]
        pick = np.argmax(sign * line + s, axis=2)[:, :, None]  # top: min(line - s); bottom: max(line + s)
        kk, tt, ss = (np.take_along_axis(a, pick, 2)[:, :, 0] for a in (k, t, s))
        idx.append(np.concatenate([kk, kk + 1], axis=1))
        val.append(np.concatenate([1 - tt, tt], axis=1) / n_sub)
        rhs.append(obs - sign * ss.mean(axis=1))
    return np.concatenate(idx), np.concatenate(val), np.concatenate(rhs)


def _solve_weighted(idx: np.ndarray, val: np.ndarray, wt: np.ndarray, rhs: np.ndarray,
                    prior_weight: float, prior: np.ndarray) -> np.ndarray:
    """Weighted least squares with a pull to ``prior``: rows as from ``_linearise``. Each
    row weighs a few neighbouring vertices, so the normal equations are banded and solved
    as such (symmetric positive definite with the prior)."""
    n, m = len(prior), len(idx)
    base = idx.min(axis=1) if m else np.zeros(0, dtype=int)
    u = int(np.max(idx.max(axis=1) - base)) if m else 0
    local = np.zeros((m, u + 1))  # each row's weights on vertices base .. base + u
    np.add.at(local, (np.arange(m)[:, None], idx - base[:, None]), val)
    ab = np.empty((u + 1, n))  # upper band storage: ab[u + i - j, j] = a[i, j]
    for o in range(u + 1):  # a[i, i + o] gathers w * weight(i) * weight(i + o) over rows
        prod = wt[:, None] * local[:, :u + 1 - o] * local[:, o:]
        ab[u - o] = np.bincount((base[:, None] + o + np.arange(u + 1 - o)).ravel(), prod.ravel(), n)[:n]
    ab[u] += prior_weight
    b = np.bincount(idx.ravel(), (val * (wt * rhs)[:, None]).ravel(), n) + prior_weight * prior
    return solveh_banded(ab, b)
