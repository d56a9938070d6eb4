"""A throw-away PostgreSQL cluster for the tests.

pytest-postgresql would start one too, but it calls ``initdb`` as the current user and
PostgreSQL refuses to run as root — which is exactly how CI runs. This helper starts the
server under the ``postgres`` system user when it is root (Debian's package creates that user),
listens on 127.0.0.1 only, and removes everything afterwards. Set ``LEERTEAM_TEST_POSTGRES_URL``
to use a server you already run instead.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    pass


def _bin_dir() -> Path:
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if candidates:
        return Path(candidates[-1]).parent
    raise PostgresUnavailable("PostgreSQL server programs (pg_ctl, initdb) not found; install Debian's postgresql")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresCluster:
    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.as_user: str | None = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError as exc:
                raise PostgresUnavailable("running as root and there is no 'postgres' user to run the server") from exc
            self.as_user = "postgres"
        self.base = Path(tempfile.mkdtemp(prefix="leerteam-pg-"))
        self.data = self.base / "data"
        self.port = _free_port()

    def _run(self, *args: str) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.as_user:
            cmd = ["runuser", "-u", self.as_user, "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise PostgresUnavailable(f"{' '.join(args[:2])} failed: {result.stderr.strip() or result.stdout.strip()}")

    def start(self) -> str:
        if self.as_user:
            shutil.chown(self.base, self.as_user)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        opts = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.base} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.base / "log"), "-w", "start")
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except PostgresUnavailable:
            pass
        shutil.rmtree(self.base, ignore_errors=True)
