"""TensorFlow's native start-up notices do not reach the user of the skdl command."""

import os
import subprocess
import sys

from skdl.cli import without_startup_noise

NOISE = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
    "I0000 00:00:1795490970.570181    4909 cudart_stub.cc:31] Could not find cuda drivers on your "
    "machine, GPU will not be used.\n"
    "I0000 00:00:1795485331.038175   27153 cpu_feature_guard.cc:227] This TensorFlow binary is "
    "optimized to use available CPU instructions in performance-critical operations.\n"
    "To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow with "
    "the appropriate compiler flags.\n"
    "E0000 00:00:1795492838.654164    9766 cuda_platform.cc:52] failed call to cuInit: INTERNAL: "
    "CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)\n"
)


def test_notices_are_dropped_and_other_lines_kept():
    other = "E0000 something real went wrong\nTraceback (most recent call last):\n"
    assert without_startup_noise(NOISE) == ""
    assert without_startup_noise(NOISE + other + "\n") == other


def test_the_cli_backend_import_prints_nothing_on_stderr():
    code = ("from skdl.cli import select_backend, import_backend_quietly\n"
            "select_backend()\nimport_backend_quietly()\n"
            "import keras, sys\nkeras.ops.ones((2,)) + 1\nprint(keras.backend.backend())\n")
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() in ("tensorflow", "jax")
    for marker in ("cudart_stub", "absl::InitializeLog", "cpu_feature_guard", "cuInit"):
        assert marker not in out.stderr, out.stderr


def test_the_filter_covers_later_lines_and_child_processes_and_passes_progress_bars():
    """Lines written to fd 2 at any time of a command, by the process or a child, are filtered."""
    code = (
        "import os, subprocess, sys\n"
        "from skdl.cli import filtered_stderr\n"
        "notice = 'I0000 00:00:1796155601.937244    6045 port.cc:153] oneDNN custom operations are on. '\n"
        "with filtered_stderr():\n"
        "    os.write(2, (notice + 'You may see...\\n').encode())\n"
        "    sys.stderr.write('\\rtrials:  50%|#####     | 1/2')\n"
        "    sys.stderr.flush()\n"
        "    os.write(2, b'\\rtrials: 100%|##########| 2/2\\n')\n"
        "    child = 'import os; os.write(2, (' + repr(notice) + ' + \"again\\\\n\").encode()); '\n"
        "    child += 'os.write(2, b\"E0000 a real error from a worker\\\\n\")'\n"
        "    subprocess.run([sys.executable, '-c', child], check=True)\n"
        "    os.write(2, b'skdl: warning: kept\\n')\n"
        "os.write(2, b'after\\n')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    err = proc.stderr.decode()  # bytes: keep the progress bars' carriage returns
    assert proc.returncode == 0, err
    assert err == ("\rtrials:  50%|#####     | 1/2\rtrials: 100%|##########| 2/2\n"
                           "E0000 a real error from a worker\nskdl: warning: kept\nafter\n"), repr(err)
