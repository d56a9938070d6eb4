"""The delivery contract (issue 15) through the core, on the test platform: a team post that
fails is reported to whoever caused it, with the fix; a reply that cannot be placed falls back
privately; linking refuses a chat the bot cannot post in."""

from __future__ import annotations

from sqlmodel import select

from bot.core.delivery import DeliveryFailed
from bot.core.fallback import as_failure
from storage.models import ChatLink, Cycle, Team
from tests.harness import TEAM, Chat, rows, setup_team, text_of


async def test_a_team_post_that_fails_for_good_is_reported_to_the_chair_with_the_fix(app, chat: Chat):
    await setup_team(chat)
    chat.transport.refused[TEAM] = True  # the bot was removed from #groep-5
    await chat.say("/cyclus Rekenen groep 5", as_="bram")
    arrived = [(o.address.user_id, o.address.private, text_of(o)) for o in chat.last_sent]
    notice = [t for who, private, t in arrived if who == "bram" and private and "kwam niet aan" in t]
    assert len(notice) == 1, arrived
    assert "team Groep 5" in notice[0]
    assert "Voeg mij weer toe aan de groep of het kanaal van het team en typ daar /koppel Groep 5" in notice[0]
    assert "Wat je deed is wel bewaard." in notice[0]
    # the state change is kept (the record was committed before delivery)
    assert [c.title for c in await rows(app, Cycle)] == ["Rekenen groep 5"]
    # nothing claimed it was posted
    assert not any(o.address.chat_id == TEAM for o in chat.last_sent)


async def test_a_team_post_that_fails_for_now_says_so_in_english(app, chat: Chat):
    await setup_team(chat)
    await chat.say("/taal en", as_="bram")
    chat.transport.refused[TEAM] = False
    await chat.say("/cyclus Maths", as_="bram")
    said = "\n".join(text_of(o) for o in chat.last_sent if o.address.user_id == "bram")
    assert "could not be posted in the team's channel just now" in said
    assert "What you did is saved" in said


async def test_a_reply_that_cannot_be_placed_in_the_channel_goes_privately(app, chat: Chat):
    await setup_team(chat)
    chat.transport.refused[TEAM] = True
    await chat.say("/status", as_="carla", in_=TEAM)
    private = [text_of(o) for o in chat.last_sent if o.address.user_id == "carla" and o.address.private]
    assert private and "Ik kon niet antwoorden waar je het vroeg" in private[0]
    assert len(private) >= 2  # the note and the answer itself
    assert not any(o.address.chat_id == TEAM and not o.address.private for o in chat.last_sent)


async def test_linking_a_chat_the_bot_cannot_post_in_links_nothing(app, chat: Chat):
    await setup_team(chat)
    chat.transport.refused["groep-6"] = True
    answer = await chat.say("/nieuwteam Groep 6", as_="anna", in_="groep-6")
    assert "Ik kan hier niet posten, dus ik koppel dit kanaal niet" in answer
    assert "Dit kanaal hoort nu bij" not in answer
    answer = await chat.say("/koppel Groep 6", as_="anna", in_="groep-6")
    assert "Ik kan hier niet posten" in answer
    async with app.sessions() as s:
        team = (await s.exec(select(Team).where(Team.name == "Groep 6"))).one()  # created, not linked
        assert (await s.exec(select(ChatLink).where(ChatLink.team_id == team.id))).all() == []
    del chat.transport.refused["groep-6"]
    assert "Dit kanaal hoort nu bij team Groep 6" in await chat.say("/koppel Groep 6", as_="anna", in_="groep-6")


def test_unknown_transport_errors_count_as_failed_for_now():
    assert as_failure(RuntimeError("boom")).permanent is False
    failed = DeliveryFailed(permanent=True, reason="chat not found")
    assert as_failure(failed) is failed


async def test_the_confirmation_of_a_post_that_failed_is_not_shown(app, chat: Chat):
    await setup_team(chat)
    await chat.say("/cyclus Rekenen", as_="bram")
    await chat.say("/volgendetoch te weinig tijd", as_="bram")  # the first phase change, posted in #groep-5
    assert any("Ik heb het in het kanaal van team Groep 5 gezet" in text_of(o) for o in chat.last_sent)
    chat.transport.refused[TEAM] = True
    await chat.say("/volgendetoch nog steeds te weinig tijd", as_="bram")
    said = [text_of(o) for o in chat.last_sent]
    assert not any("Ik heb het in het kanaal van team Groep 5 gezet" in t for t in said), said
    assert any("kwam niet aan in het kanaal van het team" in t for t in said)
