"""How a platform process learns it should stop: a platform stops it with SIGTERM (and a person
with Ctrl-C), and the transport then finishes the work in hand instead of being cut off."""

from __future__ import annotations

import asyncio
import contextlib
import signal


def stop_on_signals(stop: asyncio.Event | None = None,
                    signals: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM)) -> asyncio.Event:
    """``stop`` (or a new event), set when one of ``signals`` arrives. Where signal handlers
    cannot be installed (Windows, or not the main thread) the event is only set by its owner."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in signals:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    return stop
