"""The voorzittersoverleg (seed 003): chairs and leaders meet on their own rhythm, with an agenda the
bot fills from every team's state; reminders and notes as for a team meeting.

The frozen clock starts on Monday 7 September 2026, 08:00 UTC (10:00 in Amsterdam). In the harness's
school Bram chairs Groep 5, Anna leads the school, Carla and Dirk are members, Bovenbouw has no chair.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event
from sqlmodel import select

from bot.core.replies import Ask
from handlers.chairs.state import state_lines
from storage.models import (
    AgendaItem,
    ChatLink,
    CycleRound,
    EvaluationRecord,
    Meeting,
    MeetingRhythm,
    Member,
    MomentumFlag,
    Outbox,
    Poll,
    School,
    Team,
    TeamMembership,
)
from tests.harness import TEAM, Chat, rows, setup_team, snapshot, text_of, utc

CHAIRS = "voorzitters"  # the group the leader picks for the chairs' meeting


def sent_to(chat: Chat, start: int) -> list[tuple[str, str]]:
    """(chat or private user, first line) of everything sent since ``start``."""
    out = []
    for o in chat.transport.sent[start:]:
        where = f"dm:{o.address.user_id}" if o.address.private else o.address.chat_id
        out.append((where, text_of(o)))
    return out


async def test_only_chairs_and_leaders_take_part(app, chat):
    await setup_team(chat)
    for who in ("carla", "dirk"):
        refused = await chat.say("/voorzittersoverleg", as_=who)
        assert "voor de voorzitters van de leerteams en de schoolleiding" in refused.text
        assert "voor de voorzitters" in (await chat.say("/voorzitterspunt Iets", as_=who)).text
        assert "voor de voorzitters" in (await chat.say("/voorzittersritme do 15:00", as_=who)).text
    assert await rows(app, AgendaItem) == [] and await rows(app, MeetingRhythm) == []
    bram = await chat.say("/voorzittersoverleg", as_="bram")
    assert "Voorzittersoverleg van De Regenboog" in bram.text
    assert "Wie: Anna, Bram." in bram.text  # the leader and the one chair, derived from the roles
    assert "nog geen vast voorzittersoverleg" in bram.text
    # a new chair takes part at once; nobody adds them anywhere
    await chat.say("/voorzitter carla Groep 5", as_="anna")
    assert "Wie: Anna, Bram, Carla." in (await chat.say("/voorzittersoverleg", as_="carla")).text



async def test_rhythm_agenda_and_private_reminders_with_each_teams_state(app, chat, clock):
    await setup_team(chat)
    app.attach(chat.transport)
    await chat.say("/vraagleider Een studiemiddag. | Samen de bronnen lezen. | Woensdag 18 november.",
                   as_="carla", in_=TEAM)
    set_ = await chat.say("/voorzittersritme donderdag 15:00 60 4", as_="bram")
    assert "heeft een vast ritme. Ritme: om de 4 weken op donderdag om 15:00" in set_.text
    assert "Het eerstvolgende overleg is donderdag 10 september 2026 om 15:00." in set_.text
    assert "/voorzitterspunt" in set_.text and "/agendapunt" not in set_.text
    chairs = [t for t in await rows(app, Team) if t.kind == "chairs"]
    assert len(chairs) == 1 and await rows(app, TeamMembership, TeamMembership.team_id == chairs[0].id) == []
    assert len([m for m in await rows(app, Meeting) if m.team_id == chairs[0].id]) == 2  # 8 weeks, every 4
    added = await chat.say("/voorzitterspunt Studiedag maart | 20", as_="anna")
    assert "voor donderdag 10 september 2026 om 15:00: Studiedag maart (punt 1)" in added.text
    agenda = (await chat.say("/voorzittersagenda", as_="bram")).text
    assert "1. Studiedag maart (20 min)" in agenda
    assert "Groep 5 (Bram) — nog geen focus gekozen" in agenda and "Bovenbouw (nog geen voorzitter)" in agenda
    assert "Nodig: vraag aan de schoolleiding: Een studiemiddag." in agenda
    # not a team anywhere: not in the team list, the leader's agendas, the Home overview's teams
    for line in ("/teams", "/alleagendas"):
        assert "Voorzittersoverleg" not in (await chat.say(line, as_="anna")).text
    home = (await chat.press("home", as_="anna")).text
    assert home.count("Voorzittersoverleg") == 1
    assert "Volgende: donderdag 10 september 2026 om 15:00, 1 punt" in home
    assert "Voorzittersoverleg" not in (await chat.press("home", as_="carla")).text
    # a day before: each participant privately (no chat picked), with the agenda and the teams' state
    mark = len(chat.transport.sent)
    clock.set(utc(2026, 9, 9, 13, 0))
    await app.tick()
    sent = sent_to(chat, mark)
    assert [where for where, _ in sent] == ["dm:anna", "dm:bram"]
    for _, body in sent:
        assert body.startswith("Herinnering: overleg Voorzittersoverleg morgen, donderdag 10 september 2026")
        assert "1. Studiedag maart" in body and "Groep 5 (Bram)" in body and "/voorzitterspunt" in body
        assert "/agendapunt" not in body and "Nog geen onderzoekscyclus" not in body
    # handled points leave the agenda; a wrong number is refused
    wrong = await chat.say("/voorzitterspuntklaar 4", as_="bram")
    assert "kies een nummer van 1 tot en met 1" in wrong.text
    assert "Afgehandeld: Studiedag maart" in (await chat.say("/voorzitterspuntklaar 1", as_="bram")).text
    assert "Nog geen agendapunten." in (await chat.say("/voorzittersagenda", as_="anna")).text


async def test_the_leader_picks_a_chat_and_the_notes_are_asked_and_posted_there(app, chat, clock):
    await setup_team(chat)
    app.attach(chat.transport)
    assert "Alleen de schoolleiding" in (await chat.say("/voorzittersgroep", as_="bram", in_=CHAIRS)).text
    assert "hoort al bij team Groep 5" in (await chat.say("/voorzittersgroep", as_="anna", in_=TEAM)).text
    # unlinking before there is a chairs' meeting changes nothing, and creates none
    assert "er verandert niets" in (await chat.say("/voorzittersgroep uit", as_="anna", in_=CHAIRS)).text
    assert [t for t in await rows(app, Team) if t.kind == "chairs"] == []
    linked = await chat.say("/voorzittersgroep", as_="anna", in_=CHAIRS)
    assert "nu de plek van het voorzittersoverleg" in linked.text
    assert len(await rows(app, ChatLink, ChatLink.chat_id == CHAIRS)) == 1
    set_ = await chat.say("/voorzittersritme maandag 14:00", as_="bram")
    assert set_.outgoing[0].address.chat_id == CHAIRS  # posted where the chairs meet
    # team commands in the chairs' group are refused kindly, and nothing is stored
    before = await snapshot(app)
    for line in ("/aansluiten", "/ritme dinsdag 15:00", "/agendapunt Lezen", "/cyclus Lezen"):
        refused = await chat.say(line, as_="bram", in_=CHAIRS)
        assert "geen leerteam" in refused.text and "/voorzittersoverleg" in refused.text, (line, refused.text)
    assert await snapshot(app) == before
    mark = len(chat.transport.sent)
    clock.set(utc(2026, 9, 13, 12, 0))  # Sunday 14:00: the reminder a day before waits out the weekend
    await app.tick()
    assert sent_to(chat, mark) == []
    clock.set(utc(2026, 9, 14, 6, 0))  # Monday 08:00 local
    await app.tick()
    assert [where for where, _ in sent_to(chat, mark)] == [CHAIRS]
    # after the meeting the one who set the rhythm is asked for the notes, privately
    mark = len(chat.transport.sent)
    clock.set(utc(2026, 9, 14, 13, 5))
    await app.tick()
    asks = [o for o in chat.transport.sent[mark:] if isinstance(o.reply, Ask)]
    assert len(asks) == 1 and asks[0].address.user_id == "bram" and asks[0].address.private
    asked = text_of(asks[0])
    assert asked.startswith("Het voorzittersoverleg (maandag 14 september 2026 om 14:00) is voorbij")
    saved = await chat.say("Besluit: studiedag in maart over begrijpend lezen.", as_="bram")
    assert "Genoteerd als notulen" in saved.text
    posted = [o for o in saved.outgoing if o.address.chat_id == CHAIRS]
    assert posted and "Besluit: studiedag in maart" in text_of(posted[0])
    read = await chat.say("/voorzittersnotulen", as_="anna")
    assert "Besluit: studiedag in maart over begrijpend lezen." in read.text
    assert "voor de voorzitters" in (await chat.say("/voorzittersnotulen", as_="carla")).text
    # back to private messages
    assert "niet meer de plek" in (await chat.say("/voorzittersgroep uit", as_="anna", in_=CHAIRS)).text
    assert await rows(app, ChatLink, ChatLink.chat_id == CHAIRS) == []


async def test_english_and_bad_input(app, chat):
    await setup_team(chat)
    await chat.say("/language en", as_="bram")
    before = await snapshot(app)
    for line, expected in [
        ("/chairsrhythm thursday 25:00", "'25:00' is not a time"),
        ("/chairsrhythm someday 15:00", "not a day of the week"),
        ("/chairspoint " + "x" * 300, "at most 200"),
        ("/chairspoint a | 5 | b", "at most two parts"),
        ("/chairsnotes We met.", "The chairs have not met yet"),
        ("/chairsdone 1", "has no points"),
    ]:
        answer = await chat.say(line, as_="bram")
        assert expected in answer.text, (line, answer.text)
    assert await snapshot(app) == before  # a refused command stores nothing (not even the chairs' row)
    shown = await chat.say("/chairsmeeting", as_="bram")
    assert "Chairs' meeting of De Regenboog" in shown.text and "Who: Anna, Bram." in shown.text
    set_ = await chat.say("/chairsrhythm thu 15:00", as_="bram")
    assert "The chairs' meeting has a regular rhythm." in set_.text and "/chairspoint" in set_.text
    agenda = await chat.say("/chairsagenda", as_="bram")
    assert "From the teams" in agenda.text and "Groep 5 (Bram)" in agenda.text
    # Flemish where the words differ: the leadership is the directie
    await chat.say("/taal nl-BE", as_="carla")
    flemish = await chat.say("/voorzittersoverleg", as_="carla")
    assert "voor de voorzitters van de leerteams en de directie" in flemish.text


async def test_the_agenda_carries_what_each_team_learned_needs_and_advises(app, chat, clock):
    await setup_team(chat)
    await chat.say("/cyclus Begrijpend lezen", as_="bram", in_=TEAM)
    async with app.sessions() as s:
        rnd = (await s.exec(select(CycleRound))).one()
        team = (await s.exec(select(Team).where(Team.name == "Groep 5"))).one()
        carla = (await s.exec(select(Member).where(Member.display_name == "Carla"))).one()
        now = clock.now()
        s.add(EvaluationRecord(round_id=rnd.id, learned="Modelen werkt beter dan uitleggen.",
                               embedding="Elke week één modeltekst in de bovenbouw.", updated_at=now))
        s.add(MomentumFlag(team_id=team.id, kind="cancelled_in_a_row", key="t:c", raised_at=now))
        s.add(MomentumFlag(team_id=team.id, kind="quiet_member", key="t:q", member_id=carla.id,
                           raised_at=now))
        await s.commit()
    agenda = (await chat.say("/voorzittersagenda", as_="anna")).text
    assert "Groep 5 (Bram) — 'Begrijpend lezen', fase 1: Probleemanalyse" in agenda
    assert "Geleerd: Modelen werkt beter dan uitleggen." in agenda
    assert "Advies: Elke week één modeltekst in de bovenbouw." in agenda
    assert "Nodig: de overleggen liepen de laatste weken niet door" in agenda
    assert "Carla" not in agenda  # a quiet member is never named to the chairs
    # the chairs' meeting is not a team in the leader's digest either
    digest = (await chat.say("/overzicht", as_="anna")).text
    assert "Groep 5" in digest and "Voorzittersoverleg" not in digest


async def test_home_shows_the_leader_how_to_start_and_a_chair_only_what_is_planned(app, chat):
    await setup_team(chat)
    leader = (await chat.press("home", as_="anna")).text
    assert "Voorzittersoverleg" in leader and "Nog geen vast overleg: /voorzittersritme" in leader
    assert "Voorzittersoverleg" not in (await chat.press("home", as_="bram")).text  # nothing planned yet
    await chat.say("/voorzittersritme donderdag 15:00", as_="bram")
    chair = (await chat.press("home", as_="bram")).text
    assert "Volgende: donderdag 10 september 2026 om 15:00, 0 punten" in chair


async def test_no_poll_scan_or_notice_ever_goes_to_the_chairs_meeting(app, chat, clock):
    await setup_team(chat)
    app.attach(chat.transport)
    await chat.say("/voorzittersritme maandag 10:00", as_="anna")
    chairs = next(t for t in await rows(app, Team) if t.kind == "chairs")
    for day in range(14, 60, 3):  # its meetings are held; weeks pass beyond the scan rhythm
        clock.set(utc(2026, 9, 1, 12) + timedelta(days=day))
        await app.tick()
    held = [m for m in await rows(app, Meeting) if m.team_id == chairs.id and m.status == "held"]
    assert len(held) >= 6
    assert [p for p in await rows(app, Poll) if p.team_id == chairs.id] == []
    kinds = {o.kind for o in await rows(app, Outbox) if o.payload.get("team_id") == chairs.id
             or o.payload.get("meeting_id") in {m.id for m in held}}
    assert kinds <= {"reminder", "notes_ask"}, kinds  # no poll, no "too small for a poll" notice


async def test_the_teams_state_costs_the_same_few_queries_for_many_teams(app, chat, clock):
    """A board with dozens of teams: the agenda's team part is read set-based, not per team."""
    await setup_team(chat)
    counts = []
    for extra in (2, 30):
        for i in range(extra):
            name = f"Team {len(counts)}-{i}"
            await chat.say(f"/nieuwteam {name}", as_="anna", in_=f"t{len(counts)}-{i}")
            await chat.say("/aansluiten", as_=f"lid{len(counts)}{i}", in_=f"t{len(counts)}-{i}")
            await chat.say(f"/voorzitter lid{len(counts)}{i} {name}", as_="anna")
            await chat.say(f"/cyclus Focus {i}", as_=f"lid{len(counts)}{i}", in_=f"t{len(counts)}-{i}")
        async with app.sessions() as s:
            school = (await s.exec(select(School))).one()
            queries = {"n": 0}

            def count(*_args, queries=queries, **_kw):
                queries["n"] += 1

            event.listen(app.engine.sync_engine, "before_cursor_execute", count)
            try:
                lines = await state_lines(s, school, clock.now())
            finally:
                event.remove(app.engine.sync_engine, "before_cursor_execute", count)
        counts.append((len([x for x in lines if getattr(x, "key", "") == "chairs.state.team"]), queries["n"]))
    (few, q_few), (many, q_many) = counts
    assert many == few + 30
    assert q_few == q_many, counts
