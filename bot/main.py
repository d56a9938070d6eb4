"""``python -m bot`` / ``leerteam``: check settings, migrate the database, run a transport.

The console is the default: with no platform token set, Leerteam runs in the terminal on a
local SQLite file, so trying it needs nothing but Python.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from bot.config import Settings, SettingsError, load_settings
from bot.markup import plain
from prompts.catalog import CatalogError, Msg, default_catalog


def _fail(text: str) -> None:
    print(text, file=sys.stderr)
    raise SystemExit(2)


async def run_transport(app, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    """Start the platform chosen by the settings; imports are lazy so the console starts fast."""
    if settings.transport == "telegram":
        from bot.transports.telegram import run_telegram

        await run_telegram(app, settings)
    elif settings.transport == "slack":
        from bot.transports.slack import run_slack

        await run_slack(app, settings)
    else:
        from bot.transports.console import ConsoleTransport

        await ConsoleTransport(app).run()


def start_clock(app, settings: Settings):  # type: ignore[no-untyped-def]
    """The scheduler that sends reminders (bot/scheduler.py). A console reading a script from a
    pipe runs on the simulated clock (/clock) only, so its transcript does not depend on the time."""
    if settings.tick_seconds <= 0 or (settings.transport == "console" and not sys.stdin.isatty()):
        return None
    from bot.scheduler import Clockwork

    clock = Clockwork(app, settings.tick_seconds)
    clock.start()
    return clock


def start_web(app, settings: Settings):  # type: ignore[no-untyped-def]
    """The web pages (handlers/web) on 127.0.0.1 next to an interactive console; none for a script."""
    if settings.transport != "console" or settings.web_port <= 0 or not sys.stdin.isatty():
        return None
    from handlers.web.console import ConsoleWeb

    pages = ConsoleWeb(app, settings)
    pages.start()
    return pages


async def run(settings: Settings) -> None:
    from bot.app import Leerteam

    app = Leerteam(settings)
    try:
        try:
            await app.migrate()
        except Exception as exc:  # the installer needs the reason, not a traceback
            detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            _fail(plain(app.catalog.render(Msg("startup.database_failed", detail=detail), settings.language)))
        clock = start_clock(app, settings)
        pages = start_web(app, settings)
        try:
            await run_transport(app, settings)
        finally:
            if pages is not None:
                await pages.stop()
            if clock is not None:
                await clock.stop()
    finally:
        await app.close()


def main() -> None:
    try:
        catalog = default_catalog()
    except CatalogError as exc:
        _fail(f"prompts/: {exc}")
    try:
        settings = load_settings()
    except SettingsError as exc:
        _fail(plain(catalog.render(exc.message, exc.lang)))
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    try:
        asyncio.run(run(settings))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
