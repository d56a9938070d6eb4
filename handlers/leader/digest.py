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
from datetime import date, datetime, timedelta
from typing import Any

from bot.core.commands import Access, command, command_name
from bot.core.context import Context
from bot.core.replies import PRIVATE, Choices, Image, Option, Reply, Text
from handlers.common.measures import measure_msg
from handlers.common.school_time import when_msg, zone
from handlers.common.values import date_msg, number_msg, today_in
from handlers.leader import digest_data as dd
from prompts.catalog import Join, Msg

# What each momentum finding says about the PLG's five dimensions (shared/PRODUCT.md, table 1). In seed
# 003 momentum and participation are *structuur*: cancelled meetings, a plan that stalls (a phase
# without movement, a measurement moment without a result) and quiet members — not werkwijze or cultuur.
FLAG_DIMENSION = {"cancelled_in_a_row": "structuur", "phase_stalled": "structuur",
                  "quiet_member": "structuur", "moment_missed": "structuur"}
# The flag's text where it is not digest.flag.<kind>; and for every flag one thing the leader can do
# (seeds 002 and 003: drop another initiative for now, protect the meeting time, model vulnerability).
FLAG_TEXT = {"moment_missed": "method.flag_moment_missed"}
COMPACT_FROM = 8  # more teams than this: the digest lists teams on course as one line each
LOW_SCORE = 3.0  # on the 1–5 scan scale: below this a dimension is "low"
# "Falling" is the polls capability's rule (handlers/polls/scan_scores.is_falling: enough answers in
# both rounds, a drop one person alone cannot explain); its dimensions come as reflection["scan_falling"].


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
        if f.running is not None:
            lines.append(Msg("method.digest_focus_running", title=f.cycle.title, round=f.round.number,
                             running=f.running))
        else:
            lines.append(Msg("digest.focus", title=f.cycle.title, round=f.round.number, phase=f.round.phase,
                             name=Msg(f"cycle.phase{f.round.phase}.name"), days=days))
        if f.problem:
            lines.append(Msg("digest.problem", text=f.problem))
        if f.plan is not None and f.plan.goal_value is not None:
            goal = measure_msg(f.plan.goal_value, f.plan.goal_sign)
            lines.append(Msg("digest.goal", what=f.plan.goal_text or "", value=goal,
                             deadline=date_msg(f.plan.goal_deadline)))
        if f.baseline is not None and f.last_result is not None:
            lines.append(
                Msg("digest.result", baseline=measure_msg(f.baseline, f.baseline_sign),
                    result=measure_msg(f.last_result, f.last_sign))
            )
        lines.append(Msg("digest.participation", answered=f.answered, members=f.members))
        lines += dialogue_lines(f)
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
    for title, answer, note in f.reviews:
        lines.append(Msg("method.digest_review", title=title, answer=Msg(f"method.review_{answer}"),
                         note=note or ""))
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


def needs_attention(f: dd.TeamFacts, now: datetime) -> bool:
    return bool(attention_lines(f, now) or f.questions or any(a != "yes" for _, a, _ in f.reviews))


def team_line(f: dd.TeamFacts) -> Msg:
    """One line for a team on course: its focus and where it is, and its meetings."""
    if f.cycle is None or f.round is None:
        state: Any = Msg("method.digest_line_no_focus")
    elif f.running is not None:
        state = Msg("method.digest_line_running", title=f.cycle.title, running=f.running)
    else:
        state = Msg("method.digest_line_phase", title=f.cycle.title, phase=f.round.phase,
                    name=Msg(f"cycle.phase{f.round.phase}.name"))
    return Msg("method.digest_line", team=f.team.name, state=state, held=f.held, planned=f.planned)


def dialogue_lines(f: dd.TeamFacts) -> list[Any]:
    """For the leader's visit (seed 000: leadership content knowledge, dialogue not monitoring): the
    chosen direction, key sources, what was learned, and two open questions for where the team is."""
    out: list[Any] = []
    if f.direction:
        out.append(Msg("method.digest_direction", text=f.direction))
    if f.key_sources:
        out.append(Msg("method.digest_sources", titles=", ".join(f.key_sources)))
    if f.learned:
        out.append(Msg("method.digest_learned", text=f.learned))
    stage = "running" if f.running is not None else f"phase{f.round.phase if f.round else 1}"
    out.append(Msg("method.digest_ask", first=Msg(f"method.visit_q.{stage}.a"),
                   second=Msg(f"method.visit_q.{stage}.b")))
    return out


def attention_lines(f: dd.TeamFacts, now: datetime) -> list[Any]:
    """Findings, each with what the PLG model says it leads to and one thing the leader can do."""
    out: list[Any] = []
    seen: set[str] = set()
    done: set[str] = set()
    for flag in f.flags:
        dim = FLAG_DIMENSION.get(flag.kind)
        key = FLAG_TEXT.get(flag.kind, f"digest.flag.{flag.kind}")
        out.append(Msg("digest.bullet", text=Msg(key, **_flag_params(flag))))
        step = Msg(f"method.flag_do_{flag.kind}")
        if dim and dim not in seen:  # the possible consequence once, with this finding's step
            seen.add(dim)
            done.add(flag.kind)
            out.append(_meaning(dim, step))
        elif flag.kind not in done:
            done.add(flag.kind)
            out.append(Msg("method.flag_do", text=step))
    for t in f.overrides:
        out.append(Msg("digest.bullet", text=Msg("digest.override", phase=t.from_phase,
                                                  name=Msg(f"cycle.phase{t.from_phase}.name"),
                                                  reason=t.override_reason or "")))
    if f.overrides and "werkwijze" not in seen:
        seen.add("werkwijze")
        out.append(_meaning("werkwijze"))
    for dim, (avg, prev) in sorted(f.reflection.get("scan_dims", {}).items()):
        low = avg < LOW_SCORE
        falling = prev is not None and dim in f.reflection.get("scan_falling", ())
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
    if flag.kind == "moment_missed":
        on = detail.get("on")
        return {"on": date_msg(date.fromisoformat(on)) if on else "?"}
    return {"meetings": detail.get("meetings", 3)}  # quiet_member: never named in the digest


def _meaning(dim: str, step: Msg | None = None) -> Msg:
    return Msg(
        "digest.meaning",
        dimension=Msg(f"digest.dim.{dim}"),
        consequence=Msg(f"digest.consequence.{dim}"),
        suggestion=step or Msg(f"digest.suggestion.{dim}"),
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
    if len(facts.teams) <= COMPACT_FROM:
        for f in facts.teams:
            lines.append("")
            lines += team_block(f, facts, cmds)
    else:  # a board's hundreds of teams: those that need attention in full first, the rest one line each
        needs = [f for f in facts.teams if needs_attention(f, facts.now)]
        rest = [f for f in facts.teams if not needs_attention(f, facts.now)]
        for f in needs:
            lines.append("")
            lines += team_block(f, facts, cmds)
        if rest:
            lines += ["", Msg("method.digest_rest", count=len(rest))]
            lines += [team_line(f) for f in rest]
    if facts.in_no_team:  # participation (seed 003, structuur): only the leader's digest names them
        lines += ["", Msg("method.in_no_team", count=len(facts.in_no_team),
                          names=", ".join(facts.in_no_team))]
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
    from handlers.leader.digest_chart import chart_labels, digest_chart

    facts = await dd.gather(ctx_session, school, leader_id, now, since, reflection)
    cmds = {k: command_name(k) for k in ("leader_reply", "leader_visit")}
    replies: list[Reply] = [Text(compose(facts, cmds), target=target)]
    if facts.teams:
        png = digest_chart(facts, chart_labels(catalog, lang))
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
