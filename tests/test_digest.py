"""The leader digest and the privacy controls, the way a school leader and a teacher use them."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import event, func
from sqlalchemy import select as sa_select
from sqlmodel import select

from bot.app import CAPABILITIES
from bot.core.capability import Capability
from bot.core.replies import Choices, Document, Image
from handlers.leader import digest_data
from handlers.leader.digest import compose
from handlers.leader.privacy import member_columns
from storage.models import (
    Answer,
    Identity,
    LeaderQuestion,
    Member,
    MomentumFlag,
    School,
    Source,
    TeamMembership,
)
from tests.harness import (
    ROUND1,
    ROUND2,
    SETUP,
    TEAM,
    Chat,
    RecordingTransport,
    answer_all,
    meeting_poll,
    play,
    rows,
    run_console,
    setup_team,
    snapshot,
    text_of,
)


def utcd(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


async def two_teams(chat: Chat) -> None:
    """Groep 5 (chair Bram; Carla, Dirk) and Bovenbouw (chair Eva; Finn), Anna leads."""
    await setup_team(chat)
    for who, where, line in [
        ("eva", "bovenbouw", "/aansluiten Bovenbouw"),
        ("finn", "bovenbouw", "/aansluiten Bovenbouw"),
        ("anna", "bovenbouw", "/koppel Bovenbouw"),
        ("anna", None, "/voorzitter eva Bovenbouw"),
        ("bram", TEAM, "/ritme dinsdag 15:30"),
        ("eva", "bovenbouw", "/ritme donderdag 14:00"),
        ("bram", TEAM, "/cyclus Begrijpend lezen"),
        ("bram", TEAM, "/antwoord 1 Te veel leerlingen onder niveau."),
        ("carla", TEAM, "/antwoord 1 Vooral thuis weinig lezen."),
        ("bram", TEAM, "/volgendetoch De nulmeting komt na de toetsweek."),
        ("eva", "bovenbouw", "/cyclus Rekenen met breuken"),
        ("carla", TEAM, "/vraagleider Kunnen we een studiemiddag krijgen voor begrijpend lezen? | Dan lezen we samen "
                        "de bronnen van de verdieping. | Woensdag 18 november, in plaats van de teamvergadering."),
    ]:
        answer = await chat.say(line, as_=who, in_=where)
        assert answer, line


async def test_the_digest_shows_every_figure_as_entered(app, chat: Chat, clock):
    await two_teams(chat)
    clock.set(utcd(2026, 9, 7, 9, 0))
    await app.tick()
    # Groep 5 meets Tuesday 8 Sept (held) and 15 Sept (cancelled); Bovenbouw Thursday 10 Sept (held)
    clock.set(utcd(2026, 9, 12, 9, 0))
    await app.tick()
    await chat.say("/afzeggen 1 Studiedag", as_="bram", in_=TEAM)
    clock.set(utcd(2026, 9, 16, 9, 0))
    await app.tick()
    await chat.say("/bezocht Bovenbouw 10-9-2026", as_="anna")
    digest = await chat.say("/overzicht", as_="anna")
    text = digest.texts[0]
    assert digest.outgoing[0].address.private
    for expected in (
        "Weekoverzicht De Regenboog (9 september 2026 tot en met 16 september 2026)",
        "Groep 5 — voorzitter: Bram, 3 leden",
        "Focus: 'Begrijpend lezen', ronde 1, fase 2 (Inhoudelijke verdieping), al 9 dagen in deze fase",
        "Deelname aan de vragen van deze ronde: 2 van 3",
        "Overleg in de afgelopen 4 weken: 1 van 2 gehouden, 1 afgezegd",
        "Bovenbouw — voorzitter: Eva, 2 leden",
        "Focus: 'Rekenen met breuken', ronde 1, fase 1 (Probleemanalyse)",
        "Overleg in de afgelopen 4 weken: 1 van 1 gehouden, 0 afgezegd",
        "Kunnen we een studiemiddag krijgen voor begrijpend lezen?",
        "Je bent de afgelopen maand niet bij een overleg van Groep 5 geweest",
    ):
        assert expected in text, (expected, text)
    # the override of 7 September is older than this week's digest; Bovenbouw was visited
    assert "niet bij een overleg van Bovenbouw" not in text
    assert "Te veel leerlingen onder niveau" not in text and "Vooral thuis" not in text  # no individual answers
    image = next(o.reply for o in digest.outgoing if isinstance(o.reply, Image))
    assert image.png.startswith(b"\x89PNG") and "Groep 5: fase 2" in image.alt_text
    buttons = next(o.reply for o in digest.outgoing if isinstance(o.reply, Choices))
    assert buttons.options[0].value.startswith("leader_reply_ask ")


async def test_a_momentum_flag_comes_with_its_consequence_and_a_suggestion(app, chat: Chat, clock):
    await two_teams(chat)
    await chat.say("/afzeggen 1 Studiedag", as_="bram", in_=TEAM)
    await chat.say("/afzeggen 2 Rapportage", as_="bram", in_=TEAM)
    await app.tick()
    flags = await rows(app, MomentumFlag)
    assert [f.kind for f in flags] == ["cancelled_in_a_row"]
    text = (await chat.say("/overzicht", as_="anna")).texts[0]
    assert "2 overleggen op rij afgezegd." in text
    assert "Mogelijk gevolg als structuur achterblijft: wat is begonnen, verwatert" in text
    assert "houd de vaste overlegtijd vrij, ook van je eigen afspraken, en kijk welk ander initiatief" in text
    assert "De voorzitter ging door na fase 1 (Probleemanalyse) zonder dat alles was vastgelegd. " \
           "Reden: De nulmeting komt na de toetsweek." in text
    assert "Mogelijk gevolg als werkwijze achterblijft" in text


async def _fake_scan(session, team_ids, since, now):
    return {team_ids[0]: {"scan_dims": {"focus": (2.4, 3.1), "cultuur": (3.9, 3.8)}, "scan_avg": 3.1}}


@pytest.mark.parametrize("capabilities", [
    (*CAPABILITIES, Capability("test_scan", hooks={digest_data.REFLECTION_HOOK: (_fake_scan,)}))])
async def test_a_low_scan_dimension_names_the_consequence(app, chat: Chat):
    await two_teams(chat)
    text = (await chat.say("/overzicht", as_="anna")).texts[0]
    assert "De scan laat focus laag zien: gemiddeld 2,4." in text
    assert "Mogelijk gevolg als focus achterblijft: er ontstaan veel losse initiatieven" in text
    assert "kijk welke schoolbrede initiatieven je kunt uitstellen, zodat het team zich op één doel kan richten." in text
    assert "cultuur achterblijft" not in text


async def test_a_team_question_is_answered_back_to_that_team(app, chat: Chat):
    await two_teams(chat)
    question = (await rows(app, LeaderQuestion))[0]
    answer = await chat.say(f"/beantwoord {question.id} Ja, op 14 oktober.", as_="anna")
    post = answer.outgoing[0]
    assert post.address.chat_id == TEAM and not post.address.private
    assert "Antwoord van Anna op jullie vraag 'Kunnen we een studiemiddag" in answer.texts[0]
    assert "Ja, op 14 oktober." in answer.texts[0]
    assert "is al beantwoord" in await chat.say(f"/beantwoord {question.id} Nogmaals", as_="anna")
    assert "Kunnen we een studiemiddag" not in (await chat.say("/overzicht", as_="anna")).texts[0]


async def test_answering_through_the_digest_button(app, chat: Chat):
    await two_teams(chat)
    question = (await rows(app, LeaderQuestion))[0]
    asked = await chat.press(f"leader_reply_ask {question.id}", as_="anna")
    assert "Wat is je antwoord?" in asked
    done = await chat.say("Prima idee.", as_="anna")
    assert "Prima idee." in done.texts[0] and done.outgoing[0].address.chat_id == TEAM


async def test_refusals_change_nothing(app, chat: Chat):
    await two_teams(chat)
    other = Chat(app, platform="telegram", workspace=None)
    await other.say("/nieuweschool Het Anker", as_="zara")
    question = (await rows(app, LeaderQuestion))[0]
    members = {m.display_name: m.id for m in await rows(app, Member)}
    cases = [
        (chat, "carla", "/overzicht", "Alleen de schoolleider of een beheerder"),
        (other, "zara", f"/beantwoord {question.id} Van een andere school", f"Ik ken geen open vraag #{question.id}"),
        (other, "zara", "/bezocht Groep 5", "Ik ken geen team dat 'Groep 5' heet"),
        (chat, "anna", "/beantwoord 999 Hallo", "Ik ken geen open vraag #999"),
        (chat, "carla", f"/beantwoord {question.id} Zelf", "Alleen de schoolleider"),
        (chat, "anna", "/bezocht Groep 5 1-6-2027", "ligt in de toekomst"),
        (chat, "anna", "/overzichttijd maandag 25:00", "25:00"),
        (chat, "anna", "/bewaartermijn 0", "Kies een bewaartermijn van 1 tot en met 121 maanden"),
        (chat, "carla", "/vraagleider " + "x" * 2000 + " | a | b", "heeft 2000 tekens, hooguit 300 mag."),
        (chat, "anna", "/vraagleider Mag dit?", "Je zit nog niet in een team"),
    ]
    for who_chat, who, line, expected in cases:
        before = await snapshot(app)
        answer = await who_chat.say(line, as_=who)
        assert expected in answer.text, (line[:40], answer.text)
        assert await snapshot(app) == before, line[:40]
    before = await snapshot(app)
    forged = await chat.press(f"delete_my_data_confirm {members['Bram']}", as_="carla")
    assert "alleen je eigen gegevens" in forged.text
    assert await snapshot(app) == before


async def test_the_weekly_digest_arrives_once_at_the_leaders_time(app, chat: Chat, clock, settings):
    await two_teams(chat)
    transport = RecordingTransport("console")
    app.attach(transport)
    await chat.say("/overzichttijd vrijdag 16:30", as_="anna")
    clock.set(utcd(2026, 9, 11, 14, 0))  # Friday 16:00 in Amsterdam: not yet
    await app.tick()
    assert not [o for o in transport.sent if "Weekoverzicht" in text_of(o)]
    clock.set(utcd(2026, 9, 11, 14, 31))
    await app.tick()
    await app.tick()
    clock.set(utcd(2026, 9, 11, 20, 0))
    await app.tick()
    digests = [o for o in transport.sent if "Weekoverzicht" in text_of(o)]
    assert len(digests) == 1 and digests[0].address.user_id == "anna" and digests[0].address.private
    assert any(isinstance(o.reply, Image) for o in transport.sent)
    # Carla, made leader, gets hers at the default time: Friday 15:00 the next week
    await chat.say("/schoolleider carla", as_="anna")
    clock.set(utcd(2026, 9, 18, 13, 1))
    await app.tick()
    to = sorted(o.address.user_id for o in transport.sent if "Weekoverzicht" in text_of(o))
    assert to == ["anna", "carla"]
    await chat.say("/overzichttijd uit", as_="carla")
    clock.set(utcd(2026, 9, 25, 14, 45))
    await app.tick()
    to = sorted(o.address.user_id for o in transport.sent if "Weekoverzicht" in text_of(o))
    assert to == ["anna", "anna", "carla"]


def count_queries(app):
    counter = {"n": 0}

    def before(*_args, **_kw):
        counter["n"] += 1

    event.listen(app.engine.sync_engine, "before_cursor_execute", before)
    return counter, lambda: event.remove(app.engine.sync_engine, "before_cursor_execute", before)


async def test_the_digest_query_count_does_not_grow_with_teams(app, chat: Chat, clock):
    await two_teams(chat)
    counts = []
    for extra in (3, 45):
        for i in range(extra):
            name = f"Team {len(counts)}-{i}"
            await chat.say(f"/nieuwteam {name}", as_="anna", in_=f"t{len(counts)}-{i}")
            await chat.say("/aansluiten", as_=f"lid{len(counts)}{i}", in_=f"t{len(counts)}-{i}")
            await chat.say("/voorzitter " + f"lid{len(counts)}{i} {name}", as_="anna")
            await chat.say(f"/cyclus Focus {i}", as_=f"lid{len(counts)}{i}", in_=f"t{len(counts)}-{i}")
        await app.tick()
        async with app.sessions() as s:
            school = (await s.exec(select(School))).one()
            counter, stop = count_queries(app)
            facts = await digest_data.gather(s, school, None, clock.now())
            compose(facts, {"leader_reply": "beantwoord", "leader_visit": "bezocht"})
            stop()
        counts.append((len(facts.teams), counter["n"]))
    (few, q_few), (many, q_many) = counts
    assert many > few + 40
    assert q_few == q_many, counts


async def test_export_and_delete_my_data(app, chat: Chat):
    await two_teams(chat)
    await chat.say("/volgendetoch test", as_="bram", in_=TEAM)
    await chat.say("/bron Close reading | - | - | Korte teksten. | hoog | hoog", as_="carla", in_=TEAM)
    exported = await chat.say("/mijngegevens", as_="carla")
    doc = exported.outgoing[0].reply
    assert isinstance(doc, Document) and exported.outgoing[0].address.private
    data = json.loads(doc.data)
    assert data["member"]["display_name"] == "Carla"
    assert [a["text"] for a in data["answer.member_id"]] == ["Vooral thuis weinig lezen."]
    assert data["source.added_by"][0]["title"] == "Close reading"
    assert data["leaderquestion.asked_by"][0]["text"].startswith("Kunnen we een studiemiddag")
    carla = next(m for m in await rows(app, Member) if m.display_name == "Carla")
    confirm = await chat.say("/wismijngegevens", as_="carla")
    value = confirm.outgoing[0].reply.options[0].value
    assert "Je gegevens zijn gewist" in await chat.press(value, as_="carla")
    assert await rows(app, Member, Member.id == carla.id) == []
    assert await rows(app, Identity, Identity.user_id == "carla") == []
    assert await rows(app, Answer, Answer.member_id == carla.id) == []
    assert await rows(app, TeamMembership, TeamMembership.member_id == carla.id) == []
    sources = await rows(app, Source)
    assert [(s.title, s.added_by) for s in sources] == [("Close reading", None)]  # the library keeps the source
    questions = await rows(app, LeaderQuestion)
    assert questions[0].asked_by is None
    # nothing anywhere still points at the deleted member (every member reference, found by foreign key)
    async with app.engine.connect() as conn:
        for table, column in member_columns():
            left = (await conn.execute(sa_select(func.count()).select_from(table).where(column == carla.id))).scalar()
            assert left == 0, f"{table.name}.{column.name}"
    text = (await chat.say("/overzicht", as_="anna")).texts[0]
    assert "Carla" not in text and "#1 van —" in text


async def test_retention_removes_old_free_text_answers(app, chat: Chat, clock):
    await two_teams(chat)
    assert "na 3 maanden verwijderd" in await chat.say("/bewaartermijn 3", as_="anna")
    await app.tick()
    assert len(await rows(app, Answer)) == 2
    clock.advance(days=91)
    await app.tick()
    assert await rows(app, Answer) == []


async def test_help_says_the_leader_never_sees_individual_answers(chat: Chat):
    help_text = (await chat.say("/hulp", as_="carla")).text
    assert "ziet niemand afzonderlijk, ook de schoolleider niet" in help_text
    statement = await chat.say("/privacy", as_="carla")
    assert "Wat ik bewaar" in statement and "/mijngegevens" in statement and "/wismijngegevens" in statement
    assert "nobody sees what you answered individually" in await chat.say("/privacy", as_="carla", locale="en")


async def test_deleting_a_voter_keeps_the_poll_results_the_same(app, chat: Chat, clock):
    from handlers.polls.store import results
    from storage.models import Poll, PollVote

    poll = await meeting_poll(app, chat, clock)
    for who, values in (("bram", [4, 5, 1]), ("carla", [2, 3, 2]), ("dirk", [5, 4, 1])):
        await answer_all(chat, who, values)

    async def summary():
        async with app.sessions() as s:
            fresh = await s.get(Poll, poll.id)
            res = (await results(s, [fresh]))[poll.id]
            return [(q.answers, dict(q.counts), q.mean) for q in res.questions]

    before = await summary()
    assert before[0][0] == 3
    carla = next(m for m in await rows(app, Member) if m.display_name == "Carla")
    confirm = await chat.say("/wismijngegevens", as_="carla")
    await chat.press(confirm.outgoing[0].reply.options[0].value, as_="carla")
    assert await summary() == before
    votes = await rows(app, PollVote)
    assert len(votes) == 9 and not any(getattr(v, c.name) == carla.id for v in votes
                                       for _, c in member_columns() if c.table.name == "pollvote")


def test_scripted_weeks_with_two_teams_produce_a_checkable_digest(tmp_path, database_url):
    """examples/digest.txt through `python -m bot`: two teams, two simulated weeks, a scan with a
    low dimension, two cancellations, an override, and a team question answered back."""
    from pathlib import Path


    script = (Path(__file__).resolve().parent.parent / "examples" / "digest.txt").read_text()
    result = run_console(script, tmp_path, DATABASE_URL=database_url, LEERTEAM_IMAGE_DIR=str(tmp_path / "img"))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Er ging bij mij iets mis" not in out
    first = out[out.index("⏰ vrijdag 9 oktober 2026 om 15:00"):]
    first = first[:first.index("⏰", 2)]
    for figure in (
        "(privébericht aan anna)\nWeekoverzicht De Regenboog (2 oktober 2026 tot en met 9 oktober 2026)",
        "Bovenbouw — voorzitter: Eva, 3 leden",
        "Overleg in de afgelopen 4 weken: 0 van 1 gehouden, 1 afgezegd",  # Thursday 8 Oct was cancelled
        "2 overleggen op rij afgezegd.",
        "Mogelijk gevolg als structuur achterblijft",
        "Reden: De nulmeting volgt na de Cito-periode.",
        "Groep 5 — voorzitter: Bram, 3 leden",
        "Focus: 'Begrijpend lezen in groep 5', ronde 1, fase 2 (Inhoudelijke verdieping), al 4 dagen",
        "Probleem: Een derde van groep 5 haalt het verwachte niveau begrijpend lezen niet.",
        "Deelname aan de vragen van deze ronde: 2 van 3",
        "Overleg in de afgelopen 4 weken: 1 van 1 gehouden, 0 afgezegd",
        # focus = statements 4-6, the last reverse-keyed: (2+2+2 + 2+1+2 + 6-4 + 6-5 + 6-4) / 9 = 1.8;
        # visie = statements 1-3: (4+3+4 + 4+4+3 + 3+4+4) / 9 = 3.7
        "Scan ronde 1 (3 deelnemers): Visie 3,7, Focus 1,8",
        "De scan laat focus laag zien: gemiddeld 1,8.",
        "Mogelijk gevolg als focus achterblijft: er ontstaan veel losse initiatieven",
        "#1 van Carla: Kunnen we een studiemiddag krijgen voor begrijpend lezen?",
        "Groep 5: fase 2; scan 3,2",
    ):
        assert figure in first, figure
    assert "[afbeelding opgeslagen:" in first
    assert "(in kanaal #groep-5)\nAntwoord van Anna op jullie vraag 'Kunnen we een studiemiddag krijgen" in out
    assert out.count("Weekoverzicht De Regenboog (9 oktober 2026 tot en met 16 oktober 2026)") == 2  # weekly + asked
    last = out[out.rindex("> anna@dm: /overzicht"):]
    assert "Kunnen we een studiemiddag" not in last  # answered: no longer open
    assert "Overleg in de afgelopen 4 weken: 0 van 2 gehouden, 2 afgezegd" in last
    assert len(list((tmp_path / "img").glob("overzicht-*.png"))) == 3


async def test_a_leader_of_another_school_gets_no_chair_powers_over_this_team(app):
    tg = Chat(app, platform="telegram", workspace=None)
    await tg.say("/nieuweschool Het Anker", as_="zoe")  # Zoe leads another school, joined first
    await tg.say("/nieuweschool De Regenboog", as_="anna")
    await tg.say("/nieuwteam Groep 5", as_="anna", in_="-100")
    await tg.say("/aansluiten", as_="bram", in_="-100")
    await tg.say("/voorzitter bram Groep 5", as_="anna")
    await tg.say("/cyclus Lezen", as_="bram", in_="-100")
    assert "Welkom in team Groep 5" in await tg.say("/aansluiten", as_="zoe", in_="-100")
    before = await snapshot(app)
    for line in ("/volgendetoch Zomaar", "/volgende"):
        assert "Alleen de voorzitter van Groep 5" in await tg.say(line, as_="zoe"), line
    assert await snapshot(app) == before


async def test_deleting_a_person_also_clears_their_name_from_team_records(app, chat: Chat):
    from storage.models import Action, QualityCard

    await play(chat, SETUP + ROUND1 + ROUND2)
    assert any(a.owner_label == "Bram" for a in await rows(app, Action))
    async with app.sessions() as s:
        card = (await s.exec(select(QualityCard))).one()
        card.markdown += "\n- Trekker: Bram\n"
        s.add(card)
        await s.commit()
    confirm = await chat.say("/wismijngegevens", as_="bram")
    await chat.press(confirm.outgoing[0].reply.options[0].value, as_="bram")
    assert not any(a.owner_label == "Bram" for a in await rows(app, Action))
    assert "Bram" not in (await rows(app, QualityCard))[0].markdown
