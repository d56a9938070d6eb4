"""Runs Leerteam exactly as ``python -m bot`` does, plus the hidden test-only commands of
tests/telegram_fakes.py (so the end-to-end test has a button to press and a private question)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

import tests.telegram_fakes  # noqa: E402
from bot.main import main  # noqa: E402
from tests.harness import with_test_commands  # noqa: E402

main(capabilities=with_test_commands(tests.telegram_fakes))
