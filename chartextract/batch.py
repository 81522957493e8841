"""Batch extraction: every image of a folder, in parallel, resumable, on one machine or a Dask cluster.

One function, ``process_file``, does the work for one image (extract, then write
``<stem>.json/.csv/.md``, and ``<stem>.overlay.png`` with ``overlay=True``, under the output
folder, mirroring the input tree) and never raises: a bad file becomes a ``FileResult``
with ``status="failed"`` and the reason.
Both executors call it:

- locally, a ``pebble.ProcessPool`` of spawned workers; a file that runs past the time-out
  or crashes its worker is recorded as failed, the worker is killed and replaced;
- with ``scheduler=ADDRESS``, a ``dask.distributed.Client``; each task runs
  ``process_file`` in a helper interpreter that the worker thread keeps and reuses, so
  that the same time-out and crash isolation hold there too (Dask cannot stop a running
  task, and its daemonic worker processes cannot own a process pool).

At the end the aggregates ``series.csv`` (all points, long format), ``summary.csv``
(one row per file) and ``failures.csv`` are streamed to temporary files and renamed into
place, in sorted file order, so results do not depend on the executor or ``-j``.
Chart outputs are written by ``writers.write_outputs`` (temp name, then rename), so an
interrupted run leaves only complete files, which ``resume=True`` then skips (with
``overlay=True``, only files whose overlay exists too).

>>> report = run_batch("figures", "out", recursive=True)  # doctest: +SKIP
>>> report.failed                                        # doctest: +SKIP
"""
from __future__ import annotations

import contextlib
import csv
import glob
import json
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import FIRST_COMPLETED, CancelledError, wait
from concurrent.futures import TimeoutError as FutureTimeoutError
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable

from .errors import ChartError
from .options import Options

IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp"})
FORMATS = ("json", "csv", "md")
OVERLAY_SUFFIX = "overlay.png"  # <stem>.overlay.png, written by writers.write_outputs(overlay=True)
DEFAULT_TIMEOUT = 60.0  # seconds one file may take before it is given up
MAX_TASKS_PER_WORKER = 100  # recycle local workers now and then so memory stays bounded

SERIES_HEADER = ("file", "panel", "panel_title", "series", "x", "y")
SUMMARY_HEADER = ("file", "status", "panels", "series", "seconds", "error")
FAILURES_HEADER = ("file", "error")
AGGREGATES = ("series", "summary", "failures")  # top-level stems the aggregates own

# Workers are single-threaded: parallelism comes from the processes, and threaded
# OpenMP/BLAS/tesseract in every worker would only fight over the same cores.
SINGLE_THREAD_ENV = {"OMP_NUM_THREADS": "1", "OMP_THREAD_LIMIT": "1",
                     "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


class BatchError(ValueError):
    """A batch that cannot start: missing folder, bad arguments, no Dask, no scheduler."""


@dataclass
class FileResult:
    """What happened to one input file; one row of ``summary.csv``."""

    file: str  # path relative to the input folder, '/'-separated
    status: str  # "ok" | "failed" | "skipped" (outputs already complete, with --resume)
    panels: int = 0
    series: int = 0
    seconds: float = 0.0
    error: str = ""

    def summary_row(self) -> tuple:
        return (self.file, self.status, self.panels, self.series, f"{self.seconds:.3f}", self.error)


@dataclass
class BatchReport:
    """Counts of a finished batch and where its outputs are."""

    out_root: Path
    total: int = 0
    ok: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0
    results: list[FileResult] = field(default_factory=list, repr=False)

    def line(self) -> str:
        text = (f"batch: {self.total} files: {self.ok} ok, {self.skipped} skipped, {self.failed} failed"
                f" in {self.seconds:.1f} s; summary in {self.out_root / 'summary.csv'}")
        if self.failed:
            text += f", reasons in {self.out_root / 'failures.csv'}"
        return text


@dataclass(frozen=True)
class Job:
    """One input file to process: where it is and under which stem its outputs go."""

    path: str  # absolute path of the image
    file: str  # relative to the input folder, '/'-separated
    stem: str  # output stem relative to the output folder, '/'-separated


# --------------------------------------------------------------------------- per file

def process_file(path: str | os.PathLike, in_root: str | os.PathLike, out_root: str | os.PathLike,
                 options: Options | None = None, *, stem: str | None = None,
                 overlay: bool = False) -> FileResult:
    """Extract one image and write its outputs under ``out_root``, mirroring ``in_root``.

    ``figures/a/b.png`` with ``in_root=figures`` gives ``out/a/b.json``, ``.csv`` and ``.md``
    (``stem`` overrides ``a/b``), and ``out/a/b.overlay.png`` with ``overlay=True``.
    Never raises for a bad file: the result says why it failed.
    The chart's ``source`` is recorded relative to ``in_root`` so that outputs do not depend
    on where the folder lives or which executor ran it.
    """
    path, in_root, out_root = Path(path), Path(in_root), Path(out_root)
    rel = path.relative_to(in_root).as_posix()
    stem = stem or default_stem(rel)
    t0 = time.perf_counter()
    try:
        from .pipeline import extract
        from .writers import write_outputs
        chart = extract(path, options=options or Options())
        chart.source = rel
        out_dir, name = _split_stem(out_root, stem)
        write_outputs(chart, out_dir, name, formats=FORMATS, overlay=overlay)
    except ChartError as exc:
        return FileResult(rel, "failed", seconds=time.perf_counter() - t0,
                          error=_one_line(str(exc)) or "no readable chart")
    except Exception as exc:  # a bug or a full disk on one file must not stop the batch
        return FileResult(rel, "failed", seconds=time.perf_counter() - t0,
                          error=_one_line(f"{type(exc).__name__}: {exc}"))
    return FileResult(rel, "ok", panels=len(chart.panels),
                      series=sum(len(p.series) for p in chart.panels),
                      seconds=time.perf_counter() - t0)


def default_stem(rel: str) -> str:
    """``a/b.png`` -> ``a/b``."""
    return PurePosixPath(rel).with_suffix("").as_posix()


def output_paths(out_root: str | os.PathLike, stem: str, overlay: bool = False) -> list[Path]:
    """The chart outputs of ``stem``: json, csv, md (in ``FORMATS`` order), then the overlay if asked."""
    out_dir, name = _split_stem(Path(out_root), stem)
    suffixes = FORMATS + ((OVERLAY_SUFFIX,) if overlay else ())
    return [out_dir / f"{name}.{suffix}" for suffix in suffixes]


def _split_stem(out_root: Path, stem: str) -> tuple[Path, str]:
    p = PurePosixPath(stem)
    return out_root.joinpath(*p.parent.parts), p.name


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- planning

def find_images(in_root: str | os.PathLike, *, recursive: bool = False,
                exclude: str | os.PathLike | None = None) -> list[Path]:
    """Image files under ``in_root`` sorted by relative path; hidden files and ``exclude`` skipped."""
    root = Path(in_root)
    skip = Path(exclude).resolve() if exclude is not None else None
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        if recursive:
            dirnames[:] = sorted(d for d in dirnames
                                 if not d.startswith(".") and (here / d).resolve() != skip)
        else:
            dirnames[:] = []
        for name in filenames:
            p = here / name
            if not name.startswith(".") and p.suffix.lower() in IMAGE_EXTENSIONS and p.is_file():
                found.append(p)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def plan_jobs(files: Iterable[Path], in_root: Path) -> list[Job]:
    """Give each file its output stem; files whose stems clash keep their extension.

    ``a/b.png`` and ``a/b.jpg`` both present -> ``a/b.png.*`` and ``a/b.jpg.*``; a top-level
    ``series.png`` -> ``series.png.*`` so that it cannot overwrite the aggregate ``series.csv``.
    """
    in_root = Path(in_root).absolute()
    rels = [(in_root / rel, rel) for rel in (Path(f).absolute().relative_to(in_root).as_posix() for f in files)]
    count: dict[str, int] = {}
    for _, rel in rels:
        count[default_stem(rel)] = count.get(default_stem(rel), 0) + 1
    jobs = []
    for path, rel in rels:
        stem = default_stem(rel)
        if count[stem] > 1 or stem in AGGREGATES:
            stem = rel
        jobs.append(Job(str(path), rel, stem))
    return jobs


def resumable_result(job: Job, out_root: Path, overlay: bool = False) -> FileResult | None:
    """A ``skipped`` result when all outputs (with ``overlay``, the overlay too) exist and are
    not older than the input, else None."""
    try:
        src = os.stat(job.path).st_mtime_ns
        paths = output_paths(out_root, job.stem, overlay)
        if any(p.stat().st_mtime_ns < src for p in paths):
            return None
        with open(paths[0], encoding="utf-8") as fh:
            panels = json.load(fh)["panels"]
        return FileResult(job.file, "skipped", panels=len(panels),
                          series=sum(len(p.get("series", [])) for p in panels))
    except (OSError, ValueError, KeyError, TypeError):
        return None


# --------------------------------------------------------------------------- driver

def run_batch(in_root: str | os.PathLike, out_root: str | os.PathLike, *, options: Options | None = None,
              jobs: int | None = None, recursive: bool = False, resume: bool = False,
              scheduler: str | None = None, timeout: float | None = DEFAULT_TIMEOUT,
              progress: bool | None = None, overlay: bool = False) -> BatchReport:
    """Process every image of ``in_root`` into ``out_root``; see the module docstring.

    ``jobs`` worker processes (default: usable cores) unless ``scheduler`` names a Dask
    scheduler; ``timeout`` seconds per file (None or 0: no limit); ``progress`` shows a
    tqdm bar (default: when stderr is a terminal); ``overlay`` also writes each chart's
    ``<stem>.overlay.png`` (and makes ``resume`` redo files that lack one). ``KeyboardInterrupt`` propagates after
    the workers are stopped; finished chart outputs are kept, aggregates are not written.
    """
    t0 = time.perf_counter()
    in_path, out_path = Path(in_root), Path(out_root)
    if not in_path.is_dir():
        raise BatchError(f"{in_root}: not a folder")
    if out_path.exists() and not out_path.is_dir():
        raise BatchError(f"{out_root}: exists and is not a folder")
    if jobs is not None and jobs < 1:
        raise BatchError(f"-j must be at least 1, not {jobs}")
    if timeout is not None and timeout < 0:
        raise BatchError(f"--timeout must not be negative, not {timeout:g}")
    n_workers = jobs or _usable_cores()
    options = options or Options()
    out_path.mkdir(parents=True, exist_ok=True)
    in_abs, out_abs = in_path.resolve(), out_path.resolve()

    all_jobs = plan_jobs(find_images(in_abs, recursive=recursive, exclude=out_abs), in_abs)
    results: dict[str, FileResult] = {}
    todo: list[Job] = []
    for job in all_jobs:
        done = resumable_result(job, out_abs, overlay) if resume else None
        if done is not None:
            results[job.file] = done
        else:
            todo.append(job)

    from tqdm import tqdm
    show = sys.stderr.isatty() if progress is None else progress
    with tqdm(total=len(all_jobs), initial=len(results), unit="file", disable=not show,
              file=sys.stderr, dynamic_ncols=True) as bar:
        def record(result: FileResult) -> None:
            results[result.file] = result
            if result.status == "failed" and show:  # off a terminal, failures.csv says it
                bar.write(f"chartextract: {result.file}: {result.error}", file=sys.stderr)
            bar.update(1)

        if todo:
            if scheduler:
                _run_dask(todo, in_abs, out_abs, options, scheduler, timeout, record, overlay=overlay)
            else:
                _run_local(todo, in_abs, out_abs, options, n_workers, timeout, record, overlay=overlay)

    ordered = [results[j.file] for j in all_jobs]
    write_aggregates(out_abs, all_jobs, ordered)
    return BatchReport(out_root=out_path, total=len(ordered),
                       ok=sum(r.status == "ok" for r in ordered),
                       skipped=sum(r.status == "skipped" for r in ordered),
                       failed=sum(r.status == "failed" for r in ordered),
                       seconds=time.perf_counter() - t0, results=ordered)


def _usable_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


# --------------------------------------------------------------------------- local executor

def _run_local(jobs: list[Job], in_root: Path, out_root: Path, options: Options, n_workers: int,
               timeout: float | None, record: Callable[[FileResult], None],
               func: Callable[..., FileResult] = process_file, *, overlay: bool = False) -> None:
    """Run ``func`` for every job on a pebble process pool (spawned workers).

    ``func`` is called as ``process_file`` is: ``(path, in_root, out_root, options,
    stem=..., overlay=...)``.

    pebble kills and replaces a worker whose task passes ``timeout`` (counted from the
    moment the worker starts that file) and reports a worker that died as
    ``ProcessExpired`` for the file it was running only; the pool carries on.
    At most a few tasks per worker are queued at a time so memory stays flat.
    """
    import multiprocessing

    from pebble import ProcessPool

    window = 2 * n_workers + 2
    pending: dict = {}
    queue = iter(jobs)
    with _single_thread_env():
        pool = ProcessPool(max_workers=min(n_workers, len(jobs)), max_tasks=MAX_TASKS_PER_WORKER,
                           initializer=_init_worker, context=multiprocessing.get_context("spawn"))
        try:
            def submit() -> None:
                job = next(queue, None)
                if job is not None:
                    fut = pool.schedule(func, args=(job.path, in_root, out_root, options),
                                        kwargs={"stem": job.stem, "overlay": overlay},
                                        timeout=timeout or None)
                    pending[fut] = (job, time.perf_counter())

            for _ in range(window):
                submit()
            while pending:
                done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                for fut in done:
                    job, started = pending.pop(fut)
                    record(_local_result(fut, job, started, timeout, out_root))
                    submit()
            pool.close()
            pool.join()
        except BaseException:  # Ctrl-C: kill the workers, drop what they were writing
            pool.stop()
            pool.join()
            _remove_temp_outputs(out_root, [job for job, _ in pending.values()])
            raise


def _local_result(fut, job: Job, started: float, timeout: float | None, out_root: Path) -> FileResult:
    from pebble import ProcessExpired
    try:
        return fut.result()
    except (FutureTimeoutError, TimeoutError):
        error, seconds = f"timed out after {timeout:g} s", float(timeout or 0)
    except ProcessExpired as exc:
        error, seconds = f"worker process crashed ({_exit_reason(exc.exitcode)})", time.perf_counter() - started
    except CancelledError:
        error, seconds = "cancelled", 0.0
    except Exception as exc:  # e.g. a result that could not be sent back
        error, seconds = _one_line(f"worker error: {type(exc).__name__}: {exc}"), time.perf_counter() - started
    _remove_temp_outputs(out_root, [job])
    return FileResult(job.file, "failed", seconds=seconds, error=error)


def _init_worker() -> None:
    os.environ.update(SINGLE_THREAD_ENV)  # for the tesseract processes this worker starts
    try:
        import cv2
        cv2.setNumThreads(1)
    except Exception:  # pragma: no cover - cv2 is a dependency, but threads are only a tuning
        pass


@contextlib.contextmanager
def _single_thread_env():
    """Set the single-thread variables (unless the user set them) while workers are spawned."""
    added = {k: v for k, v in SINGLE_THREAD_ENV.items() if k not in os.environ}
    os.environ.update(added)
    try:
        yield
    finally:
        for k in added:
            os.environ.pop(k, None)


def _exit_reason(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _remove_temp_outputs(out_root: Path, jobs: Iterable[Job]) -> None:
    """Delete the temp files ``writers.atomic_write_texts`` may leave when its process is killed."""
    for job in jobs:
        for final in output_paths(out_root, job.stem, overlay=True):
            for tmp in glob.glob(os.path.join(glob.escape(str(final.parent)),
                                              f".{glob.escape(final.name)}.*.tmp")):
                with contextlib.suppress(OSError):
                    os.unlink(tmp)


# --------------------------------------------------------------------------- Dask executor

def _run_dask(jobs: list[Job], in_root: Path, out_root: Path, options: Options, address: str,
              timeout: float | None, record: Callable[[FileResult], None], *, overlay: bool = False) -> None:
    """Run the same per-file work on a Dask cluster; the folders must be visible to the workers."""
    try:
        from dask.distributed import Client, as_completed
    except ImportError as exc:
        raise BatchError("--scheduler needs Dask: pip install 'chartextract[dask]'") from exc
    try:
        client = Client(address, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise BatchError(f"cannot connect to the Dask scheduler at {address}: {exc}") from exc
    with client:
        args = [(j.path, str(in_root), str(out_root), options, j.stem, timeout, overlay) for j in jobs]
        futures = client.map(_dask_task, args, pure=False)
        pending = dict(zip(futures, jobs))
        try:
            for fut in as_completed(futures):
                job = pending.pop(fut)
                try:
                    result = fut.result()
                except Exception as exc:  # KilledWorker, lost scheduler, ...
                    result = FileResult(job.file, "failed",
                                        error=_one_line(f"dask: {type(exc).__name__}: {exc}"))
                fut.release()
                record(result)
        except BaseException:
            client.cancel(list(pending))
            raise


def _dask_task(args: tuple) -> FileResult:
    path, in_root, out_root, options, stem, timeout, overlay = args
    return process_file_isolated(path, in_root, out_root, options, stem=stem, timeout=timeout,
                                 overlay=overlay)


def process_file_isolated(path: str | os.PathLike, in_root: str | os.PathLike, out_root: str | os.PathLike,
                          options: Options | None = None, *, stem: str | None = None,
                          timeout: float | None = DEFAULT_TIMEOUT, overlay: bool = False) -> FileResult:
    """``process_file`` in a helper interpreter of this thread, killed after ``timeout`` seconds.

    For Dask workers: their processes are daemonic (no multiprocessing children, so no
    process pool) and their threads cannot be stopped, but a plain subprocess can be killed.
    Each thread keeps one helper and reuses it (imports are paid once, not per file); a
    helper that times out or crashes is replaced, and one is recycled after
    ``MAX_TASKS_PER_WORKER`` files. The time-out starts when the helper is handed the file.
    """
    rel = Path(path).relative_to(Path(in_root)).as_posix()
    stem = stem or default_stem(rel)
    job = Job(str(path), rel, stem)
    helper = getattr(_helpers, "helper", None)
    if helper is None or not helper.alive():
        try:
            helper = _helpers.helper = _Helper()
        except (OSError, EOFError) as exc:
            _helpers.helper = None
            return FileResult(rel, "failed", error=_one_line(f"worker process failed to start: {exc}"))
    t0 = time.perf_counter()
    try:
        result = helper.run((str(path), str(in_root), str(out_root), options, stem, overlay), timeout)
    except TimeoutError:
        error, seconds = f"timed out after {timeout:g} s", float(timeout or 0)
    except (EOFError, OSError, pickle.UnpicklingError):
        code = helper.close()
        detail = helper.last_error
        error = f"worker process crashed ({_exit_reason(code)})" + (f": {detail}" if detail else "")
        seconds = time.perf_counter() - t0
    else:
        if helper.jobs >= MAX_TASKS_PER_WORKER:
            helper.close()
            _helpers.helper = None
        return result
    helper.close()
    _helpers.helper = None
    _remove_temp_outputs(Path(out_root), [job])
    return FileResult(rel, "failed", seconds=seconds, error=error)


_helpers = threading.local()
_HELPER_START_TIMEOUT = 300.0  # importing the package on a loaded node can be slow, not this slow


class _Helper:
    """One child interpreter running ``_child_main``; jobs and results travel as pickles."""

    def __init__(self) -> None:
        from multiprocessing.connection import Connection
        env = {**os.environ, **{k: v for k, v in SINGLE_THREAD_ENV.items() if k not in os.environ}}
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from chartextract.batch import _child_main; _child_main()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err, env=env)
        self.send = Connection(os.dup(self.proc.stdin.fileno()), readable=False)
        self.recv = Connection(os.dup(self.proc.stdout.fileno()), writable=False)
        self.proc.stdin.close()
        self.proc.stdout.close()
        self.jobs = 0
        self.last_error = ""
        if not self.recv.poll(_HELPER_START_TIMEOUT) or self.recv.recv() != "ready":
            self.close()
            raise EOFError(self.last_error or "no answer")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def run(self, job: tuple, timeout: float | None) -> FileResult:
        self.err.seek(0)
        self.err.truncate()
        self.jobs += 1
        self.send.send(job)
        if not self.recv.poll(timeout or None):
            raise TimeoutError
        return self.recv.recv()  # EOFError when the helper died

    def close(self) -> int | None:
        if self.proc.poll() is None:
            self.proc.kill()
        code = self.proc.wait()
        self.last_error = _tail(self.err)
        for conn in (self.send, self.recv):
            conn.close()
        self.err.close()
        return code


def _child_main() -> None:
    """The helper interpreter: import, say ready, then answer one result per job until EOF."""
    from multiprocessing.connection import Connection

    import chartextract.pipeline  # noqa: F401 - the slow imports happen before any clock starts
    _init_worker()
    answers = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)  # anything printed while working goes to stderr, not into the answers
    jobs = Connection(os.dup(0), writable=False)
    answers.send("ready")
    while True:
        try:
            path, in_root, out_root, options, stem, overlay = jobs.recv()
        except EOFError:  # the Dask worker is gone or done with us
            return
        answers.send(process_file(path, in_root, out_root, options, stem=stem, overlay=overlay))


def _tail(fh, limit: int = 300) -> str:
    try:
        fh.seek(0)
        lines = fh.read().decode("utf-8", "replace").strip().splitlines()
    except (OSError, ValueError):
        return ""
    return _one_line(lines[-1])[:limit] if lines else ""


# --------------------------------------------------------------------------- aggregates

def write_aggregates(out_root: Path, jobs: list[Job], results: list[FileResult]) -> list[Path]:
    """Stream ``series.csv``, ``summary.csv`` and ``failures.csv`` to temp files, then rename.

    ``series.csv`` is built from each finished chart's own ``<stem>.csv`` in file order, so
    it also holds the files a resumed run skipped, and memory stays flat for any number.
    """
    finals = [out_root / f"{name}.csv" for name in AGGREGATES]
    temps: list[str] = []
    try:
        with contextlib.ExitStack() as stack:
            writers = []
            for final in finals:
                fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=out_root)
                temps.append(tmp)
                fh = stack.enter_context(os.fdopen(fd, "w", encoding="utf-8", newline=""))
                writers.append(csv.writer(fh, lineterminator="\n"))
            series_w, summary_w, failures_w = writers
            series_w.writerow(SERIES_HEADER)
            summary_w.writerow(SUMMARY_HEADER)
            failures_w.writerow(FAILURES_HEADER)
            for job, result in zip(jobs, results):
                summary_w.writerow(result.summary_row())
                if result.status == "failed":
                    failures_w.writerow((result.file, result.error))
                    continue
                chart_csv = output_paths(out_root, job.stem)[FORMATS.index("csv")]
                with contextlib.suppress(FileNotFoundError), open(chart_csv, encoding="utf-8", newline="") as fh:
                    rows = csv.reader(fh)
                    next(rows, None)  # the chart csv's own header
                    series_w.writerows([result.file, *row] for row in rows)
        for tmp, final in zip(temps, finals):
            os.replace(tmp, final)
    finally:
        for tmp in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return finals
