"""Reflection polls as a team uses them, on a clock the test moves: the post-meeting poll, votes
that count once and can change, results withheld below the threshold, charts, reminders,
ad-hoc polls, the school's settings, and bad input.

The team: Bram (chair), Carla and Dirk in #groep-5; Anna leads the school. The frozen clock
starts on Monday 7 September 2026, 10:00 in Amsterdam; the weekly meeting is Tuesday 15:30–16:30.
"""

from __future__ import annotations

from sqlmodel import col

from bot.replies import Choices, Image
from storage.models import Outbox, Poll, PollQuestion, PollVote
from tests.harness import Chat, snapshot, text_of
from tests.test_meetings import TEAM, rows, setup_team, utc

PNG = b"\x89PNG\r\n\x1a\n"
AFTER_MEETING = utc(2026, 9, 8, 14, 45)  # Tuesday 16:45 local: the meeting has ended


async def meeting_poll(app, chat: Chat, clock) -> Poll:
    await setup_team(chat)
    app.attach(chat.transport)
    await chat.say("/ritme dinsdag 15:30 60", as_="bram", in_=TEAM)
    clock.set(AFTER_MEETING)
    await app.tick()
    [poll] = await rows(app, Poll)
    return poll


async def questions(app, poll: Poll) -> list[PollQuestion]:
    return sorted(await rows(app, PollQuestion, col(PollQuestion.poll_id) == poll.id), key=lambda q: q.position)


def choices_of(answer) -> list[Choices]:
    return [o.reply for o in answer.outgoing if isinstance(o.reply, Choices)]


async def answer_all(chat: Chat, who: str, values: list[int]):
    """Open the poll with /peiling and press the options one by one, as a member does."""
    answer = await chat.say("/peiling", as_=who)
    for value in values:
        [current] = choices_of(answer)
        option = next(o for o in current.options if o.value.endswith(f" {value}"))
        answer = await chat.press(option.value, as_=who)
    return answer


def images(answer) -> list[Image]:
    return [o.reply for o in answer.outgoing if isinstance(o.reply, Image)]


async def test_a_held_meeting_gets_its_poll_once_in_the_team_channel(app, chat, clock):
    poll = await meeting_poll(app, chat, clock)
    assert poll.kind == "meeting" and poll.anonymous and poll.status == "open"
    assert poll.closes_at == utc(2026, 9, 11, 14, 30)  # three days after the meeting ended
    qs = await questions(app, poll)
    assert [(q.kind, q.key) for q in qs] == [("scale", "poll.meeting.q1"), ("scale", "poll.meeting.q2"),
                                             ("yesno", "poll.meeting.q3")]
    opening = [o for o in chat.transport.sent if "Korte terugblik op het overleg van Groep 5" in text_of(o)]
    assert len(opening) == 1 and opening[0].address.chat_id == TEAM and not opening[0].address.private
    body = text_of(opening[0])
    assert "3 korte vraag/vragen, open tot vrijdag 11 september 2026 om 16:30" in body
    assert "Deze peiling is anoniem" in body and "minstens 3 collega's" in body
    assert body.endswith("1) Invullen")
    for _ in range(3):
        await app.tick()
    assert len(await rows(app, Poll)) == 1
    assert sum("Korte terugblik" in text_of(o) for o in chat.transport.sent) == 1


async def test_results_are_withheld_until_three_answered_then_shown_with_a_chart(app, chat, clock):
    await meeting_poll(app, chat, clock)
    first = await chat.say("/peiling", as_="carla")
    [q1] = choices_of(first)
    assert "vraag 1 van 3" in text_of(first.outgoing[0]) and "Ik kon in dit overleg zeggen wat ik echt dacht." in \
        text_of(first.outgoing[0])
    assert [text_of(first.outgoing[0]).splitlines()[-5:]] == [["1) 1 — helemaal niet", "2) 2", "3) 3", "4) 4",
                                                               "5) 5 — helemaal wel"]]
    assert first.outgoing[0].address.private
    done = await answer_all(chat, "carla", [4, 5, 1])
    assert "Je hebt alles ingevuld" in done.text
    assert "Er hebben nu 1 collega('s) geantwoord" in done.text and "nog 2 nodig" in done.text
    done = await answer_all(chat, "dirk", [3, 4, 2])
    assert "er zijn er nog 1 nodig" in done.text and not images(done)
    withheld = await chat.say("/uitslag", as_="anna")  # the leader, privately: she is in no team
    assert "Je zit nog niet in een team" in withheld.text
    withheld = await chat.say("/uitslag", as_="dirk", in_=TEAM)
    assert "De uitslag blijft verborgen tot minstens 3 collega's antwoordden. Nu 2: er zijn er nog 1 nodig." in \
        withheld.text
    third = await answer_all(chat, "bram", [5, 4, 1])
    [image] = images(third)
    assert image.png.startswith(PNG) and len(image.png) > 5000
    posted = [o for o in third.outgoing if isinstance(o.reply, Image)][0]
    assert posted.address.chat_id == TEAM and not posted.address.private
    assert "tussenstand (3 van 3 leden antwoordden)" in text_of(posted)
    alt = str(image.alt_text)
    assert "1. Ik kon in dit overleg zeggen wat ik echt dacht. — gemiddeld 4 (3 antwoorden; 1: 0 · 2: 0 · 3: 1 · " \
           "4: 1 · 5: 1)" in alt
    assert "2. Onze keuzes rustten op gegevens of kennis, niet alleen op gevoel. — gemiddeld 4,3" in alt
    assert "3. Ik ga met een concrete actie voor mijn eigen klas de deur uit. — ja 2, nee 1 (3 antwoorden)" in alt
    assert "Niemand ziet wie wat antwoordde, ook de schoolleider niet" in alt
    # the results are posted once; later votes do not post them again
    again = await answer_all(chat, "carla", [])
    assert not images(again)
    stored = await rows(app, Poll)
    assert stored[0].shown_at is not None


async def test_a_changed_vote_replaces_the_old_one_and_a_duplicate_event_changes_nothing(app, chat, clock):
    poll = await meeting_poll(app, chat, clock)
    for who, values in (("carla", [4, 5, 1]), ("dirk", [3, 4, 2]), ("bram", [5, 4, 1])):
        await answer_all(chat, who, values)
    qs = await questions(app, poll)
    # carla changes question 1 from 4 to 2
    menu = await chat.say("/peiling", as_="carla")
    assert "Je hebt alles ingevuld" in menu.text and "Wil je iets veranderen?" in menu.text
    again = await chat.press(f"poll_q {poll.id} {qs[0].id}", as_="carla")
    assert "Je hebt deze vraag al beantwoord" in again.text
    changed = await chat.press(f"poll_vote {poll.id} {qs[0].id} 2", as_="carla", event_id="vote-change-1")
    assert "Je antwoord op vraag 1 is veranderd." in changed.text
    assert "4" not in changed.texts[0].splitlines()[0]  # the old or new value is never echoed
    # the same event delivered again: dropped; the same vote in a new event: counted once
    before = await snapshot(app)
    assert not await chat.press(f"poll_vote {poll.id} {qs[0].id} 2", as_="carla", event_id="vote-change-1")
    same = await chat.press(f"poll_vote {poll.id} {qs[0].id} 2", as_="carla")
    assert "stond er al; er verandert niets" in same.text
    assert await snapshot(app) == before
    votes = await rows(app, PollVote, col(PollVote.question_id) == qs[0].id)
    assert sorted(v.value for v in votes) == [2, 3, 5] and len(votes) == 3
    # while the poll is open everyone sees the snapshot: one changed vote would be readable in a
    # new one, so it waits for three; the final result at the close counts the change
    results = await chat.say("/uitslag", as_="dirk", in_=TEAM)
    [image] = images(results)
    assert "gemiddeld 4 (3 antwoorden; 1: 0 · 2: 0 · 3: 1 · 4: 1 · 5: 1)" in str(image.alt_text)
    assert "Dit is een tussenstand. Die verandert pas als er minstens 3 antwoorden bij zijn gekomen of veranderd" \
        in str(image.alt_text)
    closed = await chat.say("/sluitpeiling 1", as_="bram", in_=TEAM)
    [image] = images(closed)
    assert "gemiddeld 3,3 (3 antwoorden; 1: 0 · 2: 1 · 3: 1 · 4: 0 · 5: 1)" in str(image.alt_text)
    assert "tussenstand" not in str(image.alt_text)


async def test_the_poll_closes_posts_final_results_and_refuses_late_votes(app, chat, clock):
    poll = await meeting_poll(app, chat, clock)
    for who, values in (("carla", [4, 5, 1]), ("dirk", [3, 4, 2]), ("bram", [5, 4, 1])):
        await answer_all(chat, who, values)
    qs = await questions(app, poll)
    clock.set(utc(2026, 9, 11, 14, 31))
    mark = len(chat.transport.sent)
    await app.tick()
    final = [o for o in chat.transport.sent[mark:] if isinstance(o.reply, Image) and o.address.chat_id == TEAM]
    assert len(final) == 1 and "uitslag (3 van 3 leden antwoordden)" in text_of(final[0])
    assert final[0].address.chat_id == TEAM
    before = await snapshot(app)
    late = await chat.press(f"poll_vote {poll.id} {qs[0].id} 1", as_="carla")
    assert "Deze peiling is gesloten: er telt niets meer mee." in late.text and late.outgoing[0].is_error
    assert "Er staat nu geen peiling voor je open." in (await chat.say("/peiling", as_="carla")).text
    assert await snapshot(app) == before
    await app.tick()
    assert len([o for o in chat.transport.sent if isinstance(o.reply, Image) and o.address.chat_id == TEAM]) == 2
    # (the first results when the third answered, the final ones when it closed: each once)


async def test_forged_and_impossible_votes_change_nothing(app, chat, clock):
    poll = await meeting_poll(app, chat, clock)
    qs = await questions(app, poll)
    await chat.say("/nieuwteam Bovenbouw", as_="anna", in_="bovenbouw")
    await chat.say("/aansluiten", as_="eva", in_="bovenbouw")
    before = await snapshot(app)
    cases = [
        ("carla", f"poll_vote {poll.id} {qs[0].id} 6", "Dat antwoord bestaat niet bij deze vraag (kies 1 tot en met 5)"),
        ("carla", f"poll_vote {poll.id} {qs[0].id} 0", "Dat antwoord bestaat niet"),
        ("carla", f"poll_vote {poll.id} {qs[2].id} 3", "(kies 1 tot en met 2)"),
        ("carla", f"poll_vote {poll.id} {qs[0].id} -1", "Deze knop klopt niet"),
        ("carla", f"poll_vote {poll.id} {qs[0].id} vijf", "Deze knop klopt niet"),
        ("carla", f"poll_vote {poll.id} 999999 3", "Deze knop klopt niet"),
        ("carla", f"poll_vote 424242 {qs[0].id} 3", "Deze knop klopt niet"),
        ("carla", f"poll_vote {poll.id}", "Die knop werkt niet meer"),
        ("carla", f"poll_vote {poll.id} {qs[0].id} 3 4", "Die knop werkt niet meer"),
        ("eva", f"poll_vote {poll.id} {qs[0].id} 3", "Deze peiling hoort bij een team waar je niet in zit"),
        ("anna", f"poll_vote {poll.id} {qs[0].id} 3", "Deze peiling hoort bij een team waar je niet in zit"),
        ("zoe", f"poll_vote {poll.id} {qs[0].id} 3", "niet"),
        ("carla", "poll_nope 1 2 3", "knop"),
        ("carla", f"poll_q {poll.id} 999999", "Deze knop klopt niet"),
        ("carla", f"poll_next 99999{poll.id}", "Deze knop klopt niet"),
    ]
    for who, value, expected in cases:
        answer = await chat.press(value, as_=who)
        assert expected in answer.text, (value, answer.text)
    assert await snapshot(app) == before
    assert await rows(app, PollVote) == []


async def test_non_voters_are_reminded_once_privately(app, chat, clock):
    poll = await meeting_poll(app, chat, clock)
    await answer_all(chat, "carla", [4, 5, 1])
    assert poll.remind_at == utc(2026, 9, 10, 14, 30)  # a day before it closes
    clock.set(utc(2026, 9, 10, 14, 31))
    mark = len(chat.transport.sent)
    for _ in range(3):
        await app.tick()
    sent = [o for o in chat.transport.sent[mark:] if "Herinnering: *" not in text_of(o) and "sluit" in text_of(o)]
    reminded = sorted(o.address.user_id for o in sent if "jouw antwoord ontbreekt nog" in text_of(o))
    assert reminded == ["bram", "dirk"]
    assert all(o.address.private for o in sent)
    rows_ = await rows(app, Outbox, col(Outbox.kind) == "poll_remind")
    assert [r.status for r in rows_] == ["sent"]


async def test_a_team_without_enough_members_gets_no_poll(app, chat, clock):
    await setup_team(chat)
    await chat.say("/verlaten", as_="dirk", in_=TEAM)
    await chat.say("/ritme dinsdag 15:30 60", as_="bram", in_=TEAM)
    clock.set(AFTER_MEETING)
    await app.tick()
    assert await rows(app, Poll) == []


async def test_adhoc_polls_with_options_scale_and_bad_input(app, chat, clock):
    await setup_team(chat)
    app.attach(chat.transport)
    before = await snapshot(app)
    bad = [
        ("bram", "/nieuwepeiling 1d Welke dag? | maandag", "Een peiling heeft 2 tot 10 antwoordmogelijkheden; je gaf er 1"),
        ("bram", "/nieuwepeiling Welke? | " + " | ".join(f"optie {i}" for i in range(11)),
         "je gaf er 11"),
        ("bram", "/nieuwepeiling 2d Welke? | a | A", "Twee antwoordmogelijkheden zijn gelijk"),
        ("bram", "/nieuwepeiling 2d Welke? | a | ", "Een van de antwoordmogelijkheden is leeg"),
        ("bram", "/nieuwepeiling 20d Welke? | a | b", "'20d' kan niet als looptijd"),
        ("bram", "/nieuwepeiling 2d", "Je bent de vraag vergeten"),
        ("carla", "/nieuwepeiling Welke? | a | b", "Alleen de voorzitter van Groep 5"),
    ]
    for who, line, expected in bad:
        answer = await chat.say(line, as_=who, in_=TEAM)
        assert expected in answer.text, (line, answer.text)
    assert await snapshot(app) == before
    made = await chat.say("/nieuwepeiling 1d Welke dag voor de studiemiddag? | maandag | woensdag | vrijdag",
                          as_="bram", in_=TEAM)
    [opening] = choices_of(made)
    assert "Peiling van Groep 5" in text_of(made.outgoing[0]) and "Welke dag voor de studiemiddag?" in \
        text_of(made.outgoing[0])
    assert [str(o.label) for o in opening.options] == ["maandag", "woensdag", "vrijdag"]  # one tap answers
    [poll] = await rows(app, Poll)
    assert poll.kind == "adhoc" and poll.closes_at == utc(2026, 9, 8, 8, 0)
    for who, option in (("carla", 2), ("dirk", 2), ("bram", 3)):
        answer = await chat.press(opening.options[option - 1].value, as_=who)
        assert "Antwoord op vraag 1 opgeslagen." in answer.text
    [image] = images(answer)
    assert "Welke dag voor de studiemiddag? — maandag: 0 · woensdag: 2 · vrijdag: 1 (3 antwoorden)" in \
        str(image.alt_text)
    scale = await chat.say("/nieuwepeiling Hoe tevreden ben je over de nieuwe leesmethode?", as_="bram", in_=TEAM)
    assert [str(o.label) for o in choices_of(scale)[0].options][0] == "1 — helemaal niet"
    yesno = await chat.say("/nieuwepeiling 10 leerlingen extra begeleiden? | ja | nee", as_="bram", in_=TEAM)
    assert "10 leerlingen extra begeleiden?" in yesno.text  # '10' without a unit is part of the question
    assert [str(o.label) for o in choices_of(yesno)[0].options] == ["ja", "nee"]
    listing = await chat.say("/peilingen", as_="carla", in_=TEAM)
    assert "1. Peiling van Groep 5 — 0 van 3 antwoordden, open tot dinsdag 9 september 2026" not in listing.text
    assert "3. Peiling van Groep 5 — 3 van 3 antwoordden, open tot dinsdag 8 september 2026 om 10:00" in listing.text
    assert "Uitslag vanaf 3 antwoorden · scan elke 6 weken · vragen na het overleg: de standaardvragen." in \
        listing.text


async def test_the_leader_sets_the_threshold_the_rhythm_and_the_schools_own_questions(app, chat, clock):
    await setup_team(chat)
    before = await snapshot(app)
    for who, line, expected in [
        ("anna", "/peilingdrempel 2", "nooit minder dan 3"),
        ("anna", "/peilingdrempel drie", "'drie' kan niet"),
        ("bram", "/peilingdrempel 4", "Alleen de schoolleider"),
        ("anna", "/scanritme 30", "'30' kan niet als scanritme"),
        ("anna", "/overlegvragen Alleen één vraag?", "Geef 2 of 3 vragen"),
        ("anna", "/overlegvragen a | b | c | d", "je gaf er 4"),
    ]:
        answer = await chat.say(line, as_=who)
        assert expected in answer.text, (line, answer.text)
    assert await snapshot(app) == before
    assert "vanaf 4 antwoorden" in (await chat.say("/peilingdrempel 4", as_="anna")).text
    assert "elke 4 weken" in (await chat.say("/scanritme 4", as_="anna")).text
    own = await chat.say("/overlegvragen Was het overleg nuttig? | ja/nee: Heb je iets geleerd?", as_="anna")
    assert "1. Was het overleg nuttig? (schaal 1–5)\n2. Heb je iets geleerd? (ja of nee)" in own.text
    await chat.say("/ritme dinsdag 15:30 60", as_="bram", in_=TEAM)
    await chat.say("/aansluiten", as_="eva", in_=TEAM)  # four members: a threshold of four can be reached
    clock.set(AFTER_MEETING)
    await app.tick()
    [poll] = await rows(app, Poll)
    qs = await questions(app, poll)
    assert [(q.kind, q.key, q.text) for q in qs] == [("scale", None, "Was het overleg nuttig?"),
                                                     ("yesno", None, "Heb je iets geleerd?")]
    # with a threshold of four, three answers are not enough
    for who, values in (("carla", [4, 1]), ("dirk", [3, 2]), ("bram", [5, 1])):
        done = await answer_all(chat, who, values)
    assert "minstens 4 antwoorden: er zijn er nog 1 nodig" in done.text and not images(done)
    assert "standaardvragen" in (await chat.say("/overlegvragen standaard", as_="anna")).text


async def test_the_chair_can_send_the_meeting_poll_and_close_a_poll(app, chat, clock):
    await setup_team(chat)
    sent = await chat.say("/overlegpeiling", as_="bram", in_=TEAM)
    assert "Korte terugblik op het overleg van Groep 5" in sent.text
    assert "Alleen de voorzitter" in (await chat.say("/overlegpeiling", as_="carla", in_=TEAM)).text
    closed = await chat.say("/sluitpeiling 1", as_="bram", in_=TEAM)
    assert "De peiling is gesloten met 0 antwoord(en); minder dan 3, dus de uitslag blijft verborgen." in closed.text
    assert "Team Groep 5 heeft geen open peiling." in (await chat.say("/sluitpeiling 1", as_="bram", in_=TEAM)).text


async def test_english(app, chat, clock):
    poll = await meeting_poll(app, chat, clock)
    for who in ("carla", "dirk", "bram"):
        await chat.say("/language en", as_=who)
    answer = await chat.say("/poll", as_="carla")
    assert "question 1 of 3" in answer.text and "In this meeting I could say what I really thought." in answer.text
    for who, values in (("carla", [4, 5, 1]), ("dirk", [3, 4, 2])):
        done = await answer_all(chat, who, values)
    assert "results appear only once at least 3 have answered: 1 more needed" in done.text
    assert poll.kind == "meeting"


# --- the code review of issue 7 -------------------------------------------------------------------
async def test_open_results_are_a_snapshot_so_nobodys_vote_can_be_read_off_a_difference(app, chat, clock):
    """With live totals, 'maandag 2 · dinsdag 1 (3 van 4)' turning into 'maandag 2 · dinsdag 2 (4 van
    4)' told everyone that the fourth voter chose dinsdag; a changed vote could be traced the same
    way. While the poll is open everyone sees a snapshot, taken again only after three votes were
    cast or changed (by three people); the close publishes the final result."""
    from handlers.poll_store import digest_reflection, poll_summaries
    from tests.conftest import START

    await setup_team(chat)
    await chat.say("/aansluiten", as_="eva", in_=TEAM)  # four members
    app.attach(chat.transport)
    made = await chat.say("/nieuwepeiling 2d Welke dag voor de studiemiddag? | maandag | dinsdag", as_="bram",
                          in_=TEAM)
    monday, tuesday = (o.value for o in choices_of(made)[0].options)
    [poll] = await rows(app, Poll)

    async def views():
        """All anyone can see of the open poll: results, the list, the digest's aggregates."""
        results = await chat.say("/uitslag", as_="carla", in_=TEAM)
        [image] = images(results)
        listing = await chat.say("/peilingen", as_="dirk", in_=TEAM)
        async with app.sessions() as s:
            summaries = await poll_summaries(s, [poll.team_id], START)
            reflection = await digest_reflection(s, [poll.team_id], START, clock.now())
        digest = [(p.answers, p.members, [(q.answers, q.counts) for q in p.questions])
                  for p in summaries[poll.team_id]]
        return (text_of(results.outgoing[0]), str(image.alt_text), image.png, listing.text, digest,
                app.catalog.render(reflection[poll.team_id]["poll"], "nl"))

    for who, value in (("carla", monday), ("dirk", monday), ("bram", tuesday)):
        await chat.press(value, as_=who)
    first = await views()
    assert "tussenstand (3 van 4 leden antwoordden)" in first[0]
    assert "maandag: 2 · dinsdag: 1 (3 antwoorden)" in first[1]
    assert "1. Peiling van Groep 5 — 3 van 4 antwoordden, open tot" in first[3]
    assert first[4] == [(3, 4, [(3, {1: 2, 2: 1})])]
    # frank's part is played by eva: she votes, changes her mind three times; nobody sees a thing
    for value in (tuesday, monday, tuesday, monday):
        answer = await chat.press(value, as_="eva")
        assert not images(answer) and "De uitslag staat klaar" in answer.text
        assert await views() == first
    assert "Dit is een tussenstand. Die verandert pas als er minstens 3 antwoorden bij zijn gekomen of veranderd" \
        in first[1]
    # two more people change their vote: three changed since the snapshot, so a new one is taken
    await chat.press(tuesday, as_="carla")
    assert await views() == first
    await chat.press(tuesday, as_="dirk")
    second = await views()
    assert "tussenstand (4 van 4 leden antwoordden)" in second[0]
    assert "maandag: 1 · dinsdag: 3 (4 antwoorden)" in second[1] and second[4] == [(4, 4, [(4, {1: 1, 2: 3})])]
    # a change after the last snapshot shows only in the final result, at the close
    await chat.press(monday, as_="bram")
    assert await views() == second
    clock.set(poll.closes_at)
    mark = len(chat.transport.sent)
    await app.tick()
    [final] = [o for o in chat.transport.sent[mark:] if isinstance(o.reply, Image)]
    assert "uitslag (4 van 4 leden antwoordden)" in text_of(final)
    assert "maandag: 2 · dinsdag: 2 (4 antwoorden)" in str(final.reply.alt_text)
    assert "tussenstand" not in str(final.reply.alt_text)
    async with app.sessions() as s:
        [summary] = (await poll_summaries(s, [poll.team_id], START))[poll.team_id]
    assert summary.closed and summary.questions[0].counts == {1: 2, 2: 2}


async def test_polls_are_numbered_as_the_list_shows_them_everywhere(app, chat, clock):
    """/peilingen numbers the team's polls newest first; /peiling, /uitslag and /sluitpeiling use
    the same numbers, and a number of a closed poll is refused where voting or closing is meant.
    A closed poll shows when it closed, not when it would have."""
    from datetime import timedelta

    await setup_team(chat)
    await chat.say("/nieuwepeiling 2d Eerste vraag? | a | b", as_="bram", in_=TEAM)
    clock.advance(minutes=5)
    await chat.say("/nieuwepeiling 2d Tweede vraag? | c | d", as_="bram", in_=TEAM)
    first, second = sorted(await rows(app, Poll), key=lambda p: p.id)
    clock.advance(minutes=5)
    assert "De peiling is gesloten" in (await chat.say("/sluitpeiling 1", as_="bram", in_=TEAM)).text  # the newest
    assert [p.status for p in sorted(await rows(app, Poll), key=lambda p: p.id)] == ["open", "closed"]
    listing = await chat.say("/peilingen", as_="carla", in_=TEAM)
    assert "1. Peiling van Groep 5 — 0 van 3 antwoordden, gesloten op maandag 7 september 2026 om 10:10" \
        in listing.text
    assert "2. Peiling van Groep 5 — 0 van 3 antwoordden, open tot woensdag 9 september 2026 om 10:00" in listing.text
    assert "sluiten met /sluitpeiling <nr>: steeds de nummers van deze lijst" in listing.text
    closed = "Peiling 1 is al gesloten: er telt niets meer mee. De uitslag zie je met /uitslag 1."
    assert closed in (await chat.say("/peiling 1", as_="carla", in_=TEAM)).text
    assert closed in (await chat.say("/sluitpeiling 1", as_="bram", in_=TEAM)).text
    assert "Eerste vraag?" in (await chat.say("/peiling 2", as_="carla", in_=TEAM)).text
    assert "Eerste vraag?" in (await chat.say("/peiling 2", as_="carla")).text  # privately: her only team
    assert "Kies een nummer van 1 tot en met 2." in (await chat.say("/peiling 3", as_="carla", in_=TEAM)).text
    assert "verborgen" in (await chat.say("/uitslag 2", as_="carla", in_=TEAM)).text
    assert "Kies een nummer van 1 tot en met 2." in (await chat.say("/sluitpeiling 3", as_="bram", in_=TEAM)).text
    clock.advance(minutes=5)
    assert "De peiling is gesloten" in (await chat.say("/sluitpeiling 2", as_="bram", in_=TEAM)).text
    assert (await rows(app, Poll, col(Poll.id) == first.id))[0].closed_at == clock.now()
    listing = await chat.say("/peilingen", as_="carla", in_=TEAM)
    assert "2. Peiling van Groep 5 — 0 van 3 antwoordden, gesloten op maandag 7 september 2026 om 10:15" \
        in listing.text
    assert second.closes_at - first.closes_at == timedelta(minutes=5)
    assert "Team Groep 5 heeft geen open peiling." in (await chat.say("/sluitpeiling 2", as_="bram", in_=TEAM)).text


async def test_ids_and_numbers_only_in_plain_digits_that_fit_the_database(app, chat, clock):
    """Button values and numbers beyond a PostgreSQL integer, or in digits like '²' that
    str.isdigit() accepts but int() does not, get a clear answer instead of a failure."""
    poll = await meeting_poll(app, chat, clock)
    qs = await questions(app, poll)
    before = await snapshot(app)
    for who, line, expected in [
        ("carla", f"poll_vote 3000000000 {qs[0].id} 1", "Deze knop klopt niet"),
        ("carla", f"poll_vote {poll.id} 3000000000 1", "Deze knop klopt niet"),
        ("carla", f"poll_vote {poll.id} {qs[0].id} 3000000000", "Deze knop klopt niet"),
        ("carla", f"poll_vote {poll.id} {qs[0].id} ²", "Deze knop klopt niet"),
        ("carla", "poll_next 3000000000", "Deze knop klopt niet"),
        ("carla", "poll_next ²", "Deze knop klopt niet"),
        ("carla", f"poll_q {poll.id} 3000000000", "Deze knop klopt niet"),
        ("carla", f"poll_q {poll.id} ²", "Deze knop klopt niet"),
        ("carla", "wall_write 3000000000", "Deze knop klopt niet"),
        ("carla", "wall_write ²", "Deze knop klopt niet"),
    ]:
        answer = await chat.press(line, as_=who)
        assert expected in answer.text and "iets mis" not in answer.text, (line, answer.text)
    for who, line, expected in [
        ("carla", "/peiling ²", "Kies een nummer van 1 tot en met 1."),
        ("carla", "/peiling 3000000000", "Kies een nummer van 1 tot en met 1."),
        ("carla", "/uitslag ²", "Kies een nummer van 1 tot en met 1."),
        ("bram", "/sluitpeiling ²", "Kies een nummer van 1 tot en met 1."),
        ("anna", "/peilingdrempel ²", "'²' kan niet"),
        ("anna", "/scanritme ²", "'²' kan niet als scanritme"),
        ("anna", "/scanritme ²w", "kan niet als scanritme"),
    ]:
        answer = await chat.say(line, as_=who, in_=TEAM)
        assert expected in answer.text and "iets mis" not in answer.text, (line, answer.text)
    assert await snapshot(app) == before


async def test_the_upgrade_keeps_what_open_polls_showed_as_their_first_snapshot(app, chat, clock):
    """Migration 0006 on a database with open polls: a question whose tally everyone could see
    keeps exactly that as its snapshot (so the next vote does not stand out); one below the
    threshold starts counting from all its votes."""
    from alembic import command
    from sqlalchemy import text

    from storage.migrate import alembic_config

    poll = await meeting_poll(app, chat, clock)
    for who, values in (("carla", [4, 5, 1]), ("dirk", [3, 4, 2]), ("bram", [5, 4, 1])):
        await answer_all(chat, who, values)
    made = await chat.say("/nieuwepeiling 2d Welke dag? | maandag | dinsdag", as_="bram", in_=TEAM)
    for who in ("carla", "dirk"):
        await chat.press(choices_of(made)[0].options[0].value, as_=who)
    [adhoc] = [p for p in await rows(app, Poll) if p.kind == "adhoc"]
    async with app.engine.begin() as conn:  # back to 0005 as it was: without the columns
        await conn.execute(text("ALTER TABLE pollvote DROP COLUMN pending"))
        await conn.execute(text("ALTER TABLE pollquestion DROP COLUMN snapshot"))
        await conn.execute(text("UPDATE alembic_version SET version_num = '0005'"))

    def upgrade(conn) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0006")  # only the migration under test: later ones' tables are still there

    async with app.engine.begin() as conn:
        await conn.run_sync(upgrade)
    seen = str(images(await chat.say("/uitslag 2", as_="carla", in_=TEAM))[0].alt_text)
    assert [q.snapshot for q in await questions(app, poll)] == [{"3": 1, "4": 1, "5": 1}, {"4": 2, "5": 1},
                                                                {"1": 2, "2": 1}]
    assert [q.snapshot for q in await questions(app, adhoc)] == [None]
    votes = await rows(app, PollVote)
    assert sorted((v.poll_id, v.pending) for v in votes) == [(poll.id, False)] * 9 + [(adhoc.id, True)] * 2
    await chat.say("/aansluiten", as_="eva", in_=TEAM)
    for q, value in zip(await questions(app, poll), (1, 1, 2)):
        assert "opgeslagen" in (await chat.press(f"poll_vote {poll.id} {q.id} {value}", as_="eva")).text
    assert str(images(await chat.say("/uitslag 2", as_="carla", in_=TEAM))[0].alt_text) == seen
