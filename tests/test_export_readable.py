"""The personal export readable (/mijngegevens): a Markdown document with labelled sections in the
person's language — answers with their question, votes described, sources — beside the JSON."""

from __future__ import annotations

import json

from bot.core.replies import Document
from tests.harness import TEAM, Chat, answer_all, meeting_poll, setup_team


async def test_the_export_is_readable_in_the_persons_language(app, chat: Chat, clock):
    await setup_team(chat)
    await chat.say("/cyclus Begrijpend lezen", as_="bram", in_=TEAM)
    await chat.say("/antwoord 1 In groep 5 halen 9 van de 27 leerlingen het niveau niet.", as_="carla", in_=TEAM)
    await chat.say("/volgendetoch test", as_="bram", in_=TEAM)
    await chat.say("/bron Close reading | - | Fisher 2012 | Korte teksten. | hoog | middel", as_="carla", in_=TEAM)
    exported = await chat.say("/mijngegevens", as_="carla")
    docs = [o.reply for o in exported.outgoing if isinstance(o.reply, Document)]
    assert [d.mime for d in docs] == ["application/json", "text/markdown"]
    assert json.loads(docs[0].data)["member"]["display_name"] == "Carla"
    md = docs[1].data.decode("utf-8")
    assert md.startswith("# Wat Leerteam over Carla bewaart")
    assert "## Teams\n\n- Groep 5 · lid" in md
    assert "- **Fase 1 · Wat zien we?**\n  In groep 5 halen 9 van de 27 leerlingen het niveau niet." in md
    assert "- Close reading (Fisher 2012)\n  Korte teksten.\n  Relevantie: hoog · Betrouwbaarheid: middel" in md
    assert "answer.member_id" not in md.split("## Alles wat er over je")[0]
    await chat.say("/taal en", as_="carla")
    english = await chat.say("/mydata", as_="carla")
    md_en = [o.reply for o in english.outgoing if isinstance(o.reply, Document)][1].data.decode("utf-8")
    assert md_en.startswith("# What Leerteam keeps about Carla") and "## Sources you added" in md_en
    assert "Relevance: high · Reliability: medium" in md_en


async def test_votes_are_described(app, chat: Chat, clock):
    await meeting_poll(app, chat, clock)
    await answer_all(chat, "carla", [5, 1, 1])
    exported = await chat.say("/mijngegevens", as_="carla")
    md = [o.reply for o in exported.outgoing if isinstance(o.reply, Document)][1].data.decode("utf-8")
    votes = md.split("## Je stemmen in peilingen")[1].split("##")[0]
    assert " → " in votes and "_niets_" not in votes
