"""python-telegram-bot's HTTP requests made with aiohttp instead of httpx.

PTB lets its HTTP layer be swapped (:class:`telegram.request.BaseRequest`); everything above it —
the Bot API methods, the rate limiter, turning Telegram's errors into exceptions, parsing the
answers — stays PTB's. Why swap: a 2,000-team fan-out is some thousands of ``sendMessage`` calls,
and httpx cost ~2.3 ms of CPU per call on the build machine against well under 1 ms for aiohttp
(``python -m bench.telegram_floor``, row 2 of ``python -m bench``). aiohttp is already the
bot's web server (Slack, Teams, the web page), so this adds no dependency.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from urllib.request import getproxies, proxy_bypass

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# Telegram's own server-side limit for a request is of this order: a slow answer is waited for,
# not taken for a failure and sent again (PTB's default would be 5 s)
SEND_TIMEOUT = 30.0
CONNECT_TIMEOUT = 10.0


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a pool of ``pool_size`` connections (PTB asks for one instance for
    ``getUpdates`` and another for everything else)."""

    __slots__ = ("_pool_size", "_proxies", "_read_timeout", "_session")

    def __init__(self, pool_size: int = 64, read_timeout: float = SEND_TIMEOUT) -> None:
        self._pool_size = pool_size
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    def _proxy_for(self, url: str) -> str | None:
        """The proxy the environment names for this URL (``HTTPS_PROXY``, ``NO_PROXY`` …), as httpx —
        PTB's default — uses it. Looked up once per host: aiohttp's own ``trust_env`` would read the
        environment and ``~/.netrc`` again for every message."""
        scheme, _, rest = url.partition("://")
        host = rest.split("/", 1)[0].rsplit("@", 1)[-1].split(":")[0]
        if (scheme, host) not in self._proxies:
            proxy = getproxies().get(scheme)
            self._proxies[scheme, host] = None if not proxy or proxy_bypass(host) else proxy
        return self._proxies[scheme, host]

    @property
    def read_timeout(self) -> float:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=CONNECT_TIMEOUT,
                                              sock_read=self._read_timeout),
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE, write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE, pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        timeout = aiohttp.ClientTimeout(
            total=None,
            sock_read=self._read_timeout if read_timeout is BaseRequest.DEFAULT_NONE else read_timeout,
            sock_connect=CONNECT_TIMEOUT if connect_timeout is BaseRequest.DEFAULT_NONE else connect_timeout,
            # waiting for a free connection of the pool
            connect=None if pool_timeout is BaseRequest.DEFAULT_NONE else pool_timeout,
        )
        try:
            async with self._session.request(method, url, data=_body(request_data), timeout=timeout,
                                             proxy=self._proxy_for(url),
                                             headers={"User-Agent": self.USER_AGENT}) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut() from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err


FORM = "application/x-www-form-urlencoded"


def _body(request_data: RequestData | None) -> Any:
    """The parameters as a form, as PTB's own httpx request sends them; files as multipart. A form
    is encoded here, as bytes (as PTB's ``url_encoded_parameters`` does): handing aiohttp the dict made it
    build a ``FormData`` for every message, a tenth of the transport's CPU."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        fields = request_data.json_parameters
        return aiohttp.BytesPayload(urlencode(fields).encode(), content_type=FORM) if fields else None
    form = aiohttp.FormData(request_data.json_parameters)
    for name, (filename, content, mime) in (request_data.multipart_data or {}).items():
        form.add_field(name, content, filename=filename, content_type=mime)
    return form
