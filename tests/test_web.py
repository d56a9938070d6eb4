"""The web pages through aiohttp's test client on 127.0.0.1, on SQLite and PostgreSQL: the link
login (once, for a few minutes), every page and its rules (a colleague of another team sees the
agenda and the cards but never an individual answer or a poll; the digest only for leaders;
a person's data only for that person), the calendar feed and its revocation, CSRF."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bot.core.replies import Choices, Document
from handlers.web.server import add_web_routes
from storage.models import QualityCard, School, Team, WebLogin
from tests.harness import TEAM, Chat
from tests.web_world import SECRET_ANSWER, build_school, login_path

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
async def client(app):
    webapp = web.Application()
    add_web_routes(webapp, app)
    async with TestClient(TestServer(webapp, host="127.0.0.1")) as c:
        yield c


@pytest.fixture
async def world(app, chat: Chat):
    await build_school(chat)
    async with app.sessions() as s:
        school = (await s.exec(select(School))).one()
        teams = {t.name: t for t in (await s.exec(select(Team))).all()}
        card = (await s.exec(select(QualityCard))).one()
    return {
        "school": school.id,
        "groep5": teams["Groep 5"].id,
        "bovenbouw": teams["Bovenbouw"].id,
        "card": card.id,
    }


async def log_in(client: TestClient, chat: Chat, who: str) -> str:
    """Log in as ``who`` with a fresh link; returns the page the link leads to."""
    client.session.cookie_jar.clear()
    response = await client.get(await login_path(chat, who))
    assert response.status == 200, await response.text()
    return await response.text()


async def test_a_link_logs_in_once_and_lands_on_the_school(client, chat, world):
    path = await login_path(chat, "carla")
    first = await client.get(path)
    body = await first.text()
    assert first.status == 200 and str(first.url).endswith(f"/web/school/{world['school']}")
    assert '<html lang="nl">' in body
    for fact in (
        "De Regenboog: alle teams",
        "Groep 5",
        "Bovenbouw",
        "Rekenen: redactiesommen",
        "fase 1",
        "Leesresultaten groep 5 bespreken",
        "jouw team",
    ):
        assert fact in body, fact
    cookie = first.history[0].headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    client.session.cookie_jar.clear()
    again = await client.get(path)
    assert again.status == 403 and "verlopen of al gebruikt" in await again.text()
    assert (await client.get(f"/web/school/{world['school']}")).status == 401  # no cookie, no page


async def test_an_expired_link_is_refused(app, client, chat, world):
    path = await login_path(chat, "carla")
    app.clock.set(app.clock.now() + timedelta(minutes=11))
    response = await client.get(path)
    assert response.status == 403 and "verlopen" in await response.text()
    async with app.sessions() as s:
        stored = (await s.exec(select(WebLogin))).all()
    token = path.rsplit("/", 1)[1]
    assert all(row.token_hash != token and len(row.token_hash) == 64 for row in stored)  # only hashes stored


async def test_a_colleague_of_another_team_sees_agenda_and_cards_but_no_answers_or_polls(client, chat, world):
    await chat.say("/nieuwepeiling 1d Zullen we de toets verzetten? | ja | nee", as_="bram", in_=TEAM)
    for who in ("bram", "carla", "dirk"):  # three votes: the threshold, so the team sees totals
        asked = await chat.say("/peiling", as_=who)
        choice = next(o.reply for o in asked.outgoing if isinstance(o.reply, Choices))
        assert "voted" not in await chat.press(choice.options[0].value, as_=who)
    await log_in(client, chat, "eve")
    page = await (await client.get(f"/web/team/{world['groep5']}")).text()
    for fact in (
        "Team Groep 5",
        "Rekenen: redactiesommen",
        "Leesresultaten groep 5 bespreken",
        "Begrijpend lezen in groep 5",
        "Redactiesommen gaan mis door het lezen.",
        "ziet het team zelf en de schoolleiding",
        'role="img"',
        "Beginsituatie 55",
    ):
        assert fact in page, fact
    assert SECRET_ANSWER not in page and "toets verzetten" not in page
    card = await client.get(f"/web/card/{world['card']}")
    text = await card.text()
    assert card.status == 200 and "Kwaliteitskaart: Begrijpend lezen in groep 5" in text
    assert "Strategiekaart in alle groepsplannen 4 tot en met 6" in text and SECRET_ANSWER not in text
    pdf = await client.get(f"/web/card/{world['card']}.pdf")
    assert pdf.status == 200 and pdf.content_type == "application/pdf"
    assert (await pdf.read()).startswith(b"%PDF") and ".pdf" in pdf.headers["Content-Disposition"]
    await log_in(client, chat, "carla")  # a member of Groep 5 sees the poll, as aggregates only
    own = await (await client.get(f"/web/team/{world['groep5']}")).text()
    assert "toets verzetten" in own and "(geantwoord: 3 van 3)" in own and "Anoniem" in own
    assert SECRET_ANSWER not in own and "ziet het team zelf en de schoolleiding" not in own


async def test_the_digest_is_for_leaders_only(client, chat, world):
    await log_in(client, chat, "eve")
    refused = await client.get(f"/web/school/{world['school']}/digest")
    assert refused.status == 403 and "Dit mag je niet bekijken" in await refused.text()
    assert "Overzicht schoolleider" not in await (await client.get(f"/web/school/{world['school']}")).text()
    await log_in(client, chat, "anna")
    shown = await client.get(f"/web/school/{world['school']}/digest")
    body = await shown.text()
    assert shown.status == 200 and "Overzicht voor de schoolleider" in body and "Groep 5" in body
    assert 'src="data:image/png;base64,' in body and 'alt="' in body
    assert SECRET_ANSWER not in body


async def test_the_library_searches_cards_and_sources(client, chat, world):
    await log_in(client, chat, "eve")
    everything = await (await client.get(f"/web/school/{world['school']}/library")).text()
    assert "Close reading" in everything and "Hardop denken" in everything and '<label for="q">' in everything
    found = await (await client.get(f"/web/school/{world['school']}/library", params={"q": "CLOSE"})).text()
    assert "Close reading" in found and "Hardop denken" not in found
    none = await (await client.get(f"/web/school/{world['school']}/library", params={"q": "100%_"})).text()
    assert "Niets gevonden" in none


async def test_a_school_you_do_not_belong_to_is_refused(app, client, chat, world):
    elsewhere = Chat(app, workspace="kompas")
    assert "Het Kompas" in await elsewhere.say("/nieuweschool Het Kompas", as_="zoe")
    await log_in(client, elsewhere, "zoe")
    assert (await client.get(f"/web/school/{world['school']}")).status == 403
    assert (await client.get(f"/web/team/{world['groep5']}")).status == 403
    assert (await client.get(f"/web/card/{world['card']}")).status == 403
    assert (await client.get("/web/team/9999")).status == 404


async def test_my_data_is_mine_and_in_my_language(client, chat, world):
    await chat.say("/taal en", as_="eve")
    await log_in(client, chat, "eve")
    page = html.unescape(await (await client.get("/web/me")).text())
    assert '<html lang="en">' in page and "My data" in page and '"user_id": "eve"' in page
    assert '"user_id": "carla"' not in page and SECRET_ANSWER not in page


async def test_a_calendar_feed_has_the_same_events_and_can_be_revoked(app, client, chat, world):
    page = await log_in(client, chat, "carla")
    csrf = CSRF.search(page).group(1)
    refused = await client.post("/web/feeds", data={"team": str(world["groep5"])})
    assert refused.status == 403 and "verlopen" in await refused.text()
    made = await (await client.post("/web/feeds", data={"team": str(world["groep5"]), "csrf": csrf})).text()
    url = re.search(r'value="(http://127\.0\.0\.1:\d+/web/feed/[^"]+\.ics)"', made).group(1)
    feed_path = url.split(":8080", 1)[1] if ":8080" in url else url
    feed = await client.get(feed_path)
    ics = await feed.text()
    assert feed.status == 200 and feed.content_type == "text/calendar"
    exported = await chat.say("/kalender", as_="carla", in_=TEAM)
    doc = next(o.reply for o in exported.outgoing if isinstance(o.reply, Document)).data.decode()
    uids = lambda text: sorted(re.findall(r"UID:(\S+)", text))  # noqa: E731
    seqs = lambda text: sorted(re.findall(r"SEQUENCE:(\d+)", text))  # noqa: E731
    assert uids(ics) and uids(ics) == uids(doc) and seqs(ics) == seqs(doc)
    person = await (await client.post("/web/feeds", data={"team": "", "csrf": csrf})).text()
    assert "Al mijn teams" in person
    feed_id = re.search(r'action="/web/feeds/(\d+)/revoke"', made).group(1)
    assert (await client.post(f"/web/feeds/{feed_id}/revoke", data={})).status == 403  # no CSRF
    revoked = await client.post(f"/web/feeds/{feed_id}/revoke", data={"csrf": csrf})
    assert revoked.status == 200 and "ingetrokken" in await revoked.text()
    assert (await client.get(feed_path)).status == 404


async def test_logging_out_from_the_chat_and_the_page(client, chat, world):
    page = await log_in(client, chat, "carla")
    assert (await client.get("/web/me")).status == 200
    assert "1 sessie in de browser" in await chat.say("/web uit", as_="carla")
    assert (await client.get("/web/me")).status == 401
    page = await log_in(client, chat, "carla")
    assert (await client.post("/web/logout", data={})).status == 403  # CSRF missing
    out = await client.post("/web/logout", data={"csrf": CSRF.search(page).group(1)})
    assert out.status == 200 and "uitgelogd" in await out.text()
    assert (await client.get("/web/me")).status == 401
    assert "Typ /web" in await chat.say("/web morgen", as_="carla")


async def test_the_card_command_also_sends_the_pdf(chat, world):
    answer = await chat.say("/kaart 1", as_="eve", in_=TEAM)
    docs = [o.reply for o in answer.outgoing if isinstance(o.reply, Document)]
    assert [d.mime for d in docs] == ["text/markdown", "application/pdf"]
    assert docs[1].data.startswith(b"%PDF") and docs[1].filename.endswith(".pdf")
    assert "als pdf" in answer.text


async def test_over_https_the_cookie_is_secure_and_deleting_my_data_ends_my_sessions(
    app, client, chat, world
):
    app.settings.web_base_url = "https://leerteam.example.nl"
    answer = await chat.say("/web", as_="dirk")
    assert "https://leerteam.example.nl/web/login/" in answer
    path = re.search(r"https://leerteam\.example\.nl(/web/login/\S+)", answer.text).group(1)
    first = await client.get(path, allow_redirects=False)
    assert first.status == 303 and "Secure" in first.headers["Set-Cookie"]
    app.settings.web_base_url = None
    await log_in(client, chat, "dirk")
    assert (await client.get("/web/me")).status == 200
    asked = await chat.say("/wismijngegevens", as_="dirk")
    confirm = next(o.reply for o in asked.outgoing if isinstance(o.reply, Choices)).options[0].value
    await chat.press(confirm, as_="dirk")
    assert (await client.get("/web/me")).status == 401


def test_a_base_url_that_is_not_a_web_address_stops_start_up():
    from bot.core.config import SettingsError, load_settings

    with pytest.raises(SettingsError) as err:
        load_settings(LEERTEAM_WEB_BASE_URL="leerteam.school.nl", _env_file=None)
    assert err.value.message.key == "setting.web_base_url"


async def test_a_link_checker_asking_for_the_headers_does_not_use_the_link_up(client, chat, world):
    path = await login_path(chat, "carla")
    assert (await client.head(path)).status == 405
    assert (await client.get(path)).status == 200
