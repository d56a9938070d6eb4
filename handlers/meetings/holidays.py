"""Holidays that pause a team's rhythm: typed by hand, or a region's school holidays from the
``holidays`` library."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from sqlmodel import col, select

from bot.core.commands import Access, Param, command, command_name
from bot.core.context import Context
from bot.core.errors import UsageError, UserError
from bot.core.replies import Text
from handlers.common.dates import skip_separator, take_date
from handlers.common.validation import clean_name, shorten
from handlers.common.values import (
    date_msg,
    read_date,
    read_index,
)
from handlers.meetings.commands import LABEL_MAX, MAX_HOLIDAY_DAYS, REGIONS, today
from handlers.meetings.plan import (
    apply_holiday,
    in_holiday,
)
from prompts.catalog import Join, Msg
from storage.models import (
    Holiday,
    School,
)


# --- holidays -----------------------------------------------------------------------------------
def split_holiday(args: str, today_: date) -> tuple[str, str, str]:
    """``21 december tot 3 januari Kerstvakantie``, ``21-12 3-1 Kerst`` or ``a | b | label``: the first
    day, the last day and the label. Dates of several words need no quotes (the one date reader
    finds where each ends); a date that cannot be read is named in the answer."""
    if "|" in args:
        parts = [p.strip() for p in args.split("|")]
        if len(parts) != 3 or not all(parts):
            raise UsageError("holiday_add", Msg("meet.holiday_parts"))
        return parts[0], parts[1], parts[2]
    words = args.split()
    first_n = take_date(words, today_)
    if first_n == 0:
        if len(words) < 3:
            raise UsageError("holiday_add", Msg("meet.holiday_parts"))
        return words[0], words[1], " ".join(words[2:])  # the reader names what is wrong with it
    rest = skip_separator(words[first_n:])
    last_n = take_date(rest, today_)
    if last_n == 0 or len(rest) == last_n:
        if len(rest) < 2:
            raise UsageError("holiday_add", Msg("meet.holiday_parts"))
        last_n = last_n or 1
    return " ".join(words[:first_n]), " ".join(rest[:last_n]), " ".join(rest[last_n:])


async def upcoming_holidays(ctx: Context, school: School) -> list[Holiday]:
    return list((await ctx.session.exec(select(Holiday).where(
        Holiday.school_id == school.id, col(Holiday.last_day) >= today(ctx, school),
    ).order_by(col(Holiday.first_day), col(Holiday.id)))).all())


@command(
    "holiday_add", params=(Param("holiday", rest=True),), access=Access.SCHOOL_MANAGER, section="meetings"
)
async def add_holiday(ctx: Context, holiday: str) -> Text:
    school = ctx.require_school()
    today_ = today(ctx, school)
    first_raw, last_raw, label_raw = split_holiday(holiday, today_)
    first = read_date(first_raw, today_)
    last = read_date(last_raw, first)
    if last < first:
        raise UserError(Msg("meet.holiday_backwards", first=date_msg(first), last=date_msg(last)))
    if (last - first).days + 1 > MAX_HOLIDAY_DAYS:
        raise UserError(Msg("meet.holiday_too_long", max=MAX_HOLIDAY_DAYS))
    if last < today_:
        raise UserError(Msg("meet.holiday_past", last=date_msg(last)))
    label = clean_name(label_raw, max_length=LABEL_MAX, what="meet.what.holiday")
    ctx.session.add(Holiday(school_id=school.id, first_day=first, last_day=last, label=label,
                            added_by=ctx.member.id if ctx.member else None, added_at=ctx.now()))
    paused = await apply_holiday(ctx.session, school, first, last, ctx.now(), pausing=True)
    if not paused:
        return Text(Msg("meet.holiday_added_none", label=label, first=date_msg(first), last=date_msg(last)))
    return Text(
        Msg("meet.holiday_added", label=label, first=date_msg(first), last=date_msg(last), paused=paused)
    )


@command("holidays", access=Access.SCHOOL_MEMBER, section="meetings")
async def list_holidays(ctx: Context) -> Text:
    school = ctx.require_school()
    found = await upcoming_holidays(ctx, school)
    if not found:
        return Text(
            Msg(
                "meet.holidays_none",
                add_cmd=command_name("holiday_add"),
                region_cmd=command_name("holiday_region"),
            )
        )
    lines: list[Any] = [Msg("meet.holidays_head", school=school.name)]
    lines += [
        Msg("meet.holiday_line", n=n, label=h.label, first=date_msg(h.first_day), last=date_msg(h.last_day))
        for n, h in enumerate(found, 1)
    ]
    return Text(Join(lines))


@command("holiday_remove", params=(Param("number"),), access=Access.SCHOOL_MANAGER, section="meetings")
async def remove_holiday(ctx: Context, number: str) -> Text:
    school = ctx.require_school()
    found = await upcoming_holidays(ctx, school)
    if not 1 <= (read_index(number) or 0) <= len(found):
        raise UsageError("holiday_remove", Msg("meet.bad_holiday_number", max=len(found),
                                               list_cmd=command_name("holidays")))
    h = found[int(number) - 1]
    await ctx.session.delete(h)
    await ctx.session.flush()
    others = [o for o in found if o.id != h.id]
    # meetings paused by this holiday return, unless another holiday still covers their day
    if not any(o.first_day <= h.last_day and o.last_day >= h.first_day for o in others):
        await apply_holiday(ctx.session, school, h.first_day, h.last_day, ctx.now(), pausing=False)
    else:
        day = h.first_day
        while day <= h.last_day:
            if in_holiday(day, others) is None:
                await apply_holiday(ctx.session, school, day, day, ctx.now(), pausing=False)
            day += timedelta(days=1)
    return Text(Msg("meet.holiday_removed", label=h.label))


def region_holidays(
    country: str, region: str, lang: str, first: date, last: date
) -> list[tuple[date, date, str]]:
    """School holidays of a Dutch region or Flanders from the maintained ``holidays`` library,
    as (first day, last day, name) ranges between two dates."""
    import holidays as holidays_lib  # lazy: only this command needs it

    table = holidays_lib.country_holidays(country, subdiv=region, years=range(first.year, last.year + 1),
                                          categories=("school",),
                                          language="nl" if lang.startswith("nl") else "en_US")
    days = sorted((d, name) for d, name in table.items() if first <= d <= last)
    ranges: list[list[Any]] = []
    for day, name in days:
        if ranges and ranges[-1][2] == name and (day - ranges[-1][1]).days == 1:
            ranges[-1][1] = day
        else:
            ranges.append([day, day, name])
    return [(a, b, str(n)[:LABEL_MAX]) for a, b, n in ranges]


@command("holiday_region", params=(Param("region"),), access=Access.SCHOOL_MANAGER, section="meetings")
async def import_region(ctx: Context, region: str) -> Text:
    school = ctx.require_school()
    found = REGIONS.get(region.strip().lower())
    if found is None:
        raise UsageError("holiday_region", Msg("meet.bad_region", text=shorten(region)))
    today_ = today(ctx, school)
    ranges = region_holidays(found[0], found[1], school.language, today_, today_ + timedelta(days=365))
    existing = {(h.first_day, h.last_day) for h in await upcoming_holidays(ctx, school)}
    added = 0
    for first, last, label in ranges:
        if (first, last) in existing:
            continue
        label = re.sub(r"[<>*_`\[\]{}|\\~#@]", "", label) or "?"
        ctx.session.add(Holiday(school_id=school.id, first_day=first, last_day=last, label=label,
                                added_by=ctx.member.id if ctx.member else None, added_at=ctx.now()))
        await apply_holiday(ctx.session, school, first, last, ctx.now(), pausing=True)
        added += 1
    if found[0] == "BE":  # Flemish holidays are fixed by decree: no "advice" caveat
        lines: list[Msg] = [Msg("meet.region_added_flanders", count=added, list_cmd=command_name("holidays"))]
        if school.language == "nl" and not existing:  # first import, Dutch by default: Flemish from now on
            school.language = "nl-BE"
            ctx.session.add(school)
            ctx.lang = ctx.language_for(ctx.member)
            lines.append(Msg("meet.region_language_flemish", lang_cmd=command_name("school_language")))
        return Text(Join(lines))
    return Text(Msg("meet.region_added", count=added, list_cmd=command_name("holidays")))
