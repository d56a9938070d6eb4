"""The inquiry cycle's backbone: start a cycle, see where the team is, move to the next phase
(or refuse, naming what is missing), override with a reason, and loop or close after phase 4.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from bot.core.commands import Access, Param, command, command_name
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import HERE, Choices, Document, Reply, Text
from handlers.common.measures import measure_msg
from handlers.common.suggest import unknown_team
from handlers.common.targets import NoChat, text, to_team
from handlers.common.validation import clean_name
from handlers.common.values import date_msg, read_index, read_text, today_in
from handlers.cycle.answers import phase_answers, stored_key
from handlers.cycle.charter import charter_lines, charter_of
from handlers.cycle.parked import parked_lines, take_up
from handlers.cycle.quality_card import build_card, card_filename, to_markdown, to_markup
from handlers.cycle.running import is_running, open_evaluation, running_lines
from handlers.cycle.short_cycle import check_first, read_short, started_lines, status_lines
from handlers.cycle.state import (
    MAX_HYPOTHESES,
    active_cycle,
    cycle_team,
    load_round,
    missing_for,
    offer_teams,
    question_keys,
    require_cycle,
    require_team_member,
    team_members,
    team_named_or_mine,
)
from prompts.catalog import Join, Msg
from storage import queries as q
from storage.models import (
    Cycle,
    CycleRound,
    Hypothesis,
    PhaseTransition,
    QualityCard,
    School,
    Team,
)

TITLE_MAX = 120
REASON_MAX = 1000
# Extension point: other formats of a quality card that /kaart sends beside the Markdown;
# provider(session, catalog, lang, team, cycle, at) -> a Document reply, or None.
CARD_FILES_HOOK = "cycle.card_files"



def phase_opening(ctx: Context, rnd: CycleRound, title: str) -> Join:
    """What the team sees when a phase opens: why, the questions, what 'done' means, how."""
    phase = rnd.phase
    lines: list[object] = [
        Msg(
            "cycle.opening.head",
            phase=phase,
            name=Msg(f"cycle.phase{phase}.name"),
            round=rnd.number,
            title=title,
        ),
        Msg(f"cycle.phase{phase}.intro"),
        Msg("cycle.opening.questions"),
    ]
    for i, key in enumerate(question_keys(ctx.catalog, phase), 1):
        lines.append(Msg("cycle.opening.question", n=i, text=Msg(f"cycle.phase{phase}.q.{key}.text")))
    lines += [
        Msg("cycle.opening.exit", exit=Msg(f"cycle.phase{phase}.exit")),
        Msg(f"cycle.phase{phase}.record"),
        Msg("cycle.opening.how", questions_cmd=command_name("questions"), answer_cmd=command_name("answer"),
            status_cmd=command_name("cycle_status")),
    ]
    return Join(lines)


async def running_opening(ctx: Context, team: Team, rnd: CycleRound) -> Join:
    """What the team sees when phase 3 closes: the intervention runs, where it stands in the plan,
    and what the bot does at each measurement moment."""
    school = await ctx.session.get(School, team.school_id)
    tz = school.timezone if school else ctx.settings.timezone
    line = (await running_lines(ctx.session, [(team.id, rnd)], today_in(tz, ctx.now()), tz)).get(team.id)
    return Join([Msg("method.running_opening", phase=4, name=Msg("cycle.phase4.name"), round=rnd.number,
                     running=line or "", result_cmd=command_name("result"),
                     override_cmd=command_name("cycle_override"), status_cmd=command_name("cycle_status"))])


@command("team_focus", params=(Param("team", rest=True),), access=Access.SCHOOL_MEMBER, section="cycle")
async def choose_team(ctx: Context, team: str) -> Text:
    school = ctx.require_school()
    found = await q.team_by_name(ctx.session, school.id, team)
    if found is None:
        raise await unknown_team(ctx.session, school.id, team)
    member = await require_team_member(ctx, found)
    member.working_team_id = found.id
    ctx.session.add(member)
    return Text(Msg("cycle.team_chosen", team=found.name))


@command("cycle_start", params=(Param("title", rest=True),), access=Access.SCHOOL_MEMBER, section="cycle")
async def start_cycle(ctx: Context, title: str) -> list[Reply]:
    team = await cycle_team(ctx)
    await ctx.require_team_manager(team)
    title, short_weeks = read_short(title)  # "<titel> | kort": a short first cycle (issue 16 part 5)
    clean = clean_name(title, max_length=TITLE_MAX, what="name.cycle")
    current = await active_cycle(ctx.session, team.id)
    if current is not None:
        raise UserError(Msg("cycle.already_active", team=team.name, title=current[0].title))
    if short_weeks is not None:
        await check_first(ctx.session, team.id)
    now = ctx.now()
    cycle = Cycle(
        team_id=team.id,
        title=clean,
        status="active",
        started_by=ctx.member.id if ctx.member else None,
        started_at=now,
        short_weeks=short_weeks,
    )
    ctx.session.add(cycle)
    await take_up(ctx.session, team.id, clean, now)
    await ctx.session.flush()
    rnd = CycleRound(cycle_id=cycle.id, number=1, phase=1, phase_started_at=now, started_at=now)
    ctx.session.add(rnd)
    await ctx.session.flush()
    school = await ctx.session.get(School, team.school_id)
    short = started_lines(cycle, school.timezone if school else ctx.settings.timezone)
    body = Join([Msg("cycle.started", team=team.name, title=clean), *short, phase_opening(ctx, rnd, clean)])
    return await to_team(ctx.session, team, text(body), no_chat=NoChat.ANSWER_HERE, acting=ctx)


@command("cycle_status", params=(Param("team", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="cycle")
async def status(ctx: Context, team: str | None) -> Text | Choices:
    offer = await offer_teams(ctx, team, "cycle_status")
    if offer is not None:
        return offer
    found = await team_named_or_mine(ctx, team)
    cycle, rnd = await require_cycle(ctx, found)
    rec = await load_round(ctx.session, rnd)
    members = await team_members(ctx.session, found.id)
    school = await ctx.session.get(School, found.school_id)
    tz = school.timezone if school else ctx.settings.timezone
    since = today_in(tz, rnd.phase_started_at)
    days = (today_in(tz, ctx.now()) - since).days
    lines: list[object] = [
        Msg("cycle.status.head", team=found.name, title=cycle.title, round=rnd.number),
        *charter_lines(await charter_of(ctx.session, found.id)),  # the team's ambition and ground rules
        Msg(
            "cycle.status.phase",
            phase=rnd.phase,
            name=Msg(f"cycle.phase{rnd.phase}.name"),
            since=date_msg(since),
            days=days,
        ),
        *status_lines(cycle, rnd, tz, ctx.now()),  # a short first cycle against its expected durations
    ]
    running = await running_lines(ctx.session, [(found.id, rnd)], today_in(tz, ctx.now()), tz)
    if found.id in running:
        lines.append(Msg("method.status_running", running=running[found.id]))
    lines.append(Msg("cycle.status.questions"))
    names = {m.id: m.display_name for m, _ in members}
    given = await phase_answers(ctx, rnd)
    for i, key in enumerate(question_keys(ctx.catalog, rnd.phase), 1):
        who = sorted(names[a.member_id] for a in given
                     if a.question == stored_key(rnd.phase, key) and a.member_id in names)
        lines.append(Msg("cycle.status.question", n=i, label=Msg(f"cycle.phase{rnd.phase}.q.{key}.label"),
                         count=len(who), total=len(members), names=", ".join(who) or "—"))
    lines.append(records_summary(rec))
    if rec.moments:  # the measurement moments with what was measured (phase 3 plans, phase 4 fills in)
        lines.append(Msg("daily.status_moments"))
        none = Msg("daily.no_result")
        lines += [Msg("daily.status_moment", n=i, on=date_msg(m.on), label=m.label or "",
                      result=none if m.result_value is None else measure_msg(m.result_value, m.result_sign))
                  for i, m in enumerate(rec.moments, 1)]
    missing = await missing_for(ctx.session, found, rec)
    if found.id in running:
        pass  # while the intervention runs, the plan says what comes next (above)
    elif missing:
        lines.append(Msg("cycle.status.missing"))
        lines += [Msg("cycle.bullet", text=m) for m in missing]
    else:
        lines.append(Msg("cycle.status.ready", next_cmd=command_name("cycle_next")))
    return Text(Join(lines))


def records_summary(rec) -> Msg:
    """A one-line count of what this phase has recorded so far."""
    phase = rec.round.phase
    if phase == 1:
        p = rec.problem
        return Msg("cycle.status.records1", statement=Msg("cycle.yes" if p and p.statement else "cycle.no"),
                   baseline=Msg("cycle.yes" if p and p.baseline_value is not None else "cycle.no"),
                   hypotheses=len(rec.hypotheses), agreed=len(rec.agreements))
    if phase == 2:
        return Msg("cycle.status.records2", sources=len(rec.sources),
                   direction=Msg("cycle.yes" if rec.direction else "cycle.no"))
    if phase == 3:
        plan = rec.plan
        return Msg(
            "cycle.status.records3",
            actions=len(rec.actions),
            goal=Msg("cycle.yes" if plan and plan.goal_value is not None else "cycle.no"),
            dataplan=Msg("cycle.yes" if plan and plan.instrument else "cycle.no"),
            moments=len(rec.moments),
        )
    ev = rec.evaluation
    done = sum(1 for m in rec.moments if m.result_value is not None)
    return Msg("cycle.status.records4", results=done, moments=len(rec.moments),
               verdict=Msg(f"cycle.verdict.{ev.verdict}") if ev and ev.verdict else Msg("cycle.no"))


@command("cycle_next", access=Access.SCHOOL_MEMBER, section="cycle")
async def next_phase(ctx: Context) -> list[Reply]:
    team = await cycle_team(ctx)
    await ctx.require_team_manager(team)
    cycle, rnd = await require_cycle(ctx, team)
    rec = await load_round(ctx.session, rnd)
    missing = await missing_for(ctx.session, team, rec)
    if is_running(rnd) and missing:  # the plan runs: evaluating comes after the last measurement
        raise UserError(Msg("method.still_running", result_cmd=command_name("result"),
                            override_cmd=command_name("cycle_override")))
    if missing:
        raise UserError(Join([
            Msg("cycle.refused", phase=rnd.phase, name=Msg(f"cycle.phase{rnd.phase}.name")),
            *[Msg("cycle.bullet", text=m) for m in missing],
            Msg("cycle.override_hint", cmd=command_name("cycle_override")),
        ]))
    return await advance(ctx, team, cycle, rnd, reason=None, missing=[])


@command("cycle_override", params=(Param("reason", rest=True),), access=Access.SCHOOL_MEMBER, section="cycle")
async def override(ctx: Context, reason: str) -> list[Reply]:
    team = await cycle_team(ctx)
    await ctx.require_team_manager(team)
    cycle, rnd = await require_cycle(ctx, team)
    text = read_text(reason, max_length=REASON_MAX, what="name.reason")
    rec = await load_round(ctx.session, rnd)
    if is_running(rnd):  # the chair ends the intervention early: the evaluation opens, with the reason
        ctx.session.add(PhaseTransition(round_id=rnd.id, from_phase=4, to_phase=4,
                                        by_member_id=ctx.member.id if ctx.member else None,
                                        override_reason=text, missing=["cycle.missing.results"],
                                        at=ctx.now()))
        return await open_evaluation(ctx, team, cycle, rnd, reason=text)
    if rnd.phase == 4 and (rec.evaluation is None or rec.evaluation.verdict is None):
        raise UserError(Msg("cycle.verdict_first", verdict_cmd=command_name("verdict")))
    missing = await missing_for(ctx.session, team, rec)
    if not missing:
        raise UserError(Msg("cycle.override_not_needed", next_cmd=command_name("cycle_next")))
    return await advance(ctx, team, cycle, rnd, reason=text, missing=missing)


async def advance(ctx: Context, team: Team, cycle: Cycle, rnd: CycleRound, *, reason: str | None,
                  missing: list[Msg]) -> list[Reply]:
    now = ctx.now()
    by = ctx.member.id if ctx.member else None
    keys = [m.key for m in missing]
    # the role word of whoever overrides: the chair, or the school leader acting for the team
    who = Msg("daily.who_chair") if await ctx.team_role(team) == "chair" else Msg("daily.who_leader")
    override_note: list[object] = [Msg("cycle.overridden", reason=reason, who=who)] if reason else []
    if rnd.phase < 4:
        ctx.session.add(PhaseTransition(round_id=rnd.id, from_phase=rnd.phase, to_phase=rnd.phase + 1,
                                        by_member_id=by, override_reason=reason, missing=keys, at=now))
        rnd.phase += 1
        rnd.phase_started_at = now
        opening: object = phase_opening(ctx, rnd, cycle.title)
        if rnd.phase == 4:  # the intervention runs until its last measurement moment has a result
            moments = (await load_round(ctx.session, rnd)).moments
            if moments:
                opening = await running_opening(ctx, team, rnd)
            else:
                rnd.evaluation_opened_at = now
        ctx.session.add(rnd)
        return await to_team(
            ctx.session,
            team,
            text(Join([*override_note, opening])),
            no_chat=NoChat.ANSWER_HERE,
            acting=ctx,
        )
    rec = await load_round(ctx.session, rnd)
    verdict = rec.evaluation.verdict if rec.evaluation else None
    if verdict == "solved":
        ctx.session.add(PhaseTransition(round_id=rnd.id, from_phase=4, to_phase=0, by_member_id=by,
                                        override_reason=reason, missing=keys, at=now))
        cycle.status, cycle.closed_at = "closed", now
        ctx.session.add(cycle)
        await ctx.session.flush()
        school = await ctx.session.get(School, team.school_id)
        lang = school.language if school else ctx.lang
        card = await build_card(ctx.session, team, cycle, school)
        markdown = to_markdown(card, ctx.catalog, lang)
        ctx.session.add(QualityCard(cycle_id=cycle.id, team_id=team.id, lang=lang, markdown=markdown,
                                    created_at=now))
        body = Join([*override_note, Msg("cycle.closed", title=cycle.title, card_cmd=command_name("card")),
                     to_markup(card, ctx.catalog, lang),
                     Msg("method.next_focus", start_cmd=command_name("cycle_start"),
                         park_cmd=command_name("park")),
                     *await parked_lines(ctx.session, team)])
        replies = await to_team(ctx.session, team, text(body), no_chat=NoChat.ANSWER_HERE, acting=ctx)
        target = getattr(replies[0], "target", HERE)  # where the card went, its file goes too
        replies.insert(1, Document(markdown.encode("utf-8"), card_filename(team, cycle, now),
                                   caption=Msg("cycle.card_file"), target=target))
        return replies
    # partly or not solved: a deeper problem analysis, carrying over what was learned
    ctx.session.add(PhaseTransition(round_id=rnd.id, from_phase=4, to_phase=1, by_member_id=by,
                                    override_reason=reason, missing=keys, at=now))
    new = CycleRound(cycle_id=cycle.id, number=rnd.number + 1, phase=1, phase_started_at=now,
                     carried_learning=rec.evaluation.learned if rec.evaluation else None, started_at=now)
    ctx.session.add(new)
    await ctx.session.flush()
    for h in rec.hypotheses[:MAX_HYPOTHESES]:
        ctx.session.add(Hypothesis(round_id=new.id, text=h.text, carried=True, added_by=h.added_by,
                                   added_at=now))
    carried: list[object] = [
        Msg("cycle.new_round", round=new.number, verdict=Msg(f"cycle.verdict.{verdict}"))
    ]
    if new.carried_learning:
        carried.append(Msg("cycle.carried_learning", text=new.carried_learning))
    if rec.hypotheses:
        carried.append(Msg("cycle.carried_hypotheses"))
        carried += [Msg("cycle.bullet", text=h.text) for h in rec.hypotheses[:MAX_HYPOTHESES]]
    return await to_team(
        ctx.session,
        team,
        text(Join([*override_note, *carried, phase_opening(ctx, new, cycle.title)])),
        no_chat=NoChat.ANSWER_HERE,
        acting=ctx,
    )


@command("card", params=(Param("number", required=False),), access=Access.SCHOOL_MEMBER, section="cycle")
async def show_card(ctx: Context, number: str | None) -> list[Reply]:
    team = await cycle_team(ctx)
    cards = list((await ctx.session.exec(
        select(QualityCard, Cycle).join(Cycle, col(Cycle.id) == col(QualityCard.cycle_id))
        .where(QualityCard.team_id == team.id).order_by(col(QualityCard.created_at))
    )).all())
    if not cards:
        raise UserError(Msg("cycle.no_cards", team=team.name))
    if number is None:
        lines: list[object] = [Msg("cycle.cards_head", team=team.name)]
        lines += [
            Msg(
                "cycle.card_line",
                n=i,
                title=c.title,
                closed=date_msg(c.closed_at.date() if c.closed_at else None),
            )
            for i, (_, c) in enumerate(cards, 1)
        ]
        lines.append(Msg("cycle.card_pick", card_cmd=command_name("card")))
        return [Text(Join(lines))]
    if not 1 <= (read_index(number) or 0) <= len(cards):
        raise UserError(Msg("cycle.card_number", max=len(cards)))
    card, cycle = cards[int(number) - 1]
    at: datetime = card.created_at
    replies: list[Reply] = [Document(card.markdown.encode("utf-8"), card_filename(team, cycle, at),
                                     caption=Msg("cycle.card_file"))]
    for other_format in ctx.registry.hooks(CARD_FILES_HOOK):  # e.g. the web pages' PDF
        extra = await other_format(ctx.session, ctx.catalog, ctx.lang, team, cycle, at)
        if extra is not None:
            replies.append(extra)
    return replies
