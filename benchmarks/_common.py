"""Shared helpers of the benchmark scripts: timing, subprocess workers, tables, JSON.

Every measurement runs in a fresh Python process (``run_worker``), so that one
library's imports, thread pools and compiled graphs never leak into another's
numbers, and so that ``KERAS_BACKEND`` can differ between measurements of one
run. A worker prints one line ``@@RESULT@@ {json}``; everything else it prints
(TensorFlow's chatter included) is ignored unless it fails.

This module imports only the standard library and NumPy, so the parent process
stays light and never imports a deep-learning library itself.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results"
MARKER = "@@RESULT@@ "
BACKENDS = ("jax", "tensorflow")

# Equal work for every library (see README.md, "Equal work").
LEARNING_RATE = 1e-3
ACTIVATION = "relu"


# --------------------------------------------------------------------- CLI
def make_parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--repeats", type=int, default=3, help="repetitions; medians are reported (default 3)")
    p.add_argument("--quick", action="store_true", help="tiny sizes and 1 repeat: a smoke test")
    p.add_argument(
        "--backends",
        default=",".join(BACKENDS),
        help="Keras backends for skdl, comma-separated (default: jax,tensorflow)",
    )
    p.add_argument("--only", default=None, help="comma-separated subset of libraries to run")
    p.add_argument("--no-write", action="store_true", help="print the table but do not write JSON")
    p.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    p.add_argument("--payload", default="{}", help=argparse.SUPPRESS)
    return p


def wanted(args, name: str) -> bool:
    if not args.only:
        return True
    return name.split("[")[0] in {s.strip() for s in args.only.split(",")}


def backends(args) -> list[str]:
    return [b.strip() for b in args.backends.split(",") if b.strip()]


# ------------------------------------------------------------------ timing
def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def timed(fn, *a, **kw):
    """(seconds, result) of one call."""
    t0 = time.perf_counter()
    out = fn(*a, **kw)
    return time.perf_counter() - t0, out


def current_rss_mb() -> float:
    """Resident set size of this process now, in MB (Linux /proc, else ru_maxrss)."""
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:  # pragma: no cover - not Linux
        return peak_rss_mb()


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (ru_maxrss is KB on Linux)."""
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / 2**20 if sys.platform == "darwin" else r / 2**10


# --------------------------------------------------------------- workers
def run_worker(script: str, worker: str, payload: dict | None = None, *, backend: str | None = None,
               timeout: float = 3600, env: dict | None = None) -> dict:
    """Run ``script --worker NAME --payload JSON`` in a fresh process; return its result dict.

    ``backend`` sets ``KERAS_BACKEND``. A failure (non-zero exit, timeout, no
    result line) is returned as ``{"error": "..."}`` so one broken library does
    not sink the whole table.
    """
    full_env = dict(os.environ)
    full_env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    full_env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO), str(HERE)] + ([full_env["PYTHONPATH"]] if full_env.get("PYTHONPATH") else [])
    )
    if backend is not None:
        full_env["KERAS_BACKEND"] = backend
    if env:
        full_env.update(env)
    cmd = [sys.executable, script, "--worker", worker, "--payload", json.dumps(payload or {})]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, env=full_env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    wall = time.perf_counter() - t0
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARKER):
            out = json.loads(line[len(MARKER):])
            out.setdefault("process_wall_s", wall)
            return out
    tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
    return {"error": f"worker {worker!r} exited with {proc.returncode}:\n{tail}"}


def run_many(script: str, jobs, *, parallel: int = 1) -> dict:
    """Run ``{label: (worker, payload, backend[, env])}`` jobs; ``parallel > 1`` only for smoke tests.

    Concurrent workers compete for the cores, so timings of a parallel run mean
    nothing; ``--quick`` uses it to stay short.
    """
    jobs = dict(jobs)
    if parallel <= 1:
        out = {}
        for label, (worker, payload, backend, *env) in jobs.items():
            print(f"running {label} ...", flush=True)
            out[label] = run_worker(script, worker, payload, backend=backend, env=env[0] if env else None)
        return out
    from concurrent.futures import ThreadPoolExecutor

    print(f"running {len(jobs)} workers, {parallel} at a time (timings not meaningful) ...", flush=True)
    with ThreadPoolExecutor(parallel) as pool:
        futures = {label: pool.submit(run_worker, script, w, pl, backend=b, env=e[0] if e else None)
                   for label, (w, pl, b, *e) in jobs.items()}
        return {label: f.result() for label, f in futures.items()}


def emit(result: dict) -> None:
    """Print a worker's result line (the parent reads the last one)."""
    print(MARKER + json.dumps(result, default=_jsonable), flush=True)


def worker_main(args, workers: dict) -> bool:
    """If this process is a worker, run it, print its result and return True."""
    if args.worker is None:
        return False
    payload = json.loads(args.payload)
    emit(workers[args.worker](**payload))
    return True


def quiet_warnings():
    """Silence the warnings every library prints on every fit (ConvergenceWarning...)."""
    import warnings

    warnings.filterwarnings("ignore")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


# ------------------------------------------------------------ machine
def machine_info() -> dict:
    """Cores, CPU, load, versions: what a reader needs to compare two runs."""
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        usable = os.cpu_count()
    versions = {}
    for dist in ("skdl", "numpy", "scikit-learn", "keras", "tensorflow", "jax", "jaxlib",
                 "torch", "skorch", "scikeras", "optuna"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    if versions["skdl"] is None:
        try:  # running from a source checkout that is not installed
            text = (REPO / "skdl" / "__init__.py").read_text()
            versions["skdl"] = text.split('__version__ = "', 1)[1].split('"', 1)[0] + " (source)"
        except (OSError, IndexError):
            pass
    return {
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "usable_cores": usable,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
        "git_commit": _git_commit(),
    }


def load() -> dict:
    """The load averages now (the machine may be shared; timings are noisier under load)."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:  # pragma: no cover
        return {}
    up = ""
    try:
        up = subprocess.run(["uptime"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return {"loadavg_1_5_15": [round(one, 2), round(five, 2), round(fifteen, 2)], "uptime": up}


def _git_commit():
    try:
        out = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=5)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


# ------------------------------------------------------------- output
def fmt(value, unit="", digits=3):
    """A number for a table: ``-`` for missing, significant digits otherwise."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value}{unit}"
    if value == 0:
        return f"0{unit}"
    mag = abs(value)
    if mag >= 100:
        s = f"{value:.0f}"
    elif mag >= 10:
        s = f"{value:.1f}"
    elif mag >= 1:
        s = f"{value:.2f}"
    else:
        s = f"{value:.{digits}g}"
    return f"{s}{unit}"


def ratio(value, reference):
    if value is None or reference in (None, 0):
        return None
    return value / reference


def fmt_ratio(r):
    return "-" if r is None else f"{r:.2f}×"


def markdown_table(headers, rows) -> str:
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(cells[0], widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for r in cells[1:]:
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |")
    return "\n".join(lines)


def write_results(name: str, args, payload: dict, table: str, *, load_before: dict) -> Path | None:
    """Print the table and write ``results/<name>.json`` with machine facts and load."""
    print(table)
    errors = {k: v["error"] for k, v in payload.get("results", {}).items()
              if isinstance(v, dict) and "error" in v}
    for k, msg in errors.items():
        print(f"\n{k} failed: {msg}", file=sys.stderr)
    if args.no_write:
        return None
    doc = {
        "benchmark": name,
        "argv": sys.argv[1:],
        "quick": bool(args.quick),
        "repeats": args.repeats,
        "machine": machine_info(),
        "load_before": load_before,
        "load_after": load(),
        **payload,
        "table": table,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    suffix = "_quick" if args.quick else ""
    path = RESULTS / f"{name}{suffix}.json"
    path.write_text(json.dumps(doc, indent=2, default=_jsonable) + "\n")
    print(f"\nwrote {path.relative_to(REPO)}")
    return path


def machine_line() -> str:
    m = machine_info()
    v = m["versions"]
    ld = load().get("loadavg_1_5_15")
    return (f"{m['usable_cores']} cores ({m['cpu']}), Python {m['python']}, sklearn {v['scikit-learn']}, "
            f"keras {v['keras']}, TF {v['tensorflow']}, JAX {v['jax']}, torch {v['torch']}; load {ld}")


def _jsonable(o):
    try:
        import numpy as np

        if isinstance(o, np.generic):
            return o.item()
        if isinstance(o, np.ndarray):
            return o.tolist()
    except ImportError:  # pragma: no cover
        pass
    return str(o)
