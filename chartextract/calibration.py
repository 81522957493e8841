"""Fit the pixel -> value mapping of one axis from all of its ticks.

Every pair of ticks proposes a mapping; the one that puts the most ticks within
a pixel tolerance wins and is refit by least squares on those ticks. A misread
label therefore cannot bend the axis, and an axis is only accepted when its
labels form one arithmetic (linear) or geometric (log) progression.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np


@dataclass
class Fit:
    """``t = a * pixel + b`` with t = value (linear) or log10(value) (log)."""

    scale: str
    a: float
    b: float
    inliers: list[int]
    residual_px: float


def fit_axis(pixels: list[float], values: list[float], tol_px: float, scale: str | None = None,
             groups: list[int] | None = None, plain: list[bool] | None = None,
             log_only: list[bool] | None = None) -> Fit | None:
    """Best robust fit over the allowed scales, or None when fewer than two ticks agree.

    ``groups`` marks candidate readings of the same label: a fit counts each label once
    and keeps at most one reading of it; between equally good fits, the one using more
    ``plain`` readings (the label's text as printed, not a reinterpretation) wins.
    ``log_only`` readings (a label read as ``10^k`` or ``m × 10^k``) count on a log axis
    only: engines print powers of ten on log axes.
    """
    groups = list(range(len(values))) if groups is None else groups
    plain = [True] * len(values) if plain is None else plain
    log_only = [False] * len(values) if log_only is None else log_only
    scales = [scale] if scale else ["linear", "log"]
    fits = []
    for s in scales:
        keep = [k for k in range(len(values)) if s == "log" or not log_only[k]]
        f = _fit_one([pixels[k] for k in keep], [values[k] for k in keep], tol_px, s,
                     [groups[k] for k in keep], [plain[k] for k in keep])
        if f is not None:
            f.inliers = [keep[k] for k in f.inliers]
            fits.append(f)
    if not fits:
        return None
    # a log axis must explain strictly more ticks than a linear one (or be forced)
    return max(fits, key=lambda f: (len(f.inliers) + (0.5 if f.scale == "linear" else 0), -f.residual_px))


def _fit_one(pixels: list[float], values: list[float], tol_px: float, scale: str,
             groups: list[int], plain: list[bool]) -> Fit | None:
    p = np.asarray(pixels, dtype=float)
    v = np.asarray(values, dtype=float)
    g = np.asarray(groups)
    pl = np.asarray(plain, dtype=bool)
    if scale == "log":
        if np.any(v <= 0):
            keep = v > 0
            idx_map = np.flatnonzero(keep)
            p, v, g, pl = p[keep], v[keep], g[keep], pl[keep]
        else:
            idx_map = np.arange(len(v))
        t = np.log10(v) if len(v) else v
    else:
        idx_map = np.arange(len(v))
        t = v
    best: tuple[tuple[int, int, float], np.ndarray] | None = None
    for i, j in itertools.combinations(range(len(t)), 2):
        if p[i] == p[j] or t[i] == t[j] or g[i] == g[j]:
            continue
        a = (t[j] - t[i]) / (p[j] - p[i])
        b = t[i] - a * p[i]
        err = np.abs((t - b) / a - p)
        inl = _best_per_group(np.flatnonzero(err <= tol_px), err, g)
        score = (len(inl), int(pl[inl].sum()), -round(float(err[inl].sum()), 2))
        if best is None or score > best[0]:
            best = (score, inl)
    if best is None or best[0][0] < 2:
        return None
    inl = best[1]
    a, b = np.polyfit(p[inl], t[inl], 1)
    if a == 0 or not math.isfinite(a):
        return None
    resid = np.abs((t[inl] - b) / a - p[inl])
    if len(np.unique(p[inl])) < len(inl):  # two values at one place: no progression
        return None
    # labels must be distinct and ordered along the axis, as a progression is
    order = np.argsort(p[inl])
    if np.any(np.diff(t[inl][order]) == 0):
        return None
    return Fit(scale, float(a), float(b), [int(idx_map[k]) for k in inl], float(np.median(resid)))


def _best_per_group(idx: np.ndarray, err: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Of several readings of one label within tolerance, keep the closest."""
    best: dict[int, int] = {}
    for k in idx:
        if g[k] not in best or err[k] < err[best[g[k]]]:
            best[g[k]] = k
    return np.array(sorted(best.values()), dtype=int)
