"""The leader's digest on Slack stays within Slack's block limits for hundreds of teams (issue 16
part 5): at most 50 blocks per message and 3,000 characters per section text, split over several
messages as Telegram splits at 4,096 characters — nothing dropped, in order."""

from __future__ import annotations

import asyncio
import re
import time

from sqlmodel import select

from bot.core.config import Settings
from bot.transports.slack import build_app, start_http
from bot.transports.slack.render import MAX_HEADER, MAX_SECTION, Renderer
from bot.transports.slack.split import MAX_BLOCKS, fallback_of, message_groups
from prompts.catalog import default_catalog
from storage.models import MomentumFlag, School, Team
from tests.harness import SETUP, Chat, play, text_of
from tests.slack_fake import SECRET, FakeSlackAPI, SlackSender

TEAMS = 500
FLAGGED = 300
R = Renderer("/leerteam", ["overzicht"])


async def _many_teams(app, clock) -> None:
    """500 teams; 300 of them need attention (two meetings cancelled in a row): a header and
    several lines each, the rest one line each."""
    async with app.sessions() as s:
        school = (await s.exec(select(School))).one()
        teams = [Team(school_id=school.id, name=f"Team {n:03d}", name_key=f"team {n:03d}", created_at=clock.now())
                 for n in range(TEAMS)]
        s.add_all(teams)
        await s.flush()
        s.add_all([MomentumFlag(team_id=t.id, kind="cancelled_in_a_row", key=f"cancelled:{t.id}",
                                detail={"count": 2}, raised_at=clock.now()) for t in teams[:FLAGGED]])
        await s.commit()


def _check_parts(groups: list[list[dict]]) -> str:
    """Every part within Slack's limits; returns all their text, in order."""
    assert len(groups) > 1
    for g in groups:
        assert 0 < len(g) <= MAX_BLOCKS
        for b in g:
            if b["type"] == "section":
                assert len(b["text"]["text"]) <= MAX_SECTION
            elif b["type"] == "header":
                assert len(b["text"]["text"]) <= MAX_HEADER
        assert g[-1]["type"] != "header" or g is groups[-1]  # a header goes with what it heads
        assert len(fallback_of(g)) <= 3000
    return "\n".join(b["text"]["text"] for g in groups for b in g if "text" in b)


def test_groups_never_exceed_the_limit_and_keep_headers_with_their_text():
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": f"Kop {i}"}} if i % 7 == 6
              else {"type": "section", "text": {"type": "mrkdwn", "text": f"regel {i}"}} for i in range(260)]
    groups = message_groups(blocks)
    assert [b for g in groups for b in g] == blocks  # nothing lost, nothing reordered
    assert all(len(g) <= MAX_BLOCKS for g in groups) and all(g[-1]["type"] != "header" for g in groups)
    assert message_groups(blocks[:50]) == [blocks[:50]]


async def test_a_digest_of_500_teams_fits_slacks_limits_in_dutch_and_english(app, chat: Chat, clock):
    await play(chat, SETUP)
    await _many_teams(app, clock)
    digest = await chat.say("/overzicht", as_="anna")
    body = next(o.reply.body for o in digest.outgoing if "Weekoverzicht" in text_of(o))
    for lang in ("nl", "en"):
        markup = default_catalog().render(body, lang)
        blocks = R.all_blocks(markup)
        assert len(blocks) > MAX_BLOCKS  # one message could not hold it: before, the rest was dropped
        text = _check_parts(message_groups(blocks))
        positions = [text.index(f"Team {n:03d}") for n in range(TEAMS)]
        assert positions == sorted(positions)  # every team, in order


async def test_over_slack_the_digest_arrives_in_parts(app, database_url, clock):
    api = await FakeSlackAPI().start()
    api.add_user("U0ANNA", "anna")
    settings = Settings(DATABASE_URL=database_url, LEERTEAM_LANGUAGE="nl", SLACK_BOT_TOKEN="xoxb-test",
                        SLACK_SIGNING_SECRET=SECRET, SLACK_APP_TOKEN=None, SLACK_API_URL=api.api_url,
                        _env_file=None)
    bolt, transport = build_app(app, settings)
    runner, port = await start_http(bolt, "127.0.0.1", 0)
    sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", api)
    try:
        async def cmd(text: str) -> list:
            before = len(api.calls)
            status, _ = await sender.command(text, user="U0ANNA", channel="D0ANNA")
            assert status == 200
            deadline, quiet = time.monotonic() + 30, 0
            while quiet < 3:
                assert time.monotonic() < deadline
                quiet = 0 if transport.busy else quiet + 1
                await transport.drain(timeout=30)
                await asyncio.sleep(0.005)
            return api.calls[before:]

        await cmd("nieuweschool De Regenboog")
        await _many_teams(app, clock)
        posts = [c for c in await cmd("overzicht") if c.method in ("chat.postMessage", "chat.postEphemeral")]
        assert len(posts) > 1
        groups = [c.blocks for c in posts]
        text = _check_parts(groups)
        assert text.index("Team 000") < text.index("Team 499") and all(f"Team {n:03d}" in text for n in range(TEAMS))
        assert all(p.params.get("text") for p in posts)  # each part has its own notification text
        assert re.search(r"Team 499", str(posts[-1].params.get("text")) + str(posts[-1].blocks))
    finally:
        await transport.drain()
        await sender.close()
        await runner.cleanup()
        await api.stop()
