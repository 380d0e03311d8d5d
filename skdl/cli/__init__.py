"""The ``skdl`` command line: a thin layer over skdl's public API.

``skdl tune``, ``skdl train``, ``skdl report``, ``skdl predict`` and
``skdl datasets`` (also ``python -m skdl``). See docs/cli.md.

:func:`main` returns the exit status instead of calling ``sys.exit``, so it
can be called in-process (tests, notebooks); the console script passes the
status to ``sys.exit``. Importing this package imports only the standard
library: each command imports what it needs when it runs.

Exit status: 0 success; 1 a problem with the data, a file or the run, told in
one line on stderr; 2 a bad command line; 130 interrupted with Ctrl-C.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import warnings

__all__ = ["main"]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def select_backend() -> str | None:
    """Choose the Keras backend for this process before Keras is imported.

    The CLI owns its process, so it runs on the backend that is fastest for
    its work: a search builds a new network for nearly every trial, and
    TensorFlow traces a new network several times faster than JAX compiles one
    (6 digits trials: 1m26s on TensorFlow, 3m34s on JAX), while JAX only wins
    once one network is refitted many times. So TensorFlow when installed,
    else JAX. A backend the user set in ``KERAS_BACKEND`` is honoured. Returns
    the name chosen (None: Keras's default).
    """
    chosen = os.environ.get("KERAS_BACKEND")
    if chosen:
        return chosen
    if "keras" in sys.modules:  # too late to choose (in-process use after Keras)
        return None
    for backend in ("tensorflow", "jax"):
        if importlib.util.find_spec(backend) is not None:
            os.environ["KERAS_BACKEND"] = backend
            return backend
    return None


# What TensorFlow's C++ runtime prints to stderr while it loads, before absl
# logging is initialised (so TF_CPP_MIN_LOG_LEVEL cannot silence it): start-up
# notices, not problems.
_STARTUP_NOISE = (
    "All log messages before absl::InitializeLog() is called",
    "cudart_stub.cc",
    "cpu_feature_guard.cc",
    "To enable the following instructions",
    "rebuild TensorFlow with the appropriate compiler flags",
    # device discovery on a machine without a CUDA driver (TensorFlow then runs
    # on the CPU, which the command's summary names)
    "failed call to cuInit",
)


def import_backend_quietly() -> None:
    """Import Keras and its backend with TensorFlow's start-up notices filtered out.

    TensorFlow's native libraries write lines such as "Could not find cuda
    drivers on your machine" straight to file descriptor 2 while they load and
    discover devices. The CLI owns its process, so it captures that descriptor
    during the import and a first operation, and writes back every line that
    is not one of those notices. Where stderr has no descriptor (an in-process
    caller's stream), Keras is imported as is.
    """
    if "keras" in sys.modules:
        return
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        fd = None
    from skdl.training.runtime import get_keras  # sets TF's log level and thread budget

    if fd is None:
        get_keras()
        return
    import tempfile

    sys.stderr.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), fd)
        try:
            get_keras().ops.zeros(())  # the first operation discovers the devices
        finally:
            sys.stderr.flush()
            os.dup2(saved, fd)
            os.close(saved)
            captured.seek(0)
            kept = without_startup_noise(captured.read().decode("utf-8", errors="replace"))
            if kept:
                sys.stderr.write(kept)
                sys.stderr.flush()


def without_startup_noise(text: str) -> str:
    """``text`` without TensorFlow's start-up notices (and blank lines)."""
    return "".join(line for line in text.splitlines(keepends=True)
                   if line.strip() and not any(n in line for n in _STARTUP_NOISE))


def _error_line(prog: str, exc: BaseException) -> str:
    from skdl.cli._common import describe_error

    return f"{prog}: error: {describe_error(exc)}"


def main(argv: list[str] | None = None) -> int:
    """Run the ``skdl`` command line.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments after ``skdl``; None reads ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 on success, 1 on an error in the data, a file or the run (one line
        on stderr names the problem), 2 on a bad command line, 130 when
        interrupted.

    Examples
    --------
    >>> from skdl.cli import main
    >>> main(["datasets"])  # doctest: +SKIP
    0
    """
    from skdl.cli._parser import build_parser

    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version or a usage error
        code = exc.code
        return code if isinstance(code, int) else (EXIT_OK if code is None else EXIT_USAGE)
    if args.command is None:
        parser.print_usage(sys.stderr)
        print("skdl: error: a command is required: tune, train, report, predict or datasets "
              "(see 'skdl --help')", file=sys.stderr)
        return EXIT_USAGE
    args.argv = argv
    args.requested_backend = select_backend()
    prog = f"skdl {args.command}"
    module_name, _, func_name = args.handler.partition(":")
    with warnings.catch_warnings():
        from skdl.cli._common import install_warning_display

        install_warning_display()
        try:
            if args.command in ("tune", "train", "predict"):
                import_backend_quietly()
            handler = getattr(importlib.import_module(module_name), func_name)
            return int(handler(args) or EXIT_OK)
        except KeyboardInterrupt:
            print(f"\n{prog}: interrupted.", file=sys.stderr)
            return EXIT_INTERRUPTED
        except Exception as exc:  # every error becomes one line, unless --traceback
            if args.traceback:
                raise
            print(_error_line(prog, exc), file=sys.stderr)
            return EXIT_ERROR
