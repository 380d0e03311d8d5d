"""Scorers that report a search worker's thread budget (importable by name in workers)."""

import os


def intra_op_threads(estimator, X, y):
    return float(os.environ.get("TF_NUM_INTRAOP_THREADS", "0"))


def inter_op_threads(estimator, X, y):
    return float(os.environ.get("TF_NUM_INTEROP_THREADS", "0"))


def blas_threads(estimator, X, y):
    """The largest thread pool an OpenMP/BLAS library in this process may use."""
    from threadpoolctl import threadpool_info

    return float(max([p["num_threads"] for p in threadpool_info()] or [0]))


def worker_pid(estimator, X, y):
    return float(os.getpid())
