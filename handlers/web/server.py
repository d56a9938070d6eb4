"""The web pages as aiohttp routes: :func:`add_web_routes` adds them to any ``web.Application``
(the shared platform server, or :func:`start_web_server`'s own for the console).

Every page opens one database session, finds the reader by the session cookie, applies the
rules of :mod:`handlers.web.access` and renders a template. Pages are read-only; the only
writes are logging in (consuming a one-time link), logging out, and making or revoking a
calendar link, each a POST carrying the session's CSRF token.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from handlers.web import pages
from handlers.web.access import NotFound, Refused, Viewer, language_of
from handlers.web.feed import feed_ics
from handlers.web.render import HERE, Texts, page
from handlers.web.tokens import (
    SESSION_VALID,
    consume_login,
    end_session,
    end_sessions,
    find_session,
    start_session,
)
from storage import queries as q
from storage.models import Member

APP: web.AppKey[Any] = web.AppKey("leerteam", object)
COOKIE = "leerteam_web"
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",  # the login and feed links carry tokens
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
Page = Callable[[web.Request, Viewer], Awaitable[web.StreamResponse]]


def html(body: str, status: int = 200) -> web.Response:
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8", headers=HEADERS)


def message_page(app: Any, lang: str, key: str, status: int) -> web.Response:
    return html(page("message.html", Texts(app.catalog, lang), message_key=key, viewer=None), status)


def reader(fn: Page) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Open a database session, find the reader by cookie, run the page, map refusals to 403/404."""

    async def handler(request: web.Request) -> web.StreamResponse:
        app = request.app[APP]
        default = app.settings.language
        async with app.sessions() as session:
            now = app.clock.now()
            ws = await find_session(session, request.cookies.get(COOKIE), now)
            member = await session.get(Member, ws.member_id) if ws is not None else None
            if ws is None or member is None:
                return message_page(app, default, "page.login_needed", 401)
            school = await q.first_school_of(session, member.id)
            lang = language_of(app.catalog, member, school.language if school else None, default)
            viewer = Viewer(app, session, member, ws, lang,
                            Texts(app.catalog, lang, school.role_name if school else None))
            if request.method == "POST":
                form = await request.post()
                if not secrets.compare_digest(str(form.get("csrf", "")), ws.csrf):
                    return message_page(app, lang, "page.csrf_failed", 403)
            try:
                response = await fn(request, viewer)
            except Refused:
                return message_page(app, lang, "page.refused", 403)
            except NotFound:
                return message_page(app, lang, "page.not_found", 404)
            await session.commit()
            return response

    return handler


def _id(request: web.Request, name: str) -> int:
    try:
        return int(request.match_info[name])
    except (KeyError, ValueError):
        raise NotFound() from None


async def login(request: web.Request) -> web.StreamResponse:
    """A one-time link from /web: start a session and go to the pages."""
    app = request.app[APP]
    async with app.sessions() as session:
        now = app.clock.now()
        member_id = await consume_login(session, request.match_info["token"], now)
        if member_id is None:
            await session.commit()
            return message_page(app, app.settings.language, "page.login_failed", 403)
        token, _ = await start_session(session, member_id, now)
        await session.commit()
    response = web.Response(status=303, headers=dict(HEADERS, Location="/web/"))
    response.set_cookie(
        COOKIE,
        token,
        path="/web",
        httponly=True,
        samesite="Lax",
        secure=app.settings.web_base.startswith("https://"),
        max_age=int(SESSION_VALID.total_seconds()),
    )
    return response


async def logout(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    form = await request.post()
    if form.get("all"):
        await end_sessions(viewer.session, viewer.member_id, viewer.now())
    else:
        await end_session(viewer.session, viewer.web_session, viewer.now())
    response = html(page("message.html", viewer.texts, message_key="page.logged_out", viewer=None))
    response.del_cookie(COOKIE, path="/web")
    return response


async def index(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    schools = await viewer.schools()
    if len(schools) == 1:
        raise web.HTTPSeeOther(f"/web/school/{schools[0][0].id}")
    return html(page("index.html", viewer.texts, viewer=viewer, schools=schools))


async def school(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return html(await pages.school_page(viewer, _id(request, "school_id")))


async def team(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return html(await pages.team_page(viewer, _id(request, "team_id")))


async def library(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return html(await pages.library_page(viewer, _id(request, "school_id"), request.query.get("q", "")))


async def digest(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return html(await pages.digest_page(viewer, _id(request, "school_id")))


async def card(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return html(await pages.card_page(viewer, _id(request, "card_id"), for_pdf=False))


async def card_pdf(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    from handlers.web.pdf import card_pdf as write_pdf

    body, filename = await pages.card_page_named(viewer, _id(request, "card_id"))
    data = await write_pdf(body)
    headers = dict(HEADERS, **{"Content-Disposition": f'attachment; filename="{filename}"'})
    return web.Response(body=data, content_type="application/pdf", headers=headers)


async def me(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return html(await pages.me_page(viewer))


async def feed_create(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    form = await request.post()
    raw = str(form.get("team", ""))
    return html(await pages.me_page(viewer, new_feed_for=raw))


async def feed_revoke(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return html(await pages.me_page(viewer, revoke=_id(request, "feed_id")))


async def feed(request: web.Request) -> web.StreamResponse:
    app = request.app[APP]
    async with app.sessions() as session:
        data = await feed_ics(
            session, app.catalog, request.match_info["token"], app.clock.now(), app.settings.language
        )
    if data is None:
        return web.Response(status=404, text="Not found", headers=HEADERS)
    return web.Response(
        body=data,
        content_type="text/calendar",
        charset="utf-8",
        headers={"Cache-Control": "no-cache", "Referrer-Policy": "no-referrer"},
    )


def add_web_routes(webapp: web.Application, app: Any) -> None:
    """Serve the pages under /web on ``webapp`` for the assembled bot ``app`` (bot.app.Leerteam)."""
    webapp[APP] = app
    r = webapp.router
    r.add_get("/web/login/{token}", login, allow_head=False)  # a HEAD (a link checker) must not use it up
    r.add_get("/web/feed/{token}.ics", feed)
    r.add_get("/web", reader(index))
    r.add_get("/web/", reader(index))
    r.add_get(r"/web/school/{school_id:\d+}", reader(school))
    r.add_get(r"/web/school/{school_id:\d+}/library", reader(library))
    r.add_get(r"/web/school/{school_id:\d+}/digest", reader(digest))
    r.add_get(r"/web/team/{team_id:\d+}", reader(team))
    r.add_get(r"/web/card/{card_id:\d+}", reader(card))
    r.add_get(r"/web/card/{card_id:\d+}.pdf", reader(card_pdf))
    r.add_get("/web/me", reader(me))
    r.add_post("/web/logout", reader(logout))
    r.add_post("/web/feeds", reader(feed_create))
    r.add_post(r"/web/feeds/{feed_id:\d+}/revoke", reader(feed_revoke))
    r.add_static("/web/static", HERE / "static")


async def start_web_server(app: Any, host: str, port: int) -> web.AppRunner:
    """A server of its own for the pages (the console's mode); stop it with ``runner.cleanup()``."""
    webapp = web.Application()
    add_web_routes(webapp, app)
    runner = web.AppRunner(webapp, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
