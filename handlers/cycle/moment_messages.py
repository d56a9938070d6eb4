"""The clock's side of a running intervention: the cycle's planner queues a reminder before each
measurement moment and a question for the result after it; the renderers write them at send
time (so a moment that got its result, moved or was removed in the meantime is skipped)."""

from __future__ import annotations

from sqlmodel import select

from bot.core.capability import Job, PlanRun, Skip
from bot.core.commands import command_name
from bot.core.replies import DirectTo, Reply, Text
from handlers.common.targets import NoChat, to_team
from handlers.common.values import date_msg
from handlers.cycle.moment_owner import owner_names, owner_of
from handlers.cycle.running import chair_names, is_running, moment_what, queue_moment_messages
from prompts.catalog import Msg
from storage.models import Cycle, CycleRound, MeasurementMoment, Outbox, PlanRecord, Team
from storage.queries import insert_ignore


async def plan(run: PlanRun) -> None:
    """Reminders and questions for measurement moments that have fallen due, once each."""
    rows = await queue_moment_messages(run.session, run.now)
    if rows:
        await insert_ignore(run.session, Outbox, rows, ["dedupe_key"])


async def _load(job: Job) -> tuple[MeasurementMoment, CycleRound, Team, str | None, int]:
    session = job.session
    m = await session.get(MeasurementMoment, int(job.payload["moment_id"]))
    if m is None:
        raise Skip("moment removed")
    if m.result_value is not None:
        raise Skip("result already there")
    rnd = await session.get(CycleRound, m.round_id)
    cycle = await session.get(Cycle, rnd.cycle_id) if rnd else None
    team = await session.get(Team, cycle.team_id) if cycle else None
    if rnd is None or cycle is None or team is None or cycle.status != "active" or not is_running(rnd):
        raise Skip("intervention no longer running")
    plan = (await session.exec(select(PlanRecord).where(PlanRecord.round_id == rnd.id))).first()
    earlier = (await session.exec(
        select(MeasurementMoment).where(MeasurementMoment.round_id == rnd.id))).all()
    number = 1 + sum(1 for x in earlier if (x.on, x.id) < (m.on, m.id))  # the number /resultaat uses
    return m, rnd, team, plan.instrument if plan else None, number


async def _post(job: Job, team: Team, body: Msg, owner: int | None, personal: Msg) -> list[Reply]:
    """To the team as before (its chat, else each member) and, privately, to the person responsible
    for the measurement (the moment's owner, else the chair): their own reminder or question, instead
    of the team's copy when there is no team chat."""
    replies = await to_team(job.session, team, lambda target: [Text(body, target=target)],
                            no_chat=NoChat.EACH_MEMBER)
    if owner is not None:
        replies = [r for r in replies if not (isinstance(r, Text) and r.target == DirectTo(owner))]
        replies.append(Text(personal, target=DirectTo(owner)))
    return replies


async def render_before(job: Job) -> list[Reply]:
    m, _, team, instrument, number = await _load(job)
    owner = await owner_of(job.session, m, team.id)
    who = (await owner_names(job.session, [m])).get(m.id) \
        or (await chair_names(job.session, [team.id])).get(team.id)
    what = moment_what(m, instrument, who) or "—"
    body = Msg("method.moment_before", team=team.name, on=date_msg(m.on), what=what, n=number,
               result_cmd=command_name("result"))
    personal = Msg("start.moment.before_owner", team=team.name, on=date_msg(m.on), what=what, n=number,
                   result_cmd=command_name("result"))
    return await _post(job, team, body, owner, personal)


async def render_after(job: Job) -> list[Reply]:
    m, _, team, instrument, number = await _load(job)
    owner = await owner_of(job.session, m, team.id)
    what = moment_what(m, instrument, None) or "—"
    body = Msg("method.moment_after", team=team.name, on=date_msg(m.on), what=what, n=number,
               result_cmd=command_name("result"))
    personal = Msg("start.moment.after_owner", team=team.name, on=date_msg(m.on), what=what, n=number,
                   result_cmd=command_name("result"))
    return await _post(job, team, body, owner, personal)
