"""The kwaliteitskaart: what a team learned from one closed cycle, on one page.

The card is built once as a list of blocks (headings, paragraphs, bullets) from the records,
then written out twice: as chat markup for the team's channel, and as a Markdown file that is
stored with the cycle so it can be retrieved later. User text is escaped for each format.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.common.measures import measure_msg
from handlers.common.values import date_msg
from handlers.cycle.state import load_round
from prompts.catalog import Catalog, Join, Msg
from prompts.markup import Markup, parse
from storage.models import Cycle, CycleRound, School, Source, Team
from storage.queries import names_of

Block = tuple[str, Any]  # ("h1" | "h2" | "p" | "li", body)
MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


async def build_card(session: AsyncSession, team: Team, cycle: Cycle, school: School | None) -> list[Block]:
    rounds = list((await session.exec(
        select(CycleRound).where(CycleRound.cycle_id == cycle.id).order_by(col(CycleRound.number))
    )).all())
    last = await load_round(session, rounds[-1])
    all_sources = list((await session.exec(
        select(Source).where(col(Source.round_id).in_([r.id for r in rounds])).order_by(col(Source.id))
    )).all())
    names = await names_of(session, {a.owner_member_id for a in last.actions})
    blocks: list[Block] = [
        ("h1", Msg("card.title", title=cycle.title)),
        ("p", Msg("card.meta", team=team.name, school=school.name if school else "",
                  start=date_msg(cycle.started_at.date()),
                  end=date_msg(cycle.closed_at.date() if cycle.closed_at else None), rounds=len(rounds))),
        ("h2", Msg("card.problem")),
    ]
    p = last.problem
    blocks.append(("p", p.statement if p and p.statement else Msg("card.none")))
    if p and p.baseline_value is not None:
        blocks.append(
            (
                "li",
                Msg(
                    "card.baseline",
                    value=measure_msg(p.baseline_value, p.baseline_sign),
                    unit=p.baseline_unit or "",
                    source=p.baseline_source or "",
                ),
            )
        )
    if last.hypotheses:
        blocks.append(("h2", Msg("card.hypotheses")))
        blocks += [("li", h.text) for h in last.hypotheses]
    blocks.append(("h2", Msg("card.sources")))
    if not all_sources:
        blocks.append(("p", Msg("card.none")))
    for s in all_sources:
        blocks.append(("li", Msg("card.source", title=s.title, author=s.author_year or "—",
                                 takeaway=s.takeaway, relevance=Msg(f"card.level{s.relevance}"),
                                 reliability=Msg(f"card.level{s.reliability}"))))
        if s.url:
            blocks.append(("p", Msg("card.source_link", url=s.url)))
    if last.direction:
        blocks.append(("p", Msg("card.direction", text=last.direction.text)))
    blocks.append(("h2", Msg("card.intervention")))
    blocks += [
        (
            "li",
            Msg(
                "card.action",
                what=a.description,
                who=names.get(a.owner_member_id or 0, a.owner_label),
                due=date_msg(a.due),
            ),
        )
        for a in last.actions
    ] or [("p", Msg("card.none"))]
    plan = last.plan
    blocks.append(("h2", Msg("card.goal_result")))
    if plan and plan.goal_value is not None:
        goal = measure_msg(plan.goal_value, plan.goal_sign)
        blocks.append(("li", Msg("card.goal", what=plan.goal_text or "", value=goal,
                                 deadline=date_msg(plan.goal_deadline))))
    if plan and plan.instrument:
        blocks.append(
            ("li", Msg("card.dataplan", instrument=plan.instrument, moment=date_msg(plan.baseline_moment)))
        )
    if p and p.baseline_value is not None:
        shown = measure_msg(p.baseline_value, p.baseline_sign)
        blocks.append(("li", Msg("card.result_baseline", value=shown)))
    for m in last.moments:
        blocks.append(
            (
                "li",
                Msg("card.result", on=date_msg(m.on), label=m.label or "",
                    value=measure_msg(m.result_value, m.result_sign)),
            )
        )
    ev = last.evaluation
    blocks.append(("h2", Msg("card.conclusion")))
    if ev and ev.verdict:
        blocks.append(("p", Msg("card.verdict", verdict=Msg(f"cycle.verdict.{ev.verdict}"))))
    if ev and ev.verdict_reason:
        blocks.append(("p", Msg("method.card_verdict_reason", reason=ev.verdict_reason)))
    if ev and ev.learned:
        blocks.append(("p", Msg("card.learned", text=ev.learned)))
    blocks.append(("h2", Msg("card.embedding")))
    blocks.append(("p", ev.embedding if ev and ev.embedding else Msg("card.none")))
    if ev and ev.review_on:
        blocks.append(("p", Msg("card.review", on=date_msg(ev.review_on))))
    if len(rounds) > 1:
        blocks.append(("h2", Msg("card.earlier_rounds")))
        for rnd in rounds[:-1]:
            earlier = await load_round(session, rnd)
            ev_e = earlier.evaluation
            blocks.append(
                (
                    "li",
                    Msg(
                        "card.earlier_round",
                        round=rnd.number,
                        verdict=Msg(f"cycle.verdict.{ev_e.verdict}") if ev_e and ev_e.verdict else "—",
                        learned=ev_e.learned if ev_e and ev_e.learned else "—",
                    ),
                )
            )
    return blocks


def to_markup(blocks: list[Block], catalog: Catalog, lang: str) -> Markup:
    lines: list[object] = []
    for kind, body in blocks:
        if kind in ("h1", "h2"):
            lines.append(Msg("card.fmt.heading", text=body))
        elif kind == "li":
            lines.append(Msg("cycle.bullet", text=body))
        else:
            lines.append(body)
    return catalog.render(Join(lines), lang)


def _md(markup: Markup) -> str:
    out = []
    for span in parse(markup):
        text = MD_SPECIAL.sub(r"\\\1", span.text)
        if span.code:
            text = f"`{span.text.replace('`', '')}`"
        if span.link:
            text = f"[{text}]({span.link.replace(')', '%29')})"
        if span.bold:
            text = f"**{text}**"
        if span.italic:
            text = f"_{text}_"
        out.append(text)
    return "".join(out)


def to_markdown(blocks: list[Block], catalog: Catalog, lang: str) -> str:
    prefix = {"h1": "# ", "h2": "## ", "li": "- ", "p": ""}
    out: list[str] = []
    previous = None
    for kind, body in blocks:
        if out:
            out.append("\n" if kind == previous == "li" else "\n\n")
        out.append(prefix[kind] + _md(catalog.render(body, lang)).strip())
        previous = kind
    return "".join(out) + "\n"


def card_filename(team: Team, cycle: Cycle, when: datetime) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", f"{team.name} {cycle.title}".lower()).strip("-")[:60] or "kaart"
    return f"kwaliteitskaart-{slug}-{when.date().isoformat()}.md"
