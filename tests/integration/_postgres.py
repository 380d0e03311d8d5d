"""A throw-away PostgreSQL server on loopback, for tests that need a real database.

:class:`PostgresServer` runs Debian's ``initdb``/``postgres`` binaries on a data
directory in a fresh temporary directory, listens on ``127.0.0.1`` on a free
port, creates one database and gives its SQLAlchemy URL
(``postgresql+psycopg://skdl@127.0.0.1:PORT/skdl_test``). PostgreSQL refuses to
run as root, so under root the server runs as an unprivileged user: Debian's
``postgres`` user when the package created it, else a system user ``skdlpg``
created here, else ``nobody``.

:func:`find_bindir` looks for the binaries (``$SKDL_PG_BINDIR``, ``PATH``,
``/usr/lib/postgresql/<version>/bin``); :func:`install_postgres` runs
``.ci/install-postgres`` (apt, as root) when they are missing. Callers skip with
the reason either returns when PostgreSQL cannot be had; a server that is
installed but does not start is an error, not a skip.

Set ``SKDL_TEST_POSTGRES_URL`` to use an existing server instead (e.g. a CI
service container); the tests then create and drop their own studies in it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
INSTALL_SCRIPT = REPO / ".ci" / "install-postgres"
INSTALL_TIMEOUT = 600  # seconds; apt-get update + install takes 1-3 minutes
USER = "skdl"  # database superuser created by initdb
DATABASE = "skdl_test"
_OS_USER = "skdlpg"


def _version_key(path: str) -> tuple:
    return tuple(int(p) for p in re.findall(r"\d+", path))


def find_bindir() -> Path | None:
    """Directory holding ``initdb`` and ``postgres``, or None."""
    candidates = []
    if os.environ.get("SKDL_PG_BINDIR"):
        candidates.append(os.environ["SKDL_PG_BINDIR"])
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(os.path.dirname(on_path))
    # Debian keeps the server binaries off PATH; prefer the newest version
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    for directory in candidates:
        d = Path(directory)
        if (d / "initdb").is_file() and (d / "postgres").is_file():
            return d
    return None


def install_postgres(timeout: float = INSTALL_TIMEOUT) -> tuple[Path | None, str]:
    """Install the server with ``.ci/install-postgres`` when allowed.

    Returns
    -------
    bindir : Path or None
    reason : str
        Why there are no binaries (empty when ``bindir`` is found).
    """
    found = find_bindir()
    if found is not None:
        return found, ""
    if os.geteuid() != 0:
        return None, "initdb/postgres not found and not running as root to install them"
    if shutil.which("apt-get") is None:
        return None, "initdb/postgres not found and there is no apt-get to install them"
    if not INSTALL_SCRIPT.is_file():
        return None, f"initdb/postgres not found and {INSTALL_SCRIPT} is missing"
    try:
        proc = subprocess.run(["bash", str(INSTALL_SCRIPT)], capture_output=True, text=True,
                              timeout=timeout)
        output = (proc.stdout + proc.stderr).strip()
    except subprocess.TimeoutExpired:
        return None, f"installing PostgreSQL with {INSTALL_SCRIPT} took over {timeout:.0f}s"
    found = find_bindir()
    if found is None:
        last = output.splitlines()[-1] if output else "no output"
        return None, f"{INSTALL_SCRIPT.name} could not install PostgreSQL ({last})"
    return found, ""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _unprivileged_user() -> pwd.struct_passwd:
    """An OS user to run the server as when we are root."""
    for name in ("postgres", _OS_USER):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    if shutil.which("useradd"):
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        _OS_USER], capture_output=True)
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(_OS_USER)
    return pwd.getpwnam("nobody")


class PostgresServer:
    """One PostgreSQL server in a temporary directory; use as a context manager.

    Parameters
    ----------
    bindir : Path
        Directory with ``initdb`` and ``postgres``.
    start_timeout : float, default=60
        Seconds to wait for the server to accept connections.

    Attributes
    ----------
    url : str
        SQLAlchemy URL of the database (``postgresql+psycopg://...``).
    port : int
    root : Path
        Temporary directory with ``data/``, the socket and ``server.log``.
    """

    def __init__(self, bindir: Path, *, start_timeout: float = 60.0) -> None:
        self.bindir = Path(bindir)
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen | None = None
        self.root: Path | None = None
        self.port = 0
        self.url = ""

    # -- running commands as the server's user
    def _user_kwargs(self) -> dict:
        if os.geteuid() != 0:
            return {}
        user = self._os_user
        return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}

    def _env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(HOME=str(self.root), LC_ALL="C", LANG="C")
        return env

    def _run(self, *args: str) -> None:
        proc = subprocess.run([str(self.bindir / args[0]), *args[1:]], cwd=self.root,
                              env=self._env(), capture_output=True, text=True, timeout=120,
                              **self._user_kwargs())
        if proc.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")

    @property
    def log(self) -> str:
        path = self.root / "server.log" if self.root else None
        return path.read_text(errors="replace") if path and path.exists() else ""

    def start(self) -> PostgresServer:
        self.root = Path(tempfile.mkdtemp(prefix="skdl-pg-"))
        if os.geteuid() == 0:
            self._os_user = _unprivileged_user()
            os.chown(self.root, self._os_user.pw_uid, self._os_user.pw_gid)
        data = self.root / "data"
        self._run("initdb", "-D", str(data), "-U", USER, "--auth=trust", "--encoding=UTF8",
                  "--locale=C", "--no-sync")
        self.port = _free_port()
        log = open(self.root / "server.log", "ab")  # noqa: SIM115 - closed in stop()
        self._logfile = log
        self.proc = subprocess.Popen(
            [str(self.bindir / "postgres"), "-D", str(data), "-k", str(self.root),
             "-h", "127.0.0.1", "-p", str(self.port),
             # a test database: durability is not needed, speed is
             "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
             "-c", "max_connections=200"],
            cwd=self.root, env=self._env(), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, **self._user_kwargs(),
        )
        self._wait_ready()
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=USER, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        self.url = f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{DATABASE}"
        return self

    def _wait_ready(self) -> None:
        import psycopg

        deadline = time.monotonic() + self.start_timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"postgres exited with {self.proc.returncode}:\n{self.log}")
            try:
                psycopg.connect(host="127.0.0.1", port=self.port, user=USER, dbname="postgres",
                                connect_timeout=2).close()
                return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"postgres did not accept connections within {self.start_timeout:.0f}s "
                        f"({exc}):\n{self.log}"
                    ) from None
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # "fast" shutdown: disconnect clients
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.proc = None
        if getattr(self, "_logfile", None) is not None:
            self._logfile.close()
            self._logfile = None
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self) -> PostgresServer:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()
