"""Leerteam on Telegram (python-telegram-bot v22): long polling by default, webhooks for production.

``run_telegram`` is what ``python -m bot`` runs when ``TELEGRAM_BOT_TOKEN`` is set. It registers
the command menu in Dutch and English, then polls, or (``TELEGRAM_WEBHOOK_URL``) serves a webhook
on ``LEERTEAM_HOST:PORT`` that refuses requests without the secret token (403), until SIGTERM
or SIGINT.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from urllib.parse import urlsplit

from bot.app import Leerteam
from bot.core.config import Settings
from bot.transports.stopping import stop_on_signals
from bot.transports.telegram.application import build_application
from bot.transports.telegram.transport import ALLOWED_UPDATES, TelegramBridge, TelegramTransport

__all__ = ["TelegramBridge", "TelegramTransport", "build_application", "run_telegram"]

log = logging.getLogger(__name__)
POLL_TIMEOUT = 30  # seconds a long poll may wait for updates


def _fail(app: Leerteam, settings: Settings, key: str, exc: BaseException) -> None:
    from prompts.catalog import Msg
    from prompts.markup import plain

    detail = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
    print(plain(app.catalog.render(Msg(key, detail=detail), settings.language)), file=sys.stderr)
    raise SystemExit(2)


async def run_telegram(app: Leerteam, settings: Settings, stop: asyncio.Event | None = None) -> None:
    from telegram.error import InvalidToken, NetworkError, TelegramError

    logging.getLogger("httpx").setLevel(
        max(logging.WARNING, logging.getLogger().level)
    )  # URLs hold the token
    application, bridge = build_application(app, settings)
    stop = stop_on_signals(stop)
    try:
        await application.initialize()  # getMe: checks the token
    except InvalidToken as exc:
        _fail(app, settings, "telegram.token_refused", exc)
    except NetworkError as exc:
        _fail(app, settings, "telegram.unreachable", exc)
    try:
        await bridge.register_commands()
        await application.start()
        updater = application.updater
        assert updater is not None
        if settings.telegram_webhook:
            url = settings.telegram_webhook_url or ""
            try:
                await updater.start_webhook(
                    listen=settings.host, port=settings.port, url_path=urlsplit(url).path.lstrip("/"),
                    webhook_url=url, secret_token=settings.telegram_webhook_secret,
                    allowed_updates=ALLOWED_UPDATES, bootstrap_retries=3,
                )
            except (OSError, TelegramError) as exc:
                _fail(app, settings, "telegram.webhook_failed", exc)
            log.info("Telegram webhook on %s:%s for %s", settings.host, settings.port, url)
        else:
            await updater.start_polling(
                timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES, bootstrap_retries=-1,
                drop_pending_updates=False,
            )
            log.info("Telegram long polling as @%s", application.bot.username)
        await stop.wait()
    finally:
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
