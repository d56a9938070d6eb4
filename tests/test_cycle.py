"""The inquiry cycle, used the way a team would: four phases, refusals that name what is
missing, a 'partly' verdict that starts round 2, and a quality card that matches the records."""

from __future__ import annotations

from sqlmodel import select

from bot.app import Leerteam
from bot.core.replies import Document
from handlers.cycle.state import question_keys
from prompts.catalog import LANGUAGES, default_catalog
from storage.models import (
    Answer,
    Cycle,
    CycleRound,
    Hypothesis,
    PendingQuestion,
    PhaseTransition,
    ProblemRecord,
    QualityCard,
    Source,
)
from tests.harness import ROUND1, ROUND2, SETUP, TEAM, At, Chat, play, snapshot


async def test_a_full_cycle_with_a_second_round_and_a_quality_card(app, chat: Chat):
    await play(chat, SETUP)
    refused = await chat.say("/volgende", as_="bram", in_=TEAM)
    for missing in ("een probleemstelling (/probleem)", "een nulmeting met waarde en bron",
                    "minstens één hypothese", "0 van 3 akkoord, 2 nodig"):
        assert missing in refused, refused.text
    answers = await play(chat, ROUND1)
    assert "Fase 2 van 4 — Inhoudelijke verdieping" in answers[9]
    assert "Fase 3 van 4 — Gerichte interventie" in answers[14]
    assert "De interventie loopt nu: in uitvoering, week 1 van" in answers[20]  # phase 3 closed: it runs
    assert "Nulmeting 67, doel 80, gemeten 71 (% leerlingen op niveau): doel niet gehaald" in answers[21]
    assert "Fase 4 van 4 — Evaluatie en conclusies" in answers[22]  # the last moment measured
    assert "gemeten 75,5 (% leerlingen op niveau): doel niet gehaald" in answers[22]
    round2 = answers[-1]
    assert "Ronde 2. Het oordeel was: deels opgelost" in round2
    assert "Modelen helpt, maar zelfstandig toepassen lukt nog niet." in round2
    assert "We doen leesstrategieën te weinig hardop voor." in round2  # carried hypothesis
    answers = await play(chat, ROUND2)
    closing = answers[-1]
    assert "De cyclus Begrijpend lezen in groep 5 is afgerond" in closing
    doc = next(o.reply for o in closing.outgoing if isinstance(o.reply, Document))
    card = doc.data.decode()
    for entered in ("# Kwaliteitskaart: Begrijpend lezen in groep 5", "Leerlingen passen leesstrategieën niet zelfstandig toe.",
                    "Nulmeting: 75,5 (% leerlingen op niveau); bron: M-toets mei 2027",
                    "Wat werkt bij begrijpend lezen — NRO, 2023", "https://www.nro.nl/lezen",
                    "Close reading — Pardoen, 2022", "relevantie middel, betrouwbaarheid middel",
                    "Hardop denken — —. Kernpunt: In groep 6 werkte modelen goed. (relevantie hoog, betrouwbaarheid laag)",
                    "Gekozen richting: Na het modelen oefenen in tweetallen met een strategiekaart.",
                    "Tweetallen-lezen met strategiekaart — team, 1 oktober 2026",
                    "Doel: % leerlingen op niveau — streefwaarde 80, uiterlijk 1 juli 2027", "11 september 2026 eindmeting ronde 2: 82",
                    "Oordeel: opgelost", "Wat we leerden: Modelen plus oefenen in tweetallen werkt.",
                    "Strategiekaart in alle groepsplannen 4 tot en met 6", "Herzien op: 1 oktober 2027",
                    "Ronde 1: deels opgelost. Geleerd: Modelen helpt, maar zelfstandig toepassen lukt nog niet."):
        assert entered in card, entered
    async with app.sessions() as s:
        cycle = (await s.exec(select(Cycle))).one()
        assert cycle.status == "closed" and cycle.closed_at is not None
        stored = (await s.exec(select(QualityCard))).one()
        assert stored.markdown == card
        rounds = (await s.exec(select(CycleRound).order_by(CycleRound.number))).all()
        assert [r.number for r in rounds] == [1, 2]
        carried = (await s.exec(select(Hypothesis).where(Hypothesis.round_id == rounds[1].id))).all()
        assert [h.carried for h in carried] == [True, True]
    later = await chat.say("/kaart 1", as_="dirk", in_=TEAM)
    assert later.outgoing[0].reply.data.decode() == card
    # the team can start its next focus now
    assert "start een onderzoekscyclus" in await chat.say("/cyclus Rekenen groep 5", as_="bram", in_=TEAM)


async def test_the_cycle_survives_a_restart_at_every_step(settings, clock):
    """Every command is handled by a freshly started bot: all state lives in the database."""
    last = None
    for step in SETUP + ROUND1 + ROUND2:
        if isinstance(step, At):
            clock.set(step.when)
            continue
        who, where, line = step
        bot = Leerteam(settings, clock=clock)
        try:
            last = await Chat(bot).say(line, as_=who, in_=where)
            assert last and "Er ging bij mij iets mis" not in last, (line, last.text)
        finally:
            await bot.close()
    assert "is afgerond" in last


async def test_a_guided_form_survives_a_restart_and_asks_again_after_a_mistake(app, chat: Chat, settings, clock):
    await play(chat, SETUP)
    first = await chat.say("/nulmeting", as_="carla", in_=TEAM)
    assert "Stap 1 van 3" in first and first.outgoing[0].address.private
    wrong = await chat.say("ongeveer tweederde", as_="carla")
    assert "'ongeveer tweederde' is geen getal" in wrong and "Probeer het nog eens" in wrong
    await app.close()
    bot = Leerteam(settings, clock=clock)
    try:
        chat2 = Chat(bot)
        assert "Stap 2 van 3" in await chat2.say("67", as_="carla")
        assert "Stap 3 van 3" in await chat2.say("% leerlingen op niveau", as_="carla")
        done = await chat2.say("M5-toets januari 2026", as_="carla")
        assert "Nulmeting vastgelegd: 67 (% leerlingen op niveau), bron: M5-toets januari 2026." in done
        async with bot.sessions() as s:
            rec = (await s.exec(select(ProblemRecord))).one()
            assert (rec.baseline_value, rec.baseline_source) == (67, "M5-toets januari 2026")
            assert (await s.exec(select(PendingQuestion))).all() == []
    finally:
        await bot.close()


async def test_a_form_can_be_cancelled(app, chat: Chat):
    await play(chat, SETUP)
    await chat.say("/nulmeting", as_="carla", in_=TEAM)
    assert "Geannuleerd" in await chat.say("stop", as_="carla")
    async with app.sessions() as s:
        assert (await s.exec(select(ProblemRecord))).all() == []


async def test_resent_events_do_not_duplicate_answers_or_records(app, chat: Chat):
    await play(chat, SETUP)
    for line in ("/antwoord 2 De M-toets van januari.", "/hypothese Te weinig modelen."):
        first = await chat.say(line, as_="carla", in_=TEAM, event_id=f"tg-{line[:8]}")
        assert first
        again = await chat.say(line, as_="carla", in_=TEAM, event_id=f"tg-{line[:8]}")
        assert not again
    async with app.sessions() as s:
        assert len((await s.exec(select(Answer))).all()) == 1
        assert len((await s.exec(select(Hypothesis))).all()) == 1


async def test_answering_again_edits_and_others_answers_show_only_after_your_own(app, chat: Chat):
    await play(chat, SETUP)
    await chat.say("/antwoord 1 Eerste versie.", as_="bram", in_=TEAM)
    assert "Beantwoord eerst zelf vraag 1" in await chat.say("/antwoorden 1", as_="carla")
    shown = await chat.say("/antwoord 1 Mijn eigen kijk.", as_="carla")
    assert "Bram: Eerste versie." in shown and "Carla: Mijn eigen kijk." in shown
    edited = await chat.say("/antwoord 1 Tweede versie.", as_="bram")
    assert "is aangepast" in edited and "Bram: Tweede versie." in edited
    async with app.sessions() as s:
        rows = (await s.exec(select(Answer).order_by(Answer.id))).all()
        assert [r.text for r in rows] == ["Tweede versie.", "Mijn eigen kijk."]


async def test_questions_as_buttons_and_a_closed_phase(app, chat: Chat):
    await play(chat, SETUP)
    menu = await chat.say("/vragen", as_="dirk", in_=TEAM)
    options = menu.outgoing[0].reply.options
    assert len(options) == len(question_keys(default_catalog(), 1))
    asked = await chat.press(options[4].value, as_="dirk", in_=TEAM)
    assert "Wat is ons eigen aandeel?" in asked and asked.outgoing[0].address.private
    saved = await chat.say("We geven te snel het antwoord.", as_="dirk")
    assert "Je antwoord op vraag 5 is opgeslagen" in saved
    # move on (with a reason), then press the old button: the phase is closed
    await chat.say("/volgendetoch Het team wil eerst lezen.", as_="bram", in_=TEAM)
    before = await snapshot(app)
    stale = await chat.press(options[0].value, as_="dirk", in_=TEAM)
    assert "hoort bij een fase die gesloten is" in stale
    assert await snapshot(app) == before
    assert "hoort bij fase Probleemanalyse, en het team zit nu in fase Inhoudelijke verdieping." in await chat.say("/probleem Toch anders.", as_="dirk", in_=TEAM)


async def test_override_keeps_the_reason_and_what_was_missing(app, chat: Chat):
    await play(chat, SETUP)
    assert "Alleen de voorzitter van Groep 5" in await chat.say("/volgendetoch Geen zin.", as_="carla", in_=TEAM)
    assert "Er ontbreekt iets" in await chat.say("/volgendetoch    ", as_="bram", in_=TEAM)
    moved = await chat.say("/volgendetoch Nulmeting volgt na de toetsweek.", as_="bram", in_=TEAM)
    assert "Reden: Nulmeting volgt na de toetsweek." in moved and "Fase 2 van 4" in moved
    async with app.sessions() as s:
        t = (await s.exec(select(PhaseTransition))).one()
        assert t.override_reason == "Nulmeting volgt na de toetsweek."
        assert "cycle.missing.baseline" in t.missing and (t.from_phase, t.to_phase) == (1, 2)


async def test_status_shows_phase_who_answered_and_what_is_missing(chat: Chat, clock):
    await play(chat, SETUP)
    await chat.say("/antwoord 1 Iets.", as_="carla", in_=TEAM)
    clock.advance(days=9)
    status = await chat.say("/status", as_="dirk", in_=TEAM)
    assert "Fase 1 van 4: Probleemanalyse, sinds 7 september 2026 (9 dagen)" in status
    assert "1. Wat zien we? — 1 van 3 (Carla)" in status
    assert "Iets." not in status  # counts and names, never contents
    assert "een probleemstelling (/probleem)" in status
    assert "Groep 5" in await chat.say("/status Groep 5", as_="anna")  # any colleague may look


BAD = [
    # (who, where, line, expected answer)
    ("bram", TEAM, "/antwoord 1 " + "x" * 20_000, "Te lang: je antwoord heeft 20000 tekens, hooguit 4000 mag."),
    ("bram", TEAM, "/antwoord 9 Iets", "Kies een vraag van 1 tot en met 6"),
    ("bram", TEAM, "/antwoord een Iets", "Kies een vraag van 1 tot en met 6"),
    ("bram", TEAM, "/probleem", "Er ontbreekt iets"),
    ("bram", TEAM, "/nulmeting zestig | % | toets", "'zestig' is geen getal"),
    ("bram", TEAM, "/nulmeting 60 | %", "Ik verwacht 3 onderdelen, gescheiden door |, maar kreeg er 2"),
    ("bram", TEAM, "/nulmeting 60 |  | toets", "Je bent wat het getal meet vergeten"),
    ("bram", TEAM, "/actie Iets | bram | 1-1-2027", "hoort bij fase Gerichte interventie, en het team zit nu in fase Probleemanalyse."),
    ("carla", TEAM, "/volgende", "Alleen de voorzitter van Groep 5"),
    ("carla", TEAM, "/cyclus Nog een", "Alleen de voorzitter van Groep 5"),
    ("bram", TEAM, "/cyclus Nog een", "werkt al aan 'Begrijpend lezen in groep 5'"),
    ("eve", None, "/akkoord", "Je zit nog niet in een team"),
    ("anna", TEAM, "/akkoord", "Je zit niet in team Groep 5"),
    ("bram", TEAM, "/akkoord", "nog geen probleemstelling"),
    ("bram", TEAM, "/bron x | y", "hoort bij fase Inhoudelijke verdieping"),
    ("bram", TEAM, "/schrap hypothese 1", "Er is nog niets vastgelegd om te schrappen"),
    ("bram", TEAM, "/schrap fiets 1", "hypothese, bron, actie of meetmoment"),
    ("bram", TEAM, "/kaart", "nog geen afgeronde cyclus"),
]


async def test_bad_input_in_the_cycle_changes_nothing(app, chat: Chat):
    await play(chat, SETUP)
    for who, where, line, expected in BAD:
        before = await snapshot(app)
        answer = await chat.say(line, as_=who, in_=where)
        assert expected in answer, (line[:40], answer.text)
        assert await snapshot(app) == before, line[:40]


async def test_dates_and_numbers_in_phase_3(app, chat: Chat):
    await play(chat, SETUP)
    await chat.say("/volgendetoch test", as_="bram", in_=TEAM)
    await chat.say("/volgendetoch test", as_="bram", in_=TEAM)
    before = await snapshot(app)
    assert "ligt in het verleden" in await chat.say("/meetmoment 1-9-2026", as_="bram", in_=TEAM)
    assert "geen datum die ik begrijp" in await chat.say("/meetmoment 31-2-2027", as_="bram", in_=TEAM)
    assert "geen datum die ik begrijp" in await chat.say("/doel x | 80 | volgend jaar", as_="bram", in_=TEAM)
    assert "'tachtig' is geen getal" in await chat.say("/doel x | tachtig | 1-6-2027", as_="bram", in_=TEAM)
    assert "Ik ken 'zoe' niet" in await chat.say("/actie Iets | zoe | 1-1-2027", as_="bram", in_=TEAM)
    assert await snapshot(app) == before
    assert "15 maart 2027" in await chat.say("/meetmoment 15 maart 2027", as_="bram", in_=TEAM)
    assert "1 december 2026" in await chat.say("/meetmoment 1-12", as_="bram", in_=TEAM)


async def test_a_phase_4_override_needs_a_verdict(chat: Chat):
    await play(chat, SETUP)
    for _ in range(3):
        await chat.say("/volgendetoch test", as_="bram", in_=TEAM)
    assert "Zonder oordeel weet ik niet" in await chat.say("/volgendetoch klaar", as_="bram", in_=TEAM)
    choices = await chat.say("/oordeel", as_="bram", in_=TEAM)
    value = choices.outgoing[0].reply.options[2].value
    assert "De voorzitter stelt als oordeel voor: niet opgelost" in await chat.press(value, as_="bram", in_=TEAM)
    assert "Alleen de voorzitter" in await chat.press(value, as_="carla", in_=TEAM)
    assert "Oordeel vastgelegd: niet opgelost" in await chat.say("/akkoord", as_="carla", in_=TEAM)
    assert "Ronde 2" in await chat.say("/volgendetoch We starten opnieuw.", as_="bram", in_=TEAM)


async def test_a_cycle_in_english(app):
    chat = Chat(app)
    for who in ("anna", "bram", "carla"):
        await chat.say("/language en", as_=who)
    await chat.say("/newschool Rainbow", as_="anna")
    await chat.say("/newteam Year 5", as_="anna", in_="y5")
    await chat.say("/join", as_="bram", in_="y5")
    await chat.say("/chair bram Year 5", as_="anna")
    started = await chat.say("/cycle Reading comprehension", as_="bram", in_="y5")
    assert "Phase 1 of 4 — Problem analysis" in started
    assert "What is our own part?" in started
    refused = await chat.say("/next", as_="bram", in_="y5")
    assert "a baseline with value and source (/baseline)" in refused
    assert "Baseline recorded: 62.5" in await chat.say("/baseline 62,5 | % at level | test", as_="bram", in_="y5")


def test_each_phase_has_four_to_seven_complete_questions():
    cat = default_catalog()
    for phase in (1, 2, 3, 4):
        keys = question_keys(cat, phase)
        assert 4 <= len(keys) <= 7, (phase, keys)
        for lang in LANGUAGES:
            for key in keys:
                for part in ("label", "text", "help"):
                    assert cat.raw(lang, f"cycle.phase{phase}.q.{key}.{part}").strip()
    # phase 1 asks for the team's own part; phase 3 asks for the data plan
    assert "eigen aandeel" in cat.raw("nl", "cycle.phase1.q.q5.text")
    assert "nulmeting" in cat.raw("nl", "cycle.phase3.q.q3.text")


async def test_sources_count_for_the_whole_cycle(app, chat: Chat):
    await play(chat, SETUP)
    await chat.say("/volgendetoch lezen", as_="bram", in_=TEAM)
    for who in ("bram", "carla"):
        await chat.say(f"/bron Bron van {who} | - | - | Kern. | hoog | hoog", as_=who, in_=TEAM)
    status = await chat.say("/status", as_="bram", in_=TEAM)
    # who is missing is not named (a reminder in the team channel would point at a colleague)
    assert "een bron van ieder teamlid; nog niet iedereen legde er een vast (/bron)" in status
    assert "nog niet van" not in status
    async with app.sessions() as s:
        assert len((await s.exec(select(Source))).all()) == 2
    await chat.say("/bron Bron van dirk | - | - | Kern. | hoog | hoog", as_="dirk", in_=TEAM)
    assert "een bron van ieder teamlid" not in await chat.say("/status", as_="bram", in_=TEAM)


async def test_a_member_of_two_teams_answers_for_the_team_that_asked(app, chat: Chat):
    """Bram chairs Groep 5 and is also in Groep 6: a question or form started in #groep-5
    continues in his private chat and is stored for Groep 5, not lost to 'which team?'."""
    await play(chat, SETUP)
    await chat.say("/nieuwteam Groep 6", as_="anna", in_="groep-6")
    await chat.say("/aansluiten", as_="bram", in_="groep-6")
    menu = await chat.say("/vragen", as_="bram", in_=TEAM)
    await chat.press(menu.outgoing[0].reply.options[0].value, as_="bram", in_=TEAM)
    saved = await chat.say("Negen leerlingen halen het niet.", as_="bram")
    assert "Je antwoord op vraag 1 is opgeslagen" in saved and saved.outgoing[0].address.private
    await chat.say("/nulmeting", as_="bram", in_=TEAM)
    await chat.say("50", as_="bram")
    await chat.say("% op niveau", as_="bram")
    done = await chat.say("M-toets", as_="bram")
    assert "Nulmeting vastgelegd: 50" in done
    async with app.sessions() as s:
        assert [a.text for a in (await s.exec(select(Answer))).all()] == ["Negen leerlingen halen het niet."]
        assert (await s.exec(select(ProblemRecord))).one().baseline_value == 50
    # typed in the private chat without context, the bot still asks which team
    assert "Je zit in meerdere teams" in await chat.say("/antwoord 2 Iets", as_="bram")


async def test_a_measurement_moment_with_a_written_date_and_a_label(chat: Chat):
    await play(chat, SETUP)
    await chat.say("/volgendetoch a", as_="bram", in_=TEAM)
    await chat.say("/volgendetoch b", as_="bram", in_=TEAM)
    saved = await chat.say("/meetmoment 1 april 2027 eindmeting", as_="bram", in_=TEAM)
    assert "1 april 2027 eindmeting" in saved
