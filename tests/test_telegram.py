"""Leerteam on Telegram, offline: real python-telegram-bot objects through
``Application.process_update``, with a recording Bot API (tests/telegram_fakes.py) instead of
the network. The end-to-end run against a Bot API emulator is tests/test_telegram_e2e.py."""

from __future__ import annotations

import asyncio
import html
import re
import socket
from html.parser import HTMLParser

import httpx
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlmodel import select

from bot.app import Leerteam
from bot.core.config import SettingsError, load_settings
from bot.core.delivery import Address, Outgoing
from bot.core.replies import Text
from bot.transports.telegram import build_application
from bot.transports.telegram.payloads import (
    MAX_CALLBACK,
    decode_callback,
    decode_start,
    encode_callback,
)
from bot.transports.telegram.render import split_html, utf16_len
from prompts.markup import Markup, escape
from storage.models import ChatLink, PendingQuestion, ProcessedEvent, SchoolMembership, Team, TeamMembership
from tests import telegram_fakes  # noqa: F401  (registers the test-only commands)
from tests.harness import Chat, school_setup, snapshot, with_test_commands
from tests.telegram_fakes import BOT_USERNAME, TOKEN, FakeBotApi, TgChat, TgUser, Updates

ANNA = TgUser(1001, "Anna", "anna")
BRAM = TgUser(1002, "Bram", "bram")
CARLA = TgUser(1003, "Carla", "carla")
DIRK = TgUser(1004, "Dirk <b>&amp;", "dirk")
EVA = TgUser(1005, "Eva", None, language_code="en")
GROUP_A = TgChat(-2001, "Groep 3-4 (leerteam)")
GROUP_B = TgChat(-2002, "Bovenbouw")


# --- HTML as Telegram accepts it ----------------------------------------------------------------
class _TelegramHtml(HTMLParser):
    ALLOWED = {"b", "i", "code", "a"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        assert tag in self.ALLOWED, f"tag <{tag}> is not Telegram HTML"
        if tag == "a":
            self.links.append(dict(attrs)["href"])
        self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack.pop() == tag, f"unbalanced </{tag}>"

    def handle_data(self, data):
        self.text.append(data)


def visible(text: str) -> str:
    """The text a reader sees; fails on anything Telegram would reject as HTML."""
    for m in re.finditer(r"&[^;\s]*;?", text):
        assert re.fullmatch(r"&(amp|lt|gt|quot|#\d+|#x[0-9a-fA-F]+);", m.group()), f"bad entity {m.group()!r}"
    assert "<" not in re.sub(r"</?(b|i|code|a)( href=\"[^\"]*\")?>", "", text), f"raw < in {text!r}"
    parser = _TelegramHtml()
    parser.feed(text)
    parser.close()
    assert parser.stack == [], f"unclosed tags in {text!r}"
    return "".join(parser.text)


# --- the bot, offline ---------------------------------------------------------------------------
class Tg:
    def __init__(self, app: Leerteam, application, bridge, api: FakeBotApi) -> None:
        self.app, self.application, self.bridge, self.api = app, application, bridge, api
        self.updates = Updates(application.bot)

    async def send(self, update) -> list:
        before = len(self.api.calls)
        await self.application.process_update(update)
        return self.api.calls[before:]

    async def say(self, user: TgUser, text: str, chat: TgChat | None = None, **kw) -> list:
        return await self.send(self.updates.message(user, text, chat, **kw))

    async def press(self, user: TgUser, data: str, chat: TgChat | None = None, **kw) -> list:
        return await self.send(self.updates.press(user, data, chat, **kw))


async def _start(app: Leerteam, settings) -> Tg:
    api = FakeBotApi()
    s = settings.model_copy(update={"telegram_bot_token": TOKEN})
    application, bridge = build_application(app, s, request=api, updates_request=FakeBotApi())
    await application.initialize()
    return Tg(app, application, bridge, api)


@pytest.fixture
def capabilities():
    return with_test_commands(telegram_fakes)


@pytest.fixture
async def tg(app, settings):
    bot = await _start(app, settings)
    yield bot
    await bot.application.shutdown()


def texts(calls, method: str = "sendMessage") -> list[str]:
    return [visible(c.text) for c in calls if c.method == method]


async def telegram_setup(tg: Tg) -> dict[str, list]:
    """The foundation's scripted session, as Telegram updates: a private chat and two groups."""
    script = [
        (ANNA, "/start", None),
        (ANNA, "/nieuweschool De Regenboog", None),
        (ANNA, f"/nieuwteam@{BOT_USERNAME} Groep 3-4", GROUP_A),
        (ANNA, "/nieuwteam Bovenbouw", GROUP_B),
        (BRAM, "/aansluiten", GROUP_A),
        (CARLA, "/aansluiten Bovenbouw", GROUP_B),
        (ANNA, "/voorzitter bram Groep 3-4", None),
        (ANNA, "/schoolleider carla", None),
        (ANNA, "/teams", None),
    ]
    answers = {}
    for user, line, chat in script:
        calls = await tg.say(user, line, chat)
        assert calls, f"no answer to {line}"
        answers[line] = calls
    return answers


async def _school_projection(app: Leerteam, school_name: str, platform: str) -> dict:
    """Schools, teams, people and roles, by name (ids and platforms differ between runs)."""
    from sqlmodel import col

    from storage.models import Identity, Member, School

    async with app.sessions() as s:
        school = (await s.exec(select(School).where(School.name == school_name)
                               .join(SchoolMembership, col(SchoolMembership.school_id) == col(School.id))
                               .join(Identity, col(Identity.member_id) == col(SchoolMembership.member_id))
                               .where(Identity.platform == platform))).first()
        teams = {t.id: t.name for t in (await s.exec(select(Team).where(Team.school_id == school.id))).all()}
        people = {m.id: m.display_name for m in (await s.exec(select(Member))).all()}
        sm = (await s.exec(select(SchoolMembership).where(SchoolMembership.school_id == school.id))).all()
        tm = (await s.exec(select(TeamMembership).where(col(TeamMembership.team_id).in_(list(teams))))).all()
    return {
        "school": school.name,
        "teams": sorted(teams.values()),
        "school_members": sorted((people[m.member_id], m.is_admin, m.is_leader) for m in sm),
        "team_members": sorted((teams[m.team_id], people[m.member_id], m.role) for m in tm),
    }


async def test_scripted_session_replayed_on_telegram(app, tg: Tg):
    answers = await telegram_setup(tg)
    # the same results as the console session of the foundation, in the same database
    console = Chat(app)
    await school_setup(console)
    assert await _school_projection(app, "De Regenboog", "telegram") == \
        await _school_projection(app, "De Regenboog", "console")
    # the groups became the teams' chats
    async with app.sessions() as s:
        links = {(link.chat_id, (await s.get(Team, link.team_id)).name)
                 for link in (await s.exec(select(ChatLink).where(ChatLink.platform == "telegram"))).all()}
    assert links == {("-2001", "Groep 3-4"), ("-2002", "Bovenbouw")}
    # sensible, escaped HTML, in the right chats
    started = answers["/nieuweschool De Regenboog"]
    assert [c.chat_id for c in started] == [ANNA.id, ANNA.id]
    assert started[0].text.startswith("School <b>De Regenboog</b> is gestart.")
    code = re.search(r"<code>([A-Z0-9]{8})</code>", started[1].text).group(1)
    assert f"https://t.me/{BOT_USERNAME}?start=join-{code}" in visible(started[1].text)
    created = answers[f"/nieuwteam@{BOT_USERNAME} Groep 3-4"]
    assert created[0].chat_id == GROUP_A.id
    assert "Deze groep hoort nu bij team Groep 3-4." in visible(created[0].text)
    assert "Welkom in team Groep 3-4, Bram! Waar het team staat, zie je met /status." in texts(answers["/aansluiten"])
    chair = answers["/voorzitter bram Groep 3-4"]
    assert {c.chat_id for c in chair} == {ANNA.id, BRAM.id}  # the news goes to Bram privately
    overview = texts(answers["/teams"])[0]
    for line in ("Leerteams van De Regenboog", "Bovenbouw — 1 lid", "  - Carla", "Groep 3-4 — 1 lid",
                 "  - Bram (voorzitter)", "  - Anna (schoolleider, beheerder)", "  - Carla (schoolleider)"):
        assert line in overview
    for calls in answers.values():
        for call in calls:
            if call.method == "sendMessage":
                assert call.params["parse_mode"] == "HTML"
                visible(call.text)


async def test_user_text_is_escaped_and_writing_in_the_group_joins_quietly(app, tg: Tg):
    await telegram_setup(tg)
    before = await snapshot(app)
    assert await tg.say(DIRK, "Goedemorgen! <b>vet</b> & zo", GROUP_A) == []  # no reply in the group
    assert await snapshot(app) != before
    calls = await tg.say(ANNA, "/teams")
    raw = calls[0].text
    assert "Dirk &lt;b&gt;&amp;amp;" in raw and "<b>&amp;" not in raw
    assert "  - Dirk <b>&amp;" in visible(raw)
    assert "Groep 3-4 — 2 leden" in visible(raw)
    # the school leader only visits: writing in a group does not make her a member
    assert await tg.say(ANNA, "Fijn overleg vandaag", GROUP_B) == []
    assert "Bovenbouw — 1 lid" in texts(await tg.say(ANNA, "/teams"))[0]


async def test_forged_button_presses_are_refused_and_change_nothing(app, tg: Tg):
    await telegram_setup(tg)
    before = await snapshot(app)
    forged = [
        ("team_leave Bovenbouw", "Je zit niet in team Bovenbouw"),  # a team Bram is not in
        ("make_chair bram Bovenbouw", "Alleen de voorzitter van Bovenbouw"),  # a role he lacks there
        ("team_create Hackers", "Alleen de schoolleider"),  # a school role he lacks
        ("make_leader bram", "Alleen de schoolleider"),
        ("~!!!!", "Die knop werkt niet meer"),  # garbage
        ("~" + "A" * 40, "Die knop werkt niet meer"),
        ("\u202e\u0000", "Die knop werkt niet meer"),
        ("x" * 64, "Die knop werkt niet meer"),
        ("", "Die knop werkt niet meer"),
    ]
    for data, refusal in forged:
        for chat in (None, GROUP_A):
            calls = await tg.press(BRAM, data, chat)
            assert [c.method for c in calls] == ["answerCallbackQuery"], (data, calls)
            assert refusal in calls[0].params["text"] and calls[0].params["show_alert"] is True
            assert len(calls[0].params["text"]) <= 200
    assert await snapshot(app) == before


async def test_buttons_deep_links_and_edits(app, tg: Tg):
    await telegram_setup(tg)
    calls = await tg.press(ANNA, "tg_test_menu")
    menu = calls[-1]
    assert menu.keyboard == [[{"text": "schoolleider", "callback_data": "teams"}],
                             [{"text": "beheerder", "callback_data": "help"}]]
    pressed = await tg.press(ANNA, "teams", message_id=menu.result["message_id"])
    assert pressed[0].method == "answerCallbackQuery" and "text" not in pressed[0].params
    assert "Leerteams van De Regenboog" in texts(pressed)[0]
    # the menu message is edited in place (found through the database, not memory)
    edited = await tg.press(ANNA, "tg_test_edit")
    edit = [c for c in edited if c.method == "editMessageText"]
    assert len(edit) == 1 and edit[0].chat_id == ANNA.id and "Dat is meer dan ik verwacht" in edit[0].text
    assert int(edit[0].params["message_id"]) == menu.result["message_id"]
    # a value too long for 64 bytes travels compressed, and is decoded again
    assert len(encode_callback("teams " + " " * 100).encode()) <= MAX_CALLBACK


async def test_a_redelivered_update_is_handled_once(app, tg: Tg):
    await telegram_setup(tg)
    update = tg.updates.message(DIRK, "/aansluiten", GROUP_B, update_id=424242)
    assert "Welkom in team Bovenbouw, Dirk <b>&amp;! Waar het team staat, zie je met /status." in texts(await tg.send(update))
    again = tg.updates.message(DIRK, "/aansluiten", GROUP_B, update_id=424242)
    assert await tg.send(again) == []
    press = tg.updates.press(ANNA, "teams", update_id=424243)
    assert len(texts(await tg.send(press))) == 1
    repeat = await tg.send(tg.updates.press(ANNA, "teams", update_id=424243))
    assert [c.method for c in repeat] == ["answerCallbackQuery"]  # answered, nothing else
    async with app.sessions() as s:
        ids = {e.event_id for e in (await s.exec(select(ProcessedEvent))).all()}
    assert {"424242", "424243"} <= ids


async def test_private_question_from_a_group_continues_privately_after_a_restart(app, tg: Tg, settings, clock):
    await telegram_setup(tg)
    tg.api.blocked.add(BRAM.id)  # Bram never started a private chat with the bot
    calls = await tg.press(BRAM, "tg_test_ask", GROUP_A)
    sent = [c for c in calls if c.method == "sendMessage"]
    assert [c.chat_id for c in sent] == [BRAM.id, GROUP_A.id]  # refused privately, then a note in the group
    note = sent[1]
    assert "vraag" not in note.text  # the question itself is not shown in the group
    assert f'<a href="tg://user?id={BRAM.id}">Bram</a>' in note.text
    assert note.keyboard == [[{"text": "Verder in een privégesprek",
                               "url": f"https://t.me/{BOT_USERNAME}?start=continue"}]]
    async with app.sessions() as s:
        pending = (await s.exec(select(PendingQuestion))).all()
    assert [(p.chat_id, p.kind) for p in pending] == [("", "tg_test_echo")]
    # a restart: new process, new Application; the question lives in the database
    await tg.application.shutdown()
    await app.close()
    app2 = Leerteam(settings, clock=clock, capabilities=with_test_commands(telegram_fakes))
    tg2 = await _start(app2, settings)
    tg2.updates = Updates(tg2.application.bot, start=5000)  # Telegram's update ids go on
    try:
        asked = await tg2.say(BRAM, "/start continue")
        assert len(asked) == 1
        assert visible(asked[0].text) == "Welkom in team <vraag & antwoord>, Bram! Waar het team staat, zie je met /status."
        assert asked[0].markup["force_reply"] is True
        answered = texts(await tg2.say(BRAM, "Mijn antwoord"))
        assert answered == ["Je bent uit team 7: Mijn antwoord gestapt. Je antwoorden blijven bij het team bewaard."]
        async with app2.sessions() as s:
            assert (await s.exec(select(PendingQuestion))).all() == []
        # nothing waiting any more: /start just greets
        assert "Typ /hulp" in texts(await tg2.say(BRAM, "/start"))[0]
    finally:
        await tg2.application.shutdown()
        await app2.close()


async def test_join_link_and_language_from_the_telegram_app(app, tg: Tg):
    await telegram_setup(tg)
    code = re.search(r"join-([A-Z0-9]{8})", (await tg.say(ANNA, "/schoolcode"))[0].text).group(1)
    joined = texts(await tg.say(EVA, f"/start join-{code}"))
    assert joined[0].startswith("Welcome to De Regenboog!")  # Eva's Telegram app is in English
    assert "Nederlands" in texts(await tg.say(EVA, "/taal nl"))[0]  # her own choice wins from now on
    assert texts(await tg.say(EVA, "/teams"))[0].startswith("Leerteams van De Regenboog")


async def test_a_flemish_telegram_app_gets_flemish(app, tg: Tg):
    await telegram_setup(tg)
    code = re.search(r"join-([A-Z0-9]{8})", (await tg.say(ANNA, "/schoolcode"))[0].text).group(1)
    lies = TgUser(1006, "Lies", None, language_code="nl-BE")
    assert texts(await tg.say(lies, f"/start join-{code}"))[0].startswith("Welkom bij De Regenboog!")
    teams = texts(await tg.say(lies, "/teams"))[0]
    assert "\nDirectie\n" in teams and "Anna (directeur, beheerder)" in teams  # Flemish words, Dutch rest
    assert "\nSchoolleiding\n" in texts(await tg.say(ANNA, "/teams"))[0]  # Anna's app says nothing: Dutch


async def test_groups_other_bots_commands_and_odd_updates(app, tg: Tg):
    await telegram_setup(tg)
    assert await tg.say(BRAM, "/weer@SomeOtherBot Utrecht", GROUP_A) == []
    assert await tg.say(BRAM, "/weer Utrecht", GROUP_A) == []  # unknown bare command: maybe another bot's
    assert "Het commando /weer ken ik niet" in texts(await tg.say(BRAM, f"/weer@{BOT_USERNAME}", GROUP_A))[0]
    assert "Het commando /weer ken ik niet" in texts(await tg.say(BRAM, "/weer"))[0]
    assert "Wat ik kan" in texts(await tg.say(BRAM, "/start", GROUP_A))[0]
    added = await tg.send(tg.updates.added_to_group(EVA, TgChat(-3003, "Nieuwe groep")))
    assert [c.chat_id for c in added] == [-3003]
    assert "Link this group to a learning team" in visible(added[0].text) and "/link" in added[0].text


async def test_images_long_texts_and_the_command_menu(app, tg: Tg):
    photo = await tg.press(ANNA, "tg_test_image")
    sent = [c for c in photo if c.method == "sendPhoto"]
    assert len(sent) == 1 and sent[0].files["photo"].startswith(b"\x89PNG")
    assert visible(sent[0].params["caption"]) == "beheerder\n\nschoolleider"
    long = await tg.press(ANNA, "tg_test_long 200")
    chunks = texts(long)
    assert len(chunks) >= 3 and all(utf16_len(c) <= 4096 for c in chunks)
    assert all(c.startswith("Welkom in team <b>Groep & co</b>, Ann*a*!") for c in chunks)
    assert sum(c.count("Welkom") for c in chunks) == 200
    await tg.bridge.register_commands()
    menus = tg.api.sent("setMyCommands")
    assert [m.params.get("language_code") for m in menus] == ["nl", "en", None]
    by_lang = {m.params.get("language_code"): [c["command"] for c in m.params["commands"]] for m in menus}
    assert "hulp" in by_lang["nl"] and "help" in by_lang["en"] and "koppel" in by_lang["nl"]
    assert by_lang[None] == by_lang["nl"]  # the default language for other clients
    for menu in menus:
        for item in menu.params["commands"]:
            assert re.fullmatch(r"[a-z0-9_]{1,32}", item["command"]) and 3 <= len(item["description"]) <= 256
        assert not any(name.startswith("tg_test") or name == "resume" for name in by_lang["nl"])


async def test_a_group_that_becomes_a_supergroup_keeps_its_team(app, tg: Tg):
    await telegram_setup(tg)
    # the service message in the old group says where it went
    assert await tg.send(tg.updates.migrated(ANNA, GROUP_A, -1009001)) == []
    supergroup = TgChat(-1009001, GROUP_A.title)
    assert "Je zit al in team Groep 3-4." in texts(await tg.say(BRAM, "/aansluiten", supergroup))
    # or Telegram refuses a message to the old id: it is sent to the new one, and remembered
    tg.api.migrated[GROUP_B.id] = -1009002
    out = Outgoing(Address("telegram", str(GROUP_B.id)), "nl", Text(Markup("Herinnering")))
    ref = await tg.bridge.transport.send(out)
    assert ref is not None and ref.chat_id == "-1009002"
    async with app.sessions() as s:
        links = sorted(link.chat_id for link in (await s.exec(select(ChatLink))).all())
    assert links == ["-1009001", "-1009002"]


async def test_flood_control_is_waited_out_not_dropped(app, tg: Tg):
    await telegram_setup(tg)
    tg.api.flood[GROUP_A.id] = 1  # Telegram: 429, retry after 1 s
    out = Outgoing(Address("telegram", str(GROUP_A.id)), "nl", Text(Markup("Herinnering")))
    ref = await tg.bridge.transport.send(out)
    attempts = [c for c in tg.api.sent() if c.chat_id == GROUP_A.id and c.text == "Herinnering"]
    assert ref is not None and len(attempts) == 2  # AIORateLimiter retried after RetryAfter


async def test_files_are_sent_as_documents(app, tg: Tg):
    from bot.core.replies import Document

    out = Outgoing(Address("telegram", str(ANNA.id), str(ANNA.id), True), "nl",
                   Document(b"# Kwaliteitskaart", "kaart.md", caption=Markup("*Groep 3-4*")))
    assert await tg.bridge.transport.send(out) is not None
    doc = tg.api.sent("sendDocument")[0]
    assert doc.chat_id == ANNA.id and doc.files["document"] == b"# Kwaliteitskaart"
    assert doc.params["caption"] == "<b>Groep 3-4</b>"


async def test_webhook_refuses_requests_without_the_secret(app, settings):
    api = FakeBotApi()
    s = settings.model_copy(update={"telegram_bot_token": TOKEN})
    application, _ = build_application(app, s, request=api, updates_request=FakeBotApi())
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/telegram"
    update = {"update_id": 5, "message": {"message_id": 1, "date": 1790000000, "text": "/hulp",
                                          "chat": {"id": ANNA.id, "type": "private", "first_name": "Anna"},
                                          "from": ANNA.as_dict()}}
    async with application:
        await application.start()
        await application.updater.start_webhook(listen="127.0.0.1", port=port, url_path="telegram",
                                                webhook_url=url, secret_token="s3cret-Token_1")
        try:
            assert api.sent("setWebhook")[0].params["secret_token"] == "s3cret-Token_1"
            async with httpx.AsyncClient(timeout=5) as client:
                missing = await client.post(url, json=update)
                wrong = await client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"})
                assert (missing.status_code, wrong.status_code) == (403, 403)
                await asyncio.sleep(0)
                assert api.sent() == []
                right = await client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"})
                assert right.status_code == 200
            for _ in range(200):  # the update is processed in the background: poll, bounded
                if api.sent():
                    break
                await asyncio.sleep(0.02)
            assert "Wat ik kan" in visible(api.sent()[0].text)
        finally:
            await application.updater.stop()
            await application.stop()


def test_settings_for_telegram_are_checked():
    base = {"_env_file": None}
    with pytest.raises(SettingsError) as err:
        load_settings(TELEGRAM_BOT_TOKEN="not a token", **base)
    assert err.value.message.key == "setting.telegram_token"
    with pytest.raises(SettingsError) as err:
        load_settings(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_WEBHOOK_URL="https://bot.example.org/tg", **base)
    assert err.value.message.key == "setting.telegram_secret_needed"
    with pytest.raises(SettingsError) as err:
        load_settings(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_MODE="webhook", **base)
    assert err.value.message.key == "setting.telegram_url_needed"
    with pytest.raises(SettingsError) as err:
        load_settings(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_WEBHOOK_URL="https://x.org/t",
                      TELEGRAM_WEBHOOK_SECRET="has spaces", **base)
    assert err.value.message.key == "setting.telegram_webhook_secret"
    ok = load_settings(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_WEBHOOK_URL="https://x.org/t",
                       TELEGRAM_WEBHOOK_SECRET="abc_DEF-1", **base)
    assert ok.transport == "telegram" and ok.telegram_webhook
    assert not load_settings(TELEGRAM_BOT_TOKEN=TOKEN, **base).telegram_webhook


# --- the platform-neutral part: writing in a team's channel joins it ------------------------------
async def test_writing_in_a_linked_team_channel_joins_that_team_quietly(app, chat: Chat):
    await school_setup(chat)
    await chat.say("/koppel Groep 3-4", as_="bram", in_="g34")
    assert not await chat.say("goedemorgen allemaal", as_="dirk", in_="g34")
    async with app.sessions() as s:
        rows = (await s.exec(select(TeamMembership))).all()
    assert len(rows) == 3
    assert "Groep 3-4 — 2 leden" in await chat.say("/teams", as_="anna")
    assert not await chat.say("nog een keer", as_="dirk", in_="g34")
    assert not await chat.say("hallo", as_="anna", in_="g34")  # leaders visit without joining
    assert "Groep 3-4 — 2 leden" in await chat.say("/teams", as_="anna")


# --- rendering and payloads -------------------------------------------------------------------------
def test_long_markup_splits_below_the_limit_without_breaking_tags():
    line = "*vet* _schuin_ `code` [link](https://example.org/a_b) " + escape("<x & y>") + " 😀\n"
    markup = line * 400 + "*" + "woord" * 1500 + "*"
    chunks = split_html(markup)
    assert len(chunks) > 3
    shown = [visible(c) for c in chunks]
    assert all(utf16_len(s) <= 4096 for s in shown)
    joined = "".join(shown)
    assert joined.count("😀") == 400 and joined.count("<x & y>") == 400
    assert joined.replace("\n", "").endswith("woord" * 10)
    assert all('href="https://example.org/a_b"' in c for c in chunks[:2])


@given(st.text(max_size=300))
@hsettings(max_examples=150, deadline=None)
def test_any_text_renders_as_valid_escaped_html(text):
    chunks = split_html(escape(text), limit=50)
    shown = "".join(visible(c) for c in chunks)
    assert "".join(shown.split()) == "".join(text.split())  # all of it, in order (splits eat only spaces)
    for c in chunks:
        assert utf16_len(visible(c)) <= 50


@given(st.lists(st.sampled_from(["*vet*", "_schuin_", "`code`", "[a](https://x.nl)", " ", "  ", "\n", "\n\n",
                                   "woord", "😀", "&lt;x&gt;", "\t"]), max_size=40))
@hsettings(max_examples=300, deadline=None)
def test_a_message_that_fits_renders_as_the_general_split_would(parts):
    """The short path (one message) gives exactly what splitting line by line gives."""
    from bot.transports.telegram.render import _pieces, _split_long

    markup = "".join(parts)
    assert split_html(markup) == _split_long(_pieces(markup), 4096)


@given(st.text(max_size=120))
@hsettings(max_examples=200, deadline=None)
def test_callback_payloads_round_trip(value):
    data = encode_callback(value)
    if data is not None:
        assert 0 < len(data.encode("utf-8")) <= MAX_CALLBACK
        assert decode_callback(data) == value


def test_a_deep_link_can_only_join_or_continue():
    """A crafted link is tapped *as the colleague who taps it*: it must never run a command."""
    import base64

    forged = "v-" + base64.urlsafe_b64encode(b"delete_my_data_confirm 3").decode().rstrip("=")
    assert decode_start(forged) == "resume"
    assert decode_start("z-" + forged[2:]) == "resume"
    assert decode_start("join-ABCD2345") == "school_join ABCD2345"
    assert decode_start("join-x; DROP") == "resume"
    assert decode_start("continue") == "resume"


@given(st.text(max_size=64))
def test_garbage_payloads_never_crash(data):
    assert isinstance(decode_callback(data), str)
    assert isinstance(decode_start(data), str)


def test_html_is_escaped_not_interpreted():
    assert split_html(escape('<a href="x">&amp;</a>')) == ['&lt;a href="x"&gt;&amp;amp;&lt;/a&gt;']
    assert html.unescape(split_html(escape("a & b"))[0]) == "a & b"


# --- issue 14, the rest: an answer for one person in a busy group names that person ---------------------
def _reply_to(call) -> dict | None:
    return call.params.get("reply_parameters")  # PTB's request parameters: a dict, or absent


async def test_refusals_and_short_answers_in_a_group_reply_to_the_persons_message(app, tg: Tg):
    await telegram_setup(tg)
    update = tg.updates.message(BRAM, "/koppel Bovenbouw", GROUP_B)  # Bram is not Bovenbouw's chair
    (refusal,) = [c for c in await tg.send(update) if c.method == "sendMessage"]
    assert "Alleen de voorzitter van Bovenbouw" in visible(refusal.text)
    assert refusal.chat_id == GROUP_B.id
    assert _reply_to(refusal) == {"message_id": update.message.message_id, "allow_sending_without_reply": True}
    # an ordinary short answer in the group is a reply too
    update = tg.updates.message(CARLA, "/aansluiten Groep 3-4", GROUP_A)
    (welcome,) = [c for c in await tg.send(update) if c.method == "sendMessage"]
    assert "Welkom in team Groep 3-4, Carla" in visible(welcome.text)
    assert _reply_to(welcome)["message_id"] == update.message.message_id
    # in a private chat there is nobody else to tell apart: no reply, no mention
    (private,) = [c for c in await tg.say(BRAM, "/koppel Bovenbouw") if c.method == "sendMessage"]
    assert _reply_to(private) is None and "tg://user" not in private.text


async def test_an_answer_to_a_button_in_a_group_starts_with_a_mention(app, tg: Tg):
    await telegram_setup(tg)
    calls = await tg.press(BRAM, "teams", GROUP_A)  # a button's message is the bot's own: mention instead
    (answer,) = [c for c in calls if c.method == "sendMessage"]
    assert answer.text.startswith(f'<a href="tg://user?id={BRAM.id}">Bram</a>: ')
    assert "Leerteams van De Regenboog" in visible(answer.text) and _reply_to(answer) is None
    # a hostile name stays text inside the mention
    await tg.say(DIRK, "/aansluiten Groep 3-4", GROUP_A)
    (answer,) = [c for c in await tg.press(DIRK, "teams", GROUP_A) if c.method == "sendMessage"]
    assert answer.text.startswith(f'<a href="tg://user?id={DIRK.id}">Dirk &lt;b&gt;&amp;amp;</a>: ')
