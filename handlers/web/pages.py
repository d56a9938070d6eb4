"""Each page: check what the reader may see (:mod:`handlers.web.access`), gather it through the
chat's data functions (:mod:`handlers.web.views`), render its template."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

from sqlmodel import col, select

from handlers.cycle.library_search import search
from handlers.cycle.quality_card import build_card, card_filename
from handlers.leader import digest as digest_module
from handlers.leader import digest_data as dd
from handlers.leader.privacy import export_member
from handlers.web import tokens
from handlers.web.access import NotFound, Refused, Viewer
from handlers.web.chart import goal_svg
from handlers.web.reflection import poll_blocks, scan_lines
from handlers.web.render import page
from handlers.web.views import chart_words, school_rows, team_view
from storage.models import Cycle, QualityCard, School, Team, TeamMembership


async def _nav(viewer: Viewer, school: School | None) -> dict[str, Any]:
    return {
        "viewer": viewer,
        "school": school,
        "is_manager": school is not None and await viewer.manages(school.id),
    }


async def school_page(viewer: Viewer, school_id: int) -> str:
    school, _ = await viewer.school(school_id)
    rows = await school_rows(viewer.session, school, viewer.member_id, viewer.now())
    return page("school.html", viewer.texts, rows=rows, **await _nav(viewer, school))


async def team_page(viewer: Viewer, team_id: int) -> str:
    team, school, _ = await viewer.team(team_id)
    view = await team_view(viewer.session, team, school, viewer.member_id, viewer.now())
    polls = None
    if await viewer.sees_polls_of(team):
        polls = await poll_blocks(viewer.context(school), team)
    scan = await scan_lines(viewer.session, viewer.app.catalog, team)
    chart = goal_svg(view.chart, viewer.texts) if view.chart is not None else None
    chart_alt = chart_words(view.chart) if view.chart is not None else None
    return page(
        "team.html",
        viewer.texts,
        view=view,
        polls=polls,
        scan=scan,
        chart=chart,
        chart_alt=chart_alt,
        **await _nav(viewer, school),
    )


async def library_page(viewer: Viewer, school_id: int, query: str) -> str:
    school, _ = await viewer.school(school_id)
    found = await search(viewer.session, school.id, query)
    return page("library.html", viewer.texts, library=found, **await _nav(viewer, school))


async def digest_page(viewer: Viewer, school_id: int) -> str:
    """The leader's digest as in chat (the same facts and words), with its chart; leaders only."""
    school, membership = await viewer.school(school_id)
    if not (membership.is_leader or membership.is_admin):
        raise Refused()
    now = viewer.now()
    facts = await dd.gather(viewer.session, school, viewer.member_id, now, now - timedelta(days=7))
    catalog, lang = viewer.app.catalog, viewer.lang
    cmds = {k: catalog.raw(lang, f"cmd.{k}.name") for k in ("leader_reply", "leader_visit")}
    body = digest_module.compose(facts, cmds)
    chart = None
    if facts.teams:
        from handlers.leader.digest_chart import chart_labels, digest_chart

        chart = base64.b64encode(digest_chart(facts, chart_labels(catalog, lang))).decode("ascii")
    return page(
        "digest.html",
        viewer.texts,
        body=body,
        chart=chart,
        alt=digest_module.digest_alt(facts),
        **await _nav(viewer, school),
    )


async def _card(viewer: Viewer, card_id: int) -> tuple[QualityCard, Cycle, Team, School]:
    card = await viewer.session.get(QualityCard, card_id)
    if card is None:
        raise NotFound()
    team, school, _ = await viewer.team(card.team_id)
    cycle = await viewer.session.get(Cycle, card.cycle_id)
    if cycle is None:
        raise NotFound()
    return card, cycle, team, school


async def card_page(viewer: Viewer, card_id: int, *, for_pdf: bool) -> str:
    card, cycle, team, school = await _card(viewer, card_id)
    blocks = await build_card(viewer.session, team, cycle, school)
    return page(
        "card.html",
        viewer.texts,
        blocks=blocks,
        card=card,
        team=team,
        for_pdf=for_pdf,
        **await _nav(viewer, school),
    )


async def card_page_named(viewer: Viewer, card_id: int) -> tuple[str, str]:
    card, cycle, team, _ = await _card(viewer, card_id)
    name = card_filename(team, cycle, card.created_at).removesuffix(".md") + ".pdf"
    return await card_page(viewer, card_id, for_pdf=True), name


async def me_page(viewer: Viewer, *, new_feed_for: str | None = None, revoke: int | None = None) -> str:
    """The reader's own data (what /mijngegevens exports) and their calendar links."""
    session, now = viewer.session, viewer.now()
    teams = [
        t
        for t in (
            await session.exec(
                select(Team)
                .join(TeamMembership, col(TeamMembership.team_id) == col(Team.id))
                .where(TeamMembership.member_id == viewer.member_id)
                .order_by(col(Team.name_key))
            )
        ).all()
    ]
    new_url = None
    notice = None
    if new_feed_for is not None:
        team_id = int(new_feed_for) if new_feed_for.isdigit() else None
        if team_id is not None and team_id not in {t.id for t in teams}:
            await viewer.team(
                team_id
            )  # a team of another school is refused here; any team of one's own school is fine
        token = await tokens.issue_feed(session, viewer.member_id, team_id, now)
        new_url = f"{viewer.app.settings.web_base}/web/feed/{token}.ics"
    if revoke is not None:
        if not await tokens.revoke_feed(session, viewer.member_id, revoke, now):
            raise NotFound()
        notice = "page.feed_revoked"
    feeds = await tokens.feeds_of(session, viewer.member_id)
    team_names = {t.id: t.name for t in teams}
    for f in feeds:
        if f.team_id is not None and f.team_id not in team_names:
            other = await session.get(Team, f.team_id)
            team_names[f.team_id] = other.name if other else "—"
    data = await export_member(session, viewer.member_id)
    pretty = {
        table: json.dumps(rows, ensure_ascii=False, indent=2, sort_keys=True) for table, rows in data.items()
    }
    schools = await viewer.schools()
    return page(
        "me.html",
        viewer.texts,
        teams=teams,
        feeds=feeds,
        team_names=team_names,
        new_url=new_url,
        notice=notice,
        data=pretty,
        **await _nav(viewer, schools[0][0] if schools else None),
    )
