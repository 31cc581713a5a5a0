"""A throw-away PostgreSQL server for the tests: initdb into a temporary folder, start
it on a free loopback port, and stop it at the end.

PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` user
the Debian package creates, with its folder owned by that user.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import attrs
import psycopg

#: Where Debian puts the server's programs; CLUSTERKIT_PG_BIN overrides it.
DEFAULT_BIN = Path("/usr/lib/postgresql/15/bin")


def bin_dir() -> Path:
    return Path(os.environ.get("CLUSTERKIT_PG_BIN", str(DEFAULT_BIN)))


def missing() -> str | None:
    """Why a server cannot be started here, or None."""
    where = bin_dir()
    for program in ("initdb", "pg_ctl", "postgres"):
        if not (where / program).is_file():
            return (
                f"PostgreSQL server programs not found in {where} (install the Debian "
                "package postgresql-15, or set CLUSTERKIT_PG_BIN)"
            )
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run the server as"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@attrs.define
class Server:
    """A running server and a way to get a fresh, empty store URL on it."""

    port: int
    database: str = "clusterkit_test"
    _schemas: Iterator[int] = attrs.field(factory=lambda: itertools.count(1))

    def url(self, database: str | None = None, schema: str | None = None) -> str:
        base = f"postgresql://postgres@127.0.0.1:{self.port}/{database or self.database}"
        return f"{base}?options=-csearch_path%3D{schema}" if schema else base

    def fresh_url(self) -> str:
        """A URL whose search path is a new, empty schema: one store per test."""
        name = f"t{next(self._schemas)}"
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f"CREATE SCHEMA {name}")
        return self.url(schema=name)


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextlib.contextmanager
def running() -> Iterator[Server]:
    """Start a server for the block; stop it and remove its files afterwards."""
    where = bin_dir()
    # Not under pytest's tmp folder (nor a private TMPDIR): the server's user must be
    # able to reach it, and the socket's path must stay short.
    root = os.geteuid() == 0
    folder = Path(tempfile.mkdtemp(prefix="clusterkit-pg-", dir="/tmp" if root else None))
    if root:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    data, log = folder / "data", folder / "server.log"
    port = _free_port()

    def run(*command: str) -> None:
        done = subprocess.run(
            _as_server_user(list(command)), capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}{tail}")

    try:
        run(
            str(where / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=60"
        run(str(where / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start")
        server = Server(port)
        with psycopg.connect(server.url("postgres"), autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {server.database}")
        # B-tree checks for the kill tests, where the contrib modules are installed.
        with (
            psycopg.connect(server.url(), autocommit=True) as connection,
            contextlib.suppress(psycopg.Error),
        ):
            connection.execute("CREATE EXTENSION amcheck")
        yield server
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_server_user(
                    [str(where / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
                ),
                capture_output=True,
                check=False,
            )
        shutil.rmtree(folder, ignore_errors=True)
