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

import contextlib
import importlib
import importlib.util
import os
import re
import sys
import warnings

__all__ = ["main"]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def select_backend() -> str | None:
    """Choose the Keras backend for this process before Keras is imported.

    TensorFlow when installed (what ``pip install skdl`` brings, and the
    faster one wherever each trial builds a new network, e.g. CNN searches),
    else JAX. MLP searches share compiled graphs across trials and run faster
    on JAX (docs/cli.md); a backend the user set in ``KERAS_BACKEND`` is
    honoured. Returns the name chosen (None: Keras's default).
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


#: Environment variables through which a user sizes TensorFlow's op threads.
THREAD_SETTINGS = ("SKDL_NUM_THREADS", "TF_NUM_INTRAOP_THREADS")


def use_one_op_thread(args) -> bool:
    """For ``tune`` and ``train`` of a tabular network on TensorFlow: one intra-op thread.

    A tabular network's ops are small matrix products (a 32-row batch through
    layers of at most a few hundred units), which TensorFlow's default of one
    intra-op thread per core splits across threads that then wait for each
    other: on 2 cores the 20-trial digits search of
    ``benchmarks/bench_search.py`` took 31.5 s with one thread against
    39-41 s with TensorFlow's default, and the 50 000 x 100 cross-validation
    of ``bench_synthetic.py`` 4.72 s against 5.48 s. Convolutions are large
    enough to gain from the threads (a CNN fit took 6.4 s with one against
    4.7-5.1 s), so image models keep TensorFlow's default, and so does JAX
    (its search time did not change). Must run before TensorFlow starts;
    ``SKDL_NUM_THREADS`` or ``TF_NUM_INTRAOP_THREADS`` set by the user wins
    (docs/cli.md, "Threads"). Returns whether it applied.
    """
    if getattr(args, "command", None) not in ("tune", "train"):
        return False
    if os.environ.get("KERAS_BACKEND") != "tensorflow" or "tensorflow" in sys.modules:
        return False
    if any(os.environ.get(name) for name in THREAD_SETTINGS):
        return False
    from skdl.architectures import list_architectures

    model = str(getattr(args, "model", "") or "").strip().lower()
    if model not in list_architectures("tabular"):
        return False
    os.environ["SKDL_NUM_THREADS"] = "1"
    return True


def use_jax_compilation_cache() -> str | None:
    """On JAX, keep compiled programs in a user cache directory across runs.

    A search compiles one program per new architecture (seconds each on JAX);
    resuming a study, or running the same command again, meets the same
    architectures, which the persistent cache then loads instead of compiling.
    ``$XDG_CACHE_HOME/skdl/jax`` (default ``~/.cache/skdl/jax``); a
    ``JAX_COMPILATION_CACHE_DIR`` the user set is honoured (empty disables it).
    Only before JAX is imported, and only for the CLI, which owns its process.
    Returns the directory used, or None.
    """
    if os.environ.get("KERAS_BACKEND") != "jax" or "jax" in sys.modules:
        return None
    if "JAX_COMPILATION_CACHE_DIR" in os.environ:
        return os.environ["JAX_COMPILATION_CACHE_DIR"] or None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = os.path.join(base, "skdl", "jax")
    os.environ["JAX_COMPILATION_CACHE_DIR"] = path
    # the default threshold (1 s) would skip most of a small network's programs
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0.1")
    return path


# Notices whose first characters are not absl's "I0000 " prefix.
_NOTICE_STARTS = ("WARNING: All log messages", "To enable the following")


class filtered_stderr:
    """Filter TensorFlow's start-up notices out of file descriptor 2 while active.

    TensorFlow's native libraries write lines such as "oneDNN custom
    operations are on" or "Could not find cuda drivers on your machine"
    straight to file descriptor 2, before absl logging is initialised (so
    ``TF_CPP_MIN_LOG_LEVEL`` cannot silence them), and not only while
    TensorFlow is imported: a second library loaded at the first fit prints
    the oneDNN notice again, and worker processes of ``tune --workers``
    (which inherit the descriptor) print their own. The CLI owns its process,
    so for the whole command the descriptor is a pipe read by a thread that
    writes every other byte back at once (progress bars included) and drops
    the lines :func:`without_startup_noise` names (the library's
    :data:`skdl.training.runtime.STARTUP_NOISE`). Where stderr has no
    descriptor (an in-process caller's stream) nothing is changed. Nested
    uses are no-ops.
    """

    _active = False

    def __init__(self) -> None:
        self._fd = None

    def __enter__(self) -> "filtered_stderr":
        if filtered_stderr._active:
            return self
        try:
            fd = sys.stderr.fileno()
        except (AttributeError, OSError, ValueError):
            return self
        import threading

        # resolved here, not in the thread (an import there could wait on a
        # lock the main thread holds while it writes to a full pipe)
        from skdl.training.runtime import STARTUP_NOISE

        self._noise = STARTUP_NOISE
        sys.stderr.flush()
        self._fd, self._saved = fd, os.dup(fd)
        read_end, write_end = os.pipe()
        os.dup2(write_end, fd)
        os.close(write_end)
        self._read_end = read_end
        self._thread = threading.Thread(target=self._pump, name="skdl-stderr-filter", daemon=True)
        self._thread.start()
        filtered_stderr._active = True
        return self

    def _pump(self) -> None:
        pending = b""
        while True:
            try:
                chunk = os.read(self._read_end, 1 << 16)
            except OSError:
                chunk = b""
            if chunk:
                pending += chunk
            # Complete lines are filtered; a partial line is written at once
            # unless it may be the start of a notice (progress bars redraw
            # with "\r" and no newline, and must not wait).
            cut = pending.rfind(b"\n") + 1
            text, pending = pending[:cut], pending[cut:]
            if pending and (not chunk or not _may_be_notice(pending)):
                text, pending = text + pending, b""
            if text:
                kept = "".join(line for line in text.decode("utf-8", errors="replace").splitlines(True)
                               if not any(n in line for n in self._noise))
                if kept:
                    try:
                        os.write(self._saved, kept.encode("utf-8"))
                    except OSError:
                        pass
            if not chunk:
                return

    def __exit__(self, *exc) -> None:
        if self._fd is None:
            return
        try:
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        os.dup2(self._saved, self._fd)  # closes this process's write end of the pipe
        self._thread.join(timeout=5)  # EOF once children holding it have exited
        os.close(self._read_end)
        os.close(self._saved)
        self._fd = None
        filtered_stderr._active = False


def _may_be_notice(partial: bytes) -> bool:
    """Whether an unfinished line could still become a TensorFlow notice."""
    head = partial.decode("utf-8", errors="replace")
    if re.match(r"[IWEF](\d{0,3}$|\d{4})", head):  # absl's "I0000 00:00:..." prefix
        return True
    return any(start.startswith(head) or head.startswith(start) for start in _NOTICE_STARTS)


def import_backend_quietly() -> None:
    """Import Keras and its backend with TensorFlow's start-up notices filtered out.

    See :class:`filtered_stderr`; the first operation is run as well, since
    it discovers the devices (and prints about CUDA).
    """
    if "keras" in sys.modules:
        return
    from skdl.training.runtime import get_keras  # sets TF's log level and thread budget

    with filtered_stderr():
        get_keras().ops.zeros(())


def without_startup_noise(text: str, *, keep_blank: bool = False) -> str:
    """``text`` without TensorFlow's start-up notices (and blank lines, unless ``keep_blank``).

    The notices are :data:`skdl.training.runtime.STARTUP_NOISE`, the list the
    library's quiet Keras import uses too.
    """
    from skdl.training.runtime import STARTUP_NOISE

    return "".join(line for line in text.splitlines(keepends=True)
                   if (keep_blank or line.strip()) and not any(n in line for n in STARTUP_NOISE))


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
    use_one_op_thread(args)
    use_jax_compilation_cache()
    prog = f"skdl {args.command}"
    module_name, _, func_name = args.handler.partition(":")
    with warnings.catch_warnings():
        from skdl.cli._common import install_warning_display

        install_warning_display()
        try:
            # Keras is imported by the command once its arguments, files and
            # columns are checked (a typo is reported in a second, not after
            # TensorFlow's 5 s start-up); its native notices are filtered out.
            with filtered_stderr() if args.command in ("tune", "train", "predict", "report") \
                    else contextlib.nullcontext():
                handler = getattr(importlib.import_module(module_name), func_name)
                return int(handler(args) or EXIT_OK)
        except KeyboardInterrupt:
            print(f"\n{prog}: interrupted.", file=sys.stderr)
            return EXIT_INTERRUPTED
        except Exception as exc:  # every error becomes one line, unless --traceback
            if args.traceback:
                raise
            from skdl.cli._common import UsageError

            if isinstance(exc, UsageError):  # a bad command line, as argparse reports one
                print(f"{_error_line(prog, exc)} (see '{prog} --help')", file=sys.stderr)
                return EXIT_USAGE
            print(_error_line(prog, exc), file=sys.stderr)
            return EXIT_ERROR
