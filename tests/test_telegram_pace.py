"""The Telegram transport's overall pace (bot/transports/telegram/pace.py): 30 messages a second in
steps of three, places handed out in order, and PTB's per-group limit and flood-control retries
kept. The clock is the test's."""

from __future__ import annotations

import asyncio
from bisect import bisect_left

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram.error import RetryAfter

from bot.transports.telegram.pace import PER_STEP, PacedRateLimiter, StepPace


class Clock:
    """A clock that moves only when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_step_holds_three_then_the_next_step_follows():
    pace = StepPace(rate=30, per_step=3)
    assert [round(pace.place(0.0), 6) for _ in range(7)] == [0, 0, 0, 0.1, 0.1, 0.1, 0.2]
    # asking again while those steps are still ahead: after them, in order
    assert round(pace.place(0.05), 6) == 0.2
    # once every step has passed, a request goes at once and starts a new step
    assert pace.place(5.0) == 5.0
    assert pace.place(5.01) == 5.01 and pace.place(5.02) == 5.02
    assert round(pace.place(5.03), 6) == 5.1


def test_a_quiet_bot_sends_at_once():
    pace = StepPace(rate=30, per_step=3)
    assert [pace.place(t) for t in (1.0, 2.0, 3.5)] == [1.0, 2.0, 3.5]


@settings(max_examples=300, deadline=None)
@given(gaps=st.lists(st.floats(min_value=0, max_value=0.2, allow_nan=False), min_size=1, max_size=200),
       per_step=st.integers(min_value=1, max_value=5))
def test_no_second_holds_more_than_the_rate_and_nobody_waits_longer_than_needed(gaps, per_step):
    rate = 30.0
    pace = StepPace(rate=rate, per_step=per_step)
    asked, started, now = [], [], 0.0
    for gap in gaps:
        now += gap
        asked.append(now)
        started.append(pace.place(now))
    assert all(s >= a for s, a in zip(started, asked, strict=True))
    assert started == sorted(started)  # in the order asked for
    assert _most_in_a_second(started) <= rate
    # the pace never idles while someone waits: a request that waited starts in the step right
    # after a full one, or a second after the `rate`-th start before it
    step = per_step / rate
    for i in range(1, len(started)):
        if started[i] > asked[i]:
            assert started[i] - started[i - 1] <= step + 1e-9 or (
                i >= rate and started[i] == started[i - int(rate)] + 1.0), (i, started[i - 3:i + 1])


def _most_in_a_second(started: list[float]) -> int:
    """The most starts any second [s, s + 1) holds (exactly, no rounding)."""
    return max(bisect_left(started, s + 1) - i for i, s in enumerate(started))


def test_late_joiners_and_added_up_steps_do_not_crowd_a_second():
    # two requests join the first step late; the next steps are full: without the one-second
    # check [0.099, 1.099) would hold 32
    pace = StepPace(rate=30, per_step=3)
    asked = [0.0, 0.099, 0.0999] + [round(0.1 * k, 6) + d for k in range(1, 11) for d in (0, 0.0001, 0.0002)]
    started = [pace.place(t) for t in asked]
    assert _most_in_a_second(started) == 30
    # a backlog of 33 at once: ten steps added up in floating point end at 0.9999999999999999,
    # which would let [0, 1) hold 33
    pace = StepPace(rate=30, per_step=3)
    started = [pace.place(0.0) for _ in range(33)]
    assert _most_in_a_second(started) == 30 and started[30:] == [1.0, 1.0, 1.0]


def test_a_pace_needs_a_rate():
    with pytest.raises(ValueError):
        StepPace(rate=0)
    with pytest.raises(ValueError):
        StepPace(per_step=0)


async def test_the_limiter_paces_messages_to_chats_only():
    clock = Clock()
    limiter = PacedRateLimiter(pace=StepPace(clock=clock, sleep=clock.sleep))  # the shipped rate and step
    went: list[tuple[str, float]] = []

    async def call(name: str) -> dict:
        went.append((name, clock.now))
        return {"ok": name}

    async def send(name: str, endpoint: str, data: dict) -> None:
        await limiter.process_request(call, (name,), {}, endpoint, data, None)

    for i in range(PER_STEP):
        await send(f"m{i}", "sendMessage", {"chat_id": 100 + i})
    # the step is full; what is not a message to a chat goes at once, and takes no place
    await send("me", "getMe", {})
    await send("pop-up", "answerCallbackQuery", {"callback_query_id": "7"})
    await send("paid", "sendMessage", {"chat_id": 9, "allow_paid_broadcast": True})  # PTB's own limit
    await send("next", "sendMessage", {"chat_id": 103})
    assert [(n, round(t, 6)) for n, t in went] == [
        *((f"m{i}", 0) for i in range(PER_STEP)), ("me", 0), ("pop-up", 0), ("paid", 0),
        ("next", round(PER_STEP / 30, 6)),  # one more message waits for the next step
    ]


async def test_flood_control_is_waited_out_and_the_retry_takes_a_new_place():
    clock = Clock()
    pace = StepPace(rate=30, per_step=1, clock=clock, sleep=clock.sleep)
    limiter = PacedRateLimiter(max_retries=1, pace=pace)
    tries: list[float] = []

    async def call() -> dict:
        tries.append(clock.now)
        if len(tries) == 1:
            raise RetryAfter(0)  # Telegram: wait 0 s (PTB adds a tenth of a second, on the real loop)
        return {"ok": True}

    assert await limiter.process_request(call, (), {}, "sendMessage", {"chat_id": -5}, None) == {"ok": True}
    assert len(tries) == 2 and round(tries[1] - tries[0], 6) == round(1 / 30, 6)  # paced again


async def test_a_request_waiting_for_its_place_also_waits_out_flood_control():
    """Telegram asks to wait (RetryAfter) while another request waits for its place: that one does
    not go out during the pause (PTB checks its pause before the pace, so the pace checks again)."""
    clock = Clock()
    waiting, refused = asyncio.Event(), asyncio.Event()

    async def until_the_first_is_refused(seconds: float) -> None:
        clock.now += seconds
        waiting.set()
        await refused.wait()

    limiter = PacedRateLimiter(max_retries=1, pace=StepPace(rate=30, per_step=1, clock=clock,
                                                            sleep=until_the_first_is_refused))
    gate_open: dict[str, list[bool]] = {"first": [], "second": []}

    async def call(name: str) -> dict:
        gate_open[name].append(limiter._retry_after_event.is_set())
        if name == "first" and len(gate_open["first"]) == 1:
            await waiting.wait()  # the second is waiting for its place now
            refused.set()
            raise RetryAfter(0)  # PTB pauses every request a tenth of a second (on the real loop)
        return {"ok": name}

    await asyncio.gather(*(limiter.process_request(call, (name,), {}, "sendMessage", {"chat_id": i}, None)
                           for i, name in enumerate(("first", "second"))))
    assert gate_open == {"first": [True, True], "second": [True]}  # nobody went out during the pause


async def test_the_group_limit_stays_pythons_telegram_bots():
    # 20 messages a minute to one group: PTB's own limiter, untouched; here only that it is on
    limiter = PacedRateLimiter()
    assert limiter._group_max_rate == 20 and limiter._base_limiter is None


async def test_the_bot_is_built_with_the_paced_limiter(app, settings):
    from bot.transports.telegram import build_application
    from tests.telegram_fakes import FakeBotApi

    s = settings.model_copy(update={"telegram_bot_token": "123:abc"})
    application, _ = build_application(app, s, request=FakeBotApi(), updates_request=FakeBotApi())
    assert isinstance(application.bot.rate_limiter, PacedRateLimiter)


async def test_a_cancelled_wait_leaves_its_place_unused():
    clock = Clock()
    gate = asyncio.Event()

    async def slow_sleep(seconds: float) -> None:
        await gate.wait()

    pace = StepPace(rate=30, per_step=1, clock=clock, sleep=slow_sleep)
    await pace.wait()  # the first goes at once
    waiting = asyncio.create_task(pace.wait())
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert round(pace.place(0.0), 6) == round(2 / 30, 6)  # the cancelled one's place is not reused
