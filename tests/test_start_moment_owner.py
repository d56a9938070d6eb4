"""A measurement moment has an owner of its own (issue 16 part 5): named when the moment is planned
(default the chair), reminded privately before it and asked privately for the result after it,
while the team is told as before."""

from __future__ import annotations

from sqlmodel import select

from storage.models import CycleRound, MeasurementMoment
from tests.harness import ROUND1, SETUP, TEAM, Chat, play, rows, text_of, utc

PLAN = [
    *ROUND1[:15],
    ("bram", TEAM, "/actie Drie keer per week hardop samenvatten | bram | 1-10-2026"),
    ("bram", TEAM, "/doel % leerlingen op niveau | 80 | 1-12-2026"),
    ("bram", TEAM, "/dataplan M-toets begrijpend lezen | 1-9-2026"),
]


def sent(chat: Chat, needle: str) -> list:
    return [o for o in chat.transport.sent if needle in text_of(o)]


async def test_the_owner_is_reminded_and_asked_privately(app, chat: Chat, clock):
    await play(chat, SETUP)
    await play(chat, PLAN)
    wrong = await chat.say("/meetmoment 5-10-2026 | tussenmeting | eve", as_="bram", in_=TEAM)
    assert wrong.outgoing[0].is_error
    saved = await chat.say("/meetmoment 5-10-2026 | tussenmeting | carla", as_="bram", in_=TEAM)
    assert "Verantwoordelijk voor deze meting: Carla" in saved.text
    default = await chat.say("/meetmoment 30-11-2026 eindmeting", as_="bram", in_=TEAM)
    assert "Verantwoordelijk voor deze meting: de voorzitter" in default.text
    moments = sorted(await rows(app, MeasurementMoment), key=lambda m: m.on)
    assert [m.owner_member_id is not None for m in moments] == [True, False]
    running = await chat.say("/volgende", as_="bram", in_=TEAM)
    assert "volgende meting 5 oktober 2026: tussenmeting, M-toets begrijpend lezen, Carla" in running.text
    app.attach(chat.transport)
    clock.set(utc(2026, 10, 2, 6, 30))  # three days before 5 October, 08:30 local
    await app.tick()
    team = sent(chat, "Meetmoment 1 van Groep 5 komt eraan: 5 oktober 2026 (tussenmeting, M-toets begrijpend "
                      "lezen, Carla)")
    assert [o.address.private for o in team] == [False]
    mine = sent(chat, "Jij bent verantwoordelijk voor meetmoment 1 van Groep 5")
    assert [(o.address.user_id, o.address.private) for o in mine] == [("carla", True)]
    clock.set(utc(2026, 10, 6, 6, 30))
    await app.tick()
    asked = sent(chat, "en jij bent ervoor verantwoordelijk. Wat was het resultaat?")
    assert [(o.address.user_id, o.address.private) for o in asked] == [("carla", True)]
    assert len(sent(chat, "Het meetmoment van Groep 5 op 5 oktober 2026")) == 1  # the team, as before
    await chat.say("/resultaat 1 72", as_="carla")
    clock.set(utc(2026, 11, 27, 7, 30))  # the second moment has no owner of its own: the chair
    await app.tick()
    mine = sent(chat, "Jij bent verantwoordelijk voor meetmoment 2 van Groep 5")
    assert [(o.address.user_id, o.address.private) for o in mine] == [("bram", True)]


async def test_in_english_and_in_a_team_without_a_chat_the_owner_gets_one_message(app, chat: Chat, clock):
    await chat.say("/nieuweschool De Regenboog", as_="anna")
    await chat.say("/nieuwteam Groep 5", as_="anna")
    for who in ("bram", "carla"):
        await chat.say("/aansluiten Groep 5", as_=who)
    await chat.say("/voorzitter bram Groep 5", as_="anna")
    await chat.say("/taal en", as_="carla")
    await chat.say("/rolnaam procesbegeleider", as_="anna")
    await chat.say("/cyclus Lezen", as_="bram")
    async with app.sessions() as s:
        rnd = (await s.exec(select(CycleRound))).one()
        rnd.phase = 3
        s.add(rnd)
        await s.commit()
    await chat.say("/dataplan M-toets | 1-9-2026", as_="bram")
    default = await chat.say("/meetmoment 8-10-2026 | tussenmeting", as_="bram")
    assert "Verantwoordelijk voor deze meting: de procesbegeleider" in default.text
    await chat.say("/meetmoment 9-10-2026 | eindmeting | carla", as_="bram")
    async with app.sessions() as s:
        rnd = (await s.exec(select(CycleRound))).one()
        rnd.phase = 4
        s.add(rnd)
        await s.commit()
    app.attach(chat.transport)
    mark = len(chat.transport.sent)
    clock.set(utc(2026, 10, 6, 6, 30))  # both reminders due (5 and 6 October, 08:00 local)
    await app.tick()
    await app.tick()
    out = [(o.address.user_id, text_of(o)) for o in chat.transport.sent[mark:]
           if "eetmoment" in text_of(o) or "easurement moment" in text_of(o)]
    # no team chat: each member gets the team's reminder, except the owner, who gets their own instead
    assert sorted(out) == [
        ("bram", "Jij bent verantwoordelijk voor meetmoment 1 van Groep 5: 8 oktober 2026 (tussenmeting, "
                 "M-toets, Bram). Zet het klaar; na de meting vul je het resultaat in met /resultaat 1 waarde."),
        ("bram", "Meetmoment 2 van Groep 5 komt eraan: 9 oktober 2026 (eindmeting, M-toets, Carla). Zet het "
                 "klaar; na de meting vul je het resultaat in met /resultaat 2 waarde."),
        ("carla", "Measurement moment 1 of Groep 5 is coming up: 8 October 2026 (tussenmeting, M-toets, Bram). "
                  "Get it ready; after measuring, enter the result with /result 1 value."),
        ("carla", "You are responsible for measurement moment 2 of Groep 5: 9 October 2026 (eindmeting, "
                  "M-toets, Carla). Get it ready; after measuring, enter the result with /result 2 value."),
    ]
