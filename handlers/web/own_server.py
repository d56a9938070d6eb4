"""The web pages on a server of their own, where no platform server can carry them: next to the
console (127.0.0.1), and on Telegram or Slack in Socket Mode when ``LEERTEAM_WEB_PORT`` is set
(``bot.main.start_web`` decides).

The address is printed once at start; the server itself starts a moment later (after the
console's prompt is up), so the console still starts without importing aiohttp and Jinja2 (the
start-up bench checks that). A console reading a script from a pipe (the examples, the golden
transcripts) starts no server and prints nothing new.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from prompts.catalog import Msg
from prompts.markup import plain

log = logging.getLogger(__name__)
AFTER_PROMPT = 1.5  # seconds: the prompt is shown long before this on any machine
HOST = "127.0.0.1"


class OwnServer:
    """The pages' own aiohttp server, started after a short delay and stopped with the app."""

    def __init__(self, app: Any, settings: Any, host: str = HOST, port: int = 8080) -> None:
        self.app, self.settings, self.host, self.port = app, settings, host, port
        self.task: asyncio.Task[None] | None = None
        self.runner: Any = None

    def _say(self, msg: Msg) -> None:
        print(plain(self.app.catalog.render(msg, self.settings.language)), flush=True)

    def start(self) -> None:
        self._say(Msg("web.console_address", url=f"{self.settings.web_base}/web/"))
        self.task = asyncio.create_task(self._serve())

    async def _serve(self) -> None:
        await asyncio.sleep(AFTER_PROMPT)
        from handlers.web.server import start_web_server

        try:
            self.runner = await start_web_server(self.app, self.host, self.port)
        except OSError as exc:
            self._say(Msg("web.console_failed", port=self.port, detail=exc.strerror or str(exc)))

    async def stop(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()
            try:
                await self.task
            except asyncio.CancelledError:
                pass
        if self.runner is not None:
            await self.runner.cleanup()
