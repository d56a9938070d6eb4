"""The school's poll settings: the anonymity threshold, the scan's rhythm and the post-meeting questions."""

from __future__ import annotations

from bot.core.commands import Access, Param, command, command_name
from bot.core.context import Context
from bot.core.errors import UsageError
from bot.core.replies import Text
from handlers.common.validation import shorten
from handlers.common.values import read_index, read_text
from handlers.polls.lookup import MAX_MIN_ANSWERS, MAX_SCAN_WEEKS, QUESTION_MAX, YESNO_PREFIX
from handlers.polls.store import settings_of
from prompts.catalog import Join, Msg
from storage.models import (
    MIN_ANSWERS_FLOOR,
    PollSettings,
)


# --- the school's settings (leader) ---------------------------------------------------------------
async def _settings_row(ctx: Context) -> PollSettings:
    school = ctx.require_school()
    row = await settings_of(ctx.session, school.id)
    if row is None:
        row = PollSettings(school_id=school.id, updated_at=ctx.now())
    row.updated_by, row.updated_at = (ctx.member.id if ctx.member else None), ctx.now()
    return row


@command("poll_minimum", params=(Param("count"),), access=Access.SCHOOL_MANAGER, section="polls")
async def set_minimum(ctx: Context, count: str) -> Text:
    value = read_index(count)
    if value is None or not MIN_ANSWERS_FLOOR <= value <= MAX_MIN_ANSWERS:
        raise UsageError("poll_minimum", Msg("poll.bad_minimum", text=shorten(count), low=MIN_ANSWERS_FLOOR,
                                             high=MAX_MIN_ANSWERS))
    row = await _settings_row(ctx)
    row.min_answers = value
    ctx.session.add(row)
    return Text(Msg("poll.minimum_set", count=value))


@command("scan_rhythm", params=(Param("weeks"),), access=Access.SCHOOL_MANAGER, section="polls")
async def set_scan_rhythm(ctx: Context, weeks: str) -> Text:
    word = weeks.strip().lower().rstrip("w")
    number = read_index(word)
    if word in ("uit", "off", "geen", "none", "0"):
        value = 0
    elif number is not None and 1 <= number <= MAX_SCAN_WEEKS:
        value = number
    else:
        raise UsageError("scan_rhythm", Msg("poll.bad_scan_weeks", text=shorten(weeks), high=MAX_SCAN_WEEKS))
    row = await _settings_row(ctx)
    row.scan_weeks = value
    ctx.session.add(row)
    if not value:
        return Text(Msg("poll.scan_rhythm_off", scan_cmd=command_name("scan_start")))
    return Text(Msg("poll.scan_rhythm_set", weeks=value))


@command(
    "meeting_questions",
    params=(Param("questions", rest=True, max_length=1200),),
    access=Access.SCHOOL_MANAGER,
    section="polls",
)
async def set_meeting_questions(ctx: Context, questions: str) -> Text:
    row = await _settings_row(ctx)
    if questions.strip().lower() in ("standaard", "default"):
        row.meeting_questions = None
        ctx.session.add(row)
        return Text(Msg("poll.questions_reset"))
    parts = [p.strip() for p in questions.split("|")]
    if not 2 <= len(parts) <= 3:
        raise UsageError("meeting_questions", Msg("poll.questions_count", got=len(parts)))
    stored = []
    for part in parts:
        kind = "scale"
        if m := YESNO_PREFIX.match(part):
            kind, part = "yesno", part[m.end():]
        text = " ".join(read_text(part, max_length=QUESTION_MAX, what="poll.what.question").split())
        stored.append({"kind": kind, "text": text})
    row.meeting_questions = stored
    ctx.session.add(row)
    return Text(Join([Msg("poll.questions_set", count=len(stored))] + [
        Msg("poll.questions_line", n=i, text=s["text"], kind=Msg(f"poll.kind.{s['kind']}"))
        for i, s in enumerate(stored, 1)]))
