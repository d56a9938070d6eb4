"""Issue 13, the rest: every message addressed to the bot gets an answer (and chatter none), on the
console, Telegram, Slack and Teams; the one time reader (``kwart over drie``); multi-word dates in
the holiday and leader commands; did-you-mean for people and recognised wrong orders."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from telegram import Bot

from bot.core.errors import UserError
from bot.core.events import CommandEvent, MessageEvent
from bot.transports.slack.inbound import without_bot_mention
from bot.transports.teams.activity import to_event as teams_event
from bot.transports.telegram.updates import BotInfo
from bot.transports.telegram.updates import to_event as telegram_event
from handlers.common.dates import dates_at_end, split_day_time, take_date
from handlers.common.times import read_clock, read_time, time_first
from storage.models import DigestSetting, Holiday, LeaderVisit, MeetingRhythm
from tests.harness import TEAM, Chat, rows, run_console, setup_team
from tests.telegram_fakes import TgChat, TgUser, Updates

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
BOT = BotInfo("leerteam_bot", frozenset({"hulp", "help", "voorzitter"}))


# --- the core: addressed means answered --------------------------------------------------------
async def test_a_message_addressed_to_the_bot_in_a_group_gets_what_it_can_do_and_chatter_nothing(chat):
    await setup_team(chat)
    chatter = await chat.send_event(chat.event(MessageEvent, as_="carla", in_=TEAM,
                                               text="Wie neemt koffie mee?"))
    assert not chatter.outgoing
    asked = await chat.send_event(chat.event(MessageEvent, as_="carla", in_=TEAM, text="wat kun je?",
                                             addressed=True))
    assert "Ik ben er!" in asked.text and "/hulp" in asked.text
    english = await chat.send_event(chat.event(MessageEvent, as_="carla", in_=TEAM, text="hello?",
                                               addressed=True, locale="en"))
    assert english.text  # answered, whatever the language


async def test_an_addressed_number_under_the_bots_options_is_still_an_answer_not_the_hint(chat, app, clock):
    await setup_team(chat)
    await chat.say("/ritme dinsdag 15:30 60", as_="bram", in_=TEAM)
    ev = chat.event(MessageEvent, as_="bram", in_=TEAM, text="het overleg?", addressed=True)
    said = await chat.send_event(ev)
    assert "Ik ben er!" in said.text  # nothing was asked: the hint, never silence


# --- the transports set the flag ----------------------------------------------------------------
def test_telegram_marks_mentions_replies_and_private_chats_as_addressed():
    updates = Updates(Bot("1:fake"))
    els, group = TgUser(1, "Els"), TgChat(-100, "Groep 5")
    plain = telegram_event(updates.message(els, "Wie neemt koffie mee?", group), BOT, NOW)
    assert isinstance(plain, MessageEvent) and not plain.addressed
    mention = telegram_event(updates.message(els, "@leerteam_bot wat kun je?", group), BOT, NOW)
    assert isinstance(mention, MessageEvent) and mention.addressed and mention.text == "wat kun je?"
    other = telegram_event(updates.message(els, "@leerteam_botje hoi", group), BOT, NOW)
    assert isinstance(other, MessageEvent) and not other.addressed  # another bot's name
    private = telegram_event(updates.message(els, "hallo"), BOT, NOW)
    assert isinstance(private, MessageEvent) and private.addressed
    command = telegram_event(updates.message(els, "@leerteam_bot /hulp", group), BOT, NOW)
    assert isinstance(command, CommandEvent) and command.name == "hulp"
    reply = updates.message(els, "ja hoor", group)
    data = reply.to_dict()
    data["message"]["reply_to_message"] = {
        "message_id": 1, "date": 1790000000, "chat": group.as_dict(els), "text": "Welke dag?",
        "from": {"id": 99, "is_bot": True, "first_name": "Leerteam", "username": "leerteam_bot"}}
    replied = telegram_event(type(reply).de_json(data, reply.get_bot()), BOT, NOW)
    assert isinstance(replied, MessageEvent) and replied.addressed and replied.text == "ja hoor"


def test_slack_mentions_lose_the_bots_token():
    assert without_bot_mention("<@U0BOT> wat kun je?", "U0BOT") == "wat kun je?"
    assert without_bot_mention("<@U0BOT|leerteam>: ja", "U0BOT") == "ja"
    assert without_bot_mention("<@U0BOT> /hulp", None) == "/hulp"
    assert without_bot_mention("hoi <@U0ANNA> en <@U0BOT>", "U0BOT") == "hoi <@U0ANNA> en"


def test_teams_mentions_and_private_chats_are_addressed():
    base = {"type": "message", "id": "act-1", "serviceUrl": "https://smba.example/emea/",
            "from": {"id": "29:u", "name": "Anna", "aadObjectId": "aad-1"}, "recipient": {"id": "28:bot"},
            "conversation": {"id": "19:c@thread.tacv2;messageid=5", "conversationType": "channel",
                             "tenantId": "t-1"},
            "channelData": {"team": {"id": "19:t@thread.tacv2"}, "channel": {"id": "19:c@thread.tacv2"}}}
    mention = [{"type": "mention", "text": "<at>Leerteam</at>", "mentioned": {"id": "28:bot"}}]
    names = frozenset({"hulp"})
    said = teams_event({**base, "text": "<at>Leerteam</at> dankjewel", "entities": mention}, NOW, names)
    assert isinstance(said, MessageEvent) and said.addressed and said.text == "dankjewel"
    only = teams_event({**base, "text": "<at>Leerteam</at>", "entities": mention}, NOW, names)
    assert isinstance(only, MessageEvent) and only.addressed
    chatter = teams_event({**base, "text": "koffie?"}, NOW, names)
    assert isinstance(chatter, MessageEvent) and not chatter.addressed


def test_the_console_reads_a_line_starting_with_the_bots_name_as_addressed():
    from bot.transports.console import addressed_to_bot

    assert addressed_to_bot("@leerteam wat kun je?") == (True, "wat kun je?")
    assert addressed_to_bot("Leerteam, ja") == (True, "ja")
    assert addressed_to_bot("leerteams zijn leuk") == (False, "leerteams zijn leuk")
    assert addressed_to_bot("koffie?") == (False, "koffie?")


# --- the one time reader --------------------------------------------------------------------------
@pytest.mark.parametrize("typed, expected", [
    ("15.15", (15, 15)), ("15:15", (15, 15)), ("15u15", (15, 15)), ("15u", (15, 0)), ("15 uur", (15, 0)),
    ("9:05", (9, 5)), ("kwart over drie", (15, 15)), ("half vier", (15, 30)),
    ("tien voor half vier", (15, 20)), ("vijf over half vier", (15, 35)), ("kwart voor vier", (15, 45)),
    ("drie uur", (15, 0)), ("half negen", (8, 30)), ("om half vier", (15, 30)),
    ("half negen 's avonds", (20, 30)), ("kwart over drie 's ochtends", (3, 15)),
    ("quarter past three", (15, 15)), ("half past three", (15, 30)), ("ten to four", (15, 50)),
    ("3pm", (15, 0)), ("Kwart Over Drie", (15, 15)), ("twaalf uur", (12, 0)),
])
def test_times_as_teachers_type_them(typed, expected):
    assert read_clock(typed) == expected


@pytest.mark.parametrize("typed", ["25:00", "12:61", "kwart over dertien", "half", "morgen", "kwart",
                                   "vijftien voor half vier", "15;15", "over drie", ""])
def test_what_is_no_time_is_refused_with_an_example(typed):
    with pytest.raises(UserError) as refused:
        read_time(typed)
    assert refused.value.message.key == "talk.not_time"


def test_a_time_in_words_is_found_after_a_date_in_words():
    assert split_day_time("donderdag 3 december kwart over drie 90") == (
        "donderdag 3 december", "kwart over drie", "90")
    assert split_day_time("volgende week donderdag half vier") == ("volgende week donderdag", "half vier", "")
    assert split_day_time("over twee weken") == ("over twee weken", None, "")  # "twee" is no time here
    assert split_day_time("do 3.12 15.30") == ("do 3.12", "15.30", "")
    assert time_first(["half vier 90 2"]) == ("half vier", ["90", "2"])


async def test_every_command_that_takes_a_time_reads_words(chat, app):
    await setup_team(chat)
    said = await chat.say("/ritme dinsdag kwart over drie 60", as_="bram", in_=TEAM)
    assert "15:15" in said.text
    assert [r.local_time for r in await rows(app, MeetingRhythm)] == ["15:15"]
    said = await chat.say("/ritme dinsdag half vier 45 2", as_="bram", in_=TEAM)
    assert [(r.local_time, r.duration_min, r.every_n_weeks) for r in await rows(app, MeetingRhythm)] == [
        ("15:30", 45, 2)]
    refused = await chat.say("/ritme dinsdag kwart over dertien 60", as_="bram", in_=TEAM)
    assert "'kwart over dertien' is geen tijd" in refused.text and "kwart over drie" in refused.text
    said = await chat.say("/overzichttijd vrijdag tien voor half vier", as_="anna")
    assert [s.local_time for s in await rows(app, DigestSetting)] == ["15:20"]
    extra = await chat.say("/extraoverleg donderdag 10 december kwart over drie 90", as_="bram", in_=TEAM)
    assert "15:15" in extra.text, extra.text


# --- dates of several words in the holiday and leader commands ---------------------------------
def test_dates_of_several_words_are_found_among_other_words():
    today = date(2026, 12, 6)
    assert take_date("donderdag 17 december tot 3 januari Kerst".split(), today) == 3
    assert take_date("21 december tot 3 januari".split(), today) == 2  # never "21 december tot"
    assert take_date("Kerstvakantie".split(), today) == 0
    assert dates_at_end("Groep 5 volgende week donderdag".split(), today)[0] == 3
    assert dates_at_end("Groep 5".split(), today) == []


async def test_a_holiday_takes_multi_word_dates(chat, app):
    await setup_team(chat)
    said = await chat.say("/vakantie maandag 21 december tot en met vrijdag 1 januari Kerstvakantie",
                          as_="anna")
    assert "Kerstvakantie" in said.text, said.text
    assert [(h.first_day, h.last_day, h.label) for h in await rows(app, Holiday)] == [
        (date(2026, 12, 21), date(2027, 1, 1), "Kerstvakantie")]
    wrong = await chat.say("/vakantie dinsdag 21 december 1 januari Kerst", as_="anna")
    assert "maandag" in wrong.text  # the weekday that contradicts the date is named
    assert len(await rows(app, Holiday)) == 1


async def test_a_visit_takes_a_multi_word_date_and_names_a_wrong_order(chat, app, clock):
    await setup_team(chat)
    clock.set(datetime(2026, 12, 10, 12, 0, tzinfo=UTC))
    said = await chat.say("/bezocht Groep 5 dinsdag 8 december", as_="anna")
    assert "8 december" in said.text, said.text
    assert [v.on for v in await rows(app, LeaderVisit)] == [date(2026, 12, 8)]
    wrong = await chat.say("/bezocht 8 december Groep 5", as_="anna")
    assert "Bedoel je /bezocht Groep 5 8 december?" in wrong.text, wrong.text
    typo = await chat.say("/bezocht Groep 6 8 december", as_="anna")
    assert "Groep 5" in typo.text  # did you mean, from the team reader


# --- did you mean: people and orders -------------------------------------------------------------
async def test_a_mistyped_person_gets_the_close_name(chat: Chat):
    await setup_team(chat)
    await chat.say("/aansluiten Groep 5", as_="johann", in_=TEAM)
    said = await chat.say("/voorzitter jonhan Groep 5", as_="anna")
    assert "Bedoel je Johann?" in said.text, said.text
    prefix = await chat.say("/voorzitter johan Groep 5", as_="anna")  # the start of one name: that one
    assert "Johann is nu voorzitter" in prefix.text
    unknown = await chat.say("/voorzitter zzzz Groep 5", as_="anna")
    assert "Bedoel je" not in unknown.text


@pytest.mark.parametrize("command", ["voorzitter", "geenvoorzitter", "uitteam"])
async def test_a_team_typed_before_the_person_is_named_as_a_wrong_order(chat: Chat, command: str):
    await setup_team(chat)
    said = await chat.say(f"/{command} Groep 5 carla", as_="anna")
    assert f"Bedoel je /{command} carla Groep 5?" in said.text, said.text


def test_the_console_answers_a_line_addressed_to_it_in_a_team_channel(tmp_path):
    script = ("/as anna\n/nieuweschool De Regenboog\n/in groep-5\n/nieuwteam Groep 5\n"
              "koffie iemand?\n@leerteam wat kun je hier?\n/klok 2026-12-07 08:00\n"
              "/ritme dinsdag kwart over drie 60\n")
    result = run_console(script, tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/talk.db")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    chatter = out.split("koffie iemand?", 1)[1].split("> anna", 1)[0]
    assert chatter.strip() == ""  # ordinary chatter: no answer
    addressed = out.split("@leerteam wat kun je hier?", 1)[1].split("> anna", 1)[0]
    assert "Ik ben er!" in addressed and "/hulp" in addressed, out
    assert "15:15" in out.split("/ritme dinsdag kwart over drie 60", 1)[1], out


async def test_quiet_hours_take_times_in_words(chat, app):
    await setup_team(chat)
    said = await chat.say("/stilteuren zes uur tot half acht", as_="anna")
    assert "18:00" in said.text and "07:30" in said.text, said.text
    refused = await chat.say("/stilteuren 18:00 25:00", as_="anna")
    assert "kwart over drie" in refused.text  # the one reader's example


async def test_a_visit_date_with_a_weekday_after_a_team_name_ending_in_a_number(chat, app, clock):
    await setup_team(chat)
    clock.set(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    said = await chat.say("/bezocht Groep 5 maandag 23 november", as_="anna")
    assert [v.on for v in await rows(app, LeaderVisit)] == [date(2026, 11, 23)], said.text


def test_a_refused_time_is_echoed_as_typed_and_the_rest_stays_apart():
    assert time_first(["25:00 07:00"]) == ("25:00", ["07:00"])
    assert time_first(["kwart over dertien 60"]) == ("kwart over dertien", ["60"])
    assert time_first(["kwart over dertien"]) == ("kwart over dertien", [])
