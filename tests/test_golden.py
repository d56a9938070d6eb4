"""Every script in ``examples/`` replayed through ``python -m bot`` on a fresh database, its
transcript compared byte for byte with ``examples/golden/<name>.out``.

The golden files are the proof that a refactor changed no behaviour. A change that *means* to
alter what the bot says regenerates them deliberately, in the same commit:
``LEERTEAM_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py`` — then read the diff.

Only two things vary between runs and are replaced before comparing: the folder that saved
files go to (``<files>``) and the random part of a saved file's name (``-xxxxxxxx.``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
GOLDEN = EXAMPLES / "golden"
SCRIPTS = sorted(p.stem for p in EXAMPLES.glob("*.txt"))
_SUFFIX = re.compile(r"-[0-9a-f]{8}\.")


def transcript(name: str, workdir: Path) -> str:
    files = workdir / "files"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{workdir / 'golden.db'}",
           "LEERTEAM_IMAGE_DIR": str(files)}
    for var in ("LEERTEAM_LANGUAGE", "LEERTEAM_TIMEZONE", "TELEGRAM_BOT_TOKEN", "SLACK_BOT_TOKEN"):
        env.pop(var, None)
    script = (EXAMPLES / f"{name}.txt").read_text(encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "bot"], input=script, capture_output=True, text=True,
                            cwd=workdir, env=env, timeout=300, encoding="utf-8")
    assert result.returncode == 0, result.stderr
    return _SUFFIX.sub("-xxxxxxxx.", result.stdout.replace(str(files), "<files>"))


@pytest.mark.parametrize("name", SCRIPTS)
def test_example_transcript_is_unchanged(name, tmp_path):
    got = transcript(name, tmp_path)
    golden = GOLDEN / f"{name}.out"
    if os.environ.get("LEERTEAM_UPDATE_GOLDEN") == "1":
        golden.write_text(got, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    if got != expected:
        got_lines, want_lines = got.splitlines(), expected.splitlines()
        first = next((i for i, (a, b) in enumerate(zip(got_lines, want_lines)) if a != b),
                     min(len(got_lines), len(want_lines)))
        pytest.fail(f"{name}: transcript differs from examples/golden/{name}.out at line {first + 1}:\n"
                    f"  golden: {want_lines[first] if first < len(want_lines) else '<end>'}\n"
                    f"  now:    {got_lines[first] if first < len(got_lines) else '<end>'}")


def test_every_example_has_a_golden_transcript():
    assert SCRIPTS, "no example scripts found"
    assert sorted(p.stem for p in GOLDEN.glob("*.out")) == SCRIPTS
