"""The python-telegram-bot Application wired to Leerteam: base URLs, rate limiter, handlers."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, TypeHandler
from telegram.request import BaseRequest

from bot.app import Leerteam
from bot.core.config import Settings
from bot.transports.telegram.pace import PacedRateLimiter
from bot.transports.telegram.request import AiohttpRequest
from bot.transports.telegram.transport import MAX_RETRIES, TelegramBridge


def api_base(settings: Settings) -> tuple[str, str] | None:
    """TELEGRAM_API_BASE (a local Bot API server, e.g. in tests) as PTB's base URLs."""
    base = (settings.telegram_api_base or "").strip().rstrip("/")
    if not base:
        return None
    root = base[: -len("/bot")] if base.endswith("/bot") else base
    return f"{root}/bot", f"{root}/file/bot"


def build_application(
    app: Leerteam, settings: Settings, *, request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None, rate_limit: bool = True,
) -> tuple[Application, TelegramBridge]:
    """A PTB Application wired to Leerteam (``request``: tests pass an offline one)."""
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    builder = Application.builder().token(settings.telegram_bot_token)
    urls = api_base(settings)
    if urls is not None:
        builder = builder.base_url(urls[0]).base_file_url(urls[1])
    # aiohttp rather than PTB's default httpx: a fraction of the CPU per message (request.py says why)
    builder = builder.request(request or AiohttpRequest()).get_updates_request(
        updates_request or request or AiohttpRequest(pool_size=1))
    if rate_limit:
        # PTB's AIORateLimiter, its overall limit kept in small steps (pace.py says why); PTB types
        # the builder by its rate limiter's argument type, and AIORateLimiter takes a dict
        builder = builder.rate_limiter(PacedRateLimiter(max_retries=MAX_RETRIES))  # type: ignore[arg-type]
    # scheduled work is the core's (in the database), never PTB's memory; PTB's stubs do not admit None
    builder = builder.job_queue(None)  # type: ignore[arg-type]
    application = builder.build()
    bridge = TelegramBridge(app, application)
    application.add_handler(TypeHandler(Update, bridge.on_update))
    application.add_error_handler(bridge.on_error)
    return application, bridge
