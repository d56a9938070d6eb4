"""The clock that holds: exactly once across restarts and two processes, catch-up after
downtime, rhythm changes that move pending reminders, and the APScheduler wiring."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from sqlalchemy import update
from sqlmodel import col

from bot.app import Leerteam
from bot.core.lease import LEASE
from bot.core.outbox import Clockwork
from storage.models import Meeting, Outbox
from tests.harness import TEAM, Chat, RecordingTransport, rows, setup_team, text_of, utc


def reminders(transport: RecordingTransport) -> list[str]:
    return [text_of(o).splitlines()[0] for o in transport.sent if text_of(o).startswith("Herinnering")]


class BrokenTransport(RecordingTransport):
    async def send(self, out):
        raise ConnectionError("platform down")


async def test_restart_between_due_and_sent_sends_once(app, chat, clock, settings):
    await setup_team(chat)
    await chat.say("/ritme dinsdag 15:30", as_="bram", in_=TEAM)
    clock.set(utc(2026, 9, 7, 13, 35))  # Monday 15:35 local: the day-before reminder is due
    report = await app.tick()  # this process has no transport: the row is queued, then it 'dies'
    assert report.queued == 1 and report.sent == []
    assert [r.status for r in await rows(app, Outbox)] == ["pending"]
    for _ in range(2):  # the bot comes back, twice
        again = Leerteam(settings, clock=clock)
        transport = RecordingTransport("console")
        again.attach(transport)
        try:
            await again.tick()
            await again.tick()
        finally:
            await again.close()
        sent = reminders(transport)
        assert sent == (["Herinnering: overleg Groep 5 morgen, dinsdag 8 september 2026, om 15:30 (60 minuten)"]
                        if _ == 0 else [])
    assert [r.status for r in await rows(app, Outbox)] == ["sent"]


async def test_a_process_that_died_while_sending_is_taken_over_within_a_minute(app, chat, clock):
    await setup_team(chat)
    await chat.say("/ritme dinsdag 15:30", as_="bram", in_=TEAM)
    clock.set(utc(2026, 9, 7, 13, 35))
    await app.tick()
    async with app.sessions() as s:  # claimed by a process that then crashed
        await s.exec(update(Outbox).values(status="sending", claimed_at=clock.now(), attempts=1,
                                           holder="dead:1:x", claim_no=1, lease_until=clock.now() + LEASE))
        await s.commit()
    app.attach(chat.transport)
    await app.tick()
    assert reminders(chat.transport) == []  # still someone else's
    clock.advance(seconds=LEASE.total_seconds() - 1)
    await app.tick()
    assert reminders(chat.transport) == []  # the lease has not run out yet
    clock.advance(seconds=2)  # 46 s after the claim: taken up again
    await app.tick()
    assert len(reminders(chat.transport)) == 1
    (row,) = await rows(app, Outbox)
    assert (row.status, row.claim_no, row.holder) == ("sent", 2, None)


async def test_two_processes_on_one_database_send_once(app, chat, clock, settings):
    await setup_team(chat)
    await chat.say("/ritme dinsdag 15:30", as_="bram", in_=TEAM)
    await chat.say("/ritme woensdag 15:30", as_="anna", in_="bovenbouw")  # not linked: refused quietly
    apps, transports = [], []
    for _ in range(2):
        other = Leerteam(settings, clock=clock)
        transport = RecordingTransport("console")
        other.attach(transport)
        apps.append(other)
        transports.append(transport)
    try:
        for when in (utc(2026, 9, 7, 13, 31), utc(2026, 9, 8, 12, 31), utc(2026, 9, 8, 14, 31)):
            clock.set(when)
            await asyncio.gather(*(a.tick() for a in apps for _ in range(3)))
    finally:
        for a in apps:
            await a.close()
    sent = [t for tr in transports for t in reminders(tr)]
    assert sorted(sent) == sorted([
        "Herinnering: overleg Groep 5 morgen, dinsdag 8 september 2026, om 15:30 (60 minuten)",
        "Herinnering: overleg Groep 5 vandaag om 15:30 (60 minuten)",
    ])
    asks = [o for tr in transports for o in tr.sent if "is voorbij" in text_of(o)]
    assert len(asks) == 1
    outbox = await rows(app, Outbox)
    assert sorted((r.kind, r.status) for r in outbox) == [  # two reminders, the notes, the post-meeting poll
        ("notes_ask", "sent"), ("poll_open", "sent"), ("reminder", "sent"), ("reminder", "sent")]
    polls = [o for tr in transports for o in tr.sent if "Korte terugblik" in text_of(o)]
    assert len(polls) == 1


async def test_after_downtime_only_meetings_still_ahead_get_one_reminder(app, chat, clock):
    await setup_team(chat)
    app.attach(chat.transport)
    await chat.say("/ritme dinsdag 15:30", as_="bram", in_=TEAM)
    await chat.say("/extraoverleg 8-9-2026 09:00", as_="bram", in_=TEAM)
    clock.set(utc(2026, 9, 8, 13, 0))  # down since Monday morning; back Tuesday 15:00 local
    await app.tick()
    # the 09:00 extra meeting is over: no reminder; the 15:30 one: only the latest (one hour)
    assert reminders(chat.transport) == ["Herinnering: overleg Groep 5 vandaag om 15:30 (60 minuten)"]
    clock.set(utc(2026, 9, 30, 8))  # down for three weeks
    mark = len(chat.transport.sent)
    await app.tick()
    late = [text_of(o) for o in chat.transport.sent[mark:]]
    assert not any(t.startswith("Herinnering") for t in late)
    assert sum("is voorbij" in t for t in late) == 1  # notes asked for the latest meeting only
    assert "29 september" in next(t for t in late if "is voorbij" in t)
    statuses = {m.starts_at: m.status for m in await rows(app, Meeting)}
    assert statuses[utc(2026, 9, 15, 13, 30)] == "held" and statuses[utc(2026, 10, 6, 13, 30)] == "planned"


async def test_changing_the_rhythm_moves_the_pending_reminders(app, chat, clock):
    await setup_team(chat)
    await chat.say("/ritme dinsdag 15:30", as_="bram", in_=TEAM)
    clock.set(utc(2026, 9, 7, 13, 35))
    await app.tick()  # the day-before reminder for Tuesday 15:30 is queued (not yet sent)
    answer = await chat.say("/ritme dinsdag 16:30", as_="bram", in_=TEAM)
    assert "Het eerstvolgende overleg is dinsdag 8 september 2026 om 16:30" in answer.text
    app.attach(chat.transport)
    await app.tick()
    assert reminders(chat.transport) == []  # the old row is not sent, the new one is not due yet
    clock.set(utc(2026, 9, 7, 14, 35))
    await app.tick()
    assert reminders(chat.transport) == [
        "Herinnering: overleg Groep 5 morgen, dinsdag 8 september 2026, om 16:30 (60 minuten)"]
    skipped = [r for r in await rows(app, Outbox) if r.status == "skipped"]
    assert len(skipped) == 1 and skipped[0].note == "moved"
    # to another day: Tuesday's meetings are dropped, Thursday's take their place
    await chat.say("/ritme donderdag 15:30", as_="bram", in_=TEAM)
    clock.set(utc(2026, 9, 8, 13, 35))
    await app.tick()
    assert len(reminders(chat.transport)) == 1  # nothing for the dropped Tuesday
    clock.set(utc(2026, 9, 9, 13, 35))
    await app.tick()
    assert reminders(chat.transport)[-1] == (
        "Herinnering: overleg Groep 5 morgen, donderdag 10 september 2026, om 15:30 (60 minuten)")
    dropped = [m for m in await rows(app, Meeting) if m.status == "dropped"]
    assert dropped and all(m.starts_at.weekday() == 1 and m.sequence == 2 for m in dropped)


async def test_a_failing_platform_is_retried_then_given_up(app, chat, clock):
    await setup_team(chat)
    await chat.say("/ritme dinsdag 15:30", as_="bram", in_=TEAM)
    app.attach(BrokenTransport("console"))
    clock.set(utc(2026, 9, 7, 13, 35))
    for _ in range(7):
        await app.tick()
    [row] = await rows(app, Outbox)
    assert row.status == "failed" and row.attempts == 5


async def test_a_reminder_waits_when_no_transport_is_attached_and_is_skipped_once_the_meeting_started(
        app, chat, clock):
    await setup_team(chat)
    await chat.say("/ritme dinsdag 15:30", as_="bram", in_=TEAM)
    clock.set(utc(2026, 9, 8, 12, 35))
    await app.tick()
    clock.set(utc(2026, 9, 8, 13, 31))  # the meeting has started before anyone could send
    app.attach(chat.transport)
    await app.tick()
    assert reminders(chat.transport) == []
    assert [r.note for r in await rows(app, Outbox, col(Outbox.kind) == "reminder")] == ["already started"]


async def test_apscheduler_runs_one_coalescing_interval_job_that_ticks(app, chat, clock):
    await setup_team(chat)
    await chat.say("/ritme dinsdag 15:30", as_="bram", in_=TEAM)
    app.attach(chat.transport)
    clock.set(utc(2026, 9, 7, 13, 35))
    work = Clockwork(app, 30)
    work.start()
    try:
        jobs = work.scheduler.get_jobs()
        assert len(jobs) == 1
        job = jobs[0]
        assert job.trigger.interval == timedelta(seconds=30) and job.coalesce and job.max_instances == 1
        await job.func()  # what the scheduler calls, without waiting for it
    finally:
        await work.stop()
    assert len(reminders(chat.transport)) == 1


async def test_simulated_clock_in_the_console_stops_at_each_due_moment(app, clock):
    import io

    from bot.transports.console import ConsoleTransport

    out = io.StringIO()
    console = ConsoleTransport(app, stdin=io.StringIO(), stdout=out, interactive=False)
    chat = Chat(app)
    await setup_team(chat)
    await chat.say("/ritme dinsdag 15:30", as_="bram", in_=TEAM)
    await console.handle_line("/clock 2026-09-09 08:00")
    text = out.getvalue()
    assert text.count("Herinnering: overleg Groep 5") == 2
    assert "⏰ maandag 7 september 2026 om 15:30" in text and "⏰ dinsdag 8 september 2026 om 14:30" in text
    # two reminders, the chair asked for notes, and the post-meeting poll in the channel
    assert "De klok staat nu op woensdag 9 september 2026 om 08:00. Verstuurd: 4 berichten." in text
    assert clock.now() == datetime(2026, 9, 9, 6, 0, tzinfo=timezone.utc)
    await console.handle_line("/clock 31-2-2027 08:00")
    assert "'31-2-2027' is geen datum" in out.getvalue()
    await console.handle_line("/clock +1x")
    assert "Zo gebruik je de klok" in out.getvalue()
