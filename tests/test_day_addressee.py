"""Issue 14, the rest: a refusal or short answer in a shared chat carries whom it is for
(``Address.for_person``), set once by the core; the console shows the name (Telegram and Slack:
tests/test_telegram.py and tests/test_slack.py)."""

from __future__ import annotations

import io

from bot.core.delivery import ForPerson
from bot.core.replies import Choices, TeamChat
from bot.transports.console import ConsoleTransport
from tests.harness import TEAM, Chat, setup_team


async def test_the_core_marks_answers_for_one_person_in_a_shared_chat(app, chat: Chat):
    await setup_team(chat)
    refused = await chat.say("/archiveer", as_="bram", in_=TEAM)  # only the school leader
    [out] = refused.outgoing
    assert out.is_error and out.address.for_person == ForPerson("bram", "Bram")
    answered = await chat.say("/agendapunt Lezen", as_="carla", in_=TEAM)
    assert answered.outgoing and all(o.address.for_person == ForPerson("carla", "Carla")
                                     for o in answered.outgoing if not isinstance(o.reply.target, TeamChat))
    # privately nobody else reads along; options shown to the whole group are for anyone
    assert all(o.address.for_person is None for o in (await chat.say("/archiveer", as_="bram")).outgoing)
    menu = await chat.say("/aansluiten", as_="anna")
    assert all(o.address.for_person is None for o in menu.outgoing)
    poll = await chat.say("/overlegpeiling", as_="bram", in_=TEAM)
    assert all(o.address.for_person is None for o in poll.outgoing if isinstance(o.reply, Choices))


async def test_the_console_names_whom_a_refusal_in_a_channel_is_for(app):
    out = io.StringIO()
    console = ConsoleTransport(app, stdin=io.StringIO(), stdout=out, interactive=False)
    for line in ("/as anna", "/nieuweschool De Regenboog", "/in groep-5", "/nieuwteam Groep 5",
                 "/as bram", "/aansluiten"):
        await console.handle_line(line)
    mark = len(out.getvalue())
    await console.handle_line("/archiveer")
    shown = out.getvalue()[mark:]
    assert "Voor Bram:\nAlleen de schoolleider" in shown, shown
    await console.handle_line("/dm")
    mark = len(out.getvalue())
    await console.handle_line("/archiveer Groep 5")
    assert "Voor Bram" not in out.getvalue()[mark:]  # privately: no name needed
    await console.handle_line("/taal en")
    await console.handle_line("/in groep-5")
    mark = len(out.getvalue())
    await console.handle_line("/archive")
    assert "For Bram:\n" in out.getvalue()[mark:]
