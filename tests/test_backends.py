"""The estimator core on every Keras backend installed (each in its own process).

The main test session runs on the default backend (TensorFlow); a backend is
chosen once per process, so the others are exercised in subprocesses by
running ``_backend_script.py``.
"""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("_backend_script.py")


@pytest.mark.parametrize("backend", ["jax", "tensorflow"])
def test_estimator_core_on_backend(backend):
    if os.environ.get("KERAS_BACKEND", "tensorflow") == backend:
        pytest.skip(f"the main test session already runs on {backend}")
    module = {"jax": "jax", "tensorflow": "tensorflow"}[backend]
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed (pip install 'skdl[{backend}]')")
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = subprocess.run(
        [sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert f"backend={backend}" in proc.stdout
    assert "ALL OK" in proc.stdout
    if backend == "jax":
        # honouring KERAS_BACKEND=jax must not drag TensorFlow in
        assert "tensorflow imported=False" in proc.stdout
