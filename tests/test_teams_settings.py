"""The Teams settings: an app id with its secret selects Teams; mistakes are one clear sentence."""

from __future__ import annotations

import pytest

from bot.core.config import SettingsError, load_settings
from prompts.catalog import default_catalog
from prompts.markup import plain

APP_ID = "0b7f5a4e-1c2d-4e3f-9a8b-7c6d5e4f3a2b"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no .env
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "SLACK_BOT_TOKEN",
        "TEAMS_APP_ID",
        "TEAMS_APP_PASSWORD",
        "TEAMS_TENANT_ID",
    ):
        monkeypatch.delenv(name, raising=False)


def test_an_app_id_and_secret_select_teams(monkeypatch):
    monkeypatch.setenv("TEAMS_APP_ID", APP_ID)
    monkeypatch.setenv("TEAMS_APP_PASSWORD", "s3cr3t~value")
    monkeypatch.setenv("TEAMS_TENANT_ID", "3F2E1D0C-9B8A-4765-8432-10FEDCBA9876")
    settings = load_settings()
    assert settings.transport == "teams"
    assert "s3cr3t" not in repr(settings)  # the secret never shows in logs
    assert settings.teams_app_password.get_secret_value() == "s3cr3t~value"
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:ABCdef")
    assert load_settings().transport == "telegram"  # the first platform configured, as before
    monkeypatch.delenv("TEAMS_APP_ID")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN")
    assert load_settings().transport == "console"


@pytest.mark.parametrize(
    "env, expected",
    [
        ({"TEAMS_APP_ID": "leerteam-bot", "TEAMS_APP_PASSWORD": "x"}, "is geen app-id"),
        ({"TEAMS_APP_ID": APP_ID}, "TEAMS_APP_PASSWORD niet"),
        ({"TEAMS_APP_ID": APP_ID, "TEAMS_APP_PASSWORD": "  "}, "TEAMS_APP_PASSWORD niet"),
        (
            {"TEAMS_APP_ID": APP_ID, "TEAMS_APP_PASSWORD": "x", "TEAMS_TENANT_ID": "school.onmicrosoft.com"},
            "tenant-id",
        ),
    ],
)
def test_mistakes_are_named(monkeypatch, env, expected):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    text = plain(default_catalog().render(raised.value.message, raised.value.lang))
    assert expected in text, text
