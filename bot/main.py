"""``python -m bot`` / ``leerteam``: check settings, migrate the database, run a transport.

The console is the default: with no platform token set, Leerteam runs in the terminal on a
local SQLite file, so trying it needs nothing but Python.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from bot.core.config import DEFAULT_WEB_PORT, Settings, SettingsError, load_settings
from prompts.catalog import CatalogError, Msg, default_catalog
from prompts.markup import plain

if TYPE_CHECKING:
    from bot.app import Leerteam
    from bot.core.capability import Capability
    from handlers.web.own_server import OwnServer


def _fail(text: str) -> None:
    print(text, file=sys.stderr)
    raise SystemExit(2)


def transport_runner(settings: Settings) -> Callable[[Any, Settings], Awaitable[None]]:
    """The chosen platform's runner; its library is imported here, lazily, so the console starts
    fast and a platform's modules are loaded before :func:`freeze_start_up`."""
    if settings.transport != "telegram" and len(settings.http_platforms) > 1:
        from bot.transports.several import run_several  # Teams and Slack on one HTTP server

        return run_several
    if settings.transport == "telegram":
        from bot.transports.telegram import run_telegram

        return run_telegram
    if settings.transport == "slack":
        from bot.transports.slack import run_slack

        return run_slack
    if settings.transport == "teams":
        from bot.transports.teams.server import run_teams

        return run_teams
    from bot.transports.console import ConsoleTransport

    async def run_console(app: Any, _settings: Settings) -> None:
        await ConsoleTransport(app).run()

    return run_console


def freeze_start_up() -> None:
    """The start is over: what exists now (modules, classes, the catalogs, the app) lives as long
    as the process, so ``gc.freeze`` puts it out of the cyclic collector's sight and each full
    collection walks only what came after. Before, every full collection walked some 145,000
    start-up objects (~0.1 s each; during a fan-out a third of a millisecond of CPU per reminder,
    ``python -m bench``). No ``gc.collect`` first: it would add its 0.1 s to every start, for a
    little start-up garbage kept. :func:`run` undoes it when the bot stops (tests start the bot
    many times in one process)."""
    gc.freeze()


def start_clock(app, settings: Settings):
    """The scheduler that sends reminders (bot/scheduler.py). A console reading a script from a
    pipe runs on the simulated clock (/clock) only, so its transcript does not depend on the time."""
    if settings.tick_seconds <= 0 or (settings.transport == "console" and not sys.stdin.isatty()):
        return None
    from bot.core.outbox import Clockwork

    clock = Clockwork(app, settings.tick_seconds)
    clock.start()
    return clock


def start_web(app: Leerteam, settings: Settings) -> OwnServer | None:
    """The school's web pages (handlers/web), when ``LEERTEAM_WEB_PORT`` is not 0:

    - on a platform reached over HTTP (Slack's Events API, Teams), on that same server and port;
    - on another platform (Telegram, Slack in Socket Mode), on a server of their own on
      ``LEERTEAM_HOST:LEERTEAM_WEB_PORT``;
    - next to an interactive console, on 127.0.0.1 (none for a script read from a pipe)."""
    if settings.web_port == 0:
        return None
    if settings.transport != "console" and settings.http_platforms:
        from handlers.web.server import add_web_routes

        app.http_extensions.append(lambda webapp: add_web_routes(webapp, app))
        return None
    if settings.transport == "console":
        if not sys.stdin.isatty():
            return None
        host, port = "127.0.0.1", settings.web_port or DEFAULT_WEB_PORT
    elif settings.web_port is None:
        return None  # Telegram, Slack in Socket Mode: no server unless a port is given
    else:
        host, port = settings.host, settings.web_port
    from handlers.web.own_server import OwnServer

    pages = OwnServer(app, settings, host=host, port=port)
    pages.start()
    return pages


async def run(settings: Settings, capabilities: Sequence[Capability] | None = None) -> None:
    from bot.app import CAPABILITIES, Leerteam

    app = Leerteam(settings, capabilities=CAPABILITIES if capabilities is None else capabilities)
    try:
        serve = transport_runner(settings)
        try:
            await app.migrate()
        except Exception as exc:  # the installer needs the reason, not a traceback
            detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            _fail(plain(app.catalog.render(Msg("startup.database_failed", detail=detail), settings.language)))
        clock = start_clock(app, settings)
        pages = start_web(app, settings)
        freeze_start_up()
        try:
            await serve(app, settings)
        finally:
            if pages is not None:
                await pages.stop()
            if clock is not None:
                await clock.stop()
    finally:
        gc.unfreeze()
        await app.close()


def main(capabilities: Sequence[Capability] | None = None) -> None:
    """``capabilities``: what the app runs, when not the standard list (tests add test-only commands)."""
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
        asyncio.run(run(settings, capabilities))
    except KeyboardInterrupt:
        pass


def migrate_main() -> None:
    """``leerteam-migrate``: bring the database to the newest schema (the Procfile's release step)."""
    from storage.db import create_engine
    from storage.migrate import upgrade

    try:
        settings = load_settings()
    except SettingsError as exc:
        _fail(plain(default_catalog().render(exc.message, exc.lang)))

    async def _go() -> None:
        engine = create_engine(settings.database_url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(_go())


if __name__ == "__main__":
    main()
