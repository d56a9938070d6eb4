"""The cycle in time (issue 16, part 1 and the first of part 2): after phase 3 the intervention
runs until its last measurement moment; the team is reminded before each moment and asked for the
result after it; the momentum guard measures against the plan (a 12-week intervention on plan is
not stalled, a measurement moment without a result is); results are set beside baseline and goal."""

from __future__ import annotations

import html
import re

from sqlmodel import select

from storage.models import CycleRound, MomentumFlag, PhaseTransition
from tests.harness import ROUND1, ROUND2, SETUP, TEAM, At, Chat, play, rows, text_of, utc

# ROUND1 up to and including the step into phase 3, then a plan of twelve weeks from 7 September 2026
PLAN_12_WEEKS = [
    *ROUND1[:15],
    ("bram", TEAM, "/actie Drie keer per week hardop samenvatten | bram | 1-10-2026"),
    ("bram", TEAM, "/doel % leerlingen op niveau | 80 | 1-12-2026"),
    ("bram", TEAM, "/dataplan M-toets begrijpend lezen | 1-9-2026"),
    ("bram", TEAM, "/meetmoment 5-10-2026 tussenmeting"),
    ("bram", TEAM, "/meetmoment 30-11-2026 eindmeting"),
    ("bram", TEAM, "/volgende"),
]


async def running_team(chat: Chat) -> None:
    await play(chat, SETUP)
    answers = await play(chat, PLAN_12_WEEKS)
    assert "De interventie loopt nu: in uitvoering, week 1 van 12" in answers[-1], answers[-1].text


def sent(chat: Chat, needle: str) -> list:
    return [o for o in chat.transport.sent if needle in text_of(o)]


async def test_a_12_week_intervention_on_plan_raises_no_stall_flag(app, chat: Chat, clock):
    await running_team(chat)
    app.attach(chat.transport)
    clock.set(utc(2026, 10, 12, 8))  # week 6: the first moment has passed, its result is in
    await chat.say("/resultaat 1 72", as_="bram", in_=TEAM)
    status = await chat.say("/status", as_="carla", in_=TEAM)
    assert ("De interventie loopt: in uitvoering, week 6 van 12; volgende meting 30 november 2026: "
            "eindmeting, M-toets begrijpend lezen, Bram") in status, status.text
    for day in (26, 9):  # ten and then eleven weeks into phase 4 (stall_weeks is 6)
        clock.set(utc(2026, 11 if day == 9 else 10, day, 8))
        await app.tick()
    clock.set(utc(2026, 11, 23, 8))
    await app.tick()
    flags = await rows(app, MomentumFlag)
    assert [f.kind for f in flags if f.kind in ("phase_stalled", "moment_missed")] == []
    assert sent(chat, "weken in fase 4") == []
    assert "week 12 van 12" in await chat.say("/status", as_="carla", in_=TEAM)


async def test_a_measurement_moment_without_a_result_is_flagged_once(app, chat: Chat, clock):
    await running_team(chat)
    app.attach(chat.transport)
    clock.set(utc(2026, 10, 11, 8))  # six days after the moment: not yet
    await app.tick()
    assert [f.kind for f in await rows(app, MomentumFlag)] == []
    clock.set(utc(2026, 10, 12, 8))  # a week after 5 October, no result
    await app.tick()
    await app.tick()
    flags = await rows(app, MomentumFlag)
    assert [f.kind for f in flags] == ["moment_missed"]
    nudges = sent(chat, "heeft na een week nog geen resultaat")
    assert len(nudges) == 1 and nudges[0].address.user_id == "bram" and nudges[0].address.private
    assert "5 oktober 2026 (tussenmeting)" in text_of(nudges[0])
    assert "de meting van 5 oktober 2026 wacht nog op een resultaat" in await chat.say("/status", as_="bram",
                                                                                         in_=TEAM)


async def test_the_team_is_reminded_before_and_asked_after_each_moment(app, chat: Chat, clock):
    await running_team(chat)
    app.attach(chat.transport)
    clock.set(utc(2026, 10, 1, 8))  # four days before: nothing yet
    await app.tick()
    assert sent(chat, "komt eraan") == []
    clock.set(utc(2026, 10, 2, 6, 30))  # 08:30 local, three days before 5 October
    await app.tick()
    await app.tick()
    before = sent(chat, "Meetmoment 1 van Groep 5 komt eraan: 5 oktober 2026 "
                        "(tussenmeting, M-toets begrijpend lezen, Bram)")
    assert len(before) == 1 and not before[0].address.private  # the team's chat ...
    # ... and the chair, responsible when no one else is named, privately (tests/test_start_moment_owner.py)
    mine = sent(chat, "Jij bent verantwoordelijk voor meetmoment 1 van Groep 5: 5 oktober 2026")
    assert len(mine) == 1 and mine[0].address.user_id == "bram" and mine[0].address.private
    clock.set(utc(2026, 10, 6, 6, 30))
    await app.tick()
    after = sent(chat, "Wat was het resultaat? Vul het in met /resultaat 1 waarde.")
    assert len(after) == 2 and {o.address.user_id for o in after} == {None, "bram"}
    await chat.say("/resultaat 1 72", as_="carla", in_=TEAM)
    clock.set(utc(2026, 11, 27, 7, 30))  # 08:30 local (winter time), three days before the last moment
    await app.tick()
    assert len(sent(chat, "Meetmoment 2 van Groep 5 komt eraan: 30 november 2026")) == 1
    assert len(sent(chat, "Jij bent verantwoordelijk voor meetmoment 2 van Groep 5")) == 1
    assert sent(chat, "Meetmoment 1 van Groep 5 komt eraan") == before  # nothing twice
    # the last result opens the evaluation; nothing is asked after that
    clock.set(utc(2026, 11, 30, 12))  # measured on the day itself: a result for a moment to come is refused
    last = await chat.say("/resultaat 2 81", as_="carla", in_=TEAM)
    assert "Nulmeting 67, doel 80, gemeten 81 (% leerlingen op niveau): doel gehaald." in last
    assert "de evaluatie begint" in last and "Fase 4 van 4 — Evaluatie en conclusies" in last
    clock.set(utc(2026, 12, 1, 7, 30))
    await app.tick()
    assert sent(chat, "Vul het in met /resultaat 2") == []


async def test_the_verdict_waits_for_the_measurements_unless_the_chair_gives_a_reason(app, chat: Chat):
    await running_team(chat)
    refused = await chat.say("/oordeel deels", as_="bram", in_=TEAM)
    assert "De interventie loopt nog" in refused and "/volgendetoch" in refused
    assert "De interventie loopt nog" in await chat.say("/volgende", as_="bram", in_=TEAM)
    opened = await chat.say("/volgendetoch De eindtoets is verschoven naar januari.", as_="bram", in_=TEAM)
    assert "Fase 4 van 4 — Evaluatie en conclusies" in opened
    assert "De eindtoets is verschoven naar januari." in opened
    proposed = await chat.say("/oordeel deels", as_="bram", in_=TEAM)
    assert "De voorzitter stelt als oordeel voor: deels opgelost" in proposed and "1 van 3 eens, 2 nodig" in proposed
    assert "Oordeel vastgelegd: deels opgelost" in await chat.say("/akkoord", as_="carla", in_=TEAM)
    (rnd,) = await rows(app, CycleRound)
    assert rnd.phase == 4 and rnd.evaluation_opened_at is not None
    moved = [t for t in await rows(app, PhaseTransition) if t.from_phase == 4]
    assert [(t.to_phase, t.override_reason) for t in moved] == [(4, "De eindtoets is verschoven naar januari.")]


async def test_the_overview_and_all_agendas_show_where_the_plan_stands(app, chat: Chat, clock):
    await running_team(chat)
    clock.set(utc(2026, 10, 12, 8))
    home = (await chat.press("home", as_="carla")).text
    assert ("fase 4: in uitvoering, week 6 van 12; de meting van 5 oktober 2026 wacht nog op een resultaat"
            in home), home
    agendas = await chat.say("/alleagendas", as_="anna")
    assert "fase 4, in uitvoering, week 6 van 12" in agendas, agendas.text
    agenda = await chat.say("/agenda", as_="carla", in_=TEAM)
    assert "De interventie loopt: in uitvoering, week 6 van 12" in agenda, agenda.text


async def test_the_plan_in_english(app, chat: Chat):
    for who in ("anna", "bram", "carla", "dirk"):
        await chat.say("/language en", as_=who)
    await play(chat, SETUP)
    answers = await play(chat, PLAN_12_WEEKS)
    assert "The intervention is now running: running, week 1 of 12" in answers[-1], answers[-1].text


async def test_the_digest_shows_the_plan_and_a_missed_moment_as_structuur_with_a_step(app, chat: Chat, clock):
    await running_team(chat)
    clock.set(utc(2026, 10, 12, 8))  # a week after 5 October, no result: the guard flags it
    await app.tick()
    text = (await chat.say("/overzicht", as_="anna")).texts[0]
    assert "Focus: 'Begrijpend lezen in groep 5', ronde 1, fase 4: in uitvoering, week 6 van 12" in text, text
    assert "Een meetmoment van 5 oktober 2026 heeft na een week nog geen resultaat." in text
    assert "Mogelijk gevolg als structuur achterblijft" in text
    assert "Wat je kunt doen: vraag of het meten in het rooster past" in text
    assert "werkwijze achterblijft" not in text and "cultuur achterblijft" not in text
    assert "Bram" not in text.split("Aandachtspunten")[1]  # a flag never names anyone
    # for a dialogue at the visit: direction, key sources, and two open questions for a running plan
    assert "Gekozen richting: Dagelijks hardop-denkend voordoen met korte teksten." in text
    assert "Belangrijkste bronnen: Wat werkt bij begrijpend lezen, Close reading" in text
    assert ("Vragen voor je bezoek: Hoe gaat de aanpak in de klas, en wat passen jullie onderweg aan? "
            "Wat kan ik van jullie bord halen, zodat de aanpak tijd krijgt?") in text


def test_momentum_and_participation_are_structuur():
    from handlers.leader.digest import FLAG_DIMENSION

    assert set(FLAG_DIMENSION.values()) == {"structuur"}
    assert set(FLAG_DIMENSION) == {"cancelled_in_a_row", "phase_stalled", "quiet_member", "moment_missed"}


async def test_solved_without_reaching_the_goal_needs_a_reason_that_the_card_shows(app, chat: Chat, clock):
    await running_team(chat)
    clock.set(utc(2026, 12, 1, 8))  # both moments measured (a result for a moment to come is refused)
    await chat.say("/resultaat 1 72", as_="bram", in_=TEAM)
    await chat.say("/resultaat 2 75", as_="bram", in_=TEAM)  # goal 80: not reached
    refused = await chat.say("/oordeel opgelost", as_="bram", in_=TEAM)
    assert "Nulmeting 67, doel 80, gemeten 75 (% leerlingen op niveau): doel niet gehaald." in refused
    assert "/oordeel opgelost <reden>" in refused
    assert "Er is nog geen oordeel voorgesteld" in await chat.say("/akkoord", as_="dirk", in_=TEAM)
    reason = "De groep kreeg er zes nieuwe leerlingen bij; de oude groep haalt 85 %."
    proposed = await chat.say(f"/oordeel opgelost {reason}", as_="bram", in_=TEAM)
    assert "1 van 3 eens, 2 nodig" in proposed and reason in proposed
    assert "Oordeel vastgelegd: opgelost" in await chat.say("/akkoord", as_="dirk", in_=TEAM)
    await chat.say("/geleerd Modelen werkt.", as_="bram", in_=TEAM)
    await chat.say("/borging Strategiekaart in alle groepen | 1-10-2027", as_="bram", in_=TEAM)
    closing = await chat.say("/volgende", as_="bram", in_=TEAM)
    assert f"Opgelost, al werd het doel niet gehaald. Reden: {reason}" in closing


async def test_a_verdict_needs_a_proposal_before_agreement(app, chat: Chat):
    await running_team(chat)
    await chat.say("/volgendetoch De toets is verschoven.", as_="bram", in_=TEAM)
    assert "Er is nog geen oordeel voorgesteld" in await chat.say("/akkoord", as_="carla", in_=TEAM)
    assert "Alleen de voorzitter" in await chat.say("/oordeel niet", as_="carla", in_=TEAM)


async def test_round_2_needs_a_new_source_and_parked_problems_come_back_at_the_next_focus(app, chat: Chat):
    await play(chat, SETUP)
    await play(chat, ROUND1)  # 'deels': round 2 starts
    await chat.say("/probleem Leerlingen passen leesstrategieën niet zelfstandig toe.", as_="bram", in_=TEAM)
    await chat.say("/nulmeting 75,5 | % leerlingen op niveau | M-toets mei 2027", as_="bram", in_=TEAM)
    await chat.say("/akkoord", as_="bram", in_=TEAM)
    await chat.say("/akkoord", as_="dirk", in_=TEAM)
    await chat.say("/volgende", as_="bram", in_=TEAM)
    await chat.say("/richting Oefenen in tweetallen.", as_="bram", in_=TEAM)
    refused = await chat.say("/volgende", as_="bram", in_=TEAM)
    assert "minstens één nieuwe bron in deze ronde" in refused, refused.text  # round-1 sources alone: no
    await chat.say("/bron Tweetallen | - | - | Samen oefenen helpt. | hoog | middel", as_="dirk", in_=TEAM)
    assert "Fase 3 van 4" in await chat.say("/volgende", as_="bram", in_=TEAM)
    parked = await chat.say("/parkeer Woordenschat in groep 5", as_="carla", in_=TEAM)
    assert "Geparkeerd voor later: Woordenschat in groep 5" in parked
    assert "Woordenschat in groep 5" in await chat.say("/parkeer", as_="dirk", in_=TEAM)
    plan = ("/actie", "/doel", "/dataplan", "/meetmoment")
    await play(chat, [step for step in ROUND2 if isinstance(step, At) or step[2].startswith(plan)])
    await chat.say("/volgende", as_="bram", in_=TEAM)
    await chat.say("/resultaat 1 82", as_="bram", in_=TEAM)
    await chat.say("/oordeel opgelost", as_="bram", in_=TEAM)
    await chat.say("/akkoord", as_="carla", in_=TEAM)
    await chat.say("/geleerd Tweetallen werken.", as_="bram", in_=TEAM)
    await chat.say("/borging Strategiekaart | 1-10-2027", as_="bram", in_=TEAM)
    closing = await chat.say("/volgende", as_="bram", in_=TEAM)
    assert "Wat wordt jullie volgende focus?" in closing
    assert "Geparkeerde problemen (voor later):" in closing and "Woordenschat in groep 5" in closing
    await chat.say("/cyclus Woordenschat in groep 5", as_="bram", in_=TEAM)
    assert "Nog niets geparkeerd" in await chat.say("/parkeer", as_="dirk", in_=TEAM)  # taken up


async def test_cards_and_library_reach_everyone_at_the_school_without_individual_answers(app, chat: Chat):
    await play(chat, SETUP)
    await play(chat, ROUND1)
    await play(chat, ROUND2)  # the cycle closes as 'opgelost': a quality card
    cards = await chat.say("/kaarten", as_="anna")  # the leader, in no team
    text = cards.text
    assert "Begrijpend lezen in groep 5 — Groep 5, afgerond" in text, text
    assert "Probleem: Leerlingen passen leesstrategieën niet zelfstandig toe." in text
    assert "Wat werkte: Na het modelen oefenen in tweetallen met een strategiekaart." in text
    assert "Geleerd: Modelen plus oefenen in tweetallen werkt." in text
    assert "Vraag het aan: Bram (Groep 5)" in text
    assert "Negen van de 27" not in text and "thuis weinig lezen" not in text  # no individual answers
    assert "Begrijpend lezen" in await chat.say("/kaarten tweetallen", as_="anna")
    assert "Nog geen kwaliteitskaarten gevonden" in await chat.say("/kaarten rekenen", as_="anna")
    library = (await chat.say("/bibliotheek", as_="anna")).text
    first, second = library.index("Samen lezen in tweetallen"), library.index("Wat werkt bij begrijpend lezen")
    assert first < second  # newest first
    assert "https://www.nro.nl/lezen" in library
    assert "Close reading" in await chat.say("/bibliotheek pardoen", as_="carla", in_=TEAM)
    assert "Samen lezen" not in await chat.say("/bibliotheek pardoen", as_="carla", in_=TEAM)


async def test_the_borging_is_reviewed_on_its_date_onto_the_card_and_into_the_digest(app, chat: Chat, clock):
    await play(chat, SETUP)
    await play(chat, ROUND1)
    await play(chat, ROUND2)  # closed; review date 1 October 2027
    app.attach(chat.transport)
    assert "geen borging te herzien" in await chat.say("/herzien ja", as_="bram", in_=TEAM)  # not yet
    clock.set(utc(2027, 9, 30, 8))
    await app.tick()
    assert sent(chat, "herziet Groep 5 de borging") == []
    clock.set(utc(2027, 10, 1, 6, 30))  # 08:30 local on the review date
    await app.tick()
    await app.tick()
    asked = sent(chat, "Vandaag herziet Groep 5 de borging van 'Begrijpend lezen in groep 5'")
    assert len(asked) == 1 and "Strategiekaart in alle groepsplannen 4 tot en met 6" in text_of(asked[0])
    answer = await chat.say("/herzien nee Nieuwe collega's kennen de strategiekaart niet.", as_="carla", in_=TEAM)
    assert "Herzien op 1 oktober 2027: de afspraken staan niet meer. Nieuwe collega's kennen" in answer
    assert "/cyclus Begrijpend lezen in groep 5" in answer  # 'no' offers a new cycle on the same problem
    card = await chat.say("/kaart 1", as_="dirk", in_=TEAM)
    markdown = card.outgoing[0].reply.data.decode()
    assert "Herzien op 1 oktober 2027: de afspraken staan niet meer." in markdown
    digest = (await chat.say("/overzicht", as_="anna")).texts[0]
    assert ("Borging van 'Begrijpend lezen in groep 5' herzien: de afspraken staan niet meer. "
            "Nieuwe collega's kennen de strategiekaart niet.") in digest
    clock.set(utc(2027, 10, 2, 6, 30))
    await app.tick()
    assert len(sent(chat, "Vandaag herziet Groep 5")) == 1  # asked once


async def test_staff_in_no_team_are_listed_for_the_leader_only(app, chat: Chat):
    await play(chat, SETUP)
    digest = (await chat.say("/overzicht", as_="anna")).texts[0]
    assert "nog in geen leerteam" not in digest  # everyone but the leader is in a team
    async with app.sessions() as s:
        from storage.models import TeamMembership

        member = (await s.exec(select(TeamMembership).where(TeamMembership.role != "chair"))).first()
        await s.delete(member)
        await s.commit()
    digest = (await chat.say("/overzicht", as_="anna")).texts[0]
    assert "1 collega zit nog in geen leerteam: " in digest
    assert "Anna" not in digest.split("Deelname:")[1]  # the leader is not counted
    assert "nog in geen leerteam" not in await chat.say("/status", as_="bram", in_=TEAM)


async def test_a_request_to_the_leader_asks_what_why_and_what_you_propose(app, chat: Chat):
    await play(chat, SETUP)
    first = await chat.say("/vraagleider", as_="carla", in_=TEAM)
    assert "Stap 1 van 3" in first and "Wat heeft jullie team nodig?" in first
    assert "Waarom?" in await chat.say("Een studiemiddag voor begrijpend lezen.", as_="carla")
    assert "Wat stellen jullie voor?" in await chat.say("Dan lezen we samen de bronnen.", as_="carla")
    done = await chat.say("Woensdag 18 november, in plaats van de teamvergadering.", as_="carla")
    assert "staat in het weekoverzicht van de schoolleider" in done
    digest = (await chat.say("/overzicht", as_="anna")).texts[0]
    assert ("Een studiemiddag voor begrijpend lezen. — Waarom: Dan lezen we samen de bronnen. — Voorstel: "
            "Woensdag 18 november, in plaats van de teamvergadering.") in digest


async def test_a_digest_for_hundreds_of_teams_puts_attention_first_and_fits_telegram(app, chat: Chat, clock):
    from bot.transports.telegram.render import MAX_TEXT, split_html, to_html, utf16_len
    from prompts.catalog import default_catalog
    from storage.models import School, Team

    await play(chat, SETUP)
    async with app.sessions() as s:
        school = (await s.exec(select(School))).one()
        for n in range(200):
            s.add(Team(school_id=school.id, name=f"Team {n:03d}", name_key=f"team {n:03d}", created_at=clock.now()))
        await s.commit()
    await chat.say("/vraagleider Een studiemiddag. | Samen lezen. | Woensdag.", as_="carla", in_=TEAM)
    digest = await chat.say("/overzicht", as_="anna")
    text = digest.texts[0]
    assert text.index("Groep 5 — voorzitter: Bram") < text.index("200 andere teams, op koers:")
    assert "• Team 000: nog geen focus; overleg 0 van 0" in text  # the rest: one line each
    assert text.count("• Team ") == 200 and "Team 000 — voorzitter" not in text
    body = next(o.reply.body for o in digest.outgoing if hasattr(o.reply, "body") and "Weekoverzicht" in
                text_of(o))
    markup = default_catalog().render(body, "nl")
    chunks = split_html(markup)
    visible = [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in chunks]  # Telegram counts text, not tags
    assert len(chunks) > 1 and all(utf16_len(v) <= MAX_TEXT for v in visible)
    assert "Team 199" in chunks[-1] and len(to_html(markup)) > MAX_TEXT


async def test_a_new_chair_gets_a_role_brief_and_tips_follow_the_phase(app, chat: Chat):
    await play(chat, SETUP)
    made = await chat.say("/voorzitter carla Groep 5", as_="anna")
    brief = [text_of(o) for o in made.outgoing if o.address.user_id == "carla"]
    assert brief and "het proces" in brief[0] and "de mensen" in brief[0] and "het doel" in brief[0]
    assert "/tips" in brief[0]
    assert "Tips voor de probleemanalyse" in await chat.say("/tips", as_="carla", in_=TEAM)
    assert "Tips voor de evaluatie" in await chat.say("/tips 4", as_="carla", in_=TEAM)
    assert "Kies een fase van 1 tot en met 4" in await chat.say("/tips 7", as_="carla", in_=TEAM)
    await play(chat, PLAN_12_WEEKS)
    assert "Tips terwijl de interventie loopt" in await chat.say("/tips", as_="dirk", in_=TEAM)
