"""Leerteam in Microsoft Teams, offline: activities POSTed to the real aiohttp app's
/api/messages on 127.0.0.1, through the SDK's real JWT validation (keys served locally) and
request handling, with the Bot Connector faked on 127.0.0.1 (tests/teams_fake.py)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from aiohttp import ClientSession
from pydantic import SecretStr
from sqlmodel import select

from bot.core.delivery import Address, Outgoing
from bot.core.replies import Text
from bot.transports.http import build_web_app, serve
from bot.transports.teams.auth import BOT_FRAMEWORK_ISSUER as BF_ISSUER
from bot.transports.teams.connector import DeliveryFailed, StaticToken
from bot.transports.teams.server import MESSAGES_PATH, build_teams
from storage.models import Answer, ChatLink, Outbox, ProcessedEvent, TeamMembership, TeamsConversation
from tests import telegram_fakes
from tests.harness import snapshot, with_test_commands
from tests.teams_fake import APP_ID, TENANT, Channel, FakeBotService, Teams, User

ANNA = User("aad-anna-0001", "Anna")
BRAM = User("aad-bram-0002", "Bram")
CARLA = User("aad-carla-0003", "Carla", locale="en-GB")
GENERAL = Channel("19:general@thread.tacv2", "Algemeen")
GROEP5 = Channel("19:groep5@thread.tacv2", "Groep 5")
BOVENBOUW = Channel("19:bovenbouw@thread.tacv2", "Bovenbouw")
TOKEN = "connector-token-for-the-test"


@pytest.fixture
def capabilities():
    """Leerteam plus the test-only commands tg_test_* (tests/telegram_fakes.py)."""
    return with_test_commands(telegram_fakes)


class Bot:
    def __init__(self, app, endpoint, service: FakeBotService, teams: Teams, slept: list[float]) -> None:
        self.app, self.endpoint, self.service, self.teams, self.slept = app, endpoint, service, teams, slept


@pytest.fixture
async def bot(app, settings):
    service = FakeBotService()
    await service.start()
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    s = settings.model_copy(
        update={
            "teams_app_id": APP_ID,
            "teams_tenant_id": TENANT,
            "teams_app_password": SecretStr("not-used-in-tests"),
        }
    )
    endpoint = build_teams(
        app, s, tokens=StaticToken(TOKEN), key_urls={BF_ISSUER: service.keys_url}, sleep=sleep
    )
    runner, port = await serve(build_web_app(endpoint.routes), "127.0.0.1", 0)
    session = ClientSession()
    teams = Teams(service, f"http://127.0.0.1:{port}{MESSAGES_PATH}", session)
    try:
        yield Bot(app, endpoint, service, teams, slept)
    finally:
        await session.close()
        await runner.cleanup()
        await endpoint.close()
        await service.stop()


async def setup_school(bot: Bot) -> dict[str, list]:
    """The first session in Teams: a school started in the team's General channel, a channel made
    a leerteam, a colleague joining it, a chair named with an @mention, a second team."""
    t = bot.teams
    answers = {
        "school": await t.say(ANNA, "nieuweschool De Regenboog", GENERAL),  # the command menu: no slash
        "team": await t.say(ANNA, "/nieuwteam Groep 5", GROEP5),
        "join": await t.say(BRAM, "aansluiten", GROEP5),
        "chair": await t.say(ANNA, "/voorzitter <at>Bram</at> Groep 5", GROEP5, extra_mentions=(BRAM,)),
        "other": await t.say(ANNA, "/nieuwteam Bovenbouw", BOVENBOUW),
        "carla": await t.say(CARLA, "/aansluiten", BOVENBOUW),
    }
    for name, calls in answers.items():
        assert calls and all(c.status == 200 for c in calls), name
    return answers


async def test_the_first_session_in_a_team(app, bot: Bot):
    answers = await setup_school(bot)
    school = answers["school"]
    # replies go into the thread the bot was addressed in, as Teams markdown, with the connector token
    assert school[0].conversation_id == f"{GENERAL.id};messageid={school[0].conversation_id.split('=')[1]}"
    assert school[0].body["textFormat"] == "markdown"
    assert school[0].text.startswith("School **De Regenboog** is gestart.")
    assert all(c.authorization == f"Bearer {TOKEN}" for c in bot.service.calls)
    assert "Dit kanaal hoort nu bij team Groep 5." in answers["team"][0].plain
    assert "Welkom in team Groep 5, Bram!" in answers["join"][0].plain
    # the chair is told privately: a personal chat is opened for Bram, then the news goes there
    chair = answers["chair"]
    opened = [c for c in chair if c.path.endswith("/v3/conversations")]
    assert len(opened) == 1 and opened[0].body["members"] == [{"id": BRAM.teams_id}]
    assert opened[0].body["tenantId"] == TENANT and opened[0].body["isGroup"] is False
    assert any(c.conversation_id == f"a:personal-{BRAM.teams_id}" and "voorzitter" in c.plain for c in chair)
    async with app.sessions() as s:
        links = {
            link.chat_id
            for link in (await s.exec(select(ChatLink).where(ChatLink.platform == "teams"))).all()
        }
        refs = {r.key: r for r in (await s.exec(select(TeamsConversation))).all()}
    assert links == {GROEP5.id, BOVENBOUW.id}
    assert (
        refs[GROEP5.id].conversation_id == GROEP5.id
        and refs[GROEP5.id].service_url == bot.service.service_url
    )
    assert refs[BRAM.aad].conversation_id == f"a:personal-{BRAM.teams_id}"  # stored: reused next time
    assert refs[ANNA.aad].conversation_id is None and refs[ANNA.aad].teams_user_id == ANNA.teams_id
    # Carla's Teams is in English
    assert "Welcome to team Bovenbouw, Carla!" in answers["carla"][0].plain


async def test_a_cycle_question_answered_through_an_adaptive_card(app, bot: Bot):
    await setup_school(bot)
    t = bot.teams
    started = await t.say(BRAM, "/cyclus Begrijpend lezen in groep 5", GROEP5)
    assert any("Begrijpend lezen in groep 5" in c.plain for c in started)
    menu = await t.say(BRAM, "vragen")  # personal chat, no slash, no mention
    card = menu[-1]
    assert card.card is not None and card.conversation_id == f"a:personal-{BRAM.teams_id}"
    data = card.submit_data()
    assert data and all(set(d) == {"leerteam"} and d["leerteam"].startswith("answer_q ") for d in data)
    asked = await t.submit(BRAM, data[0], reply_to=card.body.get("id"))
    question = asked[-1].card
    assert question is not None
    assert [b["type"] for b in question["body"]][-1] == "Input.Text"
    submit = question["actions"][0]["data"]
    assert set(submit) == {"leerteam_answer"} and submit["leerteam_answer"]
    saved = await t.submit(BRAM, {**submit, "answer": "Negen van de 27 leerlingen halen het niveau niet."})
    assert any("opgeslagen" in c.plain.lower() or "bewaard" in c.plain.lower() for c in saved), [
        c.plain for c in saved
    ]
    async with app.sessions() as s:
        rows = (await s.exec(select(Answer))).all()
    assert [r.text for r in rows] == ["Negen van de 27 leerlingen halen het niveau niet."]
    # the same card sent again (a double click): the question is closed, nothing more is stored
    again = await t.submit(BRAM, {**submit, "answer": "Nog een keer"})
    assert any("staat niet meer open" in c.plain for c in again)
    async with app.sessions() as s:
        assert len((await s.exec(select(Answer))).all()) == 1
    # a question waiting in the chat with the bot: typed text that starts with a command word is the answer
    await t.submit(BRAM, data[1])
    typed = await t.say(BRAM, "vragen stellen de leerlingen te weinig")
    assert not any(c.card for c in typed)  # not the /vragen menu
    async with app.sessions() as s:
        texts = sorted(r.text for r in (await s.exec(select(Answer))).all())
    assert texts == ["Negen van de 27 leerlingen halen het niveau niet.", "vragen stellen de leerlingen te weinig"]


async def test_a_reminder_is_sent_proactively_into_the_channel(app, bot: Bot, clock):
    await setup_school(bot)
    t = bot.teams
    await t.say(BRAM, "/ritme dinsdag 15:30", GROEP5)
    await t.say(BRAM, "/herinneringen 2u", GROEP5)
    before = len(bot.service.calls)
    clock.set(datetime(2026, 9, 8, 11, 30, tzinfo=timezone.utc))
    await app.tick()
    sent = bot.service.sent(before)
    reminders = [c for c in sent if "Herinnering" in c.plain]
    assert len(reminders) == 1
    assert reminders[0].conversation_id == GROEP5.id  # a new post in the channel, not a thread
    assert reminders[0].authorization == f"Bearer {TOKEN}"
    await app.tick()
    assert [c for c in bot.service.sent(before) if "Herinnering" in c.plain] == reminders  # once


async def test_a_redelivered_activity_is_handled_once(app, bot: Bot):
    await setup_school(bot)
    activity = bot.teams.activity(CARLA, "/aansluiten", GROEP5, activity_id="1699999999999")
    status, first = await bot.teams.post(activity)
    assert status == 202 and "Welcome to team Groep 5, Carla!" in first[0].plain
    status, again = await bot.teams.post(activity)
    assert status == 202 and again == []
    async with app.sessions() as s:
        ids = {
            e.event_id
            for e in (await s.exec(select(ProcessedEvent).where(ProcessedEvent.platform == "teams")))
        }
    assert "1699999999999" in ids


async def test_unsigned_or_forged_requests_are_refused(app, bot: Bot):
    await setup_school(bot)
    before = await snapshot(app)
    activity = bot.teams.activity(BRAM, "/verlaten Groep 5", GROEP5)
    cases = {
        "unsigned": None,
        "garbage": "not-a-jwt",
        "forged": bot.service.token(forged=True),  # signed with a key Microsoft never published
        "other bot": bot.service.token(aud="11111111-2222-3333-4444-555555555555"),
        "expired": bot.service.token(expired=True),
        "other issuer": bot.service.token(iss="https://evil.example.org"),
        "tenant token": bot.service.token(iss=f"https://sts.windows.net/{TENANT}/"),  # any app in the tenant
        "other service url": bot.service.token(service_url="https://evil.example.org/teams/"),
    }
    for name, token in cases.items():
        status, calls = await bot.teams.post({**activity, "id": f"forged-{name}"}, token=token)
        assert (status, calls) == (401, []), name
    assert await snapshot(app) == before
    status, calls = await bot.teams.post(activity)  # the same activity, properly signed, works
    assert status == 202 and calls


async def test_a_card_submission_forged_for_another_team_is_refused(app, bot: Bot):
    await setup_school(bot)
    before = await snapshot(app)
    forged = [
        ({"leerteam": "team_leave Bovenbouw"}, "Je zit niet in team Bovenbouw"),  # a team Bram is not in
        ({"leerteam": "make_chair bram Bovenbouw"}, "Alleen de voorzitter van"),
        ({"leerteam": "nonsense !!"}, "Die knop werkt niet meer"),
        ({"leerteam": 42}, "Die knop werkt niet meer"),
        ({"leerteam_answer": "999999", "answer": "sneaky"}, "staat niet meer open"),
    ]
    for value, refusal in forged:
        for channel in (None, GROEP5):
            calls = await bot.teams.submit(BRAM, value, channel)
            assert any(refusal in c.plain for c in calls), (value, [c.plain for c in calls])
    assert await snapshot(app) == before


async def test_a_post_to_a_channel_the_bot_was_removed_from_fails_for_good(app, bot: Bot, clock):
    await setup_school(bot)
    transport = bot.endpoint.transport
    out = Outgoing(Address("teams", GROEP5.id), "nl", Text("Hallo team"))
    bot.service.fail(GROEP5.id, 403)
    with pytest.raises(DeliveryFailed) as failed:
        await transport.send(out)
    assert failed.value.permanent and failed.value.status == 403 and bot.slept == []
    # a reminder to that channel: the outbox records the failure instead of losing it silently
    await bot.teams.say(BRAM, "/ritme dinsdag 15:30", GROEP5)
    await bot.teams.say(BRAM, "/herinneringen 2u", GROEP5)
    bot.service.fail(GROEP5.id, 403, times=5)
    clock.set(datetime(2026, 9, 8, 11, 30, tzinfo=timezone.utc))
    await app.tick()
    async with app.sessions() as s:
        rows = [r for r in (await s.exec(select(Outbox))).all() if r.attempts and r.kind == "reminder"]
    # failed for good at the first attempt (the delivery contract): not retried, the reason kept
    assert [(r.status, r.attempts, r.note) for r in rows] == [
        ("failed", 1, "failed for good: send: HTTP 403 Forbidden")]


async def test_rate_limits_and_temporary_failures(app, bot: Bot):
    await setup_school(bot)
    transport = bot.endpoint.transport
    out = Outgoing(Address("teams", GROEP5.id), "nl", Text("Hallo team"))
    bot.service.fail(GROEP5.id, 429, times=2, **{"Retry-After": "3"})
    ref = await transport.send(out)
    assert ref is not None and ref.chat_id == GROEP5.id and bot.slept == [3.0, 3.0]
    assert [c.status for c in bot.service.sent()[-3:]] == [429, 429, 200]
    bot.slept.clear()
    bot.service.fail(GROEP5.id, 503, times=10)
    with pytest.raises(DeliveryFailed) as failed:
        await transport.send(out)
    assert not failed.value.permanent and failed.value.status == 503
    assert len(bot.slept) == 3  # bounded: three retries, then "failed for now"
    bot.service.scripted.clear()
    bot.service.fail(GROEP5.id, 429, **{"Retry-After": "3600"})  # longer than a send may wait
    with pytest.raises(DeliveryFailed) as failed:
        await transport.send(out)
    assert not failed.value.permanent and failed.value.status == 429


async def test_edits_update_the_card_in_place_and_the_bot_greets_a_new_team(app, bot: Bot):
    await setup_school(bot)
    menu = await bot.teams.submit(
        ANNA, {"leerteam": "tg_test_menu"}
    )  # test-only commands (tests/telegram_fakes.py)
    card = menu[-1]
    assert card.card is not None, [c.plain for c in menu]
    assert [d["leerteam"] for d in card.submit_data()] == ["teams", "help"]
    message_id = card_id = None
    async with app.sessions() as s:
        from storage.models import SentMessage

        sent = (await s.exec(select(SentMessage).where(SentMessage.ref == "tg-test-menu"))).one()
        message_id, card_id = sent.message_id, sent.chat_id
    assert card_id == ANNA.aad and message_id
    edited = await bot.teams.submit(ANNA, {"leerteam": "tg_test_edit"})
    puts = [c for c in edited if c.method == "PUT"]
    assert len(puts) == 1 and puts[0].activity_id == message_id
    assert (
        puts[0].conversation_id == f"a:personal-{ANNA.teams_id}"
        and "Dat is meer dan ik verwacht" in puts[0].plain
    )
    image = (await bot.teams.submit(ANNA, {"leerteam": "tg_test_image"}))[-1]
    [attachment] = image.body["attachments"]
    assert attachment["contentType"] == "image/png" and attachment["contentUrl"].startswith(
        "data:image/png;base64,iVBOR"
    )
    # the bot added to a team: a greeting in Dutch with the commands to link a channel
    added = bot.teams.activity(ANNA, None, GENERAL)
    added.update(type="conversationUpdate", membersAdded=[{"id": "28:" + APP_ID}])
    status, calls = await bot.teams.post(added)
    assert (
        status == 202 and len(calls) == 1 and "/nieuwteam" in calls[0].plain and "/koppel" in calls[0].plain
    )


async def test_the_bot_removed_from_a_teams_channel_unlinks_its_team(app, bot: Bot):
    await setup_school(bot)
    removed = bot.teams.activity(ANNA, None, GROEP5)
    removed.update(type="conversationUpdate", membersRemoved=[{"id": "28:" + APP_ID}])
    status, calls = await bot.teams.post(removed)
    assert status == 202 and calls == []
    async with app.sessions() as s:
        from storage.models import ChatLink

        assert [link.team_id for link in (await s.exec(select(ChatLink))).all()] == [2]  # Bovenbouw only


async def test_channel_posts_without_a_mention_are_not_commands(app, bot: Bot):
    await setup_school(bot)
    before = len(bot.service.calls)
    assert await bot.teams.say(CARLA, "/verlaten Groep 5", GROEP5, mention=False) == []
    assert await bot.teams.say(CARLA, "Goedemorgen <at>allemaal</at>", GROEP5, mention=False) == []
    assert len(bot.service.calls) == before
    async with app.sessions() as s:  # writing in a team's channel joins it quietly (the core's rule)
        members = (await s.exec(select(TeamMembership))).all()
    assert len(members) == 3  # Bram and Carla in their teams, and now Carla in Groep 5 too
