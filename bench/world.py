"""Worlds to measure against, written straight into a migrated database (fast, set-based).

The shapes follow what the bot itself stores, so the product code reads them as its own:
schools of ``teams_per_school`` teams, each team linked to a Telegram group, with teachers,
a chair, a meeting rhythm and its meetings planned by the product's own planner
(:func:`handlers.meetings.plan.materialise`), an active inquiry cycle and open agenda points.
:func:`add_school_year` adds a school year of history to every team (meetings held and
cancelled with notes, agenda points, two cycle rounds with answers, hypotheses, sources,
actions, measurements and transitions, sent reminders, momentum flags) — what the leader
digest reads.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import models as m

TELEGRAM = "telegram"
GROUP_BASE = -1001000000000  # Telegram supergroup ids are negative
USER_BASE = 700000000
CHUNK = 2000


@dataclass
class World:
    teams: list[int] = field(default_factory=list)
    schools: list[int] = field(default_factory=list)
    chats: dict[int, str] = field(default_factory=dict)  # team id -> Telegram group id
    members: dict[int, list[int]] = field(default_factory=dict)  # team id -> member ids (chair first)
    rounds: dict[int, int] = field(default_factory=dict)  # team id -> active round id
    leaders: dict[int, int] = field(default_factory=dict)  # school id -> its leader's member id


async def _bulk(conn: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), CHUNK):
        await conn.execute(insert(model.__table__), rows[i:i + CHUNK])


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


async def build_teams(engine: AsyncEngine, teams: int, *, members: int = 5, teams_per_school: int = 10,
                      at: datetime, weekday: int = 1, local_time: str = "15:30", seed: int = 7,
                      first_team: int = 1) -> World:
    """Schools, teams with a Telegram group each, teachers, a rhythm, an active cycle in phase 2,
    open agenda points. Meetings are planned afterwards by :func:`plan_meetings`."""
    rnd = random.Random(seed)
    world = World()
    schools_n = max(1, -(-teams // teams_per_school))
    school_rows, team_rows, link_rows, member_rows, ident_rows = [], [], [], [], []
    smember_rows, tmember_rows, rhythm_rows, cycle_rows, round_rows, agenda_rows, hyp_rows = [], [], [], [], [], [], []
    member_id = first_team * 100
    for s in range(schools_n):
        sid = first_team + s
        school_rows.append({"id": sid, "name": f"School {sid}", "timezone": "Europe/Amsterdam", "language": "nl",
                            "join_code": f"B{sid:09d}", "created_at": at - timedelta(days=400)})
        world.schools.append(sid)
        member_id += 1  # the school leader: in the school, in no team
        world.leaders[sid] = member_id
        member_rows.append({"id": member_id, "display_name": f"Schoolleider {sid}", "language": None,
                            "working_team_id": None, "created_at": at - timedelta(days=400)})
        ident_rows.append({"id": member_id, "platform": TELEGRAM, "user_id": str(USER_BASE + member_id),
                           "handle": f"leider{sid}", "member_id": member_id})
        smember_rows.append({"id": member_id, "school_id": sid, "member_id": member_id, "is_admin": True,
                             "is_leader": True, "joined_at": at - timedelta(days=400)})
    for t in range(teams):
        tid = first_team + t
        sid = world.schools[t // teams_per_school]
        world.teams.append(tid)
        team_rows.append({"id": tid, "school_id": sid, "name": f"Team {tid}", "name_key": f"team {tid}",
                          "created_at": at - timedelta(days=380)})
        chat = str(GROUP_BASE - tid)
        world.chats[tid] = chat
        link_rows.append({"id": tid, "platform": TELEGRAM, "chat_id": chat, "team_id": tid,
                          "linked_at": at - timedelta(days=380)})
        ids = []
        for j in range(members):
            member_id += 1
            ids.append(member_id)
            member_rows.append({"id": member_id, "display_name": f"Leraar {tid}-{j}", "language": None,
                                "working_team_id": None, "created_at": at - timedelta(days=380)})
            ident_rows.append({"id": member_id, "platform": TELEGRAM, "user_id": str(USER_BASE + member_id),
                               "handle": f"leraar{member_id}", "member_id": member_id})
            smember_rows.append({"id": member_id, "school_id": sid, "member_id": member_id, "is_admin": False,
                                 "is_leader": False, "joined_at": at - timedelta(days=380)})
            tmember_rows.append({"id": member_id, "team_id": tid, "member_id": member_id,
                                 "role": "chair" if j == 0 else "member", "joined_at": at - timedelta(days=380)})
        world.members[tid] = ids
        rhythm_rows.append({"id": tid, "team_id": tid, "weekday": weekday, "local_time": local_time,
                            "duration_min": 60, "every_n_weeks": 1, "anchor": date(2025, 9, 1) + timedelta(days=weekday),
                            "reminder_offsets": list(m.DEFAULT_REMINDERS), "set_by": ids[0],
                            "updated_at": at - timedelta(days=380)})
        cycle_rows.append({"id": tid, "team_id": tid, "title": f"Begrijpend lezen in team {tid}", "status": "active",
                           "started_by": ids[0], "started_at": at - timedelta(days=60), "closed_at": None})
        round_rows.append({"id": tid, "cycle_id": tid, "number": 1, "phase": 2,
                           "phase_started_at": at - timedelta(days=20), "carried_learning": None,
                           "started_at": at - timedelta(days=60)})
        world.rounds[tid] = tid
        for k in range(rnd.randint(1, 3)):
            hyp_rows.append({"round_id": tid, "text": f"Hypothese {k + 1} van team {tid}", "carried": False,
                             "added_by": ids[k % members], "added_at": at - timedelta(days=40)})
        for k in range(rnd.randint(0, 4)):
            agenda_rows.append({"team_id": tid, "meeting_id": None, "title": f"Punt {k + 1}: leesresultaten {tid}",
                                "minutes": rnd.choice([None, 10, 15, 20]), "owner_member_id": ids[k % members],
                                "added_by": ids[k % members], "position": k + 1, "status": "open", "carried": 0,
                                "added_at": at - timedelta(days=2), "handled_at": None})
    async with engine.begin() as conn:
        for model, rows in [(m.School, school_rows), (m.Team, team_rows), (m.ChatLink, link_rows),
                            (m.Member, member_rows), (m.Identity, ident_rows), (m.SchoolMembership, smember_rows),
                            (m.TeamMembership, tmember_rows), (m.MeetingRhythm, rhythm_rows), (m.Cycle, cycle_rows),
                            (m.CycleRound, round_rows), (m.Hypothesis, hyp_rows), (m.AgendaItem, agenda_rows)]:
            await _bulk(conn, model, rows)
    return world


async def fix_sequences(engine: AsyncEngine) -> None:
    """PostgreSQL: rows written with explicit ids leave the id sequences behind; move them on."""
    if engine.dialect.name != "postgresql":
        return
    from sqlalchemy import text

    async with engine.begin() as conn:
        for table in m.SQLModel.metadata.sorted_tables:
            if "id" not in table.c or not table.c.id.autoincrement:
                continue
            exists = (await conn.execute(text("SELECT to_regclass(:t)"), {"t": table.name})).scalar()
            if exists is None:
                continue
            await conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))


async def plan_meetings(engine: AsyncEngine, now: datetime) -> int:
    """The product's own planner: eight weeks of meetings from every rhythm, as the clock does."""
    from sqlmodel.ext.asyncio.session import AsyncSession

    from handlers.meetings.plan import materialise

    async with AsyncSession(engine, expire_on_commit=False) as session:
        made = await materialise(session, now)
        await session.commit()
    return made


async def add_school_year(engine: AsyncEngine, world: World, *, start: date = date(2025, 9, 1),
                          end: date = date(2026, 7, 10), seed: int = 11) -> dict[str, int]:
    """A school year of history for every team, before the rhythm's planned meetings."""
    rnd = random.Random(seed)
    rows: dict[Any, list[dict[str, Any]]] = {}

    def add(model: Any, row: dict[str, Any]) -> None:
        rows.setdefault(model, []).append(row)

    weeks = (end - start).days // 7
    cycle_base = 1_000_000
    for tid in world.teams:
        ids = world.members[tid]
        chair = ids[0]
        # a finished cycle (two rounds) earlier in the year; the active one from build_teams goes on
        cid = cycle_base + tid
        y0 = datetime.combine(start, datetime.min.time(), tzinfo=timezone.utc)
        add(m.Cycle, {"id": cid, "team_id": tid, "title": f"Rekenen automatiseren {tid}", "status": "closed",
                      "started_by": chair, "started_at": y0 + timedelta(days=7),
                      "closed_at": y0 + timedelta(days=200)})
        for number in (1, 2):
            rid = cycle_base * number + tid * 10 + number
            r_start = y0 + timedelta(days=7 + (number - 1) * 100)
            add(m.CycleRound, {"id": rid, "cycle_id": cid, "number": number, "phase": 4,
                               "phase_started_at": r_start + timedelta(days=75),
                               "carried_learning": "Modelen helpt" if number == 2 else None, "started_at": r_start})
            for phase in (1, 2, 3, 4):
                at = r_start + timedelta(days=25 * phase)
                add(m.PhaseTransition, {"round_id": rid, "from_phase": phase,
                                        "to_phase": phase + 1 if phase < 4 else (1 if number == 1 else 0),
                                        "by_member_id": chair, "override_reason": None, "missing": [], "at": at})
                for q in range(1, 4):
                    for who in ids:
                        add(m.Answer, {"round_id": rid, "phase": phase, "question": f"{phase}.q{q}", "member_id": who,
                                       "text": f"Antwoord van {who} op vraag {q} in fase {phase}.",
                                       "created_at": at - timedelta(days=10), "updated_at": at - timedelta(days=10)})
            add(m.ProblemRecord, {"round_id": rid, "statement": "Een derde haalt het niveau niet.",
                                  "baseline_value": 60.0 + number, "baseline_unit": "% op niveau",
                                  "baseline_source": "M-toets", "updated_by": chair, "updated_at": r_start})
            for k in range(3):
                add(m.Hypothesis, {"round_id": rid, "text": f"Hypothese {k}", "carried": False, "added_by": ids[k % len(ids)],
                                   "added_at": r_start + timedelta(days=5)})
            for k in range(4):
                add(m.Source, {"team_id": tid, "round_id": rid, "title": f"Bron {k}", "url": None, "author_year": "NRO, 2023",
                               "takeaway": "Modelen helpt zwakke lezers.", "relevance": rnd.randint(1, 3),
                               "reliability": rnd.randint(1, 3), "added_by": ids[k % len(ids)],
                               "added_at": r_start + timedelta(days=30)})
            add(m.DirectionRecord, {"round_id": rid, "text": "Dagelijks hardop voordoen.", "updated_by": chair,
                                    "updated_at": r_start + timedelta(days=45)})
            for k in range(5):
                add(m.Action, {"round_id": rid, "description": f"Actie {k}", "owner_member_id": ids[k % len(ids)],
                               "owner_label": f"Leraar {k}", "due": (r_start + timedelta(days=60 + k * 7)).date(),
                               "added_by": chair, "added_at": r_start + timedelta(days=52)})
            add(m.PlanRecord, {"round_id": rid, "goal_text": "% op niveau", "goal_value": 80.0,
                               "goal_deadline": (r_start + timedelta(days=95)).date(), "instrument": "M-toets",
                               "baseline_moment": (r_start + timedelta(days=55)).date(), "updated_by": chair,
                               "updated_at": r_start + timedelta(days=55)})
            for k in range(3):
                add(m.MeasurementMoment, {"round_id": rid, "on": (r_start + timedelta(days=70 + k * 8)).date(),
                                          "label": f"meting {k}", "result_value": 60.0 + k * 5, "result_by": chair,
                                          "result_at": r_start + timedelta(days=71 + k * 8)})
            add(m.EvaluationRecord, {"round_id": rid, "verdict": "partly" if number == 1 else "solved",
                                     "learned": "Modelen helpt.", "embedding": "In het schoolplan.",
                                     "review_on": None, "updated_by": chair, "updated_at": r_start + timedelta(days=95)})
            for who in ids[:3]:
                add(m.Agreement, {"round_id": rid, "member_id": who, "at": r_start + timedelta(days=24)})
        # the active round: answers to phase 1 and 2
        active = world.rounds[tid]
        for phase in (1, 2):
            for q in range(1, 4):
                for who in ids:
                    at = datetime.combine(end, datetime.min.time(), tzinfo=timezone.utc) - timedelta(days=40 - phase * 10)
                    add(m.Answer, {"round_id": active, "phase": phase, "question": f"{phase}.q{q}", "member_id": who,
                                   "text": f"Antwoord {q}", "created_at": at, "updated_at": at})
        # a meeting a week: held (with notes and agenda points), sometimes cancelled, holidays
        for w in range(weeks):
            day = start + timedelta(days=7 * w + 1)
            starts = datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=13, minutes=30)
            status = rnd.choices(["held", "cancelled", "holiday"], [0.8, 0.1, 0.1])[0]
            mid_key = f"r:{day.isoformat()}"
            meeting = {"team_id": tid, "slot_key": mid_key, "starts_at": starts, "duration_min": 60, "status": status,
                       "kind": "regular", "moved": False,
                       "cancel_reason": "ziekte" if status == "cancelled" else None,
                       "notes": "We spraken af om door te gaan." if status == "held" else None,
                       "notes_by": chair if status == "held" else None,
                       "notes_at": starts + timedelta(hours=2) if status == "held" else None,
                       "uid": f"hist-{tid}-{w}", "sequence": 0, "created_at": starts - timedelta(days=56),
                       "updated_at": starts}
            add(m.Meeting, meeting)
            if status == "holiday":
                continue
            for k in range(3):
                done = status == "held" and k < 2
                add(m.AgendaItem, {"team_id": tid, "meeting_id": None, "title": f"Punt {w}.{k}", "minutes": 10,
                                   "owner_member_id": ids[k % len(ids)], "added_by": ids[k % len(ids)], "position": k + 1,
                                   "status": "done" if done else "removed", "carried": 0 if done else 1,
                                   "added_at": starts - timedelta(days=3),
                                   "handled_at": starts + timedelta(minutes=30) if done else None})
            for offset in m.DEFAULT_REMINDERS:
                add(m.Outbox, {"dedupe_key": f"hist:{tid}:{w}:{offset}", "kind": "reminder",
                               "payload": {"meeting_id": 0, "offset": offset, "starts_at": starts.isoformat()},
                               "due_at": starts - timedelta(minutes=offset), "status": "sent", "attempts": 1,
                               "claimed_at": starts - timedelta(minutes=offset),
                               "sent_at": starts - timedelta(minutes=offset), "note": None,
                               "created_at": starts - timedelta(minutes=offset)})
        for k, kind in enumerate(("cancelled_in_a_row", "phase_stalled")):
            if rnd.random() < 0.3:
                add(m.MomentumFlag, {"team_id": tid, "kind": kind, "key": f"hist:{kind}:{tid}", "member_id": None,
                                     "detail": {"count": 2}, "raised_at": y0 + timedelta(days=90 + k * 30),
                                     "nudged_at": y0 + timedelta(days=90 + k * 30)})
    order = [m.Cycle, m.CycleRound, m.PhaseTransition, m.Answer, m.ProblemRecord, m.Hypothesis, m.Source,
             m.DirectionRecord, m.Action, m.PlanRecord, m.MeasurementMoment, m.EvaluationRecord, m.Agreement,
             m.Meeting, m.AgendaItem, m.Outbox, m.MomentumFlag]
    async with engine.begin() as conn:
        for model in order:
            await _bulk(conn, model, rows.get(model, []))
    return {model.__tablename__: len(rows.get(model, [])) for model in order}
