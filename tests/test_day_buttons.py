"""Issue 14, the rest: buttons whose values name a team (or carry typed text) fit Telegram's 64 bytes
of callback data, even for a 60-character team name full of emoji, and still do what they say."""

from __future__ import annotations

import pytest

from bot.transports.telegram import build_application
from bot.transports.telegram.payloads import MAX_CALLBACK, encode_callback
from storage.models import MeetingRhythm, Team, TeamMembership
from tests import telegram_fakes
from tests.harness import with_test_commands
from tests.telegram_fakes import TOKEN, FakeBotApi, TgChat, TgUser, Updates

ANNA = TgUser(1001, "Anna", "anna")
BRAM = TgUser(1002, "Bram", "bram")
GROUP_A = TgChat(-2001, "Regenboog")
GROUP_B = TgChat(-2002, "Bovenbouw")
LONG = "Groep 3-4 🌈🦄🐢🌻 samen leren " + "".join(chr(0x1F400 + 5 * i) for i in range(33))  # 60 characters


class Tg:
    def __init__(self, application, api: FakeBotApi) -> None:
        self.application, self.api = application, api
        self.updates = Updates(application.bot)

    async def say(self, user: TgUser, text: str, chat: TgChat | None = None) -> list:
        before = len(self.api.calls)
        await self.application.process_update(self.updates.message(user, text, chat))
        return self.api.calls[before:]

    async def press(self, user: TgUser, data: str, chat: TgChat | None = None) -> list:
        before = len(self.api.calls)
        await self.application.process_update(self.updates.press(user, data, chat))
        return self.api.calls[before:]


@pytest.fixture
def capabilities():
    return with_test_commands(telegram_fakes)


@pytest.fixture
async def tg(app, settings):
    api = FakeBotApi()
    s = settings.model_copy(update={"telegram_bot_token": TOKEN})
    application, _ = build_application(app, s, request=api, updates_request=FakeBotApi())
    await application.initialize()
    yield Tg(application, api)
    await application.shutdown()


async def _school(tg: Tg) -> None:
    assert len(LONG) == 60 and encode_callback(f"team_join {LONG}") is None  # by name it could not fit
    for user, line, chat in [
        (ANNA, "/start", None), (ANNA, "/nieuweschool De Regenboog", None),
        (ANNA, f"/nieuwteam {LONG}", GROUP_A), (ANNA, "/nieuwteam Bovenbouw", GROUP_B),
        (BRAM, "/aansluiten", GROUP_B),
    ]:
        assert await tg.say(user, line, chat), line


def _buttons(calls: list) -> list[dict]:
    rows = [row for c in calls if c.method == "sendMessage" for row in c.keyboard]
    return [button for row in rows for button in row]


def _button(calls: list, label: str) -> str:
    buttons = _buttons(calls)
    assert buttons, calls
    for b in buttons:  # every value fits, none was left out
        assert 0 < len(b["callback_data"].encode()) <= MAX_CALLBACK, b
    found = [b["callback_data"] for b in buttons if b["text"] == label]
    assert len(found) == 1, (label, buttons)
    return found[0]


async def test_joining_a_team_with_a_long_emoji_name_by_button(app, tg: Tg):
    await _school(tg)
    data = _button(await tg.say(BRAM, "/aansluiten"), LONG)
    calls = await tg.press(BRAM, data)
    assert any(LONG in c.text for c in calls if c.method == "sendMessage"), calls
    async with app.sessions() as s:
        team = (await s.exec(Team.__table__.select().where(Team.name == LONG))).first()
        joined = (await s.exec(TeamMembership.__table__.select().where(
            TeamMembership.team_id == team.id))).all()
    assert len(joined) == 1  # Bram, by the button; the leader only created it


async def test_a_leader_in_no_team_picks_a_long_named_team_by_button(app, tg: Tg):
    await _school(tg)
    data = _button(await tg.say(ANNA, "/agenda"), LONG)
    calls = await tg.press(ANNA, data)
    assert any(LONG in c.text for c in calls if c.method == "sendMessage"), calls
    # the rhythm typed with long words travels as read (weekday, time, minutes, weeks), not as typed
    data = _button(await tg.say(ANNA, "/ritme dinsdag 15:30 90 2"), LONG)
    await tg.press(ANNA, data)
    async with app.sessions() as s:
        rhythm = (await s.exec(MeetingRhythm.__table__.select())).first()
    assert (rhythm.weekday, rhythm.local_time, rhythm.duration_min, rhythm.every_n_weeks) == (1, "15:30", 90, 2)


async def test_a_button_for_a_team_that_is_gone_is_refused_clearly(app, tg: Tg):
    await _school(tg)
    data = _button(await tg.say(BRAM, "/aansluiten"), LONG)
    assert await tg.say(ANNA, f"/archiveer {LONG}")
    calls = await tg.press(BRAM, data)
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert "Die knop werkt niet meer" in calls[0].params["text"]
