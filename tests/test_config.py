"""Wrong settings stop start-up with one sentence naming the setting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.config import SettingsError, load_settings
from prompts.catalog import default_catalog
from prompts.markup import plain

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "LEERTEAM_LANGUAGE", "LEERTEAM_TIMEZONE", "LEERTEAM_LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def sentence(monkeypatch):
    def _sentence(**env: str) -> str:
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        return _said()
    return _sentence


def _said() -> str:
    with pytest.raises(SettingsError) as err:
        load_settings()
    return plain(default_catalog().render(err.value.message, err.value.lang))


def test_defaults():
    s = load_settings()
    assert s.database_url == "sqlite:///leerteam.db"
    assert s.language == "nl" and s.timezone == "Europe/Amsterdam"


def test_bad_timezone_is_named(sentence):
    text = sentence(LEERTEAM_TIMEZONE="Mars/Olympus")
    assert text.startswith("De instelling LEERTEAM_TIMEZONE klopt niet: 'Mars/Olympus'")


def test_bad_language_is_named(sentence):
    assert "LEERTEAM_LANGUAGE" in sentence(LEERTEAM_LANGUAGE="fr")


def test_bad_database_is_named_in_english_when_asked(sentence):
    text = sentence(DATABASE_URL="mysql://x/y", LEERTEAM_LANGUAGE="en")
    assert text.startswith("The setting DATABASE_URL is wrong: 'mysql://x/y'")
    assert "\n" not in text


def test_dotenv_file_is_read(tmp_path):
    (tmp_path / ".env").write_text("LEERTEAM_TIMEZONE=Europe/Brussels\n")
    assert load_settings().timezone == "Europe/Brussels"


def test_start_up_stops_with_the_sentence_and_exit_code_2(tmp_path):
    env = {**os.environ, "LEERTEAM_TIMEZONE": "Nowhere/Land", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "bot"], input="", capture_output=True, text=True,
                            cwd=tmp_path, env=env, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "De instelling LEERTEAM_TIMEZONE klopt niet: 'Nowhere/Land' is geen bekende tijdzone. "
        "Gebruik bijvoorbeeld Europe/Amsterdam of Europe/Brussels."]
