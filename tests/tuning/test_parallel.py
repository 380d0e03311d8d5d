"""Worker plumbing: thread budget, light import, Ctrl-C flag."""

import os
import signal
import subprocess
import sys

from skdl.tuning._parallel import InterruptFlag, n_cores, thread_env


def test_thread_budget_shares_the_cores():
    env = thread_env(n_cores())
    assert env["OMP_NUM_THREADS"] == env["TF_NUM_INTRAOP_THREADS"] == "1"
    assert env["TF_NUM_INTEROP_THREADS"] == "1"
    assert "intra_op_parallelism_threads=1" in env["XLA_FLAGS"]
    assert int(thread_env(1)["OMP_NUM_THREADS"]) == n_cores()


def test_import_does_not_load_keras(child_env):
    code = "import sys, skdl.tuning; print(sorted(m for m in ('keras', 'tensorflow', 'jax') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], env=child_env, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "[]"


def test_interrupt_flag_remembers_ctrl_c_and_restores_the_handler():
    before = signal.getsignal(signal.SIGINT)
    with InterruptFlag() as flag:
        try:
            os.kill(os.getpid(), signal.SIGINT)
        except KeyboardInterrupt:
            pass
        assert flag.is_set
    assert signal.getsignal(signal.SIGINT) is before
