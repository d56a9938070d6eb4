"""Telegram's overall limit (30 messages a second) kept in steps of a few messages, not one by one.

python-telegram-bot's ``AIORateLimiter`` keeps the overall limit with a leaky bucket: in a long
fan-out it lets one message go every 33 ms, and each wakes the bot on its own, with its send, its
answer and its outcome. On the build machine the transport's sends cost two to three times the
CPU spread out like that as they do sent together (``python -m bench.pace_tax`` shows both).
:class:`StepPace` admits at most :data:`PER_STEP` messages in each step of ``PER_STEP / rate``
seconds, and never more than ``rate`` in any second — the same 30 a second — so the messages of a
step are sent, answered and recorded together. At the fan-out's pace this roughly halved the
Telegram transport's CPU per message (row 2 of ``python -m bench``).

:class:`PacedRateLimiter` is PTB's ``AIORateLimiter`` with only its overall bucket replaced: the
per-group limit (20 a minute), waiting out Telegram's flood control (``RetryAfter``) and retrying
stay PTB's. The pace is taken just before each request goes out (a retry takes a new place), and
only by requests to a chat, as PTB counts them (paid broadcasts keep PTB's own limit).
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram.constants import FloodLimit
from telegram.ext import AIORateLimiter

PER_STEP = 3  # messages at most in each step: a burst this small is harmless to Telegram


class StepPace:
    """At most ``per_step`` requests start in each step of ``per_step / rate`` seconds, and at most
    ``rate`` in any second: a step starts when a request finds the last one over or full, and no
    earlier than a second after the ``rate``-th start before it (requests that join a step late,
    or steps added up in floating point, would otherwise let a second hold a few more). Places are
    handed out in the order asked for; a request that is cancelled while it waits leaves its place
    unused."""

    def __init__(self, rate: float = FloodLimit.MESSAGES_PER_SECOND, per_step: int = PER_STEP,
                 clock: Callable[[], float] | None = None,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> None:
        if rate <= 0 or per_step < 1:
            raise ValueError("a pace needs a positive rate and at least one request per step")
        self.per_step = per_step
        self.step = per_step / rate
        self._clock = clock
        self._sleep = sleep
        self._started = float("-inf")  # when the last step with places given out starts
        self._given = 0  # places given out in it
        self._recent: deque[float] = deque(maxlen=max(1, math.floor(rate)))  # the last `rate` starts

    def _now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()

    def place(self, now: float) -> float:
        """When a request asking at ``now`` may start (``now`` itself if its step has room)."""
        if now >= self._started + self.step:  # the last step is over: a new one starts now
            self._started, self._given = now, 0
        elif self._given >= self.per_step:  # full: the next step, right after it
            self._started, self._given = self._started + self.step, 0
        start = max(now, self._started)
        recent = self._recent
        if len(recent) == recent.maxlen and start < recent[0] + 1.0:  # the second would hold too many
            start = self._started = recent[0] + 1.0
            self._given = 0
        self._given += 1
        recent.append(start)
        return start

    async def wait(self) -> None:
        now = self._now()
        start = self.place(now)
        if start > now:
            await self._sleep(start - now)


class PacedRateLimiter(AIORateLimiter):
    """``AIORateLimiter`` whose overall limit is a :class:`StepPace`."""

    def __init__(self, max_retries: int = 0, pace: StepPace | None = None) -> None:
        super().__init__(overall_max_rate=0, max_retries=max_retries)  # 0: PTB's overall bucket off
        self.pace = pace or StepPace()

    async def process_request(
        self, callback: Callable[..., Coroutine[Any, Any, Any]], args: Any, kwargs: dict[str, Any],
        endpoint: str, data: dict[str, Any], rate_limit_args: int | None,
    ) -> Any:
        if data.get("chat_id") is None or data.get("allow_paid_broadcast"):
            # not a message to a chat (getMe, answerCallbackQuery …), or a paid broadcast: as PTB
            return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)

        async def paced(*call_args: Any, **call_kwargs: Any) -> Any:
            await self.pace.wait()
            # Telegram may have asked to wait (RetryAfter) while this one waited for its place:
            # PTB's pause, which PTB itself checks only before calling us
            await self._retry_after_event.wait()
            return await callback(*call_args, **call_kwargs)

        return await super().process_request(paced, args, kwargs, endpoint, data, rate_limit_args)
