"""The personal export as a person can read it: a Markdown document in their own language, with
labelled sections (who you are, schools and roles, teams, answers with their question, votes with
what they meant, sources, hypotheses, actions, agenda points, leader questions) and, for
everything else stored about them, how many rows of which kind. The JSON beside it stays the
complete, machine-readable record (handlers/leader/privacy.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from prompts.catalog import Catalog, Msg
from prompts.markup import plain
from storage import queries as q
from storage.models import (
    Action,
    AgendaItem,
    Answer,
    Hypothesis,
    LeaderQuestion,
    Member,
    PollQuestion,
    PollVote,
    School,
    SchoolMembership,
    Source,
    Team,
    TeamMembership,
)

YES = 1  # yes/no questions store 1 for yes, 2 for no (storage/models/polls.py)


def _vote_label(q: PollQuestion, value: int) -> Msg | str:
    if q.kind == "scale":
        return Msg(f"poll.scale.v{value}")
    if q.kind == "yesno":
        return Msg("poll.yes" if value == YES else "poll.no")
    return q.options[value - 1] if 1 <= value <= len(q.options) else str(value)


async def readable_export(session: AsyncSession, member_id: int, catalog: Catalog, lang: str,
                          counts: dict[str, int]) -> str:
    """The Markdown document; ``counts`` is rows per table of the JSON export (for the last section)."""
    school = await q.first_school_of(session, member_id)
    role = school.role_name if school is not None else None  # the school's word for the chair

    def say(body: Any) -> str:
        return plain(catalog.render(body, lang, None, role))

    member = await session.get(Member, member_id)
    lines: list[str] = [f"# {say(Msg('export.title', person=member.display_name if member else '?'))}", ""]

    def section(key: str, items: list[str]) -> None:
        lines.extend([f"## {say(Msg(key))}", ""])
        lines.extend(items or [f"_{say(Msg('export.none'))}_"])
        lines.append("")

    if member is not None:
        section("export.about", [
            f"- {say(Msg('export.name'))}: {member.display_name}",
            f"- {say(Msg('export.language'))}: {member.language or '—'}",
            f"- {say(Msg('export.since'))}: {member.created_at.date().isoformat()}",
        ])
    schools = (await session.exec(select(School, SchoolMembership).join(
        SchoolMembership, col(SchoolMembership.school_id) == col(School.id)).where(
        SchoolMembership.member_id == member_id))).all()
    section("export.schools", [
        f"- {s.name}" + "".join(f" · {say(Msg(k))}" for k, on in (("role.leader", sm.is_leader),
                                                                    ("role.admin", sm.is_admin)) if on)
        for s, sm in schools])
    teams = (await session.exec(select(Team, TeamMembership).join(
        TeamMembership, col(TeamMembership.team_id) == col(Team.id)).where(
        TeamMembership.member_id == member_id))).all()
    section("export.teams", [f"- {t.name} · {say(Msg(f'export.role_{tm.role}'))}" for t, tm in teams])
    answers = (await session.exec(select(Answer).where(Answer.member_id == member_id)
                                  .order_by(col(Answer.phase), col(Answer.question)))).all()
    section("export.answers", [
        f"- **{say(Msg('export.phase', phase=a.phase))} · {_question(catalog, lang, a)}**\n  {a.text}"
        for a in answers])
    votes = (await session.exec(select(PollVote, PollQuestion).join(
        PollQuestion, col(PollQuestion.id) == col(PollVote.question_id)).where(
        PollVote.voter_id == member_id).order_by(col(PollVote.poll_id), col(PollQuestion.position)))).all()
    section("export.votes", [
        f"- {say(Msg(f'{q.key}.text') if q.key else (q.text or '?'))} → {say(_vote_label(q, v.value))}"
        for v, q in votes])
    scores = {v: say(Msg(f"export.level{v}")) for v in (1, 2, 3)}
    sources = (await session.exec(select(Source).where(Source.added_by == member_id))).all()
    section("export.sources", [
        f"- {s.title}{f' ({s.author_year})' if s.author_year else ''}{f' — {s.url}' if s.url else ''}\n"
        f"  {s.takeaway}\n  {say(Msg('export.relevance'))}: {scores.get(s.relevance, s.relevance)} · "
        f"{say(Msg('export.reliability'))}: {scores.get(s.reliability, s.reliability)}" for s in sources])
    simple: list[tuple[str, Any, Any, Callable[[Any], str]]] = [
        ("export.hypotheses", Hypothesis, Hypothesis.added_by, lambda h: h.text),
        ("export.actions", Action, Action.added_by, lambda a: f"{a.description} ({a.owner_label}, {a.due})"),
        ("export.agenda", AgendaItem, AgendaItem.added_by, lambda a: a.title),
        ("export.leader_questions", LeaderQuestion, LeaderQuestion.asked_by, lambda q: q.text),
    ]
    for key, model, column, show in simple:
        found = (await session.exec(select(model).where(column == member_id))).all()
        section(key, [f"- {show(row)}" for row in found])
    section("export.rest", [f"- {name}: {n}" for name, n in sorted(counts.items())])
    lines.append(say(Msg("export.json_hint")))
    return "\n".join(lines) + "\n"


def _question(catalog: Catalog, lang: str, answer: Answer) -> str:
    key = f"cycle.phase{answer.phase}.q.{answer.question.split('.')[-1]}.label"
    return plain(catalog.render(Msg(key), lang)) if catalog.has(key) else answer.question
