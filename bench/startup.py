"""Row 4 — start-up: how long until the console accepts input, against the bare interpreter.

``python -m bot`` (no platform token: the console) is started on a pseudo-terminal, as a
teacher trying Leerteam would start it, and timed until its prompt (such as ``gast@dm> ``) appears: that
includes reading the settings, loading the catalogs, opening (and migrating) the SQLite
database and starting the clock. Against it, in the same run and the same way:

* ``python -c pass`` — the interpreter alone;
* ``python -c "import telegram.ext, slack_bolt.async_app, …"`` — the interpreter plus the
  platform libraries the Telegram and Slack transports import. A console that imported them
  eagerly could not start faster than this; the console should not pay for them at all.

Each is the median of ``repeats`` starts. A first start (new database: every migration runs)
and a restart (database already there) are timed separately. One more start with
``-X importtime`` lists which heavy libraries the console loaded (it should be none of them).
"""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT

PLATFORM_IMPORTS = ("telegram", "telegram.ext", "slack_bolt.async_app", "slack_bolt.adapter.aiohttp",
                    "slack_sdk.web.async_client", "aiohttp.web")
HEAVY = ("telegram", "slack_bolt", "slack_sdk", "aiohttp", "httpx", "matplotlib", "PIL", "icalendar", "holidays",
         "sqlalchemy.dialects.postgresql")  # a console on SQLite has no use for PostgreSQL's dialect
PROMPT = re.compile(rb"[\w\-]+@(dm|#[\w\-]+)> ")  # e.g. "gast@dm> ": who is typing, and where


def _env(workdir: Path) -> dict[str, str]:
    # PYTHONDONTWRITEBYTECODE is dropped: on a school's machine Python keeps the compiled modules
    # after the first start (the first start is measured on its own); with it set, every start
    # compiled the bot's ~170 modules again (a third of a second on this machine)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "SLACK_", "LEERTEAM_")) and k not in ("DATABASE_URL",
                                                                                   "PYTHONDONTWRITEBYTECODE")}
    env["DATABASE_URL"] = f"sqlite:///{workdir / 'leerteam.db'}"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["TERM"] = "dumb"
    return env


def _timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - started


def console_start(workdir: Path, extra: list[str] | None = None, timeout: float = 60) -> tuple[float, str]:
    """Seconds from spawning ``python -m bot`` until its prompt shows; everything it wrote.

    All three standard streams are the terminal, as in a real one (``input()`` writes its
    prompt to stderr when no line-editing library is loaded)."""
    master, slave = pty.openpty()
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *(extra or []), "-m", "bot"], stdin=slave, stdout=slave, stderr=slave,
                            cwd=workdir, env=_env(workdir), close_fds=True)
    os.close(slave)
    seen = b""
    elapsed = None
    try:
        while time.perf_counter() - started < timeout:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
                if PROMPT.search(seen):
                    elapsed = time.perf_counter() - started
                    break
            elif proc.poll() is not None:
                break
        if elapsed is not None:
            os.write(master, b"/stop\n")
            try:
                while True:  # drain until the console says goodbye and exits
                    ready, _, _ = select.select([master], [], [], 0.5)
                    if ready and not os.read(master, 4096):
                        break
                    if proc.poll() is not None:
                        break
            except OSError:
                pass
            proc.wait(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    if elapsed is None:
        raise RuntimeError(f"the console showed no prompt within {timeout}s; it wrote: {seen[-1000:]!r}")
    return elapsed, seen.decode(errors="replace")


def heavy_modules(importtime: str) -> list[str]:
    found = set()
    for line in importtime.splitlines():
        line = line.strip()
        if not line.startswith("import time:") or "|" not in line:
            continue
        name = line.rsplit("|", 1)[1].strip()
        found.update(heavy for heavy in HEAVY if name == heavy or name.startswith(heavy + "."))
    return sorted(found)


def bench_startup(repeats: int = 5) -> dict[str, Any]:
    py = sys.executable
    bare = [_timed([py, "-c", "pass"]) for _ in range(repeats)]
    libs = [_timed([py, "-c", "import " + ", ".join(PLATFORM_IMPORTS)]) for _ in range(repeats)]
    first, again = [], []
    for _ in range(repeats):
        workdir = Path(tempfile.mkdtemp(prefix="leerteam-start-"))
        try:
            first.append(console_start(workdir)[0])
            again.append(console_start(workdir)[0])
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    workdir = Path(tempfile.mkdtemp(prefix="leerteam-start-"))
    try:
        console_start(workdir)
        _, importtime = console_start(workdir, ["-X", "importtime"])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    med = statistics.median
    return {
        "repeats": repeats,
        "bare_interpreter_s": med(bare),
        "interpreter_with_platform_libraries_s": med(libs),
        "platform_imports": list(PLATFORM_IMPORTS),
        "console_first_start_s": med(first),
        "console_restart_s": med(again),
        "ratio_restart": med(again) / med(libs),
        "ratio_first_start": med(first) / med(libs),
        "ratio_restart_to_bare": med(again) / med(bare),
        "heavy_modules_loaded_by_console": heavy_modules(importtime),
    }
