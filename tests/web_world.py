"""A school for the web page tests: team Groep 5 with a finished cycle (a quality card), a second
cycle under way, meetings and an agenda; team Bovenbouw with its own member; a leader.

Shared by tests/test_web.py (aiohttp's test client) and tests/test_web_browser.py (Chromium)."""

from __future__ import annotations

import re

from tests.harness import ROUND1, ROUND2, SETUP, TEAM, Chat, play

SECRET_ANSWER = "Vooral leerlingen die thuis weinig lezen."  # carla's own answer to a cycle question
LINK = re.compile(r"http://127\.0\.0\.1:\d+(/web/login/[A-Za-z0-9_\-]+)")


async def build_school(chat: Chat) -> None:
    await play(chat, SETUP + ROUND1 + ROUND2)
    await play(
        chat,
        [
            ("bram", TEAM, "/ritme dinsdag 15:30 60"),
            ("bram", TEAM, "/cyclus Rekenen: redactiesommen"),
            ("bram", TEAM, "/probleem Redactiesommen gaan mis door het lezen."),
            ("bram", TEAM, "/nulmeting 55 | % goed | toets september"),
            ("carla", TEAM, "/agendapunt Leesresultaten groep 5 bespreken | 20 | carla"),
            ("anna", "bovenbouw", "/nieuwteam Bovenbouw"),
            ("eve", "bovenbouw", "/aansluiten"),
        ],
    )


async def login_path(chat: Chat, who: str) -> str:
    """The path of a fresh one-time link, as /web answers it in the chat."""
    answer = await chat.say("/web", as_=who)
    found = LINK.search(answer.text)
    assert found, answer.text
    return found.group(1)
