"""Interim alias of :mod:`skdl.training.runtime` while callers move over."""

from skdl.training.runtime import backend_name, get_keras, seeded  # noqa: F401
