"""Fixtures for the integration tests: a real PostgreSQL server, child-process settings."""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
if HERE not in sys.path:  # for _postgres and the worker script, here and in children
    sys.path.insert(0, HERE)

from _postgres import PostgresServer, install_postgres  # noqa: E402


@pytest.fixture(scope="session")
def postgres_url():
    """SQLAlchemy URL of a database on a PostgreSQL server started for this session.

    Installs the server with ``.ci/install-postgres`` when it is missing and we are
    root with apt; skips, saying why, only when PostgreSQL cannot be had.
    ``SKDL_TEST_POSTGRES_URL`` points the tests at an existing server instead.
    """
    existing = os.environ.get("SKDL_TEST_POSTGRES_URL")
    if existing:
        yield existing
        return
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("the PostgreSQL driver psycopg is not installed: pip install -e '.[dev]'")
    bindir, reason = install_postgres()
    if bindir is None:
        pytest.skip(f"PostgreSQL is not available: {reason}. Install Debian's 'postgresql' "
                    "package (as root: .ci/install-postgres), set SKDL_PG_BINDIR to the "
                    "directory holding initdb, or SKDL_TEST_POSTGRES_URL to a server.")
    with PostgresServer(bindir) as server:
        yield server.url


@pytest.fixture
def child_env():
    """Environment for child processes: import skdl from this checkout, quiet TF,
    one thread each (several workers share the machine's cores)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([REPO, HERE, env.get("PYTHONPATH", "")])
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    env["PYTHONWARNINGS"] = "ignore"
    env.pop("SKDL_TEST_POSTGRES_URL", None)
    return env
