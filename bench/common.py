"""Small helpers shared by the benchmark rows: databases, settings, a counting transport, stats."""

from __future__ import annotations

import itertools
import os
import platform
import subprocess
import sys
import tempfile
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator

from bot.core.config import Settings
from bot.core.delivery import Outgoing, SentRef

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(round(p / 100 * len(ordered) + 0.5))))
    return ordered[rank - 1]


def settings_for(url: str, **extra: Any) -> Settings:
    """Settings for a bench app: never read a .env file or platform tokens from the environment."""
    values: dict[str, Any] = {"DATABASE_URL": url, "LEERTEAM_LANGUAGE": "nl", "LEERTEAM_TICK_SECONDS": 0,
                              "LEERTEAM_IMAGE_DIR": str(Path(tempfile.gettempdir()) / "leerteam-bench-img")}
    values.update(extra)
    return Settings(_env_file=None, **values)


class CountingTransport:
    """A transport that keeps only counts (the bench sends thousands of messages)."""

    def __init__(self, platform: str = "console") -> None:
        self.platform = platform
        self.sent = 0
        self.errors = 0
        self._ids = itertools.count(1)

    async def send(self, out: Outgoing) -> SentRef:
        self.sent += 1
        if out.is_error:
            self.errors += 1
        return SentRef(out.address.platform, out.address.chat_id or f"dm:{out.address.user_id}",
                       out.address.message_id or str(next(self._ids)))


@dataclass
class Databases:
    """Where a row runs: SQLite always, PostgreSQL when a server could be started (else why not)."""

    workdir: Path
    pg_server: str | None = None
    pg_reason: str | None = None
    pg_settings: str | None = None
    _cluster: Any = None
    _names: itertools.count = field(default_factory=lambda: itertools.count(1))

    def sqlite(self, name: str) -> str:
        path = self.workdir / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"

    def postgres(self, name: str) -> str | None:
        if self.pg_server is None:
            return None
        import psycopg

        db = f"bench_{name}_{next(self._names)}"
        with psycopg.connect(self.pg_server, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {db}")
            conn.execute(f"CREATE DATABASE {db}")
        return self.pg_server.rsplit("/", 1)[0] + f"/{db}"

    def start_postgres(self) -> None:
        """A throw-away cluster from tests/pg.py, but durable: fsync and synchronous commit stay on
        (the tests switch them off for speed), so a commit costs what it costs in production."""
        url = os.environ.get("LEERTEAM_BENCH_POSTGRES_URL")
        if url:
            self.pg_server = url
            self.pg_settings = "an existing server (LEERTEAM_BENCH_POSTGRES_URL)"
            return
        try:
            from tests.pg import PostgresCluster, PostgresUnavailable
        except ImportError as exc:  # pragma: no cover - the tests folder is part of a checkout
            self.pg_reason = f"tests/pg.py not importable: {exc}"
            return

        class DurableCluster(PostgresCluster):
            def start(self) -> str:
                if self.as_user:
                    import shutil

                    shutil.chown(self.base, self.as_user)
                self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
                opts = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.base} -c max_connections=200"
                self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.base / "log"), "-w", "start")
                return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

        try:
            cluster = DurableCluster()
            self.pg_server = cluster.start()
            self.pg_settings = "throw-away cluster, default settings (fsync on, synchronous_commit on)"
            self._cluster = cluster
        except PostgresUnavailable as exc:
            self.pg_reason = str(exc)
        except OSError as exc:
            self.pg_reason = f"could not start PostgreSQL: {exc}"

    def stop(self) -> None:
        if self._cluster is not None:
            self._cluster.stop()
            self._cluster = None


@asynccontextmanager
async def migrated_app(url: str, clock: Any = None, **settings: Any) -> AsyncIterator[Any]:
    from bot.app import Leerteam

    import gc

    from bot.main import freeze_start_up

    app = Leerteam(settings_for(url, **settings), clock=clock)
    try:
        await app.migrate()
        freeze_start_up()  # as bot.main.run does before the bot serves
        yield app
    finally:
        gc.unfreeze()
        await app.close()


def rss_kib() -> tuple[int, int]:
    """(current, peak) resident set size of this process in KiB, from /proc (Linux)."""
    current = peak = 0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                current = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1])
    except OSError:
        import resource

        peak = current = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return current, peak


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        info["nproc"] = int(subprocess.run(["nproc"], capture_output=True, text=True, timeout=5).stdout.strip())
    except (OSError, ValueError, subprocess.SubprocessError):
        info["nproc"] = os.cpu_count()
    try:
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        total = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal:"))
        info["memory_gib"] = round(total / 1024 / 1024, 1)
    except (OSError, StopIteration):
        pass
    try:
        info["free_h"] = subprocess.run(["free", "-h"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        model = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("model name"))
        info["cpu"] = model
    except (OSError, StopIteration):
        pass
    info["executable"] = sys.executable
    return info
