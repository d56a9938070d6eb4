"""Issue 16's own messages keep issue 14's quiet hours: a measurement-moment reminder or a borging
review that falls on a weekend waits for the next school morning (07:30 local), once."""

from __future__ import annotations

from tests.harness import ROUND1, ROUND2, SETUP, TEAM, Chat, play, text_of, utc

# ROUND1 into phase 3, then a plan with one moment on Wednesday 7 October 2026: the reminder three
# days before falls on Sunday 4 October
PLAN_WEDNESDAY = [
    *ROUND1[:15],
    ("bram", TEAM, "/actie Drie keer per week hardop samenvatten | bram | 1-10-2026"),
    ("bram", TEAM, "/doel % leerlingen op niveau | 80 | 1-12-2026"),
    ("bram", TEAM, "/dataplan M-toets begrijpend lezen | 1-9-2026"),
    ("bram", TEAM, "/meetmoment 7-10-2026 eindmeting"),
    ("bram", TEAM, "/volgende"),
]


def sent(chat: Chat, needle: str) -> list:
    return [o for o in chat.transport.sent if needle in text_of(o)]


async def test_a_moment_reminder_due_on_sunday_waits_for_monday_morning(app, chat: Chat, clock):
    await play(chat, SETUP)
    await play(chat, PLAN_WEDNESDAY)
    app.attach(chat.transport)
    reminder = "Meetmoment 1 van Groep 5 komt eraan: 7 oktober 2026"
    clock.set(utc(2026, 10, 4, 6, 0))  # Sunday 08:00 local: due, but the weekend is quiet
    await app.tick()
    clock.set(utc(2026, 10, 5, 5, 29))  # Monday 07:29 local
    await app.tick()
    assert sent(chat, reminder) == []
    clock.set(utc(2026, 10, 5, 5, 30))  # Monday 07:30 local: the school morning
    await app.tick()
    await app.tick()
    assert len(sent(chat, reminder)) == 1  # the team's chat, once
    # and the chair (responsible when no one else is named) in their own words, once
    assert len(sent(chat, "Jij bent verantwoordelijk voor meetmoment 1 van Groep 5: 7 oktober 2026")) == 1


BORGING_SATURDAY = ("bram", TEAM, "/borging Strategiekaart in alle groepsplannen 4 tot en met 6 | 2-10-2027")


async def test_a_borging_review_on_saturday_is_asked_on_monday_morning(app, chat: Chat, clock):
    round2 = [BORGING_SATURDAY if isinstance(s, tuple) and s[2].startswith("/borging") else s for s in ROUND2]
    assert BORGING_SATURDAY in round2
    await play(chat, SETUP)
    await play(chat, ROUND1)
    await play(chat, round2)
    app.attach(chat.transport)
    asked = "Vandaag herziet Groep 5 de borging van 'Begrijpend lezen in groep 5'"
    clock.set(utc(2027, 10, 2, 6, 30))  # Saturday 08:30 local, the review date
    await app.tick()
    clock.set(utc(2027, 10, 4, 5, 29))  # Monday 07:29 local
    await app.tick()
    assert sent(chat, asked) == []
    clock.set(utc(2027, 10, 4, 5, 30))  # Monday 07:30 local
    await app.tick()
    await app.tick()
    told = sent(chat, asked)
    assert len(told) == 1 and "Strategiekaart in alle groepsplannen 4 tot en met 6" in text_of(told[0])
