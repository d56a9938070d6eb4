"""``bot.main.run``: what happens between the settings and the platform — the database migrated,
the platform's runner chosen, the start-up objects frozen for the collector while the bot serves and
thawed when it stops."""

from __future__ import annotations

import gc

import pytest

from bot.core.config import Settings
from bot.main import run
from storage.migrate import at_head


async def test_the_bot_serves_with_its_start_up_frozen_and_thaws_when_it_stops(tmp_path, monkeypatch):
    settings = Settings(DATABASE_URL=f"sqlite:///{tmp_path / 'leerteam.db'}", LEERTEAM_TICK_SECONDS=0,
                        LEERTEAM_WEB_PORT=0, _env_file=None)
    seen: dict[str, int] = {}

    async def serving(app, _settings) -> None:
        seen["frozen"] = gc.get_freeze_count()
        seen["migrated"] = await at_head(app.engine)
        seen["start_up_frozen"] = sum(1 for o in gc.get_objects() if o is app)  # the app itself is frozen

    monkeypatch.setattr("bot.main.transport_runner", lambda _settings: serving)
    assert gc.get_freeze_count() == 0
    await run(settings)
    assert seen["migrated"]
    assert seen["frozen"] > 10_000  # the modules, classes and catalogs the start built
    assert seen["start_up_frozen"] == 0  # out of the collector's sight while serving
    assert gc.get_freeze_count() == 0  # thawed when the bot stopped



async def test_a_platform_that_cannot_be_loaded_still_closes_the_database(tmp_path, monkeypatch):
    from bot.app import Leerteam

    settings = Settings(DATABASE_URL=f"sqlite:///{tmp_path / 'leerteam.db'}", LEERTEAM_TICK_SECONDS=0,
                        LEERTEAM_WEB_PORT=0, _env_file=None)
    closed: list[bool] = []
    real_close = Leerteam.close

    async def close(self) -> None:
        closed.append(True)
        await real_close(self)

    def broken(_settings):
        raise ImportError("no module named 'telegram'")

    monkeypatch.setattr(Leerteam, "close", close)
    monkeypatch.setattr("bot.main.transport_runner", broken)
    with pytest.raises(ImportError):
        await run(settings)
    assert closed == [True]
