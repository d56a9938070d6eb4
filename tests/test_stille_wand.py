"""The stille wand: ideas collected privately, revealed all at once without names, then parels,
puzzels and three joint tips that are kept."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col

from bot.core.replies import Ask, Choices
from storage.models import Brainstorm, BrainstormIdea, BrainstormReaction, BrainstormTip
from tests.harness import TEAM, rows, setup_team, snapshot, text_of, utc


async def test_ideas_are_collected_privately_and_revealed_together_without_names(app, chat, clock):
    await setup_team(chat)
    app.attach(chat.transport)
    opened = await chat.say("/stillewand 1d Wat maakt ons leerteam sterker?", as_="bram", in_=TEAM)
    [wall_msg] = [o.reply for o in opened.outgoing if isinstance(o.reply, Choices)]
    assert "Stille wand voor Groep 5: Wat maakt ons leerteam sterker?" in opened.text
    assert "dinsdag 8 september 2026 om 10:00 komen alle ideeën tegelijk en zonder namen" in opened.text
    assert "Alleen de voorzitter" in (await chat.say("/stillewand Nog een?", as_="carla", in_=TEAM)).text
    assert "heeft al een open stille wand" in (await chat.say("/stillewand Nog een?", as_="bram", in_=TEAM)).text

    # carla uses the button: the bot asks privately, she answers twice, then stops
    asked = await chat.press(wall_msg.options[0].value, as_="carla", in_=TEAM)
    assert isinstance(asked.outgoing[0].reply, Ask) and asked.outgoing[0].address.private
    saved = await chat.say("Samen lessen voorbereiden", as_="carla")
    assert "Er hangt nu 1 idee op de wand, nog onzichtbaar." in saved.text
    await chat.say("Data van toetsen samen bekijken", as_="carla")
    assert "Dank je!" in (await chat.say("-", as_="carla")).text
    # dirk types it in his private chat; in the channel it is refused (everyone would see who wrote it)
    refused = await chat.say("/idee Elkaar feedback geven", as_="dirk", in_=TEAM)
    assert "privégesprek" in refused.text or "privé" in refused.text
    assert "Er hangen nu 3 ideeën op de wand" in (await chat.say("/idee Elkaar feedback geven", as_="dirk")).text
    await chat.say("/idee Vaste tijd, niet verschuiven", as_="bram")
    # before the reveal: a count, no ideas; reacting is not possible yet
    peek = await chat.say("/wand", as_="anna", in_=TEAM)
    assert "Nog dicht: 4 ideeën binnen." in peek.text and "Samen lessen" not in peek.text
    assert "nog niet onthuld" in (await chat.say("/parel 1", as_="carla", in_=TEAM)).text
    assert "Samen lessen" not in "\n".join(text_of(o) for o in chat.transport.sent if not o.address.private)

    clock.set(utc(2026, 9, 8, 8, 1))
    mark = len(chat.transport.sent)
    await app.tick()
    await app.tick()
    reveal = [o for o in chat.transport.sent[mark:] if "is onthuld" in text_of(o)]
    assert len(reveal) == 1 and reveal[0].address.chat_id == TEAM
    text = text_of(reveal[0])
    assert "4 ideeën, in alfabetische volgorde en zonder namen:\n1. Data van toetsen samen bekijken\n2. Elkaar feedback geven\n" \
           "3. Samen lessen voorbereiden\n4. Vaste tijd, niet verschuiven" in text
    for name in ("Bram", "Carla", "Dirk", "bram", "carla", "dirk"):
        assert name not in text
    late = await chat.say("/idee Te laat", as_="dirk")
    assert "geen open stille wand" in late.text

    # parels, puzzels and three tips; the wall shows them without names
    assert "Parel bij idee 3 genoteerd" in (await chat.say("/parel 3 Dit werkt echt", as_="dirk", in_=TEAM)).text
    await chat.say("/parel 3", as_="bram", in_=TEAM)
    await chat.say("/parel 3", as_="bram", in_=TEAM)  # the same parel twice counts once
    await chat.say("/puzzel 1 Welke toetsen bedoelen we?", as_="carla", in_=TEAM)
    assert "Kies een idee van 1 tot en met 4" in (await chat.say("/parel 9", as_="carla", in_=TEAM)).text
    assert "Tip 1 is bewaard. Nog 2 te gaan." in (await chat.say("/tip Bereid samen voor", as_="carla", in_=TEAM)).text
    assert "staat er al" in (await chat.say("/tip bereid samen voor", as_="dirk", in_=TEAM)).text
    await chat.say("/tip Kijk samen naar data", as_="dirk", in_=TEAM)
    done = await chat.say("/tip Bescherm de vaste tijd", as_="bram", in_=TEAM)
    assert "Stille wand van Groep 5, afgerond" in done.text
    assert "3. Samen lessen voorbereiden — 2 parels" in done.text
    assert "1. Data van toetsen samen bekijken — 0 parels\n   puzzel: Welke toetsen bedoelen we?" in done.text
    assert "Onze drie tips:\n1. Bereid samen voor\n2. Kijk samen naar data\n3. Bescherm de vaste tijd" in done.text
    for name in ("Bram", "Carla", "Dirk"):
        assert name not in done.text
    [wall] = await rows(app, Brainstorm)
    assert wall.status == "done"
    assert len(await rows(app, BrainstormTip)) == 3 and len(await rows(app, BrainstormReaction)) == 3
    # issue 8: authors deleted -> the ideas stay, still without names
    async with app.sessions() as s:
        await s.exec(update(BrainstormIdea).values(author_id=None))
        await s.commit()
    assert "3. Samen lessen voorbereiden — 2 parels" in (await chat.say("/wand", as_="carla", in_=TEAM)).text


async def test_the_chair_reveals_early_and_bad_input_changes_nothing(app, chat, clock):
    await setup_team(chat)
    assert "geen stille wand die nog dicht is" in (await chat.say("/onthul", as_="bram", in_=TEAM)).text
    await chat.say("/stillewand Wat hebben we nodig van de schoolleider?", as_="bram", in_=TEAM)
    [wall] = await rows(app, Brainstorm)
    before = await snapshot(app)
    for who, line, expected in [
        ("carla", "/idee " + "x" * 600, "Te lang: je idee heeft 600 tekens, hooguit 500 mag."),
        ("carla", "/idee    ", "Er ontbreekt iets"),
        ("anna", "/idee Meer tijd", "Je zit nog niet in een team"),
        ("carla", "/onthul", "Alleen de voorzitter"),
        ("carla", "/tip Iets", "nog niet onthuld"),
    ]:
        answer = await chat.say(line, as_=who, in_=None if line.startswith("/idee") else TEAM)
        assert expected in answer.text, (line, answer.text)
    for value in ("wall_write 99999", "wall_write abc", f"wall_write {wall.id} 1"):
        assert not (await chat.press(value, as_="carla")).outgoing[0].reply.__class__ is Ask
    assert await snapshot(app) == before
    await chat.say("/idee Meer tijd om samen te kijken", as_="carla")
    revealed = await chat.say("/onthul", as_="bram", in_=TEAM)
    assert "1 idee, zonder naam:\n1. Meer tijd om samen te kijken" in revealed.text
    stale = await chat.press(f"wall_write {wall.id}", as_="dirk", in_=TEAM)
    assert "neemt geen ideeën meer aan" in stale.text
    [stored] = await rows(app, Brainstorm)
    assert stored.status == "revealed" and stored.revealed_at is not None
    # a new wall closes the revealed one that never got its tips
    await chat.say("/stillewand 2d Wat nemen we mee naar volgend jaar?", as_="bram", in_=TEAM)
    assert sorted(w.status for w in await rows(app, Brainstorm)) == ["collecting", "done"]
    assert len(await rows(app, BrainstormIdea, col(BrainstormIdea.brainstorm_id) == wall.id)) == 1


async def test_the_chairs_reveal_and_the_clocks_never_both_post_the_wall(app, chat, clock, monkeypatch):
    """/onthul read the wall as still closed, then the clock revealed it before /onthul's guarded
    update: only the clock posts it."""
    from handlers.polls import stille_wand

    await setup_team(chat)
    app.attach(chat.transport)
    await chat.say("/stillewand 1d Wat hebben we nodig?", as_="bram", in_=TEAM)
    await chat.say("/idee Meer tijd om samen te kijken", as_="carla")
    [as_read] = await rows(app, Brainstorm)  # what /onthul read, a moment before the clock
    clock.set(utc(2026, 9, 8, 8, 1))
    await app.tick()
    await app.tick()

    async def read_before_the_clock(session, team_id, statuses=("collecting", "revealed")):
        return as_read

    monkeypatch.setattr(stille_wand, "current_wall", read_before_the_clock)
    late = await chat.say("/onthul", as_="bram", in_=TEAM)
    assert not late.outgoing
    assert sum("is onthuld" in text_of(o) for o in chat.transport.sent) == 1
    [stored] = await rows(app, Brainstorm)
    assert stored.status == "revealed" and stored.revealed_at == utc(2026, 9, 8, 8, 1)


async def test_wall_buttons_and_idea_numbers_only_in_plain_digits(app, chat, clock):
    await setup_team(chat)
    await chat.say("/stillewand Wat hebben we nodig?", as_="bram", in_=TEAM)
    await chat.say("/idee Meer tijd om samen te kijken", as_="carla")
    for value in ("wall_write 3000000000", "wall_write ²", "wall_write ٣"):
        answer = await chat.press(value, as_="carla")
        assert "Deze knop klopt niet (meer)." in answer.text, (value, answer.text)
    await chat.say("/onthul", as_="bram", in_=TEAM)
    before = await snapshot(app)
    for line in ("/parel ²", "/parel 3000000000", "/puzzel ² Waarom?"):
        answer = await chat.say(line, as_="carla", in_=TEAM)
        assert "Kies een idee van 1 tot en met 1." in answer.text, (line, answer.text)
    assert await snapshot(app) == before
