"""Where row 2's bot CPU goes, without Telegram: one tick of the fan-out's world with a transport
that only counts, timed in its two halves — planning (every capability's due work) and the drain
(claiming, writing the reminders in batches, addressing, and each row's outcome) — and once more
with the outcomes left unwritten, to show their share. CPU of the whole process (the SQLite
thread included), per reminder. Run: ``.venv/bin/python -m bench.fanout_parts [teams]``.

The figures add up to Leerteam's own share of row 2; the Telegram transport's share is
``python -m bench.telegram_floor``. Not part of ``python -m bench``: it explains a row, it is not one.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import CountingTransport, settings_for
from bench.fanout import DUE, FanoutConfig, prepare


async def _tick(url: str, record_outcomes: bool) -> dict[str, Any]:
    from bot.app import Leerteam
    from bot.core import lease
    from bot.core.clock import FrozenClock
    from bot.core.outbox import TickReport, drain, plan

    app = Leerteam(settings_for(url), clock=FrozenClock(DUE))
    transport = CountingTransport("telegram")
    app.attach(transport)
    from bot.main import freeze_start_up

    real_finish = lease.Outcomes.finish
    if not record_outcomes:
        async def unrecorded(self: Any, claim: Any, **values: Any) -> bool:
            return True

        lease.Outcomes.finish = unrecorded  # type: ignore[method-assign]
    try:
        freeze_start_up()  # as bot.main.run does before the bot serves
        report = TickReport()
        began = time.process_time()
        await plan(app, DUE, report)
        planned = time.process_time()
        await drain(app, DUE, report)
        drained = time.process_time()
    finally:
        lease.Outcomes.finish = real_finish  # type: ignore[method-assign]
        import gc

        gc.unfreeze()
        await app.close()
    sent = max(1, transport.sent)
    return {"sent": transport.sent, "plan_ms": (planned - began) * 1000 / sent,
            "drain_ms": (drained - planned) * 1000 / sent}


async def fanout_parts(teams: int = 1000) -> dict[str, Any]:
    out: dict[str, Any] = {"teams": teams}
    for name, record in (("with_outcomes", True), ("without_outcomes", False)):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'parts.db'}"
            await prepare(url, FanoutConfig(teams=teams))
            out[name] = await _tick(url, record)
    return out


if __name__ == "__main__":
    result = asyncio.run(fanout_parts(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
    w, wo = result["with_outcomes"], result["without_outcomes"]
    print(f"{result['teams']} teams, {w['sent']} reminders, CPU per reminder without Telegram: "
          f"planning {w['plan_ms']:.2f} ms, the drain {w['drain_ms']:.2f} ms "
          f"(of which the outcomes {w['drain_ms'] - wo['drain_ms']:.2f} ms)")
