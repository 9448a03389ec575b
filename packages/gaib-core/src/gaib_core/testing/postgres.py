"""A throwaway PostgreSQL server for tests and benchmarks (Debian's ``postgresql`` package).

PostgreSQL refuses to run as root, so as root the cluster is created and run as the ``postgres``
user (through ``runuser``); as anyone else, as that user. It lives in a temporary folder, listens
on a free loopback port (and a socket in that folder), trusts local connections, and is stopped
and deleted at the end.

In Python::

    with PostgresCluster() as cluster:
        url = cluster.create_database("mydb")   # postgresql://postgres@127.0.0.1:PORT/mydb

As a pytest plugin (``pytest_plugins = ["gaib_core.testing.postgres"]``, enabled for the whole
repository in the root ``conftest.py``):

- ``postgres_cluster`` (session): one :class:`PostgresCluster` for the run;
- ``postgres_url`` (function): a fresh, empty database on it, as a ``postgresql://`` URL.

Without PostgreSQL's binaries the fixtures skip, except under ``CI=true``, where they fail
(``make test`` installs the package through ``scripts/install-system-packages.sh``).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

#: Settings that make a throwaway cluster fast (nothing to keep: no fsync).
FAST_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}
SUPERUSER = "postgres"


class PostgresUnavailable(RuntimeError):
    """PostgreSQL's server binaries (or the ``postgres`` user, as root) are not installed."""


def find_bindir() -> Path:
    """The folder with ``initdb`` and ``pg_ctl``: Debian's newest ``/usr/lib/postgresql/N/bin``,
    else wherever ``PATH`` has ``initdb``."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name or 0)
    )
    for folder in reversed(candidates):
        if (Path(folder) / "initdb").exists():
            return Path(folder)
    initdb = shutil.which("initdb")
    if initdb is not None:
        return Path(os.path.realpath(initdb)).parent
    raise PostgresUnavailable(
        "PostgreSQL is not installed (no initdb): run `bash scripts/install-system-packages.sh` "
        "as root, or `apt-get install postgresql`"
    )


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresCluster:
    """A temporary PostgreSQL cluster on 127.0.0.1 (see the module docstring).

    :param settings: ``postgres -c`` settings; :data:`FAST_SETTINGS` by default (pass ``{}`` for
        a durable server, e.g. to benchmark with fsync on).
    """

    def __init__(self, settings: dict[str, str] | None = None) -> None:
        self.bindir = find_bindir()
        self.settings = FAST_SETTINGS if settings is None else settings
        self.port = 0
        self.root: Path | None = None
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres and shutil.which("runuser") is None:
            raise PostgresUnavailable(
                "running as root needs `runuser` (util-linux) to start PostgreSQL"
            )

    @property
    def host(self) -> str:
        """The address it listens on."""
        return "127.0.0.1"

    def url(self, database: str = "postgres") -> str:
        """``postgresql://postgres@127.0.0.1:PORT/<database>``."""
        return f"postgresql://{SUPERUSER}@{self.host}:{self.port}/{database}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", SUPERUSER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(
                f"{args[0]} failed ({done.returncode}): {(done.stderr or done.stdout).strip()}"
            )
        return done

    def start(self) -> PostgresCluster:
        """initdb into a temporary folder and start the server (waits until it accepts)."""
        self.root = Path(tempfile.mkdtemp(prefix="gaib-postgres-"))
        if self._as_postgres:
            import pwd

            try:
                user = pwd.getpwnam(SUPERUSER)
            except KeyError:
                raise PostgresUnavailable(
                    "there is no 'postgres' user to run PostgreSQL as: apt-get install postgresql"
                ) from None
            os.chown(self.root, user.pw_uid, user.pw_gid)
        data, log = self.root / "data", self.root / "server.log"
        self._run(
            "initdb", "-D", str(data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
            "--locale=C", "--no-sync",
        )  # fmt: skip
        options = [f"-h {self.host}", f"-k {self.root}"]
        options += [f"-c {name}={value}" for name, value in self.settings.items()]
        for _ in range(5):  # the free port may be taken between picking and binding it
            self.port = free_port()
            try:
                self._run(
                    "pg_ctl", "-D", str(data), "-l", str(log), "-w", "-t", "60",
                    "-o", " ".join([*options, f"-p {self.port}"]), "start",
                )  # fmt: skip
                return self
            except RuntimeError:
                if "could not bind" not in log.read_text(errors="replace"):
                    raise
        raise RuntimeError(f"PostgreSQL did not start: see {log}")

    def create_database(self, name: str | None = None) -> str:
        """Create a database (random name by default) and return its URL."""
        name = name or f"test_{uuid.uuid4().hex[:12]}"
        self._run("createdb", "-h", self.host, "-p", str(self.port), "-U", SUPERUSER, name)
        return self.url(name)

    def stop(self) -> None:
        """Stop the server and delete its folder."""
        if self.root is None:
            return
        # RuntimeError: not running (it never started, or died), so nothing to stop.
        with contextlib.suppress(RuntimeError):
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def __enter__(self) -> PostgresCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _missing(reason: str) -> NoReturn:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (required under CI=true)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A throwaway PostgreSQL server on loopback for the whole test session."""
    try:
        cluster = PostgresCluster()
    except PostgresUnavailable as exc:
        _missing(str(exc))
    with cluster:
        yield cluster


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> str:
    """A fresh, empty database on the session's server, as a ``postgresql://`` URL."""
    return postgres_cluster.create_database()
