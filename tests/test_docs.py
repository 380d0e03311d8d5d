"""The documentation runs: examples, the quickstart's code and the API reference.

* every ``docs/examples/*.py`` runs in a subprocess (``SKDL_EXAMPLE_FAST=1``,
  a temporary output directory), exits 0 and writes the files it promises;
* the Python blocks of ``docs/quickstart.md`` run, in order, as one script;
* the Sphinx API reference in ``docs/api`` builds with ``-W`` (warnings are
  errors), and lists every public name of the packages it documents.

The subprocesses are started together by one module-scoped fixture and each
test waits for its own: most of their time is importing TensorFlow and
compiling, so running them side by side keeps the file near the time of the
slowest one instead of the sum.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = sorted((DOCS / "examples").glob("*.py"))
QUICKSTART = DOCS / "quickstart.md"
API = DOCS / "api"
TIMEOUT = 900  # seconds per subprocess; a shared CI machine can be very slow

#: the files each example must write into its output directory
EXPECTED = {
    "plot_iris_mlp.py": ["iris_confusion.png", "iris_roc.png"],
    "plot_digits_cnn.py": ["digits_cnn_learning_curves.png", "digits_cnn_confusion.png"],
    "plot_regression.py": ["diabetes_regression.png", "diabetes_history.png"],
    "plot_optuna_search.py": ["search_report.html", "search_intermediate.png"],
}

#: API page -> modules whose whole ``__all__`` the page must document
API_PAGES = {
    "architectures.rst": ["skdl.architectures"],
    "tuning.rst": ["skdl.tuning"],
    "reporting.rst": ["skdl.reporting"],
    "datasets.rst": ["skdl.datasets"],
    "exceptions.rst": ["skdl.exceptions"],
    "training.rst": ["skdl.training.schedules", "skdl.training.loop", "skdl.training.callbacks",
                     "skdl.training.runtime"],
    "estimators.rst": ["skdl.estimators"],
}


def _has_sphinx() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("sphinx", "numpydoc"))


def python_blocks(markdown: str) -> list[str]:
    """The fenced ```python blocks of a Markdown text, in order."""
    return re.findall(r"^```python\n(.*?)^```", markdown, flags=re.S | re.M)


def _env() -> dict:
    env = dict(os.environ)
    env["SKDL_EXAMPLE_FAST"] = "1"
    env["MPLBACKEND"] = "Agg"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


class _Run:
    """A started subprocess with its log file and output directory."""

    def __init__(self, name: str, cmd: list[str], cwd: Path, out_dir: Path):
        self.name = name
        self.out_dir = out_dir
        self.log = cwd / f"{name}.log"
        self._fh = open(self.log, "w")
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=_env(), stdout=self._fh,
                                     stderr=subprocess.STDOUT)

    def wait(self) -> int:
        try:
            code = self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            code = "timeout"
        finally:
            self._fh.close()
        return code

    def output(self) -> str:
        text = self.log.read_text(errors="replace")
        return text[-6000:]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Start every example, the quickstart and the Sphinx build at once."""
    base = tmp_path_factory.mktemp("docs")
    started: dict[str, _Run] = {}
    try:
        for script in EXAMPLES:
            out = base / script.stem
            started[script.name] = _Run(script.stem, [sys.executable, str(script), str(out)],
                                        base, out)
        qs_dir = base / "quickstart"
        qs_dir.mkdir()
        qs_script = qs_dir / "quickstart.py"
        qs_script.write_text("\n".join(python_blocks(QUICKSTART.read_text())))
        started["quickstart"] = _Run("quickstart", [sys.executable, str(qs_script)], qs_dir, qs_dir)
        if _has_sphinx():
            html = base / "api-html"
            cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                   "-d", str(base / "doctrees"), str(API), str(html)]
            started["sphinx"] = _Run("sphinx", cmd, base, html)
        yield started
    finally:
        for run in started.values():
            if run.proc.poll() is None:
                run.proc.kill()
                run.proc.wait()
            run._fh.close()


def test_every_example_is_checked():
    assert EXAMPLES, "docs/examples holds no scripts"
    assert sorted(p.name for p in EXAMPLES) == sorted(EXPECTED)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs_and_writes_its_files(runs, name):
    run = runs[name]
    code = run.wait()
    assert code == 0, f"{name} exited with {code}:\n{run.output()}"
    missing = [f for f in EXPECTED[name] if not (run.out_dir / f).is_file()]
    assert not missing, f"{name} did not write {missing}:\n{run.output()}"
    for f in EXPECTED[name]:
        assert (run.out_dir / f).stat().st_size > 1000, f"{name}: {f} is (nearly) empty"


def test_quickstart_has_python_blocks():
    blocks = python_blocks(QUICKSTART.read_text())
    assert len(blocks) >= 4
    joined = "\n".join(blocks)
    for needed in ("cross_val_score", "GridSearchCV", "optimizer__momentum", "OptunaSearchCV",
                   "default_space", "pruner", "make_report"):
        assert needed in joined, f"the quickstart's code no longer shows {needed}"


@pytest.mark.slow
def test_quickstart_code_runs(runs):
    run = runs["quickstart"]
    code = run.wait()
    assert code == 0, f"the quickstart's Python blocks failed ({code}):\n{run.output()}"
    assert "report written to" in run.log.read_text()


@pytest.mark.slow
def test_sphinx_api_reference_builds_without_warnings(runs):
    if "sphinx" not in runs:
        pytest.skip("sphinx and numpydoc are not installed: pip install 'sphinx>=8' "
                    "'numpydoc>=1.8' (the [dev] extra should list them)")
    run = runs["sphinx"]
    code = run.wait()
    assert code == 0, f"sphinx -W failed ({code}):\n{run.output()}"
    for page in ["index", "cli", *(p[: -len(".rst")] for p in API_PAGES)]:
        assert (run.out_dir / f"{page}.html").is_file(), f"{page}.html was not built"


@pytest.mark.parametrize("page", sorted(API_PAGES))
def test_api_pages_list_every_public_name(page):
    text = (API / page).read_text()
    documented = set(re.findall(r"^\.\. auto(?:class|function|data|exception):: (\w+)", text,
                                flags=re.M))
    for module_name in API_PAGES[page]:
        public = set(importlib.import_module(module_name).__all__)
        missing = sorted(public - documented)
        assert not missing, f"docs/api/{page} does not document {module_name}.{missing}"
