"""Issue 14's role words in issue 16's verdict: the school leader may propose the team's verdict
(``require_team_manager``) in a team she is a member of; the post then names the school leader,
not "de voorzitter"."""

from __future__ import annotations

from tests.harness import ROUND1, SETUP, TEAM, Chat, play

PLAN = [
    *ROUND1[:15],
    ("bram", TEAM, "/actie Drie keer per week hardop samenvatten | bram | 1-10-2026"),
    ("bram", TEAM, "/doel % leerlingen op niveau | 80 | 1-12-2026"),
    ("bram", TEAM, "/dataplan M-toets begrijpend lezen | 1-9-2026"),
    ("bram", TEAM, "/meetmoment 30-11-2026 eindmeting"),
    ("bram", TEAM, "/volgende"),
    ("bram", TEAM, "/volgendetoch De eindtoets is verschoven naar januari."),
]


async def test_a_verdict_proposed_by_the_leader_names_the_leader(app, chat: Chat):
    await play(chat, SETUP)
    await play(chat, PLAN)
    await chat.say("/aansluiten", as_="anna", in_=TEAM)  # the leader in the team as a member, not its chair
    by_leader = await chat.say("/oordeel deels", as_="anna", in_=TEAM)
    assert "De schoolleider stelt als oordeel voor: deels opgelost" in by_leader, by_leader.text
    assert "De voorzitter stelt" not in by_leader
    by_chair = await chat.say("/oordeel niet", as_="bram", in_=TEAM)
    assert "De voorzitter stelt als oordeel voor: niet opgelost" in by_chair, by_chair.text
