"""What a user of the ``skdl`` command sees on stderr, how fast errors come, what files look like.

The error cases run ``main()`` in a fresh interpreter each, so ``sys.modules``
shows whether Keras or TensorFlow was imported before the error was raised.
"""

import json
import os
import stat
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

HEAVY = ("keras", "tensorflow", "jax", "torch", "optuna")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("KERAS_BACKEND", None)
    return env


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("quiet")
    paths = {"dir": folder, "missing": folder / "missing.csv", "empty": folder / "empty.csv",
             "header": folder / "header.csv", "ok": folder / "ok.csv"}
    paths["empty"].write_text("")
    paths["header"].write_text("a,b,label\n")
    paths["ok"].write_text("a,b,label\n" + "".join(f"{i},{i % 4},{'xy'[i % 2]}\n" for i in range(30)))
    return paths


ERRORS = [
    ("missing file", ["train", "--csv", "{missing}", "--target", "label"], 1, "CSV file not found"),
    ("wrong target", ["train", "--csv", "{ok}", "--target", "lable"], 1, "Did you mean 'label'?"),
    ("empty csv", ["tune", "--csv", "{empty}", "--target", "label"], 1, "is empty (0 bytes)"),
    ("header only", ["tune", "--csv", "{header}", "--target", "label"], 1, "no data rows"),
    ("typo'd scoring", ["tune", "--dataset", "iris", "--scoring", "acuracy"], 2, "Did you mean 'accuracy'?"),
    ("csv as model", ["predict", "{ok}", "--csv", "{ok}"], 1, "is not a skdl model file"),
]


@pytest.mark.parametrize("case, argv, status, message", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_come_before_keras_is_imported(case, argv, status, message, files):
    argv = [a.format(**files) for a in argv]
    if argv[0] in ("tune", "train"):
        argv += ["--out", str(files["dir"] / "out")]
    code = textwrap.dedent(f"""
        import sys, time
        t0 = time.perf_counter()
        from skdl.cli import main
        status = main({argv!r})
        seconds = time.perf_counter() - t0
        heavy = [m for m in {HEAVY!r} if m in sys.modules]
        print("RESULT", status, repr(heavy), f"{{seconds:.2f}}")
    """)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(),
                          timeout=120)
    wall = time.perf_counter() - start
    result = [line for line in proc.stdout.splitlines() if line.startswith("RESULT")]
    assert result, proc.stdout + proc.stderr
    _, got_status, heavy, seconds = result[0].split(" ", 3)
    assert int(got_status) == status, proc.stderr
    assert heavy == "[]", f"{case}: imported {heavy} before the error"
    assert message in proc.stderr and proc.stderr.count("error:") == 1, proc.stderr
    print(f"{case}: {float(seconds):.2f}s in main(), {wall:.2f}s with the interpreter")


def test_help_says_the_backend_the_code_chooses():
    from skdl.cli._parser import EPILOG

    assert "else TensorFlow when installed" in EPILOG and "JAX when installed" not in EPILOG


def test_a_train_run_is_quiet_rounds_its_echo_and_writes_files_as_the_umask_says(tmp_path):
    """One real ``skdl train`` in a subprocess with umask 022 (as a shell user has)."""
    out = tmp_path / "run"
    argv = ["-m", "skdl", "train", "--dataset", "iris", "--epochs", "1",
            "--set", "learning_rate=0.0123456789", "--set", "hidden_layer_sizes=[4]", "--out", str(out)]
    proc = subprocess.run([sys.executable, *argv], capture_output=True, text=True, env=_env(),
                          timeout=600, preexec_fn=lambda: os.umask(0o022))
    assert proc.returncode == 0, proc.stderr
    for marker in ("oneDNN", "port.cc", "cudart_stub", "absl::InitializeLog", "cpu_feature_guard", "cuInit"):
        assert marker not in proc.stderr, proc.stderr
    assert "learning_rate=0.01235, hidden_layer_sizes=[4]" in proc.stdout
    for name in ("model.joblib", "report.html", "report.json", "summary.json"):
        mode = stat.S_IMODE((out / name).stat().st_mode)
        assert mode == 0o644, f"{name}: {oct(mode)}"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["files"]["report_json"] == "report.json"
    if summary["backend"] == "tensorflow" and not any(
            os.environ.get(v) for v in ("SKDL_NUM_THREADS", "TF_NUM_INTRAOP_THREADS")):
        assert summary["op_threads"] == 1  # a tabular network trains on one intra-op thread


def test_warnings_are_one_line_each_once_and_convergence_warnings_are_hidden(capsys):
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from skdl.cli._common import install_warning_display
    from skdl.datasets import DataQualityWarning

    with warnings.catch_warnings():
        install_warning_display()
        for _ in range(2):
            warnings.warn("Column 'x' holds numbers, but ...\nsecond line", DataQualityWarning)
            with warnings.catch_warnings():  # libraries do this; it resets Python's registry
                pass
            warnings.warn("fold 0 ran all its epochs", ConvergenceWarning)
    assert capsys.readouterr().err == "skdl: warning: Column 'x' holds numbers, but ...\n"


def test_the_cli_s_scorer_list_is_scikit_learns():
    import sklearn
    from sklearn.metrics import get_scorer_names

    from skdl.cli._scorers import SCORER_NAMES, SCORERS_OF_SKLEARN, scorer_names

    if sklearn.__version__ == SCORERS_OF_SKLEARN:
        assert sorted(SCORER_NAMES) == sorted(get_scorer_names())
    assert sorted(scorer_names()) == sorted(get_scorer_names())
