"""Meetings, agendas and reminders as a team uses them, on a clock the test moves (never sleeps).

The frozen clock starts on Monday 7 September 2026, 08:00 UTC (10:00 in Amsterdam)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col

from bot.core.replies import Ask, Document, Text
from storage.models import AgendaItem, Holiday, Meeting, MeetingRhythm, MomentumFlag, Outbox, PendingQuestion
from tests.harness import TEAM, Chat, rows, setup_team, snapshot, text_of, utc


def sent_texts(chat: Chat, start: int = 0) -> list[str]:
    return [text_of(o) for o in chat.transport.sent[start:]]


async def test_rhythm_plans_meetings_in_local_time_and_lists_them(app, chat, clock):
    await setup_team(chat)
    answer = await chat.say("/ritme dinsdag 15:30 60", as_="bram", in_=TEAM)
    assert "elke dinsdag om 15:30 (60 minuten)" in answer.text
    assert "Het eerstvolgende overleg is dinsdag 8 september 2026 om 15:30" in answer.text
    meetings = await rows(app, Meeting)
    assert len(meetings) == 8  # eight weeks ahead
    first = min(meetings, key=lambda m: m.starts_at)
    assert first.starts_at == utc(2026, 9, 8, 13, 30)  # 15:30 summer time
    # after the switch to winter time the meeting stays at 15:30 local, 14:30 UTC
    listing = await chat.say("/overleggen", as_="carla", in_=TEAM)
    assert "1. dinsdag 8 september 2026 om 15:30 (60 min)" in listing.text
    clock.set(utc(2026, 10, 20, 8))
    await app.tick()
    nov3 = [m for m in await rows(app, Meeting) if m.starts_at.date() == datetime(2026, 11, 3).date()]
    assert nov3 and nov3[0].starts_at == utc(2026, 11, 3, 14, 30)


async def test_every_two_weeks_and_english(app, chat):
    await setup_team(chat)
    await chat.say("/language en", as_="bram")
    answer = await chat.say("/rhythm thu 9.00 45 2", as_="bram", in_=TEAM)
    # the team channel is addressed in the school's language (Dutch), whatever the chair speaks
    assert "om de 2 weken op donderdag om 09:00 (45 minuten)" in answer.text, answer.text
    assert answer.outgoing[0].address.chat_id == TEAM and answer.outgoing[0].lang == "nl"
    assert "/agendapunt" in answer.text and "/agendaitem" not in answer.text  # command names in Dutch too
    private = await chat.say("/rhythm thu 9.00 45 2", as_="bram")
    assert "I have posted it in team Groep 5's channel." in private.texts[-1]  # and to him, in English
    starts = sorted(m.starts_at for m in await rows(app, Meeting))
    assert all((b - a).days == 14 for a, b in zip(starts, starts[1:]))


async def test_bad_input_is_refused_and_nothing_is_stored(app, chat):
    await setup_team(chat)
    await chat.say("/ritme dinsdag 15:30", as_="bram", in_=TEAM)
    before = await snapshot(app)
    cases = [
        ("bram", "/ritme dinsdag 25:00", "'25:00' is geen tijd die ik begrijp"),
        ("bram", "/ritme dinsdag 12:61", "'12:61' is geen tijd"),
        ("bram", "/ritme dinsdag 15:30 60 0", "'0' kan niet als aantal weken"),
        ("bram", "/ritme zondagmiddag 15:30", "geen dag van de week"),
        ("bram", "/ritme dinsdag 15:30 5000", "tussen 10 en 480 minuten"),
        ("carla", "/ritme woensdag 15:30", "Alleen de voorzitter van Groep 5"),
        ("bram", "/verzet 1 31-2-2027", "'31-2-2027' is geen datum"),
        ("bram", "/verzet 1 1-9-2026", "ligt in het verleden"),
        ("bram", "/verzet 9 10-9-2026", "kies een nummer van 1 tot en met 6"),
        ("bram", "/afzeggen 1", "Er ontbreekt iets"),
        ("bram", "/extraoverleg 31-2-2027 15:00", "is geen datum"),
        ("anna", "/vakantie 25-10-2026 17-10-2026 Herfst", "eindigt (17 oktober 2026) vóór hij begint"),
        ("anna", "/vakantie 31-2-2027 3-3-2027 Voorjaar", "'31-2-2027' is geen datum"),
        ("bram", "/vakantie 17-10-2026 25-10-2026 Herfst", "Alleen de schoolleider"),
        ("anna", "/vakantieregio oost", "De regio 'oost' ken ik niet"),
        ("carla", "/agendapunt " + "x" * 10_000, "Te lang: het agendapunt heeft 10000 tekens, hooguit 200 mag."),
        ("carla", "/agendapunt Lezen | 20 | anna", "Anna zit niet in team Groep 5"),
        ("carla", "/agendapunt Lezen | twintig", "geen tijdsduur"),
        ("carla", "/agendapunt a | 1 | bram | extra", "hooguit drie delen"),
        ("anna", "/agendapunt Lezen", "Je zit niet in team Groep 5"),
        ("bram", "/herinneringen 1d 2u 3u 4u", "Hooguit 3 herinneringen"),
        ("bram", "/herinneringen 10d", "tussen 5 en 10080 minuten"),
        ("bram", "/puntnaar 1 2", "De agenda van Groep 5 is leeg"),
    ]
    for who, line, expected in cases:
        answer = await chat.say(line, as_=who, in_=TEAM)
        assert expected in answer.text, (line, answer.text)
    assert await snapshot(app) == before


async def test_agenda_items_from_members_order_done_and_transparency(app, chat):
    await setup_team(chat)
    await chat.say("/ritme dinsdag 15:30 60", as_="bram", in_=TEAM)
    a = await chat.say("/agendapunt Leesresultaten bespreken | 20 | carla", as_="carla", in_=TEAM)
    assert "Op de agenda van Groep 5 voor dinsdag 8 september 2026 om 15:30: Leesresultaten bespreken (punt 1)." in a.text
    await chat.say("/agendapunt Nieuwe methode | 15", as_="dirk")  # from a private chat: dirk's only team
    await chat.say("/agendapunt Rekenen", as_="dirk", in_=TEAM)
    # the chair moves item 3 to the top; a member may not
    assert "Alleen de voorzitter" in (await chat.say("/puntnaar 3 1", as_="dirk", in_=TEAM)).text
    order = await chat.say("/puntnaar 3 1", as_="bram", in_=TEAM)
    assert order.texts[0].splitlines()[1:] == ["1. Rekenen", "2. Leesresultaten bespreken (20 min, Carla)",
                                               "3. Nieuwe methode (15 min)"]
    # carla cannot remove dirk's point; dirk can; then one is handled
    assert "Alleen wie het punt toevoegde" in (await chat.say("/puntweg 1", as_="carla", in_=TEAM)).text
    assert "Geschrapt van de agenda: Rekenen" in (await chat.say("/puntweg 1", as_="dirk", in_=TEAM)).text
    assert "Afgehandeld: Nieuwe methode" in (await chat.say("/afgehandeld 2", as_="carla", in_=TEAM)).text
    # anyone at the school sees the agenda, also of a team they are not in
    view = await chat.say("/agenda Groep 5", as_="anna")
    assert "Agenda van Groep 5 — overleg dinsdag 8 september 2026 om 15:30" in view.text
    assert "1. Leesresultaten bespreken (20 min, Carla)" in view.text
    assert "Nieuwe methode" not in view.text and "Rekenen" not in view.text
    assert "Nog geen onderzoekscyclus" in view.text
    # the leader's view of all teams
    overview = await chat.say("/alleagendas", as_="anna")
    assert "Groep 5* —" not in overview.text  # plain text: markup is rendered away
    assert "Groep 5 — dinsdag 8 september 2026 om 15:30 · geen cyclus" in overview.text
    assert "Bovenbouw — het volgende overleg (nog niet gepland)" in overview.text
    assert "Alleen de schoolleider" in (await chat.say("/alleagendas", as_="carla")).text
    items = await rows(app, AgendaItem)
    assert sorted(i.status for i in items) == ["done", "open", "removed"]


async def test_agenda_shows_the_cycle_state_and_actions_due(app, chat, clock):
    await setup_team(chat)
    await chat.say("/ritme dinsdag 15:30 60", as_="bram", in_=TEAM)
    await chat.say("/cyclus Begrijpend lezen", as_="bram", in_=TEAM)
    view = await chat.say("/agenda", as_="carla", in_=TEAM)
    assert "Onderzoekscyclus 'Begrijpend lezen': fase 1, Probleemanalyse (sinds 7 september 2026)" in view.text
    assert "een probleemstelling (/probleem)" in view.text
    for _ in range(2):  # on to phase 3, where actions have owners and dates
        await chat.say("/volgendetoch We willen de actiefase laten zien.", as_="bram", in_=TEAM)
    await chat.say("/actie Hardop voorlezen in groep 5 | carla | 8-9-2026", as_="bram", in_=TEAM)
    await chat.say("/actie Toets afnemen | dirk | 1-12-2026", as_="bram", in_=TEAM)
    view = await chat.say("/agenda", as_="carla", in_=TEAM)
    assert "fase 3, Gerichte interventie" in view.text
    assert "Acties die vóór het overleg klaar moeten zijn:\n  • Hardop voorlezen in groep 5 (Carla, uiterlijk 8 september 2026)" in view.text
    assert "Toets afnemen" not in view.text  # due after the meeting


async def test_move_cancel_extra_and_the_reminders_follow(app, chat, clock):
    await setup_team(chat)
    app.attach(chat.transport)
    await chat.say("/ritme dinsdag 15:30 60", as_="bram", in_=TEAM)
    moved = await chat.say("/verzet 1 9-9-2026 16:00", as_="bram", in_=TEAM)
    assert "van dinsdag 8 september 2026 om 15:30 naar woensdag 9 september 2026 om 16:00" in moved.text
    gone = await chat.say("/afzeggen 2 Studiedag", as_="bram", in_=TEAM)
    assert "dinsdag 15 september 2026 om 15:30 gaat niet door. Reden: Studiedag" in gone.text
    extra = await chat.say("/extraoverleg 16-9-2026 14:00 30", as_="bram", in_=TEAM)
    assert "Extra overleg voor Groep 5: woensdag 16 september 2026 om 14:00 (30 minuten)" in extra.text
    listing = (await chat.say("/overleggen", as_="dirk", in_=TEAM)).text
    assert "2. dinsdag 15 september 2026 om 15:30: gaat niet door (Studiedag)" in listing
    assert "3. woensdag 16 september 2026 om 14:00 (30 min) — extra overleg" in listing
    # Tuesday 8 Sep 14:30 local: no reminder, the meeting moved to Wednesday 16:00
    mark = len(chat.transport.sent)
    clock.set(utc(2026, 9, 8, 12, 30))
    await app.tick()
    assert sent_texts(chat, mark) == []
    clock.set(utc(2026, 9, 8, 14, 0))  # Tuesday 16:00 local: a day before Wednesday 16:00
    await app.tick()
    assert [t.splitlines()[0] for t in sent_texts(chat, mark)] == [
        "Herinnering: overleg Groep 5 morgen, woensdag 9 september 2026, om 16:00 (60 minuten)"]
    # the cancelled Tuesday 15 Sep gets nothing; the extra Wednesday meeting does
    mark = len(chat.transport.sent)
    clock.set(utc(2026, 9, 15, 13, 0))
    await app.tick()
    assert not any("15 september" in t for t in sent_texts(chat, mark))
    assert any("morgen, woensdag 16 september 2026, om 14:00" in t for t in sent_texts(chat, mark))


async def test_holidays_pause_the_rhythm_and_come_back(app, chat):
    await setup_team(chat)
    await chat.say("/ritme dinsdag 15:30", as_="bram", in_=TEAM)
    added = await chat.say("/vakantie 12-9-2026 20-9-2026 Studieweek", as_="anna")
    assert "Studieweek (12 september 2026 tot en met 20 september 2026) staat erin" in added.text
    assert "(1 gepauzeerd)" in added.text
    off = [m for m in await rows(app, Meeting) if m.status == "holiday"]
    assert [m.starts_at for m in off] == [utc(2026, 9, 15, 13, 30)]
    listing = await chat.say("/vakanties", as_="carla")
    assert "1. Studieweek: 12 september 2026 tot en met 20 september 2026" in listing.text
    assert "geen overleg (Studieweek)" in (await chat.say("/overleggen", as_="carla", in_=TEAM)).text
    removed = await chat.say("/vakantieweg 1", as_="anna")
    assert "Studieweek is geschrapt" in removed.text
    assert [m for m in await rows(app, Meeting) if m.status == "holiday"] == []
    assert await rows(app, Holiday) == []


async def test_regional_holidays_come_from_the_holidays_library(app, chat):
    await setup_team(chat)
    await chat.say("/ritme dinsdag 15:30", as_="bram", in_=TEAM)
    answer = await chat.say("/vakantieregio midden", as_="anna")
    assert "schoolvakanties toegevoegd" in answer.text
    found = {h.label: (h.first_day, h.last_day) for h in await rows(app, Holiday)}
    # region Midden, autumn 2026: week 43, from the Saturday before to the Sunday after
    assert found["Herfstvakantie"] == (datetime(2026, 10, 17).date(), datetime(2026, 10, 25).date())
    assert "Kerstvakantie" in found and "Zomervakantie" in found
    again = await chat.say("/vakantieregio midden", as_="anna")
    assert "0 schoolvakanties toegevoegd" in again.text  # nothing twice


async def test_notes_are_asked_from_the_chair_and_kept(app, chat, clock):
    await setup_team(chat)
    app.attach(chat.transport)
    await chat.say("/ritme dinsdag 15:30 60", as_="bram", in_=TEAM)
    await chat.say("/agendapunt Lezen", as_="carla", in_=TEAM)
    clock.set(utc(2026, 9, 8, 14, 45))  # 16:45 local: the meeting has ended
    mark = len(chat.transport.sent)
    await app.tick()
    asks = [o for o in chat.transport.sent[mark:] if isinstance(o.reply, Ask)]
    assert len(asks) == 1 and asks[0].address.user_id == "bram" and asks[0].address.private
    assert "1 agendapunt is niet afgehandeld en schuift door naar het volgende overleg." in text_of(asks[0])
    pending = await rows(app, PendingQuestion)
    assert [p.kind for p in pending if p.kind != "_menu"] == ["meeting_notes"]  # _menu: the poll's button
    # carla typing in her private chat is not taken as the chair's notes
    assert "Typ /hulp" in (await chat.say("We spraken over lezen", as_="carla")).text
    saved = await chat.say("Besluit: elke dag tien minuten stil lezen.", as_="bram")
    assert "Genoteerd als notulen van het overleg van dinsdag 8 september 2026 om 15:30" in saved.text
    assert "Notulen van Groep 5" in saved.text  # also posted in the team's channel
    held = [m for m in await rows(app, Meeting) if m.status == "held"]
    assert held[0].notes == "Besluit: elke dag tien minuten stil lezen."
    # the open item rolled over to the next meeting
    item = (await rows(app, AgendaItem))[0]
    assert item.carried == 1 and item.status == "open"
    assert "Lezen — weer op de agenda" in (await chat.say("/agenda", as_="carla", in_=TEAM)).text
    # asked once only, however often the clock ticks
    await app.tick()
    await app.tick()
    assert len([o for o in chat.transport.sent if isinstance(o.reply, Ask)]) == 1
    # and notes can be corrected by command
    later = await chat.say("/notulen Besluit: twintig minuten.", as_="bram", in_=TEAM)
    assert "Besluit: twintig minuten." in later.text


async def test_reminder_offsets_can_be_changed_or_switched_off(app, chat, clock):
    await setup_team(chat)
    app.attach(chat.transport)
    await chat.say("/ritme dinsdag 15:30", as_="bram", in_=TEAM)
    answer = await chat.say("/herinneringen 2u", as_="bram", in_=TEAM)
    assert "Team Groep 5 krijgt herinneringen: 2 uur van tevoren." in answer.text
    rhythm = (await rows(app, MeetingRhythm))[0]
    assert rhythm.reminder_offsets == [120]
    clock.set(utc(2026, 9, 7, 14, 0))  # the day before: nothing now
    await app.tick()
    assert not any(isinstance(o.reply, Text) and "Herinnering" in text_of(o) for o in chat.transport.sent)
    clock.set(utc(2026, 9, 8, 11, 30))
    await app.tick()
    assert sum("Herinnering" in t for t in sent_texts(chat)) == 1
    assert "krijgt geen herinneringen meer" in (await chat.say("/herinneringen uit", as_="bram", in_=TEAM)).text
    clock.set(utc(2026, 9, 15, 11, 30))
    await app.tick()
    assert sum("Herinnering" in t for t in sent_texts(chat)) == 1


async def test_calendar_file_is_a_document(app, chat):
    await setup_team(chat)
    await chat.say("/ritme dinsdag 15:30", as_="bram", in_=TEAM)
    answer = await chat.say("/kalender Groep 5", as_="anna")
    doc = answer.outgoing[0].reply
    assert isinstance(doc, Document) and doc.mime == "text/calendar" and doc.filename == "leerteam-groep-5.ics"
    assert doc.data.startswith(b"BEGIN:VCALENDAR")


async def test_momentum_guard_nudges_the_chair_once(app, chat, clock, settings):
    await setup_team(chat)
    app.attach(chat.transport)
    await chat.say("/ritme dinsdag 15:30", as_="bram", in_=TEAM)
    await chat.say("/afzeggen 1 Studiedag", as_="bram", in_=TEAM)
    await app.tick()
    assert await rows(app, MomentumFlag) == []
    await chat.say("/afzeggen 2 Ouderavond", as_="bram", in_=TEAM)  # the next one: two in a row
    for _ in range(3):
        await app.tick()
    nudges = [o for o in chat.transport.sent if "op rij gingen niet door" in text_of(o)]
    assert len(nudges) == 1 and nudges[0].address.user_id == "bram" and nudges[0].address.private
    flags = await rows(app, MomentumFlag)
    assert [f.kind for f in flags] == ["cancelled_in_a_row"] and flags[0].nudged_at is not None


async def test_momentum_guard_sees_a_stalled_phase_and_quiet_members(app, chat, clock):
    await setup_team(chat)
    app.attach(chat.transport)
    await chat.say("/ritme dinsdag 15:30", as_="bram", in_=TEAM)
    await chat.say("/cyclus Rekenen", as_="bram", in_=TEAM)
    clock.set(utc(2026, 9, 20, 8))
    await chat.say("/antwoord 1 Veel leerlingen rekenen traag.", as_="carla", in_=TEAM)
    await chat.say("/agendapunt Planning", as_="bram", in_=TEAM)
    clock.set(utc(2026, 9, 30, 8))  # four meetings held (8, 15, 22, 29 Sep): dirk silent since the 15th
    await app.tick()
    quiet = [text_of(o) for o in chat.transport.sent if "niets van Dirk" in text_of(o)]
    assert quiet == ["In Leerteam zie ik de laatste 3 overleggen niets van Dirk bij Groep 5 (geen antwoord, agendapunt "
                     "of bron). Dat zegt niets over wat Dirk in het overleg zelf inbrengt; misschien wil je even vragen "
                     "hoe het gaat."]
    clock.set(utc(2026, 10, 20, 8))  # six weeks in phase 1
    await app.tick()
    await app.tick()
    stalled = [text_of(o) for o in chat.transport.sent if "weken in fase 1" in text_of(o)]
    assert len(stalled) == 1 and "al 6 weken in fase 1 (Probleemanalyse)" in stalled[0]
    flags = await rows(app, MomentumFlag)
    assert [f.kind for f in flags].count("phase_stalled") == 1
    # by now carla and bram are quiet too (nobody nudges the chair about himself); dirk is flagged once
    quiet = {f.member_id for f in flags if f.kind == "quiet_member"}
    assert len(quiet) == 3 and len([f for f in flags if f.kind == "quiet_member"]) == 3
    assert sum("niets van Dirk" in text_of(o) for o in chat.transport.sent) == 1
    assert sum("Bram heeft" in text_of(o) for o in chat.transport.sent) == 0


async def test_home_overview_shows_the_next_meeting(app, chat):
    await setup_team(chat)
    await chat.say("/ritme dinsdag 15:30", as_="bram", in_=TEAM)
    await chat.say("/agendapunt Lezen", as_="carla", in_=TEAM)
    answer = await chat.press("home", as_="carla")
    assert "volgend overleg dinsdag 8 september 2026 om 15:30, 1 agendapunt (/agenda)" in answer.text


async def test_outbox_rows_for_a_meeting_are_keyed_by_its_start(app, chat, clock):
    await setup_team(chat)
    await chat.say("/ritme dinsdag 15:30", as_="bram", in_=TEAM)
    clock.set(utc(2026, 9, 7, 13, 30))
    await app.tick()  # no transport attached: queued, not sent
    keys = [r.dedupe_key for r in await rows(app, Outbox)]
    assert len(keys) == 1 and keys[0].startswith("reminder:") and keys[0].endswith(":1440:2026-09-08T13:30:00+00:00")
    statuses = [r.status for r in await rows(app, Outbox, col(Outbox.kind) == "reminder")]
    assert statuses == ["pending"]
