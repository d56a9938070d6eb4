"""The leader digest: every team on one page, weekly and on demand.

Per team: the focus and how long it has been in its phase, problem and goal, meetings held
against planned, participation as counts, reflection trends as aggregates, what the momentum
guard noticed — with the consequence the PLG model describes for that dimension and one thing
the leader can do — the chair's overrides with their reasons, finished quality cards, and the
questions the team put to the leader. It informs without taking over: no individual answer of
any teacher appears in it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.core.commands import Access, command, command_name
from bot.core.context import Context
from bot.core.replies import PRIVATE, Choices, Image, Option, Reply, Text
from handlers.common.school_time import when_msg, zone
from handlers.common.values import date_msg, number_msg, today_in
from handlers.leader import digest_data as dd
from prompts.catalog import Join, Msg

# What each momentum finding says about the PLG's five dimensions (shared/PRODUCT.md, table 1).
FLAG_DIMENSION = {"cancelled_in_a_row": "structuur", "phase_stalled": "werkwijze", "quiet_member": "cultuur"}
LOW_SCORE = 3.0  # on the 1–5 scan scale: below this a dimension is "low"
FALLING = 0.5  # a drop of this much since the previous scan is "falling"


def team_block(f: dd.TeamFacts, facts: dd.SchoolFacts, lang_cmds: Mapping[str, object]) -> list[Any]:
    tz = zone(facts.school)
    now = facts.now
    lines: list[Any] = [Msg("digest.team_head", team=f.team.name,
                            chair=f.chair or Msg("digest.no_chair"),
                            members=Msg("teams.count", count=f.members))]
    if f.cycle is not None and f.round is not None:
        days = (
            today_in(facts.school.timezone, now) - today_in(facts.school.timezone, f.round.phase_started_at)
        ).days
        lines.append(Msg("digest.focus", title=f.cycle.title, round=f.round.number, phase=f.round.phase,
                         name=Msg(f"cycle.phase{f.round.phase}.name"), days=days))
        if f.problem:
            lines.append(Msg("digest.problem", text=f.problem))
        if f.plan is not None and f.plan.goal_value is not None:
            lines.append(Msg("digest.goal", what=f.plan.goal_text or "", value=number_msg(f.plan.goal_value),
                             deadline=date_msg(f.plan.goal_deadline)))
        if f.baseline is not None and f.last_result is not None:
            lines.append(
                Msg("digest.result", baseline=number_msg(f.baseline), result=number_msg(f.last_result))
            )
        lines.append(Msg("digest.participation", answered=f.answered, members=f.members))
    else:
        lines.append(Msg("digest.no_focus"))
    lines.append(Msg("digest.meetings", held=f.held, planned=f.planned, cancelled=f.cancelled))
    if f.undelivered:
        lines.append(Msg("delivery.failed_rows", count=f.undelivered))
    for key in ("poll", "scan"):
        if key in f.reflection:
            lines.append(f.reflection[key])
    attention = attention_lines(f, now)
    if attention:
        lines.append(Msg("digest.attention"))
        lines += attention
    for cycle, verdict in f.closed_cycles:
        lines.append(Msg("digest.card", title=cycle.title,
                         verdict=Msg(f"cycle.verdict.{verdict}") if verdict else "—"))
    if f.questions:
        lines.append(Msg("digest.questions"))
        for question in f.questions:
            lines.append(
                Msg(
                    "digest.question",
                    id=question.id,
                    person=facts.names.get(question.asked_by or 0, "—"),
                    text=question.text,
                    reply_cmd=lang_cmds["leader_reply"],
                )
            )
    if not dd.visited_recently(f, now):
        nxt = f.next_meeting
        lines.append(
            Msg(
                "digest.not_visited",
                next=when_msg(nxt.starts_at, tz) if nxt else Msg("digest.no_next"),
                visit_cmd=lang_cmds["leader_visit"],
                team=f.team.name,
            )
        )
    return lines


def attention_lines(f: dd.TeamFacts, now: datetime) -> list[Any]:
    """Findings, each with what the PLG model says it leads to and one thing the leader can do."""
    out: list[Any] = []
    seen: set[str] = set()
    for flag in f.flags:
        dim = FLAG_DIMENSION.get(flag.kind)
        out.append(Msg("digest.bullet", text=Msg(f"digest.flag.{flag.kind}", **_flag_params(flag))))
        if dim and dim not in seen:
            seen.add(dim)
            out.append(_meaning(dim))
    for t in f.overrides:
        out.append(Msg("digest.bullet", text=Msg("digest.override", phase=t.from_phase,
                                                  name=Msg(f"cycle.phase{t.from_phase}.name"),
                                                  reason=t.override_reason or "")))
    if f.overrides and "werkwijze" not in seen:
        seen.add("werkwijze")
        out.append(_meaning("werkwijze"))
    for dim, (avg, prev) in sorted(f.reflection.get("scan_dims", {}).items()):
        low = avg < LOW_SCORE
        falling = prev is not None and prev - avg >= FALLING
        if low or falling:
            key = "digest.scan_low" if low else "digest.scan_falling"
            out.append(
                Msg(
                    "digest.bullet",
                    text=Msg(
                        key,
                        dimension=Msg(f"digest.dim.{dim}"),
                        avg=number_msg(round(avg, 1)),
                        prev=number_msg(round(prev, 1)) if prev is not None else "—",
                    ),
                )
            )
            if dim not in seen:
                seen.add(dim)
                out.append(_meaning(dim))
    return out


def _flag_params(flag: Any) -> dict[str, Any]:
    detail = flag.detail or {}
    if flag.kind == "cancelled_in_a_row":
        return {"count": detail.get("count", 2)}
    if flag.kind == "phase_stalled":
        return {"weeks": detail.get("weeks", 0), "phase": detail.get("phase", 1)}
    return {"meetings": detail.get("meetings", 3)}  # quiet_member: never named in the digest


def _meaning(dim: str) -> Msg:
    return Msg(
        "digest.meaning",
        dimension=Msg(f"digest.dim.{dim}"),
        consequence=Msg(f"digest.consequence.{dim}"),
        suggestion=Msg(f"digest.suggestion.{dim}"),
    )


def compose(facts: dd.SchoolFacts, cmds: Mapping[str, object]) -> Join:
    tz = zone(facts.school)
    lines: list[Any] = [
        Msg("digest.title", school=facts.school.name, start=date_msg(facts.since.astimezone(tz).date()),
            end=date_msg(facts.now.astimezone(tz).date())),
        Msg("digest.privacy_line"),
    ]
    if not facts.teams:
        lines.append(Msg("digest.no_teams"))
    for f in facts.teams:
        lines.append("")
        lines += team_block(f, facts, cmds)
    return Join(lines)


def digest_alt(facts: dd.SchoolFacts) -> Join:
    """The chart's numbers in words, for screen readers and the console."""
    parts: list[Any] = [Msg("digest.chart_alt")]
    for f in facts.teams:
        phase = f.round.phase if f.round is not None else 0
        scan = f.reflection.get("scan_avg")
        parts.append(Msg("digest.chart_alt_team", team=f.team.name, phase=phase,
                         scan=number_msg(round(scan, 1)) if scan is not None else "—"))
    return Join(parts)


async def digest_replies(ctx_session: Any, catalog: Any, school: Any, leader_id: int | None, lang: str,
                         now: datetime, target: Any, since: datetime | None = None,
                         reflection: Sequence[dd.ReflectionProvider] = ()) -> list[Reply]:
    """The digest as a message plus its chart, for one leader; ``reflection``: the app's providers
    of poll and scan aggregates (``dd.REFLECTION_HOOK``)."""
    from handlers.leader.digest_chart import digest_chart

    facts = await dd.gather(ctx_session, school, leader_id, now, since, reflection)
    cmds = {k: command_name(k) for k in ("leader_reply", "leader_visit")}
    replies: list[Reply] = [Text(compose(facts, cmds), target=target)]
    if facts.teams:
        labels = {key: catalog.raw(lang, f"digest.chart_{key}")
                  for key in ("phase", "scan", "title", "phase_mark", "decimal")}
        png = digest_chart(facts, labels)
        replies.append(
            Image(
                png,
                f"overzicht-{now.date().isoformat()}.png",
                caption=Msg("digest.chart_caption"),
                alt_text=digest_alt(facts),
                target=target,
            )
        )
    open_questions = [q for f in facts.teams for q in f.questions][:10]
    if open_questions:
        replies.append(Choices(Msg("digest.answer_buttons"), tuple(
            Option(Msg("digest.answer_option", id=q.id), f"leader_reply_ask {q.id}") for q in open_questions),
            target=target))
    return replies


@command("digest", access=Access.SCHOOL_MANAGER, section="leader")
async def digest_now(ctx: Context) -> list[Reply]:
    school = ctx.require_school()
    return await digest_replies(ctx.session, ctx.catalog, school, ctx.member.id if ctx.member else None,
                                ctx.lang, ctx.now(), PRIVATE, since=ctx.now() - timedelta(days=7),
                                reflection=ctx.registry.hooks(dd.REFLECTION_HOOK))
