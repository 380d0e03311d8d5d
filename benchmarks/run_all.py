"""Run every benchmark script in turn (``--quick``: a smoke test of all of them).

    python benchmarks/run_all.py --quick      # checks every script runs; timings meaningless
    python benchmarks/run_all.py              # the full suite: an hour or more on 2 cores

Other arguments (``--repeats N``, ``--backends jax``) are passed to every
script. ``bench_search.py`` (the pruning comparison) is included when present.
Exits non-zero if a script fails.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    "bench_import.py",          # (e)
    "bench_fixed_cost.py",      # (c)
    "bench_digits_cv.py",       # (a)
    "bench_synthetic.py",       # (b)
    "bench_search.py",          # (d), owned by the tuning side
    "bench_memory.py",          # (f)
    "bench_rss_fits.py",        # (g)
    "bench_parallel_search.py",  # (h)
]
# bench_search.py has its own CLI: pass it only what it understands
SHARED_ONLY_QUICK = {"bench_search.py"}


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    failed = []
    for name in SCRIPTS:
        path = HERE / name
        if not path.exists():
            print(f"== {name}: not present, skipped", flush=True)
            continue
        args = argv
        if name in SHARED_ONLY_QUICK:
            args = [a for a in argv if a == "--quick"]
        print(f"== {name} {' '.join(args)}", flush=True)
        t = time.perf_counter()
        rc = subprocess.call([sys.executable, str(path), *args])
        print(f"== {name}: exit {rc} after {time.perf_counter() - t:.0f} s\n", flush=True)
        if rc:
            failed.append(name)
    if failed:
        print("failed: " + ", ".join(failed))
        return 1
    print("all benchmarks ran")
    return 0


if __name__ == "__main__":
    sys.exit(main())
