"""The five-dimension scan over two rounds (averages per dimension, the trend, the chart), the
functions the leader digest reads, and the proof that nothing anyone sees — chat, charts, the
digest's aggregates, logs at INFO — depends on who answered what."""

from __future__ import annotations

import hashlib
import logging
import shutil

from sqlalchemy import update
from sqlmodel import col

from bot.app import Leerteam
from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.core.replies import Choices, Image
from handlers.polls.aggregates import digest_reflection, poll_summaries, scan_trends
from prompts.markup import plain
from storage.models import Poll, PollQuestion, PollVote, Team
from tests.conftest import START
from tests.harness import (
    PNG,
    TEAM,
    Chat,
    answer_all,
    choices_of,
    images,
    meeting_poll,
    rows,
    setup_team,
    text_of,
    utc,
)

# The statements in order (handlers/polls/scan_items.py); 0 is "weet ik niet"; (R) reverse-keyed:
# visie instruction ambitions ground_rules · focus s1 s2 pile_up(R) · werkwijze s1 literature s2 ·
# cultuur s1 visit deflection(R) · structuur s1 timetable participation leader
ROUND1 = {
    "bram": [4, 4, 5, 5, 5, 1, 3, 3, 3, 2, 2, 4, 4, 4, 0, 4],
    "carla": [3, 3, 4, 4, 4, 2, 3, 3, 3, 3, 3, 3, 4, 4, 0, 4],
    "dirk": [2, 2, 3, 3, 3, 3, 3, 0, 3, 1, 1, 5, 1, 1, 0, 1],
}
ROUND2 = {
    "bram": [5, 5, 5, 5, 5, 1, 3, 3, 3, 1, 1, 5, 4, 4, 0, 4],
    "carla": [4, 4, 4, 4, 4, 2, 3, 3, 3, 2, 2, 4, 4, 4, 0, 4],
    "dirk": [3, 3, 3, 3, 3, 3, 2, 0, 2, 1, 1, 5, 1, 1, 0, 1],
}


async def press_through(chat: Chat, who: str, values: list[int], ids: list[str] | None = None):
    answer = await chat.say("/peiling", as_=who, event_id=ids.pop(0) if ids else None)
    for value in values:
        [current] = choices_of(answer)
        option = next(o for o in current.options if o.value.endswith(f" {value}"))
        answer = await chat.press(option.value, as_=who, event_id=ids.pop(0) if ids else None)
    return answer


async def test_the_scan_goes_round_privately_and_shows_averages_and_the_trend(app, chat, clock):
    await setup_team(chat)
    app.attach(chat.transport)
    clock.set(utc(2026, 10, 19, 7, 59))  # six weeks after the team began: not yet
    await app.tick()
    assert await rows(app, Poll) == []
    clock.set(utc(2026, 10, 19, 8, 1))
    mark = len(chat.transport.sent)
    await app.tick()
    [scan] = await rows(app, Poll)
    assert (scan.kind, scan.round, scan.closes_at) == ("scan", 1, utc(2026, 10, 26, 8, 1))
    qs = await rows(app, PollQuestion, col(PollQuestion.poll_id) == scan.id)
    assert sorted({q.dimension for q in qs}) == ["cultuur", "focus", "structuur", "visie", "werkwijze"]
    assert len(qs) == 16 and all(q.kind == "scale" for q in qs)
    invites = [o for o in chat.transport.sent[mark:] if "Scan van de vijf dimensies, Groep 5 (ronde 1)" in text_of(o)]
    assert sorted(o.address.user_id for o in invites) == ["bram", "carla", "dirk"]
    assert all(o.address.private for o in invites) and "16 korte vragen" in text_of(invites[0])
    for who in ("bram", "carla"):
        done = await press_through(chat, who, ROUND1[who])
        assert "Dank je! De teamuitslag per dimensie komt als de scan sluit: /scanuitslag." in done.text
    early = await chat.say("/scanuitslag", as_="carla", in_=TEAM)
    assert "De uitslag blijft verborgen tot er 3 antwoorden zijn. Nu 2: nog 1 nodig." in early.text
    await press_through(chat, "dirk", ROUND1["dirk"])
    clock.set(utc(2026, 10, 26, 8, 2))
    mark = len(chat.transport.sent)
    await app.tick()
    posted = [o for o in chat.transport.sent[mark:] if isinstance(o.reply, Image) and o.address.chat_id == TEAM]
    assert len(posted) == 1 and posted[0].reply.png.startswith(PNG)
    alt = plain(posted[0].reply.alt_text)
    assert "ronde 1 (meegedaan: 3 van 3)" in text_of(posted[0])
    for line in ("Visie: 3,3 (antwoorden van 2 tot 5)", "Focus: 4 (antwoorden van 3 tot 5)",
                 "Werkwijze: 3 (antwoorden van 3 tot 3)", "Cultuur: 2 (antwoorden van 1 tot 3)",
                 "Structuur: 3 (antwoorden van 1 tot 4)"):
        assert line in alt.splitlines(), (line, alt)
    assert "Laagste score: Cultuur. Mogelijk gevolg als die achterblijft: als problemen buiten het team worden gelegd" in alt

    # round two comes six weeks after the first began; the leader made it four weeks meanwhile
    assert "elke 4 weken" in (await chat.say("/scanritme 4", as_="anna")).text
    clock.set(utc(2026, 11, 16, 8, 2))
    await app.tick()
    second = [p for p in await rows(app, Poll) if p.round == 2]
    assert len(second) == 1 and second[0].opens_at == utc(2026, 11, 16, 8, 2)
    for who in ("bram", "carla", "dirk"):
        await press_through(chat, who, ROUND2[who])
    clock.set(utc(2026, 11, 23, 8, 3))
    mark = len(chat.transport.sent)
    await app.tick()
    [posted] = [o for o in chat.transport.sent[mark:] if isinstance(o.reply, Image) and o.address.chat_id == TEAM]
    alt = plain(posted.reply.alt_text).splitlines()
    for line in ("Visie: 4 (antwoorden van 3 tot 5; vorige scan 3,3)", "Focus: 4 (antwoorden van 3 tot 5; vorige scan 4)",
                 "Werkwijze: 2,7 (antwoorden van 2 tot 3; vorige scan 3)",
                 "Cultuur: 1,3 (antwoorden van 1 tot 2; vorige scan 2)", "Verloop over de laatste 2 scans:",
                 "  Visie: 3,3 → 4", "  Werkwijze: 3 → 2,7", "  Cultuur: 2 → 1,3"):
        assert line in alt, (line, alt)
    # cultuur fell by 0,7, but with three answers one person can do that alone: not "falling"
    assert not any(line.startswith("Gedaald") for line in alt)
    assert "Laagste score: Cultuur." in "\n".join(alt)
    again = await chat.say("/scanuitslag", as_="anna", in_=TEAM)  # the leader: aggregates only, like everyone
    assert images(again) and "Visie: 4 (antwoorden van 3 tot 5; vorige scan 3,3)" in plain(images(again)[0].alt_text)

    # the digest's view: both rounds, per dimension, aggregates only
    team_id = scan.team_id
    async with app.sessions() as s:
        trends = await scan_trends(s, [team_id])
        reflection = await digest_reflection(s, [team_id], utc(2026, 11, 1), clock.now())
    assert [(r.round, r.answers, r.averages) for r in trends[team_id]] == [
        (1, 3, {"visie": 3.33, "focus": 4.0, "werkwijze": 3.0, "cultuur": 2.0, "structuur": 3.0}),
        (2, 3, {"visie": 4.0, "focus": 4.0, "werkwijze": 2.67, "cultuur": 1.33, "structuur": 3.0}),
    ]
    assert reflection[team_id]["scan_dims"]["cultuur"] == (1.33, 2.0)
    assert reflection[team_id]["scan_falling"] == []  # three answers a round: no drop "means something"
    assert round(reflection[team_id]["scan_avg"], 2) == 3.0
    rendered = plain(app.catalog.render(reflection[team_id]["scan"], "nl"))
    assert rendered == "Scan ronde 2 (3 deelnemers): Visie 4, Focus 4, Werkwijze 2,7, Cultuur 1,3, Structuur 3"


async def test_a_round_below_the_threshold_is_left_out_and_deleted_voters_still_count(app, chat, clock):
    await setup_team(chat)
    started = await chat.say("/scannu", as_="bram", in_=TEAM)
    assert "Ronde 1 van de scan voor *Groep 5* is verstuurd" in started.text or "Ronde 1 van de scan" in started.text
    assert "Alleen de voorzitter" in (await chat.say("/scannu", as_="carla", in_=TEAM)).text
    assert "loopt al een scan" in (await chat.say("/scannu", as_="bram", in_=TEAM)).text
    for who in ("bram", "carla"):
        await press_through(chat, who, ROUND1[who])
    [scan] = await rows(app, Poll)
    async with app.sessions() as s:
        assert await scan_trends(s, [scan.team_id]) == {}
        assert await digest_reflection(s, [scan.team_id], START, clock.now()) == {}
    await press_through(chat, "dirk", ROUND1["dirk"])
    async with app.sessions() as s:  # issue 8: a member deletes their data; their answers stay anonymous
        await s.exec(update(PollVote).where(col(PollVote.voter_id).is_not(None)).values(voter_id=None))
        await s.commit()
        trends = await scan_trends(s, [scan.team_id])
    assert trends[scan.team_id][0].averages["cultuur"] == 2.0 and trends[scan.team_id][0].answers == 3


async def test_poll_summaries_for_the_digest_hold_only_shown_questions(app, chat, clock):
    poll = await meeting_poll(app, chat, clock)
    async with app.sessions() as s:
        assert await poll_summaries(s, [poll.team_id], START) == {}
    for who, values in (("carla", [4, 5, 1]), ("dirk", [3, 4, 2]), ("bram", [5, 4, 1])):
        await answer_all(chat, who, values)
    async with app.sessions() as s:
        [summary] = (await poll_summaries(s, [poll.team_id], START))[poll.team_id]
        reflection = await digest_reflection(s, [poll.team_id], START, clock.now())
    assert (summary.kind, summary.answers, summary.members) == ("meeting", 3, 3)
    assert [(q.key, q.answers, q.counts) for q in summary.questions] == [
        ("poll.meeting.q1", 3, {3: 1, 4: 1, 5: 1}), ("poll.meeting.q2", 3, {4: 2, 5: 1}),
        ("poll.meeting.q3", 3, {1: 2, 2: 1})]
    assert plain(app.catalog.render(reflection[poll.team_id]["poll"], "nl")) == (
        "Peilingen: 1 met uitslag — Vrijuit spreken gemiddeld 4; Onderbouwde keuzes gemiddeld 4,3; "
        "Actie voor de klas 67% ja")


# --- nothing reveals who answered what ------------------------------------------------------------
MEETING_A = {"carla": [4, 5, 1], "dirk": [3, 4, 2], "bram": [5, 4, 1]}
MEETING_B = {"carla": [4, 4, 2], "dirk": [5, 4, 1], "bram": [3, 5, 1]}  # the same totals, other people
SCAN_B = {"bram": ROUND1["carla"], "carla": ROUND1["dirk"], "dirk": ROUND1["bram"]}


async def _scenario(path, meeting: dict[str, list[int]], scan: dict[str, list[int]]) -> tuple[list, list]:
    """One whole session on its own database; returns everything anyone was sent, and the
    digest's aggregates."""
    settings = Settings(DATABASE_URL=f"sqlite:///{path}", LEERTEAM_LANGUAGE="nl", LEERTEAM_IMAGE_DIR=str(path) + ".img",
                        _env_file=None)
    app = Leerteam(settings, clock=FrozenClock(START))
    chat = Chat(app)
    ids = [f"ev-{n}" for n in range(10_000)]
    try:
        await setup_team(chat)
        app.attach(chat.transport)
        await chat.say("/ritme dinsdag 15:30 60", as_="bram", in_=TEAM, event_id=ids.pop(0))
        app.set_clock(utc(2026, 9, 8, 14, 45))
        await app.tick()
        for who in ("carla", "dirk", "bram"):
            await press_through(chat, who, meeting[who], ids)
            await chat.say("/uitslag", as_=who, in_=TEAM, event_id=ids.pop(0))
        [poll] = await rows(app, Poll)
        q1 = min((await rows(app, PollQuestion, col(PollQuestion.poll_id) == poll.id)), key=lambda q: q.position)
        # carla changes her first answer to 2 (in both runs the totals stay the same), then a redelivery
        await chat.press(f"poll_vote {poll.id} {q1.id} 2", as_="carla", event_id="change")
        await chat.press(f"poll_vote {poll.id} {q1.id} 2", as_="carla", event_id="change")
        await chat.say("/peilingen", as_="dirk", in_=TEAM, event_id=ids.pop(0))
        await chat.say("/scannu", as_="bram", in_=TEAM, event_id=ids.pop(0))
        for who in ("bram", "carla", "dirk"):
            await press_through(chat, who, scan[who], ids)
        for day in range(9, 17):
            app.set_clock(utc(2026, 9, day, 14, 45))
            await app.tick()
        await chat.say("/scanuitslag", as_="anna", in_=TEAM, event_id=ids.pop(0))
        await chat.say("/uitslag 1", as_="carla", in_=TEAM, event_id=ids.pop(0))
        transcript = []
        for out in chat.transport.sent:
            reply = out.reply
            extra = ""
            if isinstance(reply, Image):
                extra = plain(reply.alt_text or "") + hashlib.sha256(reply.png).hexdigest()
            options = [o.value for o in reply.options] if isinstance(reply, Choices) else []
            transcript.append((out.address, type(reply).__name__, text_of(out), extra, options))
        async with app.sessions() as s:
            team_ids = [t.id for t in await rows(app, Team)]
            digest = await digest_reflection(s, team_ids, START, app.clock.now())
        return transcript, [(k, sorted(v.items(), key=repr)) for k, v in sorted(digest.items())]
    finally:
        await app.close()


async def test_nothing_anyone_sees_depends_on_who_answered_what(tmp_path, sqlite_template, caplog):
    caplog.set_level(logging.INFO)
    runs = []
    for name, meeting, scan in (("a", MEETING_A, ROUND1), ("b", MEETING_B, SCAN_B)):
        path = tmp_path / f"{name}.db"
        shutil.copy(sqlite_template, path)
        caplog.clear()
        transcript, digest = await _scenario(path, meeting, scan)
        logs = [(r.name, r.levelname, r.getMessage()) for r in caplog.records if r.levelno >= logging.INFO]
        runs.append((transcript, digest, logs))
    (t_a, d_a, l_a), (t_b, d_b, l_b) = runs
    assert len(t_a) > 40
    assert sum(1 for x in t_a if x[3]) >= 3  # charts were sent (first results, final results, the scan)
    assert t_a == t_b  # everything sent, to everyone, is the same
    assert d_a == d_b and d_a  # the digest's aggregates too
    assert l_a == l_b  # and every log line at INFO and above
    # the voters' own confirmations name the question, never the value
    confirmations = [x[2] for x in t_a if "opgeslagen." in x[2] or "is veranderd." in x[2]]
    assert confirmations and all(line.startswith(("Antwoord op vraag", "Je antwoord op vraag"))
                                 for c in confirmations for line in c.splitlines()[:1])


async def test_an_open_scan_and_the_digest_show_a_snapshot_not_the_latest_answers(app, chat, clock):
    """The fourth member's scan answers do not move the averages anyone sees (or the digest reads)
    while the scan is open: the difference would be their answers. The close counts them."""
    await setup_team(chat)
    app.attach(chat.transport)
    await chat.say("/aansluiten", as_="eva", in_=TEAM)
    await chat.say("/scannu", as_="bram", in_=TEAM)
    for who in ("bram", "carla", "dirk"):
        await press_through(chat, who, ROUND1[who])
    [scan] = await rows(app, Poll)

    async def views():
        seen = await chat.say("/scanuitslag", as_="anna", in_=TEAM)
        [image] = images(seen)
        async with app.sessions() as s:
            reflection = await digest_reflection(s, [scan.team_id], START, clock.now())
            trends = await scan_trends(s, [scan.team_id])
        return (text_of(seen.outgoing[0]), plain(image.alt_text), image.png, reflection[scan.team_id]["scan_dims"],
                plain(app.catalog.render(reflection[scan.team_id]["scan"], "nl")),
                [(r.answers, r.averages) for r in trends[scan.team_id]])

    before = await views()
    assert "ronde 1 (meegedaan: 3 van 4)" in before[0]
    assert "Visie: 3,3 (antwoorden van 2 tot 5)" in before[1].splitlines()
    assert before[4] == "Scan ronde 1 (3 deelnemers): Visie 3,3, Focus 4, Werkwijze 3, Cultuur 2, Structuur 3"
    await press_through(chat, "eva", [5] * 16)
    assert await views() == before
    assert "Tussenstand: die wordt pas bijgewerkt" in before[1]
    clock.set(scan.closes_at)
    mark = len(chat.transport.sent)
    await app.tick()
    [posted] = [o for o in chat.transport.sent[mark:] if isinstance(o.reply, Image) and o.address.chat_id == TEAM]
    assert "ronde 1 (meegedaan: 4 van 4)" in text_of(posted)
    assert "Visie: 3,8 (antwoorden van 2 tot 5)" in plain(posted.reply.alt_text).splitlines()
    async with app.sessions() as s:
        reflection = await digest_reflection(s, [scan.team_id], START, clock.now())
    assert plain(app.catalog.render(reflection[scan.team_id]["scan"], "nl")).startswith("Scan ronde 1 (4 deelnemers): ")
