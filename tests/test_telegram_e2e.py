"""End to end against a local Telegram Bot API emulator (the npm package telegram-test-api).

The bot runs as its own process, started like ``python -m bot`` (tests/e2e/telegram/run_bot.py
adds only the hidden test commands), against the emulator on 127.0.0.1 — in long-polling mode
and in webhook mode. A fake user sends commands, presses buttons and reads the replies through
the emulator's client API. tests/e2e/telegram/launcher.js adapts the emulator to the current
Bot API (see its header). Needs node and ``npm ci --prefix tests/e2e/telegram``; without them
the test skips, and under CI=true it fails.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import unavailable
from tests.harness import free_port
from tests.telegram_fakes import TgChat, TgUser

ROOT = Path(__file__).resolve().parent.parent
E2E = ROOT / "tests" / "e2e" / "telegram"
TOKEN = "123456:TEST-e2e_token"
BOT = "TestNameBot"  # the emulator's getMe
ANNA = TgUser(2001, "Anna", "anna")
BRAM = TgUser(2002, "Bram", "bram")
GROUP = TgChat(-4001, "Groep 3-4")
WAIT = 15.0  # seconds any single expected event may take, at most


async def _until(check, what: str, timeout: float = WAIT):
    """Poll ``check`` (async, returns a truthy value when done) with a bounded timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


class Emulator:
    def __init__(self, logs: Path) -> None:
        node = shutil.which("node")
        if node is None:
            unavailable("node is not installed (Debian: apt-get install nodejs npm)")
        if not (E2E / "node_modules" / "telegram-test-api").is_dir():
            unavailable("the emulator is not installed: npm ci --prefix tests/e2e/telegram")
        self.log = open(logs / "emulator.log", "w")
        self.proc = subprocess.Popen([node, str(E2E / "launcher.js"), "0"], stdout=subprocess.PIPE,
                                     stderr=self.log, text=True, cwd=E2E)
        line = self.proc.stdout.readline()  # the launcher prints READY <port> once listening
        if not line.startswith("READY "):
            self.proc.kill()
            self.proc.wait()
            self.proc.stdout.close()
            self.log.close()
            raise AssertionError(f"emulator did not start: {line!r} {(logs / 'emulator.log').read_text()}")
        self.url = f"http://127.0.0.1:{int(line.split()[1])}"
        self.http = httpx.AsyncClient(base_url=self.url, timeout=10)

    async def state(self) -> dict:
        return (await self.http.get("/_state")).json()

    async def stop(self) -> None:
        await self.http.aclose()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.log.close()


class FakeUser:
    """A Telegram client: writes in a chat, presses buttons, reads what the bot sent there."""

    def __init__(self, emulator: Emulator, user: TgUser) -> None:
        self.emu, self.user = emulator, user

    def _chat(self, chat: TgChat | None) -> dict:
        return (chat or TgChat(self.user.id)).as_dict(self.user)

    async def say(self, text: str, chat: TgChat | None = None) -> None:
        body = {"botToken": TOKEN, "from": self.user.as_dict(), "chat": self._chat(chat),
                "date": int(time.time()), "text": text}
        if text.startswith("/"):  # a real client marks the command (the emulator's plain messages do not)
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        answer = (await self.emu.http.post("/_client/message", json=body)).json()
        assert answer["ok"], answer

    async def press(self, data: str, message: dict, chat: TgChat | None = None) -> None:
        body = {"botToken": TOKEN, "from": self.user.as_dict(), "data": data,
                "message": {"message_id": message["messageId"], "date": int(time.time()),
                            "chat": self._chat(chat), "text": message["message"].get("text", "")}}
        answer = (await self.emu.http.post("/_client/callback", json=body)).json()
        assert answer["ok"], answer

    async def read(self, chat: TgChat | None = None, count: int = 1) -> list[dict]:
        """The bot's next ``count`` messages in this chat (waits, bounded)."""
        chat_id = (chat or TgChat(self.user.id)).id
        got: list[dict] = []

        async def check():
            res = (await self.emu.http.post("/getUpdates", json={"token": TOKEN, "chatId": chat_id})).json()
            got.extend(res["result"])
            return len(got) >= count

        await _until(check, f"{count} message(s) in chat {chat_id}")
        return got

    async def nothing_more(self, chat: TgChat | None = None) -> bool:
        chat_id = (chat or TgChat(self.user.id)).id
        res = (await self.emu.http.post("/getUpdates", json={"token": TOKEN, "chatId": chat_id})).json()
        return res["result"] == []


def text_of(record: dict) -> str:
    return str(record["message"].get("text", ""))


def buttons(record: dict) -> list[dict]:
    markup = record["message"].get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


@pytest.fixture
async def emulator(tmp_path):
    emu = Emulator(tmp_path)
    yield emu
    await emu.stop()


def _start_bot(emu: Emulator, db: Path, tmp: Path, webhook_port: int | None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_", "LEERTEAM_"))}
    env.update({
        "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{db}", "LEERTEAM_LANGUAGE": "nl",
        "LEERTEAM_LOG_LEVEL": "INFO", "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": emu.url,
    })
    if webhook_port is not None:
        env.update({"TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{webhook_port}/telegram",
                    "TELEGRAM_WEBHOOK_SECRET": "e2e-Secret_42", "LEERTEAM_HOST": "127.0.0.1",
                    "PORT": str(webhook_port)})
    with open(tmp / "bot.log", "w") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([sys.executable, str(E2E / "run_bot.py")], cwd=tmp, env=env,
                                stdout=log, stderr=subprocess.STDOUT)


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_a_teacher_session_against_the_bot_api_emulator(emulator: Emulator, tmp_path, mode):
    db = tmp_path / "leerteam.db"
    hook_port = free_port() if mode == "webhook" else None
    bot = _start_bot(emulator, db, tmp_path, hook_port)
    try:
        async def ready():
            assert bot.poll() is None, (tmp_path / "bot.log").read_text()
            state = await emulator.state()
            if mode == "polling":
                return state["getUpdatesCalls"] > 0
            return state["webhook"] is not None

        await _until(ready, "the bot to start", timeout=60)
        state = await emulator.state()
        # the command menu, in Dutch, English and a default
        menus = {m["language_code"]: [c["command"] for c in m["commands"]] for m in state["commands"]}
        assert set(menus) == {"nl", "en", ""} and "hulp" in menus["nl"] and "help" in menus["en"]
        if mode == "webhook":
            assert state["webhook"]["secret_token"] == "e2e-Secret_42"
            hook = f"http://127.0.0.1:{hook_port}/telegram"
            async with httpx.AsyncClient(timeout=5) as client:
                forged = await client.post(hook, json={"update_id": 999999, "message": {}})
                assert forged.status_code == 403  # no secret token: refused

        anna, bram = FakeUser(emulator, ANNA), FakeUser(emulator, BRAM)
        await anna.say("/start")
        assert "Typ /hulp" in text_of((await anna.read())[0])
        await anna.say("/nieuweschool De Regenboog")
        started, code_msg = await anna.read(count=2)
        assert text_of(started).startswith("School <b>De Regenboog</b> is gestart.")
        assert started["message"]["parse_mode"] == "HTML"
        assert re.search(rf"https://t\.me/{BOT}\?start=join-[A-Z0-9]{{8}}", text_of(code_msg))

        await anna.say(f"/nieuwteam@{BOT} Groep 3-4", GROUP)
        created = (await anna.read(GROUP))[0]
        assert "Deze groep hoort nu bij team <b>Groep 3-4</b>." in text_of(created)
        await bram.say("/aansluiten", GROUP)
        assert "Welkom in team <b>Groep 3-4</b>, Bram!" in text_of((await bram.read(GROUP))[0])

        # a button: a menu (opened by a press on an earlier message), then a press; every press is answered
        await anna.press("tg_test_menu", started)
        menu = (await anna.read())[0]
        assert [b["callback_data"] for b in buttons(menu)] == ["teams", "help"]
        await anna.press(buttons(menu)[0]["callback_data"], menu)
        overview = text_of((await anna.read())[0])
        assert "<b>Leerteams van De Regenboog</b>" in overview and "  - Bram" in overview
        answers = (await _until(lambda: _answers(emulator, 2), "both presses to be answered"))
        assert answers[0]["text"] is None and answers[1]["text"] is None

        # a forged press: refused with a short answer, nothing posted, nothing changed
        await bram.press("make_leader bram", created, GROUP)
        answers = await _until(lambda: _answers(emulator, 3), "the forged press to be answered")
        assert "Alleen de schoolleider" in answers[2]["text"] and answers[2]["show_alert"] is True
        assert await bram.nothing_more(GROUP)

        # a private question asked from the group: Bram never started the bot, so a deep link
        await bram.press("tg_test_ask", created, GROUP)
        note = (await bram.read(GROUP))[0]
        assert str(BRAM.id) in (await emulator.state())["forbidden"]
        assert f'<a href="tg://user?id={BRAM.id}">Bram</a>' in text_of(note)
        link = buttons(note)[0]["url"]
        assert link == f"https://t.me/{BOT}?start=continue"
        await bram.say("/start " + link.rsplit("=", 1)[1])
        asked = (await bram.read())[0]
        assert text_of(asked) == "Welkom in team <b>&lt;vraag &amp; antwoord&gt;</b>, Bram! Waar het team staat, zie je met /status."
        assert asked["message"]["reply_markup"]["force_reply"] is True
        await bram.say("Mijn antwoord")
        assert "Je bent uit team <b>7: Mijn antwoord</b> gestapt." in text_of((await bram.read())[0])
    finally:
        bot.send_signal(signal.SIGTERM)
        try:
            code = bot.wait(timeout=30)
        except subprocess.TimeoutExpired:
            bot.kill()
            code = bot.wait()
    assert code == 0, (tmp_path / "bot.log").read_text()
    # what the bot stored, read from its database after it stopped
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT chat_id FROM chatlink WHERE platform='telegram'").fetchall() == [("-4001",)]
        members = conn.execute(
            "SELECT m.display_name, tm.role FROM teammembership tm JOIN member m ON m.id = tm.member_id").fetchall()
        assert members == [("Bram", "member")]
        assert conn.execute("SELECT count(*) FROM pendingquestion").fetchone() == (0,)
        events = conn.execute("SELECT count(*) FROM processedevent WHERE platform='telegram'").fetchone()
        assert events[0] >= 10


async def _answers(emulator: Emulator, count: int):
    answers = (await emulator.state())["callbackAnswers"]
    return answers if len(answers) >= count else None
