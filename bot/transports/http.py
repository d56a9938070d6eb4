"""One aiohttp server for every platform that is reached over HTTP.

Each configured platform adds its routes (Teams ``/api/messages``; Slack's ``/slack/events``
and Telegram's webhook can join the same way), plus ``/healthz`` for the platform's health
check, so one process on one ``PORT`` can serve several platforms.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web

HEALTH_PATH = "/healthz"
MAX_BODY = 1024 * 1024  # bytes per request; the platforms' own payload limits are far below this

Route = tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]  # method, path, handler


Extension = Callable[[web.Application], None]  # adds what else the process serves (the web pages)


def build_web_app(*route_groups: list[Route], extensions: Sequence[Extension] = ()) -> web.Application:
    """The application with every platform's routes, the health check, and ``extensions``
    (``Leerteam.http_extensions``: the school's web pages, when they are switched on)."""

    async def health(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    web_app = web.Application(client_max_size=MAX_BODY)
    for routes in route_groups:
        for method, path, handler in routes:
            web_app.router.add_route(method, path, handler)
    web_app.router.add_get(HEALTH_PATH, health)
    for extend in extensions:
        extend(web_app)
    return web_app


async def serve(web_app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Start listening; returns the runner (to clean up) and the port actually bound (0: any)."""
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1] if runner.addresses else port
    return runner, int(bound)
