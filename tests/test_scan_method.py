"""Issue 16 part 6: the scan leads to a conversation. The statements (one idea each, gaps filled,
reverse-keyed ones, Verbiest's capacities), "weet ik niet" outside every mean and its threshold,
the spread, the rule for "falling", the discussion point on the next agenda, and the rounds
stored before this item bank still reading as they did."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from sqlmodel import col, select

from bot.core.replies import Image, Text
from bot.transports.slack.render import Renderer
from bot.transports.telegram.payloads import decode_callback, encode_callback
from bot.transports.telegram.render import plain_label
from handlers.leader.digest import attention_lines
from handlers.polls.aggregates import digest_reflection
from handlers.polls.scan_agenda import TITLE_MAX, discussion_title
from handlers.polls.scan_items import CAPACITIES, DIMENSIONS, STATEMENTS, current
from handlers.polls.scan_scores import Group, is_falling
from handlers.polls.store import Spec, create_poll, results
from prompts.markup import plain
from storage.models import AgendaItem, Identity, Poll, PollQuestion, PollVote, Team
from tests.conftest import START
from tests.harness import TEAM, choices_of, rows, setup_team, text_of
from tests.test_scan import ROUND1, press_through

OLD_KEYS = ("visie.s1", "visie.s2", "focus.s1", "focus.s2", "werkwijze.s1", "werkwijze.s2", "cultuur.s1",
            "cultuur.s2", "cultuur.s3", "structuur.s1", "structuur.s2")  # the scan before issue 16
OLD_ROUND = {"bram": [4, 4, 5, 5, 3, 3, 2, 2, 2, 4, 4], "carla": [3, 3, 4, 4, 3, 3, 3, 3, 3, 4, 4],
             "dirk": [2, 2, 3, 3, 3, 3, 1, 1, 1, 1, 1]}


# --- the item bank ----------------------------------------------------------------------------------
def test_every_dimension_has_three_one_idea_statements_and_the_gaps_are_filled(app):
    asked = current()
    for dim in DIMENSIONS:
        assert len([s for s in asked if s.dimension == dim]) >= 3, dim
    for capacity in CAPACITIES:
        assert len([s for s in asked if s.capacity == capacity]) >= 3, capacity
    assert [s.key for s in asked if s.reverse] == ["scan.item.focus.pile_up", "scan.item.cultuur.deflection"]
    # the double-barrelled and abstract ones the method review names are no longer asked
    asked_keys = {s.key for s in asked}
    for retired in ("poll.scan.visie.s1", "poll.scan.visie.s2", "poll.scan.cultuur.s2", "poll.scan.cultuur.s3",
                    "poll.scan.structuur.s2"):
        assert retired not in asked_keys
    for gap in ("werkwijze.literature", "structuur.participation", "structuur.timetable", "structuur.leader",
                "visie.ambitions", "visie.ground_rules"):
        assert f"scan.item.{gap}" in asked_keys
    for s in STATEMENTS:  # every statement ever asked still has its words, in every language
        for lang in ("nl", "nl-BE", "en"):
            assert app.catalog.raw(lang, f"{s.key}.text") and app.catalog.raw(lang, f"{s.key}.short")
    assert "directeur" in app.catalog.raw("nl-BE", "scan.item.structuur.leader.text")


def test_the_discussion_point_always_fits_an_agenda_line(app):
    for lang in ("nl", "nl-BE", "en"):
        for dim in DIMENSIONS:
            for s in STATEMENTS:
                title = discussion_title(app.catalog, lang, 99, dim, 4.35, s.key, 1, 5)
                assert len(title) <= TITLE_MAX and not title.endswith("…"), (lang, title)


def test_falling_needs_enough_answers_in_both_rounds_and_more_than_one_person_can_cause():
    def g(mean: float, n: int) -> Group:
        return Group(mean, n, 1, 5)

    assert not is_falling(g(4.0, 4), g(2.0, 4))  # a big drop, but four answers: not enough to mean anything
    assert not is_falling(g(4.0, 5), g(3.2, 5))  # 0,8 = 4/5: one person from 5 to 1 does exactly that
    assert is_falling(g(4.0, 5), g(3.1, 5))
    assert not is_falling(g(4.0, 12), g(3.6, 12))  # more answers, but less than the 0,5 that counts
    assert is_falling(g(4.0, 12), g(3.5, 12))
    assert not is_falling(g(4.0, 12), g(3.0, 4))  # the fewer answers of the two rounds decide
    assert not is_falling(None, g(1.0, 9))


# --- one round, end to end on the console -----------------------------------------------------------
async def _close(app, chat, clock, poll: Poll) -> list:
    clock.set(poll.closes_at)
    mark = len(chat.transport.sent)
    await app.tick()
    return [o for o in chat.transport.sent[mark:] if o.address.chat_id == TEAM]


async def test_a_round_reads_per_dimension_and_capacity_and_puts_its_conversation_on_the_agenda(app, chat, clock):
    await setup_team(chat)
    app.attach(chat.transport)
    await chat.say("/scannu", as_="bram", in_=TEAM)
    first = await chat.say("/peiling", as_="carla")
    [question] = choices_of(first)
    assert "Weet je het echt niet, kies dan 'weet ik niet'" in first.text
    labels = [plain(app.catalog.render(o.label, "nl")) for o in question.options]
    assert labels[-1] == "weet ik niet" and question.options[-1].value.endswith(" 0") and len(labels) == 6
    for who in ("bram", "carla", "dirk"):
        await press_through(chat, who, ROUND1[who])
    [scan] = await rows(app, Poll)
    async with app.sessions() as s:
        res = (await results(s, [scan]))[scan.id]
    literature = next(q for q in res.questions if q.question.key == "scan.item.werkwijze.literature")
    # three people answered, one of them "weet ik niet": a mean of two would show both answers
    assert (literature.answers, literature.rated, literature.shown) == (3, 2, False)

    posted = await _close(app, chat, clock, scan)
    [image] = [o.reply for o in posted if isinstance(o.reply, Image)]
    [words] = [plain(app.catalog.render(o.reply.body, "nl")) for o in posted if isinstance(o.reply, Text)]
    lines = words.splitlines()
    for line in ("Persoonlijk: 2 (antwoorden van 1 tot 3)", "Interpersoonlijk: 3,4 (antwoorden van 2 tot 5)",
                 "Organisatorisch: 3,3 (antwoorden van 1 tot 5)",
                 "Het verst uiteen: 'Vaste, beschermde tijd' (antwoorden van 1 tot 4).",
                 "Cultuur · Verklaring buiten onszelf (↺): 1 · 1 · 1 · 0 · 0 — gemiddeld 2",
                 "Focus · Projecten stapelen zich op (↺): 0 · 0 · 1 · 1 · 1 — gemiddeld 4",
                 "Werkwijze · Eerst de oorzaak: 0 · 0 · 3 · 0 · 0 — gemiddeld 3",
                 "Werkwijze · Eerst lezen wat bekend is: nog niet te zien (te weinig antwoorden naast 'weet ik niet')",
                 "Structuur · Iedereen in een leerteam: nog niet te zien (te weinig antwoorden naast 'weet ik niet')",
                 "Het gesprek over deze scan staat op de agenda van jullie volgende overleg: /agenda."):
        assert line in lines, (line, words)
    assert "Structuur: 3 (antwoorden van 1 tot 4)" in plain(image.alt_text).splitlines()

    point = "Scan ronde 1: 1) Cultuur scoort het laagst (2); wat is ieders eigen conclusie? 2) Het verst uiteen: " \
            "'Vaste, beschermde tijd' (1 tot 4); waar zit het verschil?"
    [item] = await rows(app, AgendaItem)
    assert (item.title, item.minutes, item.added_by, item.status) == (point, 15, None, "open")
    assert point in (await chat.say("/agenda", as_="dirk", in_=TEAM)).text
    clock.set(scan.closes_at + timedelta(hours=1))
    await app.tick()  # the close is over: no second point
    assert len(await rows(app, AgendaItem)) == 1


async def test_an_english_school_gets_the_scan_and_its_agenda_point_in_english(app, chat, clock):
    await setup_team(chat)
    app.attach(chat.transport)
    await chat.say("/schooltaal en", as_="anna")
    await chat.say("/scannow", as_="bram", in_=TEAM)
    for who in ("bram", "carla", "dirk"):
        await press_through(chat, who, ROUND1[who])
    [scan] = await rows(app, Poll)
    posted = await _close(app, chat, clock, scan)
    words = "\n".join(text_of(o) for o in posted if isinstance(o.reply, Text))
    assert "Personal: 2 (answers from 1 to 3)" in words
    assert "Culture · Explanation outside ourselves (↺): 1 · 1 · 1 · 0 · 0 — average 2" in words
    [item] = await rows(app, AgendaItem)
    assert item.title == ("Scan round 1: 1) Culture scores lowest (2); what is each person's own conclusion? "
                          "2) Furthest apart: 'Fixed, protected time' (1 to 4); where does the difference lie?")


async def test_a_round_below_the_threshold_puts_nothing_on_the_agenda(app, chat, clock):
    await setup_team(chat)
    app.attach(chat.transport)
    await chat.say("/scannu", as_="bram", in_=TEAM)
    for who in ("bram", "carla"):
        await press_through(chat, who, ROUND1[who])
    [scan] = await rows(app, Poll)
    await _close(app, chat, clock, scan)
    assert await rows(app, AgendaItem) == []


# --- falling, with enough answers ---------------------------------------------------------------------
def _answers(visie: int, cultuur: int) -> list[int]:
    return [visie] * 3 + [3, 3, 3] + [3, 3, 3] + [cultuur, cultuur, 6 - cultuur] + [3] * 4


async def test_a_drop_is_falling_only_with_enough_answers_and_more_than_one_person_can_cause(app, chat, clock):
    await setup_team(chat)
    app.attach(chat.transport)
    people = ("bram", "carla", "dirk", "eva", "frank", "gert")
    for who in people[3:]:
        await chat.say("/aansluiten", as_=who, in_=TEAM)
    for rnd in (1, 2):
        await chat.say("/scannu", as_="bram", in_=TEAM)
        for i, who in enumerate(people):
            # round 2: cultuur 4 -> 3 for all six (a drop of 1); visie 4 -> 3 for three of six (0,5)
            visie = 4 if rnd == 1 or i < 3 else 3
            await press_through(chat, who, _answers(visie, 4 if rnd == 1 else 3))
        [scan] = [p for p in await rows(app, Poll) if p.round == rnd]
        posted = await _close(app, chat, clock, scan)
    [image] = [o.reply for o in posted if isinstance(o.reply, Image)]
    alt = plain(image.alt_text).splitlines()
    assert "Gedaald sinds de vorige scan, meer dan één persoon alleen kan verklaren: Cultuur." in alt
    assert "Visie: 3,5 (antwoorden van 3 tot 4; vorige scan 4)" in alt
    team_id = scan.team_id
    async with app.sessions() as s:
        reflection = (await digest_reflection(s, [team_id], START, clock.now()))[team_id]
    assert reflection["scan_falling"] == ["cultuur"]
    facts = SimpleNamespace(flags=[], overrides=[], reflection=reflection)
    said = [plain(app.catalog.render(line, "nl")) for line in attention_lines(facts, clock.now())]
    assert any("cultuur dalen: van 4 naar 3" in line for line in said), said
    assert not any("visie" in line for line in said), said


# --- rounds stored before this item bank ------------------------------------------------------------
async def test_rounds_taken_with_the_old_statements_keep_their_answers_and_trend(app, chat, clock):
    await setup_team(chat)
    app.attach(chat.transport)
    [team] = [t for t in await rows(app, Team) if t.name == "Groep 5"]
    members = {i.user_id: i.member_id for i in await rows(app, Identity)}
    opened = START
    async with app.sessions() as s:  # what the old code stored: eleven poll.scan.* questions and votes
        poll_id = await create_poll(s, team_id=team.id, kind="scan", key=f"scan:{team.id}:1", opens=opened,
                                    closes=opened + timedelta(days=7), now=opened, round_=1,
                                    specs=[Spec(kind="scale", key=f"poll.scan.{k}", dimension=k.split(".")[0])
                                           for k in OLD_KEYS])
        qs = sorted((await s.exec(select(PollQuestion).where(col(PollQuestion.poll_id) == poll_id))).all(),
                    key=lambda q: q.position)
        for who, values in OLD_ROUND.items():
            for q, v in zip(qs, values, strict=True):
                s.add(PollVote(poll_id=poll_id, question_id=q.id, voter_id=members[who], value=v,
                               created_at=opened, updated_at=opened))
        await s.commit()
    [old] = await rows(app, Poll)
    await _close(app, chat, clock, old)
    seen = await chat.say("/scanuitslag", as_="anna", in_=TEAM)
    alt = plain(seen.outgoing[0].reply.alt_text).splitlines()
    for line in ("Visie: 3 (antwoorden van 2 tot 4)", "Focus: 4 (antwoorden van 3 tot 5)",
                 "Werkwijze: 3 (antwoorden van 3 tot 3)", "Cultuur: 2 (antwoorden van 1 tot 3)",
                 "Structuur: 3 (antwoorden van 1 tot 4)"):
        assert line in alt, (line, alt)
    words = text_of(seen.outgoing[1])
    assert "Cultuur · Eerst naar onszelf kijken: 1 · 1 · 1 · 0 · 0 — gemiddeld 2" in words
    assert "Interpersoonlijk: 3 (antwoorden van 1 tot 5)" in words

    clock.set(clock.now() + timedelta(days=1))
    await chat.say("/scannu", as_="bram", in_=TEAM)
    for who in ("bram", "carla", "dirk"):
        await press_through(chat, who, ROUND1[who])
    [new] = [p for p in await rows(app, Poll) if p.round == 2]
    posted = await _close(app, chat, clock, new)
    [image] = [o.reply for o in posted if isinstance(o.reply, Image)]
    alt = plain(image.alt_text).splitlines()
    assert "  Visie: 3 → 3,3" in alt and "  Cultuur: 2 → 2" in alt
    assert "Visie: 3,3 (antwoorden van 2 tot 5; vorige scan 3)" in alt
    assert len(await rows(app, PollVote)) == 33 + 48  # nothing of the old round was lost


# --- the buttons on Telegram and Slack ----------------------------------------------------------------
async def test_weet_ik_niet_is_a_button_on_telegram_and_slack(app, chat):
    await setup_team(chat)
    await chat.say("/scannu", as_="bram", in_=TEAM)
    [question] = choices_of(await chat.say("/peiling", as_="dirk"))
    options = [(app.catalog.render(o.label, "nl"), o.value) for o in question.options]
    slack = Renderer("/leerteam", ["peiling"]).choice_blocks(app.catalog.render(question.body, "nl"), options)
    buttons = [e for b in slack if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons][-1] == "weet ik niet"
    assert buttons[-1]["value"] == question.options[-1].value and len(buttons) == 6
    label, value = options[-1]
    assert plain_label(label) == "weet ik niet"
    data = encode_callback(value)
    assert data is not None and decode_callback(data) == value
    answered = await chat.press(value, as_="dirk")
    assert "Antwoord op vraag 1 opgeslagen." in answered.text
    [vote] = await rows(app, PollVote)
    assert vote.value == 0
