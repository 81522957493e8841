"""`chartextract batch`: whole folders, in parallel, resumable, locally and on Dask.

The tests run the real command line on real images: small matplotlib charts rendered
here with known shapes, plus the files a real folder holds by mistake (a 0-byte file, a
text file named .png, a photo). Runs are shared between tests to keep the suite short.
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from chartextract import batch
from chartextract.batch import FileResult, Job, _run_local, find_images, plan_jobs, process_file_isolated

GOOD = ["good1.png", "sub/deep/good2.png", "sub/good3.jpg"]
BAD = {"empty.png": "empty file", "notes.png": "not a readable image", "photo.jpg": ""}
ALL = sorted(GOOD + list(BAD))
TOP_LEVEL = sorted(f for f in ALL if "/" not in f)


# --------------------------------------------------------------------------- inputs

def _render_chart(path: Path, kind: int) -> None:
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    x = np.arange(0, 41)
    fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=80)
    if kind == 0:
        ax.plot(x, 2.0 + 1.5 * np.sin(x / 6.0), color="tab:blue", label="signal")
        ax.set_title("Sine response")
    elif kind == 1:
        ax.plot(x, 1.0 / (1 + 0.2 * x), color="tab:orange", label="train loss")
        ax.plot(x, 1.2 / (1 + 0.15 * x), color="tab:green", label="val loss")
        ax.set_title("Loss")
        ax.legend()
    else:
        ax.plot(x, 10 + 0.5 * x, color="tab:red", label="linear")
        ax.set_title("Growth")
    ax.set_xlabel("epoch")
    ax.set_ylabel("value")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    img = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, quality=95) if path.suffix == ".jpg" else img.save(path)


def _photo(path: Path) -> None:
    """A natural-looking picture with no chart: sky gradient, hills, soft texture, grain."""
    from scipy.ndimage import gaussian_filter

    rng = np.random.default_rng(7)
    h, w = 360, 480
    yy, xx = np.mgrid[0:h, 0:w].astype(float)
    sky = np.stack([120 + 60 * yy / h, 170 + 50 * yy / h, 235 - 10 * yy / h], axis=-1)
    horizon = 0.55 * h + 25 * np.sin(xx[0] / 70.0) + 12 * np.sin(xx[0] / 23.0 + 1.0)
    texture = gaussian_filter(rng.normal(0, 1, (h, w)), 6) * 60
    ground = np.stack([95 + texture, 130 + 0.8 * texture, 70 + 0.5 * texture], axis=-1)
    img = np.where((yy > horizon[None, :])[..., None], ground, sky)
    img += rng.normal(0, 4, img.shape)
    Image.fromarray(img.clip(0, 255).astype(np.uint8)).save(path, quality=90)


@pytest.fixture(scope="session")
def figs(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("batch") / "figs"
    for kind, rel in enumerate(GOOD):
        _render_chart(root / rel, kind)
    (root / "empty.png").write_bytes(b"")
    (root / "notes.png").write_text("meeting notes, not a picture\n")
    _photo(root / "photo.jpg")
    (root / "readme.txt").write_text("not an image: ignored\n")
    return root


def cli(*args, cwd: Path, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "chartextract", "batch", *map(str, args)],
                          cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def run_j2(figs):
    out = figs.parent / "out_j2"
    proc = cli(figs, "-o", out, "-j", 2, "--recursive", cwd=figs.parent)
    return proc, out


# --------------------------------------------------------------------------- helpers

def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def summary(out: Path) -> dict[str, dict]:
    return {r["file"]: r for r in read_csv(out / "summary.csv")}


def snapshot(out: Path, overlays: bool = True) -> dict[str, bytes]:
    """Every output file's bytes, with the run-dependent seconds column blanked."""
    files = {}
    for p in sorted(out.rglob("*")):
        if p.is_file() and (overlays or not p.name.endswith(".overlay.png")):
            data = p.read_bytes()
            if p.name == "summary.csv" and p.parent == out:
                rows = list(csv.reader(io.StringIO(data.decode())))
                data = "\n".join(",".join(r[:4] + r[5:]) for r in rows).encode()
            files[p.relative_to(out).as_posix()] = data
    return files


def temp_files(out: Path) -> list[str]:
    return [p.as_posix() for p in out.rglob(".*") if p.is_file()]


def assert_same_outputs(out_a: Path, out_b: Path, overlays: bool = True) -> None:
    a, b = snapshot(out_a, overlays), snapshot(out_b, overlays)
    assert sorted(a) == sorted(b)
    different = [name for name in a if a[name] != b[name]]
    assert not different, f"outputs differ: {different}"


def describe_failure(proc: subprocess.CompletedProcess) -> str:
    return f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr[-3000:]}"


def overlay_of(out: Path, rel: str) -> Path:
    """Where ``rel``'s overlay goes: next to its json, mirroring the input tree."""
    stem = out / Path(rel).with_suffix("")
    return stem.with_name(stem.name + ".overlay.png")


def assert_overlays(out: Path, figs: Path) -> None:
    """One overlay per good chart, the size of its input and next to its json; none for bad files."""
    for rel in GOOD:
        overlay = overlay_of(out, rel)
        assert overlay.with_suffix("").with_suffix(".json").is_file(), rel
        assert overlay.is_file(), f"{rel}: no overlay"
        with Image.open(overlay) as im, Image.open(figs / rel) as src:
            assert (im.format, im.size) == ("PNG", src.size), rel
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.overlay.png")) == \
        sorted(overlay_of(out, rel).relative_to(out).as_posix() for rel in GOOD)


# --------------------------------------------------------------------------- tests

def test_folder_with_good_and_bad_files(run_j2):
    proc, out = run_j2
    rows = summary(out)
    assert list(rows) == ALL, describe_failure(proc)  # sorted, nested included, .txt ignored
    for rel in GOOD:
        r = rows[rel]
        assert r["status"] == "ok", (rel, r["error"], describe_failure(proc))
        assert int(r["panels"]) >= 1 and int(r["series"]) >= 1 and float(r["seconds"]) > 0
        stem = out / Path(rel).with_suffix("")
        for ext in ("json", "csv", "md"):  # outputs mirror the input tree
            assert stem.with_name(f"{stem.name}.{ext}").is_file(), (rel, ext)
        chart = json.loads(stem.with_name(stem.name + ".json").read_text())
        assert chart["source"] == rel
        assert sum(len(p["series"]) for p in chart["panels"]) == int(r["series"])
    assert proc.returncode == 1, describe_failure(proc)  # some files failed
    assert f"{len(ALL)} files: {len(GOOD)} ok, 0 skipped, {len(BAD)} failed" in proc.stdout
    assert not list(out.rglob("*.overlay.png")), "overlays are written only with --overlay"


def test_bad_files_fail_with_reasons_and_no_outputs(run_j2):
    proc, out = run_j2
    failures = {r["file"]: r["error"] for r in read_csv(out / "failures.csv")}
    assert sorted(failures) == sorted(BAD), describe_failure(proc)
    for rel, reason in BAD.items():
        assert reason in failures[rel].lower() and failures[rel].strip(), (rel, failures[rel])
        assert summary(out)[rel]["status"] == "failed"
        assert not list(out.glob(Path(rel).stem + ".*")), f"{rel} must not produce outputs"


def test_photo_is_not_read_as_a_chart(run_j2):
    proc, out = run_j2
    row = summary(out)["photo.jpg"]
    assert row["status"] == "failed" and row["error"], describe_failure(proc)
    assert row["series"] == "0"
    assert not any(r["file"] == "photo.jpg" for r in read_csv(out / "series.csv"))


def test_series_csv_holds_every_point_of_every_chart(run_j2):
    proc, out = run_j2
    with open(out / "series.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["file", "panel", "panel_title", "series", "x", "y"]
    expected = []
    for rel in sorted(GOOD):  # the aggregate is in file order
        with open((out / rel).with_suffix(".csv"), newline="") as fh:
            chart_rows = list(csv.reader(fh))
        assert chart_rows[0] == ["panel", "panel_title", "series", "x", "y"]
        assert len(chart_rows) > 10, f"{rel}: too few points"
        expected += [[rel, *r] for r in chart_rows[1:]]
    assert rows[1:] == expected
    assert not temp_files(out), temp_files(out)


def test_j1_gives_identical_results(run_j2, figs):
    _, out_j2 = run_j2
    out = figs.parent / "out_j1"
    proc = cli(figs, "-o", out, "-j", 1, "--recursive", cwd=figs.parent)
    assert proc.returncode == 1, describe_failure(proc)
    assert_same_outputs(out_j2, out)


def test_dask_cluster_gives_identical_results(run_j2, figs):
    """On Dask too, with --overlay: the flag travels to the helper processes of the workers."""
    distributed = pytest.importorskip("dask.distributed")
    _, out_j2 = run_j2
    out = figs.parent / "out_dask"
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True,
                                  dashboard_address=None, host="127.0.0.1") as cluster:
        proc = cli(figs, "-o", out, "--recursive", "--overlay", "--scheduler", cluster.scheduler_address,
                   cwd=figs.parent)
    assert proc.returncode == 1, describe_failure(proc)
    assert_same_outputs(out_j2, out, overlays=False)
    assert_overlays(out, figs)


@pytest.fixture(scope="session")
def run_overlay(run_j2, figs):
    """``--resume --overlay`` over a copy of the -j 2 run, which has no overlays."""
    _, out_j2 = run_j2
    out = figs.parent / "out_overlay"
    shutil.copytree(out_j2, out)
    proc = cli(figs, "-o", out, "-j", 2, "--recursive", "--resume", "--overlay", cwd=figs.parent)
    return proc, out


def test_overlay_written_for_each_chart(run_overlay, run_j2, figs):
    proc, out = run_overlay
    assert proc.returncode == 1, describe_failure(proc)
    assert_overlays(out, figs)
    assert_same_outputs(run_j2[1], out, overlays=False)  # the rest as without --overlay


def test_resume_with_overlay_redoes_files_without_one(run_overlay, figs):
    proc, done = run_overlay
    # the previous run's charts had no overlay, so --resume --overlay did them again
    assert {f: r["status"] for f, r in summary(done).items()} == \
        {**{f: "ok" for f in GOOD}, **{f: "failed" for f in BAD}}, describe_failure(proc)

    out = figs.parent / "out_overlay_resume"
    shutil.copytree(done, out)
    gone = overlay_of(out, "sub/deep/good2.png")
    gone.unlink()
    kept = {rel: overlay_of(out, rel).stat().st_mtime_ns for rel in GOOD if overlay_of(out, rel) != gone}
    again = cli(figs, "-o", out, "-j", 2, "--recursive", "--resume", "--overlay", cwd=figs.parent)
    assert again.returncode == 1, describe_failure(again)
    statuses = {f: r["status"] for f, r in summary(out).items()}
    assert statuses == {**{f: "skipped" for f in GOOD}, "sub/deep/good2.png": "ok",
                        **{f: "failed" for f in BAD}}, describe_failure(again)
    assert_overlays(out, figs)
    assert {rel: overlay_of(out, rel).stat().st_mtime_ns for rel in kept} == kept

    # without --overlay, a missing overlay does not make a file incomplete
    overlay_of(out, "good1.png").unlink()
    plain = cli(figs, "-o", out, "-j", 2, "--recursive", "--resume", cwd=figs.parent)
    assert {f: r["status"] for f, r in summary(out).items()} == \
        {**{f: "skipped" for f in GOOD}, **{f: "failed" for f in BAD}}, describe_failure(plain)
    assert not overlay_of(out, "good1.png").exists()


def test_batch_takes_the_override_options(figs, run_j2):
    """--series-colors and the axis overrides reach the workers, as with extract."""
    src = figs.parent / "override_in"
    src.mkdir()
    shutil.copyfile(figs / GOOD[1], src / "loss.png")  # orange and green lines
    out = figs.parent / "override_out"
    proc = cli(src, "-o", out, "-j", 1, "--series-colors", "#2ca02c", "--yscale", "linear",
               "--xscale", "linear", cwd=figs.parent)
    assert proc.returncode == 0, describe_failure(proc)
    assert int(summary(run_j2[1])[GOOD[1]]["series"]) == 2
    chart = json.loads((out / "loss.json").read_text())
    assert [len(p["series"]) for p in chart["panels"]] == [1]
    assert summary(out)["loss.png"]["series"] == "1"


def test_timeout_and_top_level_only(figs):
    out = figs.parent / "out_timeout"
    proc = cli(figs, "-o", out, "-j", 1, "--timeout", 0.01, cwd=figs.parent)
    assert proc.returncode == 1, describe_failure(proc)
    rows = summary(out)
    assert list(rows) == TOP_LEVEL  # without --recursive, subfolders are left alone
    assert rows["good1.png"]["status"] == "failed"
    assert rows["good1.png"]["error"] == "timed out after 0.01 s"
    assert not (out / "good1.json").exists() and not temp_files(out)


def test_resume_after_interrupted_run(figs):
    base = figs.parent / "resume"
    src = base / "figs"
    # enough files that the run is still going when the Ctrl-C arrives, on a busy machine too
    names = ["a.png", "b.png", "c/d.png", "c/e.png", "f.png"] + [f"g/{k}.png" for k in range(8)]
    for i, name in enumerate(names):
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_bytes((figs / GOOD[i % 2]).read_bytes())
    out = base / "out"

    # A run interrupted with Ctrl-C once the first chart is complete.
    proc = subprocess.Popen([sys.executable, "-m", "chartextract", "batch", str(src), "-o", str(out),
                             "-j", "1", "-r"], cwd=base, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    first = [out / f"a.{ext}" for ext in ("json", "csv", "md")]
    deadline = time.monotonic() + 120
    while not all(p.exists() for p in first) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, f"exit {proc.returncode}\n{stdout}\n{stderr}"
    assert "--resume" in stderr
    assert not (out / "summary.csv").exists()  # no aggregate of a partial run
    assert not temp_files(out), temp_files(out)
    for p in out.rglob("*.json"):  # whatever was written is whole
        json.loads(p.read_text())
    first_mtimes = [p.stat().st_mtime_ns for p in first]

    # --resume finishes the job: the complete chart is skipped, the rest processed.
    done = cli(src, "-o", out, "-j", 2, "-r", "--resume", cwd=base)
    assert done.returncode == 0, describe_failure(done)
    rows = summary(out)
    assert list(rows) == sorted(names)
    assert rows["a.png"]["status"] == "skipped" and int(rows["a.png"]["series"]) >= 1
    assert all(r["status"] in ("ok", "skipped") for r in rows.values())
    assert [p.stat().st_mtime_ns for p in first] == first_mtimes
    series_files = {r["file"] for r in read_csv(out / "series.csv")}
    assert series_files == set(names)  # skipped charts are still in the aggregate
    assert "0 failed" in done.stdout
    series_before = (out / "series.csv").read_bytes()

    # An input newer than its outputs is done again; complete ones are skipped.
    future = time.time() + 5
    os.utime(src / "c/e.png", (future, future))
    again = cli(src, "-o", out, "-j", 2, "-r", "--resume", cwd=base)
    assert again.returncode == 0, describe_failure(again)
    statuses = {f: r["status"] for f, r in summary(out).items()}
    assert statuses == {**{n: "skipped" for n in names}, "c/e.png": "ok"}
    assert (out / "series.csv").read_bytes() == series_before


def test_usage_errors(tmp_path):
    proc = cli(tmp_path / "missing", "-o", tmp_path / "out", cwd=tmp_path)
    assert proc.returncode == 2 and "not a folder" in proc.stderr
    proc = cli(tmp_path, "-o", tmp_path / "out", "-j", 0, cwd=tmp_path)
    assert proc.returncode == 2 and "-j" in proc.stderr


# --------------------------------------------------------------------------- executor internals

def crash_on_bad(path, in_root, out_root, options, *, stem=None, overlay=False) -> FileResult:
    """Stands in for process_file: a hard crash (as a segfault in a C extension would)."""
    rel = Path(path).relative_to(in_root).as_posix()
    if "crash" in rel:
        os.kill(os.getpid(), signal.SIGKILL)
    return FileResult(rel, "ok", panels=1, series=1)


def test_worker_crash_is_recorded_and_the_pool_carries_on(tmp_path):
    names = ["a.png", "crash.png", "c.png", "d.png"]
    for n in names:
        (tmp_path / n).write_bytes(b"x")
    jobs = plan_jobs([tmp_path / n for n in names], tmp_path)
    results: dict[str, FileResult] = {}
    _run_local(jobs, tmp_path, tmp_path / "out", None, 2, 30, lambda r: results.update({r.file: r}),
               func=crash_on_bad)
    assert sorted(results) == sorted(names)
    assert results["crash.png"].status == "failed"
    assert results["crash.png"].error == "worker process crashed (killed by SIGKILL)"
    assert all(results[n].status == "ok" for n in names if n != "crash.png")


def test_output_stems_do_not_clash(tmp_path):
    files = [tmp_path / p for p in ("a/b.png", "a/b.jpg", "a/c.png", "series.png", "x/series.png")]
    stems = {j.file: j.stem for j in plan_jobs(files, tmp_path)}
    assert stems == {"a/b.png": "a/b.png", "a/b.jpg": "a/b.jpg", "a/c.png": "a/c",
                     "series.png": "series.png", "x/series.png": "x/series"}
    assert all(isinstance(j, Job) for j in plan_jobs(files, tmp_path))


def test_finding_images(tmp_path):
    root = tmp_path / "in"
    for rel in ("a.PNG", "b.webp", "c.tif", "d.bmp", "e.jpeg", "sub/f.png", ".hidden.png", "g.txt", "h.gif"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"x")
    (tmp_path / "elsewhere.png").write_bytes(b"x")
    (root / "link.png").symlink_to(tmp_path / "elsewhere.png")
    (root / "out").mkdir()
    (root / "out" / "old.png").write_bytes(b"x")
    found = find_images(root, recursive=True, exclude=root / "out")
    rels = [p.relative_to(root).as_posix() for p in found]
    assert rels == ["a.PNG", "b.webp", "c.tif", "d.bmp", "e.jpeg", "link.png", "sub/f.png"]
    assert [p.relative_to(root).as_posix() for p in find_images(root)] == [r for r in rels if "/" not in r]
    jobs = plan_jobs(found, root)  # a symlink is read where it sits, not where it points
    assert [Path(j.path) for j in jobs] == [root.absolute() / r for r in rels]


def test_isolated_helper_times_out_and_is_replaced(figs, tmp_path):
    """The per-file isolation the Dask tasks use: a killed helper is replaced for the next file."""
    out = tmp_path / "out"
    try:
        slow = process_file_isolated(figs / "good1.png", figs, out, timeout=0.01)
        assert (slow.status, slow.error) == ("failed", "timed out after 0.01 s")
        assert not out.exists() or not any(out.rglob("*"))
        again = process_file_isolated(figs / "sub/deep/good2.png", figs, out, timeout=60)
        assert again.status == "ok", again.error
        assert (out / "sub/deep/good2.json").is_file()
    finally:
        helper = getattr(batch._helpers, "helper", None)
        if helper is not None:
            helper.close()
            batch._helpers.helper = None
