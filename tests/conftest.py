"""Charts rendered for several test modules."""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest


@pytest.fixture
def black_grey_blue_chart(tmp_path):
    """Render a bmh-style chart of three noisy reward curves (black PPO, grey GRPO, blue DPO,
    legend in the plot) from the given seed; returns its path, the x values and the truth."""
    pytest.importorskip("matplotlib")
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts"))
    import render  # noqa: E402

    def make(seed: int):
        rng = np.random.default_rng(seed)
        x = list(range(1, 1811, 10))
        truth = {name: render.gen_reward(rng, len(x), scale=3.0, base=0.5) for name in ("PPO", "GRPO", "DPO")}
        colors = {"PPO": "#000000", "GRPO": "#808080", "DPO": "#348ABD"}
        spec = {"engine": "matplotlib", "style": "bmh", "dpi": 100, "width_px": 640, "height_px": 420,
                "grid": [1, 1], "panels": [{"title": "Reward", "x_label": "Iteration", "y_label": "Return",
                                            "x_is_step": True, "legend": True,
                                            "series": [{"name": n, "color": colors[n], "x": x,
                                                        "y": [float(v) for v in y]} for n, y in truth.items()]}]}
        path = tmp_path / f"reward_{seed}.png"
        render.render(spec, str(path))
        return path, x, truth
    return make


@pytest.fixture
def suite_chart(tmp_path):
    """Render chart ``index`` of the benchmark's suite for ``seed`` (scripts/render.py, the
    same chart ``benchmark.py --seed`` makes); returns its path and truth."""
    pytest.importorskip("matplotlib")
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts"))
    import render  # noqa: E402

    def make(seed: int, index: int):
        spec = render.suite(index + 1, seed=seed)[index]
        ext = ".jpg" if spec.get("format") in ("jpg", "jpeg") else ".png"  # as the benchmark saves it
        path = tmp_path / f"suite_{seed}_{index}{ext}"
        try:
            return path, render.render(spec, str(path))
        except render.EngineUnavailable as exc:
            pytest.skip(str(exc))
    return make


def panel_errors(series, want: list[dict]) -> dict[str, float]:
    """Each true series' mean error against the nearest extracted one (values at the true
    steps; a stretch left unread counts as the straight line across it), as a share of
    the panel's y-span: the benchmark's measure."""
    span = np.ptp(np.concatenate([w["y"] for w in want]))
    return {w["name"]: min(np.mean(np.abs(np.interp(w["x"], s.x, s.y) - w["y"])) / span for s in series)
            for w in want}
