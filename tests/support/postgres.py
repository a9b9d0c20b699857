"""A throw-away PostgreSQL server for the tests: initdb into a temporary folder, started with pg_ctl on
a free loopback port and a unix socket in that folder, stopped and removed at the end.

Each test that runs on PostgreSQL gets a database of its own, copied from a template that already
holds the migrated catalog (a copy takes a few hundredths of a second; migrating, a few tenths).
Durability is switched off (fsync, synchronous_commit): the server lives for one test run.
As root (PostgreSQL refuses to run as root) the server runs as the `postgres` user the Debian
package creates.
"""
from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

TEMPLATE = "olke_template"
SUPERUSER = "olke"


def binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: $OLKE_TEST_PG_BIN, the PATH, or Debian's newest
    /usr/lib/postgresql/<version>/bin."""
    chosen = os.environ.get("OLKE_TEST_PG_BIN")
    if chosen:
        return Path(chosen)
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                      key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return Path(versions[-1]).parent if versions else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="olke-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.user = "postgres" if os.geteuid() == 0 else None
        self._numbers = itertools.count(1)
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)

    def _run(self, *args: str) -> None:
        done = subprocess.run([str(self.bindir / args[0]), *args[1:]], user=self.user, cwd=self.root,
                              capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"{args[0]} failed ({done.returncode}): {done.stderr or done.stdout}")

    def start(self) -> "Server":
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-instructions")
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.root}"
                   " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-o", options, "-w",
                  "-t", "60", "start")
        self.admin(f"CREATE DATABASE {TEMPLATE}")
        from archive.db import connect

        connect(self.url(TEMPLATE)).close()        # the migrations, once
        return self

    def url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@/{database}?host={self.root}&port={self.port}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(host=str(self.root), port=self.port, user=SUPERUSER, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(sql)

    def new_database(self, copy_of: str | None = None) -> str:
        """A fresh, migrated, empty catalog database (or a copy of the one at URL ``copy_of``); its URL."""
        name = f"olke_{os.getpid()}_{next(self._numbers)}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE {self.name(copy_of) if copy_of else TEMPLATE}")
        return self.url(name)

    @staticmethod
    def name(url: str) -> str:
        return url.split("/")[3].split("?")[0]

    def drop(self, url: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {self.name(url)} WITH (FORCE)")

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
