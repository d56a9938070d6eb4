"""Settings from the environment and a ``.env`` file, checked before anything starts.

A school's installer should never see a stack trace for a typo: every wrong setting is turned
into one sentence (from ``prompts/``) that names the variable and what is wrong with it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from prompts.catalog import Msg, normalize_language
from storage.db import DatabaseUrlError, async_url

GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


DEFAULT_WEB_PORT = 8080  # the console's web pages, when LEERTEAM_WEB_PORT is not set


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    database_url: str = Field(default="sqlite:///leerteam.db", alias="DATABASE_URL")
    language: str = Field(default="nl", alias="LEERTEAM_LANGUAGE")
    timezone: str = Field(default="Europe/Amsterdam", alias="LEERTEAM_TIMEZONE")
    image_dir: Path = Field(default=Path("leerteam-images"), alias="LEERTEAM_IMAGE_DIR")
    log_level: str = Field(default="WARNING", alias="LEERTEAM_LOG_LEVEL")

    # Telegram (issue: Leerteam on Telegram). A token selects the Telegram transport.
    telegram_bot_token: str | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_webhook_url: str | None = Field(default=None, alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: str | None = Field(default=None, alias="TELEGRAM_WEBHOOK_SECRET")
    telegram_api_base: str | None = Field(default=None, alias="TELEGRAM_API_BASE")  # tests: a local Bot API
    telegram_mode: str | None = Field(default=None, alias="TELEGRAM_MODE")  # polling|webhook; default by URL

    # Slack (issue: Leerteam on Slack). A bot token selects the Slack transport.
    slack_bot_token: str | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_app_token: str | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_signing_secret: str | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_api_url: str | None = Field(default=None, alias="SLACK_API_URL")  # tests: a local Web API
    slack_command: str = Field(default="/leerteam", alias="SLACK_COMMAND")  # as in slack-manifest.yml

    # Microsoft Teams (issue 19). An app id (with its secret) selects the Teams transport.
    teams_app_id: str | None = Field(default=None, alias="TEAMS_APP_ID")
    teams_app_password: SecretStr | None = Field(default=None, alias="TEAMS_APP_PASSWORD")
    teams_tenant_id: str | None = Field(default=None, alias="TEAMS_TENANT_ID")

    # Meetings, reminders and the momentum guard (issue 6).
    tick_seconds: int = Field(default=30, ge=0, le=3600, alias="LEERTEAM_TICK_SECONDS")  # 0: no clock
    stall_weeks: int = Field(default=6, ge=1, le=52, alias="LEERTEAM_STALL_WEEKS")
    quiet_meetings: int = Field(default=3, ge=2, le=20, alias="LEERTEAM_QUIET_MEETINGS")

    # Webhook/HTTP servers (Telegram webhooks, Slack Events API).
    host: str = Field(default="0.0.0.0", alias="LEERTEAM_HOST")
    port: int = Field(default=8080, alias="PORT")

    # The web pages (issue 20): the console serves them on 127.0.0.1 at this port (0: off);
    # links that /web sends start with the base URL (default http://127.0.0.1:<port>).
    # the web pages' own port: 0 off; unset: 8080 next to the console, the platform's own server
    # on Slack-over-HTTP and Teams, and off on Telegram and Slack in Socket Mode (no port to expose)
    web_port: int | None = Field(default=None, ge=0, le=65535, alias="LEERTEAM_WEB_PORT")
    web_base_url: str | None = Field(default=None, alias="LEERTEAM_WEB_BASE_URL")

    @field_validator("web_base_url")
    @classmethod
    def _web_base_url(cls, value: str | None) -> str | None:
        value = (value or "").strip() or None
        if value is not None and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError("setting.web_base_url|")
        return value

    @property
    def web_base(self) -> str:
        return (self.web_base_url or f"http://127.0.0.1:{self.web_port or DEFAULT_WEB_PORT}").rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str) -> str:
        try:
            async_url(value)
        except DatabaseUrlError as exc:
            raise ValueError(f"setting.bad_database|{exc}") from None
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        lang = normalize_language(value)
        if lang is None or lang.lower() != value.strip().replace("_", "-").lower():
            raise ValueError("setting.bad_language|")
        return lang

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("setting.bad_timezone|") from None
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        value = value.strip().upper()
        if value not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("setting.bad_log_level|")
        return value

    @field_validator("slack_bot_token", "slack_app_token", "slack_signing_secret")
    @classmethod
    def _slack_secret(cls, value: str | None, info) -> str | None:
        value = (value or "").strip() or None
        prefix = {"slack_bot_token": "xoxb-", "slack_app_token": "xapp-"}.get(info.field_name)
        if value is not None and prefix and not value.startswith(prefix):
            raise ValueError(f"setting.slack_token|{prefix}")
        return value

    @field_validator("slack_command")
    @classmethod
    def _slack_command(cls, value: str) -> str:
        value = value.strip()
        if not re.fullmatch(r"/[a-z0-9_\-]{1,31}", value):
            raise ValueError("setting.slack_command|/leerteam")
        return value

    @model_validator(mode="after")
    def _slack_mode(self) -> Settings:
        if self.slack_bot_token and not (self.slack_app_token or self.slack_signing_secret):
            raise ValueError("setting.slack_mode|")
        return self

    @property
    def slack_mode(self) -> str:
        """Socket Mode when an app-level token is set (no public URL needed), else the HTTP Events API."""
        return "socket" if self.slack_app_token else "http"

    @field_validator("telegram_bot_token")
    @classmethod
    def _telegram_token(cls, value: str | None) -> str | None:
        value = (value or "").strip() or None
        if value is not None and not re.fullmatch(r"\d{1,20}:[A-Za-z0-9_-]{1,200}", value):
            raise ValueError("setting.telegram_token|")
        return value

    @field_validator("telegram_webhook_url")
    @classmethod
    def _telegram_webhook_url(cls, value: str | None) -> str | None:
        value = (value or "").strip() or None
        if value is not None:
            parts = urlsplit(value)
            if parts.scheme not in ("https", "http") or not parts.hostname:
                raise ValueError("setting.telegram_webhook_url|")
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _telegram_webhook_secret(cls, value: str | None) -> str | None:
        value = (value or "").strip() or None
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value):
            raise ValueError("setting.telegram_webhook_secret|")
        return value

    @field_validator("telegram_mode")
    @classmethod
    def _telegram_mode(cls, value: str | None) -> str | None:
        value = (value or "").strip().lower() or None
        if value not in (None, "polling", "webhook"):
            raise ValueError("setting.telegram_mode|")
        return value

    @model_validator(mode="after")
    def _telegram_webhook(self) -> Settings:
        if self.telegram_bot_token and self.telegram_mode == "webhook" and not self.telegram_webhook_url:
            raise ValueError("setting.telegram_url_needed|")
        if self.telegram_bot_token and self.telegram_webhook and not self.telegram_webhook_secret:
            raise ValueError("setting.telegram_secret_needed|")
        return self

    @property
    def telegram_webhook(self) -> bool:
        """Webhook mode: asked for, or implied by a webhook URL (unless TELEGRAM_MODE=polling)."""
        if self.telegram_mode is not None:
            return self.telegram_mode == "webhook"
        return bool(self.telegram_webhook_url)

    @field_validator("teams_app_id", "teams_tenant_id")
    @classmethod
    def _teams_guid(cls, value: str | None, info: ValidationInfo) -> str | None:
        value = (value or "").strip() or None
        if value is not None and not GUID.fullmatch(value):
            key = "teams_app_id" if info.field_name == "teams_app_id" else "teams_tenant"
            raise ValueError(f"setting.{key}|")
        return value

    @model_validator(mode="after")
    def _teams_password(self) -> Settings:
        secret = self.teams_app_password.get_secret_value().strip() if self.teams_app_password else ""
        if self.teams_app_id and not secret:
            raise ValueError("setting.teams_password_needed|")
        return self

    @property
    def http_platforms(self) -> list[str]:
        """Platforms that receive over this process's HTTP server (several: one shared server)."""
        found = []
        if self.teams_app_id:
            found.append("teams")
        if self.slack_bot_token and self.slack_mode == "http":
            found.append("slack")
        return found

    @property
    def transport(self) -> str:
        """Which platform to run: the first one whose token is set, else the console."""
        if self.telegram_bot_token:
            return "telegram"
        if self.slack_bot_token:
            return "slack"
        if self.teams_app_id:
            return "teams"
        return "console"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class SettingsError(Exception):
    """A wrong setting; ``message`` is a catalog Msg naming it, ``lang`` the language to say it in."""

    def __init__(self, message: Msg, lang: str) -> None:
        super().__init__(message.key)
        self.message = message
        self.lang = lang


def _field_alias(name: str) -> str:
    field = Settings.model_fields.get(name)
    return (field.alias if field and field.alias else name).upper()


def load_settings(**overrides: object) -> Settings:
    """Read settings; raise :class:`SettingsError` with a sentence for the first wrong one."""
    lang = normalize_language(os.environ.get("LEERTEAM_LANGUAGE", "nl")) or "nl"
    try:
        return Settings(**overrides)  # type: ignore[arg-type]  # settings go in by their aliases (DATABASE_URL=…)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = _field_alias(str(err["loc"][0])) if err.get("loc") else "?"
        value = err.get("input")
        text = str(err.get("msg", ""))
        marker = text.split("Value error, ", 1)[-1]
        key, _, detail = marker.partition("|")
        if not key.startswith("setting."):
            key, detail = "setting.invalid", text
        raise SettingsError(Msg(key, name=name, value=str(value), detail=detail), lang) from None
