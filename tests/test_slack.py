"""Leerteam on Slack, end to end: the real Bolt app over HTTP on 127.0.0.1, correctly signed
requests, and its Web API pointed at a local server that records every call.

Each test runs on SQLite and on PostgreSQL (the ``database_url`` fixture).
"""

from __future__ import annotations

import json
import sys
import time

import pytest
from sqlmodel import select

from bot.core.commands import answers, command
from bot.core.config import Settings
from bot.core.replies import Ask, Choices, Edit, Image, Option, Text
from bot.transports.slack import build_app, start_http
from bot.transports.slack.render import ANSWER_ACTION
from prompts.catalog import Msg
from prompts.markup import Markup
from storage import queries as q
from storage.models import ChatLink, PendingQuestion, SchoolLink
from tests.harness import school_setup, snapshot, with_test_commands
from tests.slack_fake import OTHER_TEAM, SECRET, TEAM, FakeSlackAPI, SlackSender

ANNA, BRAM, CARLA, GUEST, EVIL = "U0ANNA", "U0BRAM", "U0CARLA", "U0GUEST", "U0EVIL"
DM = {ANNA: "D0ANNA", BRAM: "D0BRAM", CARLA: "D0CARLA", GUEST: "D0GUEST", EVIL: "D0EVIL"}
CHANNEL = "C0GROEP34"

# The foundation's scripted session (tests.harness.school_setup), as Slack users type it.
SCRIPT = [
    ("nieuweschool De Regenboog", ANNA),
    ("nieuwteam Groep 3-4", ANNA),
    ("nieuwteam Bovenbouw", ANNA),
    ("aansluiten Groep 3-4", BRAM),
    ("aansluiten Bovenbouw", CARLA),
    ("voorzitter <@U0BRAM|bram> Groep 3-4", ANNA),
    ("schoolleider <@U0CARLA|carla>", ANNA),
]

@pytest.fixture
def capabilities():
    return with_test_commands(sys.modules[__name__])



class Rig:
    def __init__(self, api: FakeSlackAPI, sender: SlackSender, transport, app) -> None:
        self.api, self.sender, self.transport, self.app = api, sender, transport, app

    async def settle(self) -> None:
        """Wait until the work after the acknowledgements is done (bounded, no fixed sleep)."""
        deadline = time.monotonic() + 20
        quiet = 0
        while quiet < 3:
            assert time.monotonic() < deadline, "Slack work did not finish"
            quiet = 0 if self.transport.busy else quiet + 1
            await self.transport.drain(timeout=20)
            await _tick()

    async def cmd(self, text: str, user: str, channel: str | None = None, **kw) -> list:
        before = len(self.api.calls)
        status, _ = await self.sender.command(text, user=user, channel=channel or DM[user], **kw)
        assert status == 200
        await self.settle()
        return self.api.calls[before:]

    async def press(self, value: str, user: str, channel: str | None = None, **kw) -> list:
        before = len(self.api.calls)
        status, _ = await self.sender.action(user=user, channel=channel or DM[user], value=value,
                                             action_id=kw.pop("action_id", "leerteam_choice_0"), **kw)
        assert status == 200
        await self.settle()
        return self.api.calls[before:]

    async def setup(self) -> None:
        for text, user in SCRIPT:
            said = await self.cmd(text, user)
            assert [c for c in said if c.method in ("chat.postMessage", "chat.postEphemeral")], text


async def _tick() -> None:
    import asyncio

    await asyncio.sleep(0.005)


def slack_settings(database_url: str, api: FakeSlackAPI, **extra) -> Settings:
    return Settings(DATABASE_URL=database_url, LEERTEAM_LANGUAGE="nl", SLACK_BOT_TOKEN="xoxb-test",
                    SLACK_SIGNING_SECRET=SECRET, SLACK_APP_TOKEN=None, SLACK_API_URL=api.api_url,
                    _env_file=None, **extra)


@pytest.fixture
async def slack(app, database_url):
    api = await FakeSlackAPI().start()
    for user, name in ((ANNA, "anna"), (BRAM, "bram"), (CARLA, "carla")):
        api.add_user(user, name)
    api.add_user(GUEST, "gast", "Gast van Elders", team_id=OTHER_TEAM, locale="en-US")
    bolt, transport = build_app(app, slack_settings(database_url, api))
    runner, port = await start_http(bolt, "127.0.0.1", 0)
    sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", api)
    rig = Rig(api, sender, transport, app)
    try:
        yield rig
    finally:
        await transport.drain()
        await sender.close()
        await runner.cleanup()
        await api.stop()


async def school_state(app, platform: str) -> dict:
    """The school a platform's workspace is linked to: teams, members, roles and leadership."""
    async with app.sessions() as session:
        link = (await session.exec(select(SchoolLink).where(SchoolLink.platform == platform))).one()
        school_id = link.school_id
        teams = await q.teams_overview(session, school_id)
        people = await q.people_of_school(session, school_id)
        school = await session.get(q.School, school_id)
    return {
        "school": school.name,
        "teams": {t.team.name: sorted((m.display_name, role) for m, role in t.members) for t in teams},
        "people": sorted((p.member.display_name, p.membership.is_leader, p.membership.is_admin) for p in people),
    }


def mrkdwn_texts(call) -> list[str]:
    return [b["text"]["text"] for b in call.blocks if b["type"] == "section"]


# --- the scripted session ------------------------------------------------------------------
async def test_school_setup_replayed_over_slack_gives_the_same_school(slack, chat, app):
    await school_setup(chat)  # the same session in the console, as the reference
    await slack.setup()
    assert await school_state(app, "slack") == await school_state(app, "console")

    first = slack.api.of("chat.postMessage")[0]
    assert first["channel"] == DM[ANNA]
    assert first.blocks[0] == {"type": "section", "text": {
        "type": "mrkdwn", "verbatim": True,
        "text": "School *De Regenboog* is gestart. Jij bent beheerder én schoolleider.\n"
                "Volgende stap: maak de leerteams aan met /leerteam nieuwteam gevolgd door de naam van het team."}}
    assert first["text"].startswith("School *De Regenboog* is gestart.")
    assert first.get("unfurl_links") is False and first.get("link_names") is False

    # the new chair hears it in a DM; the command's answer stays with Anna
    to_bram = [c for c in slack.api.of("chat.postMessage") if c["channel"] == BRAM]
    assert len(to_bram) == 1 and "Anna heeft je voorzitter gemaakt van team *Groep 3-4*" in to_bram[0]["text"]

    said = await slack.cmd("teams", CARLA)
    (listing,) = [c for c in said if c.method == "chat.postMessage"]
    assert listing["channel"] == DM[CARLA]
    assert listing.blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "Leerteams van De Regenboog",
                                                           "emoji": True}}
    body = "\n".join(mrkdwn_texts(listing))
    for line in ("*Bovenbouw* — 1 lid (nog geen kanaal gekoppeld)", "  - Carla", "*Groep 3-4* — 1 lid",
                 "  - Bram (voorzitter)", "  - Anna (schoolleider, beheerder)", "  - Carla (schoolleider)"):
        assert line in body
    assert any(b["type"] == "header" and b["text"]["text"] == "Schoolleiding" for b in listing.blocks)


async def test_bare_command_is_help_and_english_names_work(slack):
    said = await slack.cmd("", ANNA)
    (help_,) = [c for c in said if c.method == "chat.postMessage"]
    assert "Wat ik kan" in help_.all_text and "/leerteam nieuweschool" in help_.all_text
    assert "In de console" not in help_.all_text
    said = await slack.cmd("newschool Rainbow", ANNA)
    assert "School *Rainbow* is gestart" in said[-1]["text"]


# --- a channel is a team -------------------------------------------------------------------
async def test_channel_becomes_a_team_and_answers_stay_with_the_caller(slack, app):
    await slack.cmd("nieuweschool De Regenboog", ANNA)
    said = await slack.cmd("nieuwteam Groep 3-4", ANNA, CHANNEL)
    (reply,) = [c for c in said if c.method.startswith("chat.")]
    assert (reply.method, reply["channel"], reply["user"]) == ("chat.postEphemeral", CHANNEL, ANNA)
    assert "Dit kanaal hoort nu bij team *Groep 3-4*." in reply["text"]
    async with app.sessions() as session:
        link = (await session.exec(select(ChatLink).where(ChatLink.platform == "slack"))).one()
    assert link.chat_id == CHANNEL

    said = await slack.cmd("aansluiten", BRAM, CHANNEL)  # no team name needed in the team's channel
    assert [(c.method, c["user"]) for c in said if c.method.startswith("chat.")] == [("chat.postEphemeral", BRAM)]
    assert "Welkom in team *Groep 3-4*, Bram!" in said[-1]["text"]

    said = await slack.cmd("schoolcode", ANNA, CHANNEL)  # only Anna may see the code
    assert [c.method for c in said if c.method.startswith("chat.")] == ["chat.postEphemeral"]

    said = await slack.cmd("koppel Groep 3-4", BRAM, "C0ANDER")  # Bram is no chair: refused
    assert "Alleen de voorzitter van *Groep 3-4*" in said[-1]["text"] and said[-1].method == "chat.postEphemeral"


async def test_without_the_bot_in_the_channel_the_response_url_is_used(slack):
    await slack.cmd("nieuweschool De Regenboog", ANNA)
    slack.api.error("chat.postEphemeral", "channel_not_found")
    said = await slack.cmd("teams", ANNA, "C0PRIVATE")
    failed, answered = [c for c in said if c.method in ("chat.postEphemeral", "response_url")]
    assert not failed.ok and answered.method == "response_url"
    assert answered["response_type"] == "ephemeral" and answered["replace_original"] is False
    assert "Leerteams van De Regenboog" in answered.all_text


# --- refused: bad signatures, forged buttons, another workspace ----------------------------
async def test_bad_signature_and_stale_timestamp_are_refused_and_nothing_changes(slack, app):
    await slack.setup()
    before, calls = await snapshot(app, skip=()), len(slack.api.calls)
    sender = slack.sender
    assert (await sender.command("schoolleider <@U0BRAM|bram>", user=ANNA, channel=DM[ANNA],
                                 secret="not-the-secret"))[0] == 401
    assert (await sender.command("schoolleider <@U0BRAM|bram>", user=ANNA, channel=DM[ANNA],
                                 timestamp=int(time.time()) - 6 * 60))[0] == 401
    assert (await sender.command("schoolleider <@U0BRAM|bram>", user=ANNA, channel=DM[ANNA], signature=""))[0] == 401
    assert (await sender.action(user=ANNA, channel=DM[ANNA], action_id="leerteam_choice_0",
                                value="make_leader @bram", secret="nope"))[0] == 401
    assert (await sender.event({"type": "app_home_opened", "user": ANNA, "channel": DM[ANNA], "tab": "home"},
                               headers={"X-Slack-Signature": "v0=00"}))[0] == 401
    await slack.settle()
    assert await snapshot(app, skip=()) == before  # not even the event log changed
    assert len(slack.api.calls) == calls  # and nothing was said


async def test_forged_button_values_are_checked_like_typed_commands(slack, app):
    await slack.setup()
    before = await snapshot(app)
    said = await slack.press("make_leader @bram", BRAM)  # Bram is no school leader
    assert "Alleen de schoolleider of een beheerder mag dat." in said[-1].all_text
    said = await slack.press("make_chair @bram Bovenbouw", BRAM)  # chair of Groep 3-4, not of Bovenbouw
    assert "Alleen de voorzitter van *Bovenbouw*" in said[-1].all_text
    said = await slack.press("drop_all_tables", BRAM)
    assert "Die knop werkt niet meer" in said[-1].all_text
    said = await slack.press("", BRAM)
    assert "Die knop werkt niet meer" in said[-1].all_text
    assert await snapshot(app) == before


async def test_a_user_from_another_workspace_is_refused_and_nothing_changes(slack, app):
    await slack.setup()
    await slack.cmd("nieuwteam Groep 5", ANNA, CHANNEL)
    before, calls = await snapshot(app, skip=()), len(slack.api.calls)
    said = await slack.cmd("aansluiten Groep 3-4", GUEST, CHANNEL)
    (refusal,) = [c for c in said if c.method.startswith("chat.")]
    assert (refusal.method, refusal["user"]) == ("chat.postEphemeral", GUEST)
    assert "another workspace, so I did nothing" in refusal["text"]  # in the guest's own language
    said = await slack.press("team_join Groep 3-4", GUEST, CHANNEL)
    assert "another workspace" in said[-1].all_text
    # one of our own people, but the request claims another workspace
    said = await slack.cmd("aansluiten Bovenbouw", BRAM, CHANNEL, team=OTHER_TEAM)
    assert "andere werkruimte" in said[-1].all_text
    await slack.sender.event({"type": "app_home_opened", "user": GUEST, "channel": DM[GUEST], "tab": "home"})
    await slack.sender.event({"type": "message", "channel_type": "im", "user": GUEST, "channel": DM[GUEST],
                              "text": "hallo", "ts": "1.1"})
    await slack.settle()
    assert slack.api.of("views.publish") == []
    assert await snapshot(app, skip=()) == before
    assert all(c.method in ("users.info", "chat.postEphemeral", "chat.postMessage", "response_url")
               for c in slack.api.calls[calls:])


# --- delivery ------------------------------------------------------------------------------
async def test_a_rate_limited_message_is_retried_after_retry_after_and_arrives_once(slack):
    slack.api.fail("chat.postMessage", 429, {"Retry-After": "1"})
    start = time.monotonic()
    status, _ = await slack.sender.command("hulp", user=ANNA, channel=DM[ANNA])
    acknowledged = time.monotonic() - start
    await slack.settle()
    posts = slack.api.of("chat.postMessage", ok_only=False)
    assert [c.status for c in posts] == [429, 200]
    assert posts[1].at - posts[0].at >= 1.0  # waited for Retry-After
    # Slack got its answer at once; the slow work (here: waiting out the rate limit) came after
    assert status == 200 and acknowledged < 1.0 and posts[1].at - start >= 1.0
    assert posts[0].params == posts[1].params  # the same message, sent again
    assert len(slack.api.of("chat.postMessage")) == 1  # and it arrived once


async def test_redelivered_events_and_commands_are_handled_once(slack, app):
    event = {"type": "message", "channel_type": "im", "user": ANNA, "channel": DM[ANNA], "text": "hallo", "ts": "1.2"}
    assert (await slack.sender.event(event, event_id="Ev0SAME"))[0] == 200
    await slack.settle()
    assert (await slack.sender.event(event, event_id="Ev0SAME",
                                     headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}))[0] == 200
    await slack.settle()
    replies = slack.api.of("chat.postMessage")
    assert len(replies) == 1 and "Typ /leerteam hulp" in replies[0]["text"]

    body_trigger = slack.sender.trigger()
    await slack.cmd("nieuweschool De Regenboog", ANNA, trigger_id=body_trigger)
    before = await snapshot(app, skip=())
    said = await slack.cmd("nieuweschool De Regenboog", ANNA, trigger_id=body_trigger,
                           headers={"X-Slack-Retry-Num": "1"})
    assert [c for c in said if c.method.startswith("chat.")] == []
    assert await snapshot(app, skip=()) == before


async def test_hostile_display_names_cannot_ping_link_or_format(slack):
    await slack.setup()
    slack.api.add_user(EVIL, "evil", display_name="<!channel> *Baas* _x_ ~y~ `z` & <@U0ANNA> <https://evil.example|klik>")
    said = await slack.cmd("aansluiten Groep 3-4", EVIL)
    said += await slack.cmd("teams", ANNA)
    text = "\n".join(c.all_text for c in said if c.method == "chat.postMessage")
    assert "&lt;!channel&gt; ∗Baas∗ ˍxˍ ∼y∼ ˋzˋ &amp; &lt;@U0ANNA&gt; &lt;https://evil.example|klik&gt;" in text
    for bad in ("<!channel>", "<@U0ANNA>", "<https://evil", "*Baas*", "_x_", "~y~", "`z`"):
        assert bad not in text
    for call in said:
        for block in call.blocks:
            if block.get("text", {}).get("type") == "mrkdwn":
                assert block["text"]["verbatim"] is True


# --- Block Kit: choices, questions, images, edits -------------------------------------------
@command("test_slack_choices", hidden=True)
async def _choices(ctx):
    return Choices(Msg("console.choose"), (Option(Msg("role.leader"), "help"), Option(Msg("role.admin"), "teams")))


@command("test_slack_ask", hidden=True)
async def _ask(ctx):
    return Ask(Msg("team.how_to_join", team="*Groep_3*", join_cmd="aansluiten", chair_cmd="voorzitter"),
               question_id="test_slack_question", payload={"team": "Groep 3-4"})


@answers("test_slack_question")
async def _answered(ctx, payload, text):
    return Text(Msg("team.joined", team=payload["team"], person=text))


@command("test_slack_image", hidden=True)
async def _image(ctx):
    return Image(b"\x89PNG\r\n\x1a\nfake-chart", "grafiek.png", caption=Msg("role.admin"), alt_text=Msg("role.leader"))


@command("test_slack_ref", hidden=True)
async def _ref(ctx):
    return Text(Msg("role.admin"), ref="test-slack-ref")


@command("test_slack_edit", hidden=True)
async def _edit(ctx):
    return Edit("test-slack-ref", Text(Msg("role.leader")))


async def test_choices_are_buttons_and_a_press_runs_the_option(slack):
    await slack.setup()
    said = await slack.press("test_slack_choices", ANNA)
    (choices,) = [c for c in said if c.method == "chat.postMessage"]
    actions = [b for b in choices.blocks if b["type"] == "actions"]
    assert [(e["text"]["text"], e["value"], e["action_id"]) for e in actions[0]["elements"]] == [
        ("schoolleider", "help", "leerteam_choice_0"), ("beheerder", "teams", "leerteam_choice_1")]
    said = await slack.press("teams", ANNA, action_id="leerteam_choice_1")
    assert "Leerteams van De Regenboog" in said[-1].all_text


async def test_a_question_is_answered_in_a_modal(slack, app):
    await slack.setup()
    said = await slack.press("test_slack_ask", ANNA, CHANNEL)
    (asked,) = [c for c in said if c.method == "chat.postEphemeral"]  # a question is private
    button = [e for b in asked.blocks if b["type"] == "actions" for e in b["elements"]][0]
    assert button["action_id"] == ANSWER_ACTION and button["text"]["text"] == "Antwoorden"
    assert len(button["value"]) <= 2000

    said = await slack.press(button["value"], ANNA, CHANNEL, action_id=ANSWER_ACTION)
    (opened,) = [c for c in said if c.method == "views.open"]
    assert opened["trigger_id"] == slack.sender.last_trigger
    view = opened["view"]
    field = [b for b in view["blocks"] if b["type"] == "input"][0]
    assert field["element"]["type"] == "plain_text_input" and field["element"]["multiline"] is True
    assert view["title"]["text"] == "Jouw antwoord" and view["submit"]["text"] == "Versturen"
    assert "∗Groepˍ3∗" in view["blocks"][0]["text"]["text"]  # the question, escaped as everywhere

    async with app.sessions() as session:
        pending = (await session.exec(select(PendingQuestion))).all()
    assert [p.kind for p in pending] == ["test_slack_question"]

    # someone else submitting Anna's modal (forged metadata) gets nothing of hers
    before = await snapshot(app)
    await slack.sender.submit(user=BRAM, view=view, text="van Bram", view_id="V0FORGED")
    await slack.settle()
    assert "Die vraag staat niet meer open" in slack.api.messages()[-1].all_text
    assert await snapshot(app) == before

    await slack.sender.submit(user=ANNA, view=view, text="Lange tekst\nover twee regels")
    await slack.settle()
    answer = slack.api.messages()[-1]
    assert (answer.method, answer["channel"], answer["user"]) == ("chat.postEphemeral", CHANNEL, ANNA)
    assert "Welkom in team *Groep 3-4*, Lange tekst" in answer["text"]
    async with app.sessions() as session:
        assert (await session.exec(select(PendingQuestion))).all() == []

    count = len(slack.api.messages())  # the same modal submitted twice counts once
    await slack.sender.submit(user=ANNA, view=view, text="nog eens")
    await slack.settle()
    assert len(slack.api.messages()) == count


async def test_images_are_uploaded_with_files_upload_v2(slack):
    await slack.setup()
    said = await slack.press("test_slack_image", ANNA)
    methods = [c.method for c in said if c.method.startswith(("files.", "upload"))]
    assert methods == ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]
    get_url, upload, complete = [c for c in said if c.method in methods]
    assert get_url["filename"] == "grafiek.png" and int(get_url["length"]) == len(upload["data"])
    assert get_url["alt_txt"] == "schoolleider"
    assert upload["data"] == b"\x89PNG\r\n\x1a\nfake-chart"
    assert complete["channel_id"] == DM[ANNA] and complete["initial_comment"] == "beheerder"


async def test_an_edit_updates_the_earlier_message(slack):
    await slack.setup()
    said = await slack.press("test_slack_ref", ANNA)
    (posted,) = [c for c in said if c.method == "chat.postMessage"]
    said = await slack.press("test_slack_edit", ANNA)
    (update,) = [c for c in said if c.method == "chat.update"]
    assert update["channel"] == DM[ANNA] and update["ts"] == posted.response["ts"]
    assert update["text"] == "schoolleider" and update.blocks[0]["text"]["text"] == "schoolleider"


# --- App Home --------------------------------------------------------------------------------
async def test_app_home_shows_your_teams_and_what_is_next(slack):
    await slack.setup()
    await slack.sender.event({"type": "app_home_opened", "user": BRAM, "channel": DM[BRAM], "tab": "home"})
    await slack.settle()
    (published,) = slack.api.of("views.publish")
    assert published["user_id"] == BRAM
    view = published["view"]
    assert view["type"] == "home"
    headers = [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]
    assert headers == ["Leerteam op De Regenboog", "Jouw teams", "Andere teams"]
    text = "\n".join(b["text"]["text"] for b in view["blocks"] if b["type"] == "section")
    assert "*Groep 3-4* — jij bent voorzitter" in text
    assert "Wat nu: een kanaal koppelen (typ /leerteam koppel Groep 3-4 in het kanaal van het team)" in text
    assert "*Bovenbouw* — 1 lid" in text and "een voorzitter kiezen (/leerteam voorzitter)" in text
    assert "nog geen focus; de voorzitter kiest één probleem met /leerteam cyclus" in text

    await slack.sender.event({"type": "app_home_opened", "user": BRAM, "channel": DM[BRAM], "tab": "messages"})
    await slack.settle()
    assert len(slack.api.of("views.publish")) == 1  # the Messages tab needs nothing


# --- the Events API handshake ---------------------------------------------------------------
async def test_url_verification_answers_the_challenge_only_when_signed(slack):
    body = json.dumps({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"})
    status, text = await slack.sender.post(body, "application/json")
    assert status == 200 and "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in text
    status, text = await slack.sender.post(body, "application/json", secret="wrong")
    assert status == 401 and "3eZbrw" not in text


async def test_the_workspace_is_the_school(slack, app):
    await slack.cmd("nieuweschool De Regenboog", ANNA)
    async with app.sessions() as session:
        link = (await session.exec(select(SchoolLink).where(SchoolLink.platform == "slack"))).one()
    assert link.workspace_id == TEAM
    said = await slack.cmd("nieuweschool Nog Een", CARLA)  # the workspace already is a school
    assert "Hier is al een school: *De Regenboog*" in said[-1].all_text


async def test_messages_for_a_team_are_posted_in_its_channel_and_direct_ones_as_dms(slack):
    """What the scheduler sends (no caller): a team's chat visibly, one person by DM."""
    from bot.core.delivery import Address, Outgoing
    from bot.core.replies import DirectTo, TeamChat

    ref = await slack.transport.send(Outgoing(Address("slack", CHANNEL), "nl", Text(Markup("*Herinnering*"),
                                                                                  target=TeamChat(1))))
    (post,) = slack.api.of("chat.postMessage")
    assert post["channel"] == CHANNEL and post.blocks[0]["type"] == "header"
    assert (ref.chat_id, ref.message_id) == (CHANNEL, post.response["ts"])
    await slack.transport.send(Outgoing(Address("slack", None, BRAM, True), "nl", Text(Markup("Hoi"),
                                                                                     target=DirectTo(2))))
    assert slack.api.of("chat.postMessage")[-1]["channel"] == BRAM
    assert slack.api.of("chat.postEphemeral") == []
    if hasattr(slack.app, "attach"):  # the scheduler finds Slack among the app's transports
        assert slack.app.transports["slack"] is slack.transport


async def test_files_such_as_a_quality_card_are_uploaded_and_private_ones_go_to_a_dm(slack):
    """A file reply (``data`` + ``filename``, like the quality card's Document) meant only for the
    caller in a channel cannot be ephemeral on Slack: it goes to their DM."""

    from bot.core.delivery import Address, Outgoing
    from bot.core.replies import PRIVATE, Document

    card = Document(b"# Kwaliteitskaart\n", "kwaliteitskaart.md", caption=Markup("*Kwaliteitskaart* Groep 3-4"),
                    target=PRIVATE)
    assert await slack.transport.send(Outgoing(Address("slack", CHANNEL, ANNA, True), "nl", card)) is None
    opened, complete = slack.api.of("conversations.open", "files.completeUploadExternal")
    assert opened["users"] == ANNA and complete["channel_id"] == "D" + ANNA[1:]
    assert complete["initial_comment"] == "*Kwaliteitskaart* Groep 3-4"
    assert [c["data"] for c in slack.api.of("upload")] == [b"# Kwaliteitskaart\n"]


async def test_an_empty_text_is_sent_without_blocks(slack):
    from bot.core.delivery import Address, Outgoing

    await slack.transport.send(Outgoing(Address("slack", DM[ANNA], ANNA, True), "nl", Text(Markup(""))))
    (post,) = slack.api.of("chat.postMessage")
    assert post["text"] == "…" and "blocks" not in post.params


# --- issue 14, the rest: an answer for one person in a busy channel names that person --------------------
async def test_a_refusal_in_a_channel_is_ephemeral_to_the_person_and_a_visible_one_mentions_them(slack):
    """Slack already answers the caller ephemerally in a channel (only they see it, so it is theirs);
    where an answer for one person must be posted visibly, it starts with their mention."""
    await slack.setup()
    said = await slack.cmd("koppel Bovenbouw", BRAM, CHANNEL)  # Bram is not Bovenbouw's chair
    (refusal,) = [c for c in said if c.method.startswith("chat.")]
    assert (refusal.method, refusal["channel"], refusal["user"]) == ("chat.postEphemeral", CHANNEL, BRAM)
    assert "Alleen de voorzitter van *Bovenbouw*" in refusal["text"]

    from bot.core.delivery import Address, ForPerson, Outgoing

    to_bram = Address("slack", CHANNEL, for_person=ForPerson(BRAM, "Bram"))
    await slack.transport.send(Outgoing(to_bram, "nl", Text(Markup("Dat kan alleen de voorzitter.")),
                                        is_error=True))
    post = slack.api.of("chat.postMessage")[-1]
    assert post["channel"] == CHANNEL and post["text"].startswith(f"<@{BRAM}> ")
    assert mrkdwn_texts(post)[0].startswith(f"<@{BRAM}> Dat kan alleen")
    hostile = Address("slack", CHANNEL, for_person=ForPerson("U0X> <!channel", "X"))
    await slack.transport.send(Outgoing(hostile, "nl", Text(Markup("Nee."))))
    assert slack.api.of("chat.postMessage")[-1]["text"].startswith("<@U0XCHANNEL> ")
