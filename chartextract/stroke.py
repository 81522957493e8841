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
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.sparse import coo_matrix, diags
from scipy.sparse.linalg import spsolve

SUBSAMPLES = 6  # points per column where the edge is evaluated (the pixel averages the edge)
DISC_STEP = 0.25  # px between the disc's offsets tried
ROUNDS = 10
HUBER_PX = 1.0
PRIOR = 3e-3  # weight of the first guess: vertices no seen edge constrains keep it
SETTLED_PX = 0.01
MIN_HALF_WIDTH = 0.4  # px; a stroke's half-width is searched between this and the ink's radius
WIDTH_TOL = 0.15  # px
WIDTH_TRIES = 6
MARKER_RADII = (0.875, 1.0)  # marker discs tried, times the ink's radius (which is theirs)
MARKER_MIN_RADIUS = 3.0  # px: thinner ink is no line with markers (and its runs' middles are right within a pixel)
MARKER_BIAS = 1.3  # discs this thick are marker discs unless a plain stroke fits clearly better
SEARCH_ROUNDS = 4


def fit_stroke(cols: np.ndarray, edges: np.ndarray, xv: np.ndarray, rows0: np.ndarray,
               radius: float) -> np.ndarray:
    """Vertex rows at ``xv`` for the shape and half-width that explain the edges best. The
    ink's radius (its thickest, most common) overstates a stroke's half-width, by the
    anti-aliased fringe and where a zig-zag's flanks merge; a line with marker discs is its
    discs joined by a thin line. So half-widths up to the radius, and marker discs, are
    tried briefly, and the best is fitted fully."""
    seen = np.isfinite(edges).any(axis=1)
    cols, edges = cols[seen], edges[seen]
    tries: dict[tuple[float, bool], tuple[np.ndarray, float]] = {}

    def resid(h: float, discs: bool = False) -> float:
        tries[h, discs] = fit_rows(cols, edges, xv, rows0, h, SEARCH_ROUNDS, discs=discs)
        return tries[h, discs][1]

    top = max(radius, MIN_HALF_WIDTH + WIDTH_TOL)
    minimize_scalar(resid, bounds=(MIN_HALF_WIDTH, top), method="bounded",
                    options={"xatol": WIDTH_TOL, "maxiter": WIDTH_TRIES})
    if radius >= MARKER_MIN_RADIUS:
        for f in MARKER_RADII:
            resid(f * radius, True)
    (h, discs), (rows, _) = min(tries.items(), key=lambda kv: kv[1][1] / (MARKER_BIAS if kv[0][1] else 1.0))
    return fit_rows(cols, edges, xv, rows, h, ROUNDS, prior=rows0, discs=discs)[0]


def fit_rows(cols: np.ndarray, edges: np.ndarray, xv: np.ndarray, rows0: np.ndarray,
             h: float, rounds: int, prior: np.ndarray | None = None,
             discs: bool = False) -> tuple[np.ndarray, float]:
    """Rows of the vertices at ``xv`` (increasing), starting from ``rows0``, whose stroke
    of half-width ``h`` (or, with ``discs``, whose marker discs of radius ``h`` on a thin
    line) best matches ``edges`` ((n, 2) top/bottom edge per column at ``cols``, NaN = not
    seen), and the robust residual in px (at the start of the last round). ``prior`` (default ``rows0``) holds vertices that
    no seen edge reaches."""
    n = len(xv)
    y = np.asarray(rows0, dtype=float).copy()
    sub = (np.arange(SUBSAMPLES) + 0.5) / SUBSAMPLES - 0.5
    x = (cols[:, None] + sub)[:, :, None]  # (columns, subsamples, 1)
    k, t, s = _marker_reach(x, xv, h) if discs else _stroke_reach(x, xv, h)
    eqs = [(edges[:, 0], -1.0), (edges[:, 1], 1.0)]
    prior = np.asarray(rows0 if prior is None else prior, dtype=float)
    resid = np.inf
    for _ in range(rounds):
        a_mat, rhs = _linearise(y, k, t, s, eqs)
        r = np.abs(a_mat @ y - rhs)
        wt = np.where(r <= HUBER_PX, 1.0, HUBER_PX / np.maximum(r, 1e-9))
        resid = float(np.sqrt(np.mean(np.minimum(r, 3 * HUBER_PX) ** 2))) if len(r) else np.inf
        aw = diags(wt) @ a_mat
        normal = (a_mat.T @ aw + diags(np.full(n, PRIOR))).tocsc()
        new = spsolve(normal, aw.T @ rhs + PRIOR * prior)
        done = np.max(np.abs(new - y)) < SETTLED_PX
        y = new
        if done:
            break
    return y, resid


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


def _linearise(y: np.ndarray, k: np.ndarray, t: np.ndarray, s: np.ndarray, eqs):
    """One row per seen edge: the column's mean edge as weights on the vertex rows, for the
    polyline points that are outermost within the disc's reach at ``y``."""
    n_sub = k.shape[1]
    line = (1 - t) * y[k] + t * y[k + 1]
    rows, cols, vals, rhs = [], [], [], []
    base = 0
    for obs, sign in eqs:
        seen = np.flatnonzero(np.isfinite(obs))
        pick = np.argmax(sign * line[seen] + s[seen], axis=2)[:, :, None]  # top: min(line - s); bottom: max(line + s)
        kk, tt, ss = (np.take_along_axis(a[seen], pick, 2)[:, :, 0] for a in (k, t, s))
        r = np.repeat(base + np.arange(len(seen)), n_sub)
        rows += [r, r]
        cols += [kk.ravel(), kk.ravel() + 1]
        vals += [(1 - tt).ravel() / n_sub, tt.ravel() / n_sub]
        rhs.append(obs[seen] - sign * ss.mean(axis=1))
        base += len(seen)
    a_mat = coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                       shape=(base, len(y))).tocsr()
    return a_mat, np.concatenate(rhs)


