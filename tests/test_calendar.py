"""The iCalendar export, read back with the icalendar library: local times across the switch to
winter time, and moved or cancelled meetings that keep their UID with a higher SEQUENCE."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.core.replies import Document
from tests.harness import TEAM, setup_team

AMS = ZoneInfo("Europe/Amsterdam")


async def export(chat, who: str = "carla") -> tuple[bytes, dict[str, dict]]:
    answer = await chat.say("/kalender", as_=who, in_=TEAM)
    doc = answer.outgoing[0].reply
    assert isinstance(doc, Document) and doc.mime == "text/calendar"
    cal = Calendar.from_ical(doc.data)
    events = {}
    for ev in cal.walk("VEVENT"):
        start = ev.decoded("dtstart")
        events[str(ev["uid"])] = {"start": start, "end": ev.decoded("dtend"), "seq": int(ev["sequence"]),
                                  "status": str(ev["status"]), "summary": str(ev["summary"])}
    return doc.data, events


async def test_ics_has_local_times_across_the_switch_to_winter_time(app, chat):
    await setup_team(chat)
    await chat.say("/ritme dinsdag 15:30 90", as_="bram", in_=TEAM)
    raw, events = await export(chat)
    cal = Calendar.from_ical(raw)
    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    starts = sorted(e["start"] for e in events.values())
    assert len(starts) == 8
    assert all(s.astimezone(AMS).strftime("%A %H:%M") == "Tuesday 15:30" for s in starts)
    # 20 October is summer time (UTC+2), 27 October winter time (UTC+1): same wall clock, other UTC
    by_day = {s.astimezone(AMS).date().isoformat(): s for s in starts}
    assert by_day["2026-10-20"].astimezone(timezone.utc).hour == 13
    assert by_day["2026-10-27"].astimezone(timezone.utc).hour == 14
    assert b"DTSTART;TZID=Europe/Amsterdam:20261027T153000" in raw
    assert b"DTEND;TZID=Europe/Amsterdam:20261027T170000" in raw
    assert all(e["status"] == "CONFIRMED" and e["seq"] == 0 and e["summary"] == "Leerteam Groep 5"
               for e in events.values())


async def test_moved_and_cancelled_meetings_keep_their_uid_with_a_higher_sequence(app, chat):
    await setup_team(chat)
    await chat.say("/ritme dinsdag 15:30", as_="bram", in_=TEAM)
    _, before = await export(chat)
    await chat.say("/verzet 1 10-9-2026 09:00", as_="bram", in_=TEAM)
    await chat.say("/afzeggen 2 Studiedag", as_="bram", in_=TEAM)
    await chat.say("/vakantie 26-9-2026 27-9-2026 Lang weekend", as_="anna")  # no Tuesday in it
    await chat.say("/vakantie 28-9-2026 2-10-2026 Schoolreisweek", as_="anna")
    _, after = await export(chat)
    assert set(after) == set(before)  # same UIDs: calendars update the events instead of adding new ones
    changed = {uid: (before[uid], after[uid]) for uid in before if before[uid] != after[uid]}
    assert len(changed) == 3
    moved = next(a for b, a in changed.values() if a["status"] == "CONFIRMED")
    assert moved["start"] == datetime(2026, 9, 10, 9, 0, tzinfo=AMS) and moved["seq"] == 1
    cancelled = sorted((a for b, a in changed.values() if a["status"] == "CANCELLED"), key=lambda e: e["start"])
    assert [c["start"].astimezone(AMS).date().isoformat() for c in cancelled] == ["2026-09-15", "2026-09-29"]
    assert all(c["seq"] == 1 for c in cancelled)
    # the ICS is a file people can open: it starts and ends as one calendar
    raw, _ = await export(chat, who="anna")
    assert raw.startswith(b"BEGIN:VCALENDAR") and raw.rstrip().endswith(b"END:VCALENDAR")
