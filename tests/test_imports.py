"""Every module of bot, handlers, storage and prompts imports on its own, in a fresh interpreter.

An import that works only because something else happened to be imported first (a circle that
one entry point hides, a registry filled as a side effect) breaks the day another entry point
imports the module first. Each module is imported in its own ``python -c "import X"``.

Not imported: ``__main__`` modules (importing one runs the program) and what Alembic loads itself
(``storage/migrations/env.py`` and the revisions under ``storage/migrations/versions/``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
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


def test_every_module_imports_on_its_own() -> None:
    names = module_names()
    with ThreadPoolExecutor(max_workers=2) as pool:
        errors = dict(zip(names, pool.map(import_alone, names)))
    failures = [f"{name}: {error}" for name, error in errors.items() if error is not None]
    assert not failures, (f"{len(failures)} of {len(names)} modules do not import alone:\n"
                          + "\n".join(failures))
