"""The README's two set-up commands stay true: CI runs the test one verbatim,
and the main job's flags are ones the CLI accepts."""

import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bash_blocks():
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```bash\n(.*?)\n```", text, flags=re.S)


def test_ci_runs_the_readme_test_command_verbatim():
    blocks = _bash_blocks()
    test_cmd = next(b for b in blocks if "pytest" in b).strip()
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_cmd in ci, f"{test_cmd!r} is not a line of .ci/run"


def test_main_command_is_accepted_by_the_cli_parser():
    from skdl.cli._parser import build_parser

    main_cmd = next(b for b in _bash_blocks() if "skdl tune" in b).strip()
    install, _, run = main_cmd.partition("&&")
    assert "pip install" in install
    args = shlex.split(run)
    assert args[0] == "skdl"
    ns = build_parser().parse_args(args[1:])
    assert ns.command == "tune"
