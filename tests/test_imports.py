"""Every module of bot, handlers, storage and prompts imports on its own, in a fresh interpreter.

An import that works only because something else happened to be imported first (a circle that
one entry point hides, a registry filled as a side effect) breaks the day another entry point
imports the module first. Each module is imported in a process of its own in which no module of
these packages was imported before: one interpreter loads the third-party libraries once (they
are not what is tested, and loading them 90 times took minutes) and forks a child per module.

Not imported: ``__main__`` modules (importing one runs the program) and what Alembic loads itself
(``storage/migrations/env.py`` and the revisions under ``storage/migrations/versions/``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "storage", "prompts")
SKIPPED_FILES = {Path("storage/migrations/env.py")}
SKIPPED_DIRS = {Path("storage/migrations/versions")}
TIMEOUT_S = 60


def module_names() -> list[str]:
    """Dotted names of every module in the source tree of ``PACKAGES``, packages included."""
    names = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if rel in SKIPPED_FILES or any(d in rel.parents for d in SKIPPED_DIRS):
                continue
            if rel.stem == "__main__":
                continue
            parts = rel.with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def import_alone(module: str) -> str | None:
    """None when ``import module`` succeeds in a fresh interpreter, else the error's last line."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return f"no answer within {TIMEOUT_S} s"
    if done.returncode == 0:
        return None
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    return lines[-1] if lines else f"exit code {done.returncode}, nothing on stderr"


def test_the_walk_finds_the_modules_of_every_package() -> None:
    names = module_names()
    for expected in ("bot", "bot.core.dispatcher", "bot.app", "handlers.polls", "storage.models.polls",
                     "storage.migrations", "prompts.catalog"):
        assert expected in names, expected
    assert not any(n.startswith("storage.migrations.versions") or n.endswith("__main__") for n in names)
    assert "storage.migrations.env" not in names
    assert len(names) == len(set(names))


def test_the_check_reports_a_module_that_does_not_import() -> None:
    missing = "ModuleNotFoundError: No module named 'storage.no_such_module'"
    assert import_alone("storage.no_such_module") == missing
    assert import_alone("storage.types") is None


# Loaded once in the parent before forking; none of them imports the project.
THIRD_PARTY = ("sqlalchemy", "sqlalchemy.ext.asyncio", "sqlmodel", "pydantic", "pydantic_settings", "aiosqlite",
               "alembic", "aiohttp", "telegram", "telegram.ext", "slack_bolt", "slack_sdk", "apscheduler",
               "icalendar", "holidays", "babel", "microsoft_agents.activity", "microsoft_agents.hosting.core")

_FORKER = """
import importlib, json, os, sys
for lib in sys.argv[1].split(","):
    try:
        importlib.import_module(lib)
    except Exception:
        pass  # an optional library: the child will say so if a module needs it
assert not [m for m in sys.modules if m.split(".")[0] in ("bot", "handlers", "storage", "prompts")]
errors = {}
for name in sys.argv[2].split(","):
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            importlib.import_module(name)
            message = ""
        except BaseException as exc:
            message = f"{type(exc).__name__}: {exc}".splitlines()[0]
        os.write(write, message.encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        message = pipe.read().decode()
    _, status = os.waitpid(pid, 0)
    if message or status:
        errors[name] = message or f"exit status {status}"
print(json.dumps(errors))
"""


def imports_alone(names: list[str]) -> dict[str, str]:
    """Each module imported in a forked child of an interpreter that holds only third-party
    libraries; the modules that fail, with their error."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", _FORKER, ",".join(THIRD_PARTY), ",".join(names)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=TIMEOUT_S * 5)
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_the_forked_check_reports_a_module_that_does_not_import() -> None:
    errors = imports_alone(["storage.types", "storage.no_such_module"])
    assert errors == {"storage.no_such_module": "ModuleNotFoundError: No module named 'storage.no_such_module'"}


def test_every_module_imports_on_its_own() -> None:
    names = module_names()
    errors = imports_alone(names)
    failures = [f"{name}: {error}" for name, error in errors.items()]
    assert not failures, (f"{len(failures)} of {len(names)} modules do not import alone:\n"
                          + "\n".join(failures))
