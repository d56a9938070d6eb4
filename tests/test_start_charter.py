"""The team charter (issue 16 part 5; seed 003's *visie*, seed 001's start): the chair sets the
ambition and the ground rules; the team sees them on /status, on /handvest, on the team's web page
and atop the agendas of its first three meetings — and again after every change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from handlers.cycle.charter import CHARTER_AGENDAS
from handlers.web.server import add_web_routes
from storage.models import Meeting, TeamCharter
from tests.harness import TEAM, Chat, setup_team, text_of
from tests.web_world import login_path

AMBITION = "Elke leerling leest met plezier en begrip."
RULES = "We beginnen op tijd; Iedereen brengt een vraag mee\nTwijfel mag"


async def _charter(chat: Chat) -> None:
    await chat.say(f"/ambitie {AMBITION}", as_="bram", in_=TEAM)
    await chat.say(f"/spelregels {RULES}", as_="bram", in_=TEAM)


async def test_only_the_chair_sets_the_charter_and_everyone_reads_it(app, chat: Chat):
    await setup_team(chat)
    assert "nog geen handvest" in (await chat.say("/handvest", as_="carla", in_=TEAM)).text
    refused = await chat.say("/ambitie Alles beter", as_="carla", in_=TEAM)
    assert refused.outgoing[0].is_error and "Alleen de voorzitter van Groep 5" in refused.text
    set_ = await chat.say(f"/ambitie {AMBITION}", as_="bram", in_=TEAM)
    assert "bijgewerkt" in set_.text and f"Ambitie: {AMBITION}" in set_.text
    rules = await chat.say(f"/spelregels {RULES}", as_="bram", in_=TEAM)
    assert "• We beginnen op tijd\n  • Iedereen brengt een vraag mee\n  • Twijfel mag" in rules.text
    assert f"Ambitie: {AMBITION}" in rules.text  # setting the rules keeps the ambition
    shown = await chat.say("/handvest Groep 5", as_="carla")
    assert "Handvest van Groep 5" in shown.text and "Twijfel mag" in shown.text and AMBITION in shown.text
    async with app.sessions() as s:
        charter = (await s.exec(select(TeamCharter))).one()
        assert charter.rules == ["We beginnen op tijd", "Iedereen brengt een vraag mee", "Twijfel mag"]


async def test_a_rule_keeps_its_number_and_loses_only_its_list_mark(app, chat: Chat):
    await setup_team(chat)
    await chat.say("/spelregels 1. 5 minuten stilte aan het begin\n- 2 x per week feedback\n3) 2.5 uur per week lezen",
                   as_="bram", in_=TEAM)
    async with app.sessions() as s:
        charter = (await s.exec(select(TeamCharter))).one()
    assert charter.rules == ["5 minuten stilte aan het begin", "2 x per week feedback", "2.5 uur per week lezen"]


async def test_bad_charters_get_a_short_answer_and_nothing_is_lost(app, chat: Chat):
    await setup_team(chat)
    await _charter(chat)
    too_many = await chat.say("/spelregels " + "; ".join(f"regel {i}" for i in range(11)), as_="bram", in_=TEAM)
    assert "Dat zijn er te veel (11)" in too_many.text
    long = await chat.say("/ambitie " + "x" * 1001, as_="bram", in_=TEAM)
    assert long.outgoing[0].is_error
    async with app.sessions() as s:
        charter = (await s.exec(select(TeamCharter))).one()
        assert charter.ambition == AMBITION and len(charter.rules) == 3


async def test_the_charter_heads_status(app, chat: Chat):
    await setup_team(chat)
    await chat.say("/cyclus Begrijpend lezen", as_="bram", in_=TEAM)
    assert "Ons handvest" not in (await chat.say("/status", as_="carla", in_=TEAM)).text
    await _charter(chat)
    status = (await chat.say("/status", as_="carla", in_=TEAM)).text
    assert status.index("Ons handvest") < status.index("Fase 1")
    assert AMBITION in status and "Iedereen brengt een vraag mee" in status


async def test_the_charter_heads_the_first_three_agendas_and_again_after_a_change(app, chat: Chat, clock):
    await setup_team(chat)
    app.attach(chat.transport)
    await _charter(chat)
    await chat.say("/ritme dinsdag 15:30 60", as_="bram", in_=TEAM)
    assert CHARTER_AGENDAS == 3
    async with app.sessions() as s:
        meetings = (await s.exec(select(Meeting).order_by(Meeting.starts_at))).all()
    reminders = []
    for meeting in meetings[:5]:  # the day-before reminder of each meeting carries its agenda
        clock.set(meeting.starts_at - timedelta(days=1) + timedelta(minutes=1))
        mark = len(chat.transport.sent)
        await app.tick()
        sent = [text_of(o) for o in chat.transport.sent[mark:] if text_of(o).startswith("Herinnering")]
        assert sent, f"no reminder before {meeting.starts_at}"
        reminders.append(sent[0])
    assert ["Ons handvest" in r for r in reminders] == [True, True, True, False, False]
    assert all(AMBITION in r for r in reminders[:3])
    await chat.say("/spelregels We sluiten af met één afspraak", as_="bram", in_=TEAM)
    agenda = (await chat.say("/agenda", as_="carla", in_=TEAM)).text
    assert agenda.index("Ons handvest") < agenda.index("We sluiten af met één afspraak")


@pytest.fixture
async def client(app):
    webapp = web.Application()
    add_web_routes(webapp, app)
    async with TestClient(TestServer(webapp, host="127.0.0.1")) as c:
        yield c


async def test_the_team_page_shows_the_charter(app, chat: Chat, client):
    await setup_team(chat)
    page = await (await client.get(await login_path(chat, "carla"))).text()
    assert page
    team_page = await (await client.get("/web/team/1")).text()
    assert "Ons handvest" not in team_page
    await _charter(chat)
    team_page = await (await client.get("/web/team/1")).text()
    assert "Ons handvest" in team_page and "Iedereen brengt een vraag mee" in team_page
    assert team_page.count("Iedereen brengt een vraag mee") == 1  # not a second time atop the agenda
