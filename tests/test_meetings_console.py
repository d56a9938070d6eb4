"""The scripted console session of examples/meetings.txt: a weekly rhythm, agenda points from two
members, a holiday week and two cancelled meetings, watched on the simulated clock."""

from __future__ import annotations

from tests.harness import EXAMPLES, run_console


def blocks(out: str) -> list[str]:
    return [b.strip() for b in out.split("\n\n") if b.strip()]


def test_scripted_meetings_session_sends_each_reminder_once(tmp_path, database_url):
    script = (EXAMPLES / "meetings.txt").read_text()
    files = tmp_path / "files"
    first = run_console(script, tmp_path, DATABASE_URL=database_url, LEERTEAM_IMAGE_DIR=str(files))
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert "Er ging bij mij iets mis" not in out and "Dat kan nu niet" not in out
    reminders = [b for b in blocks(out) if "Herinnering: overleg Groep 5" in b]
    heads = [next(line for line in b.splitlines() if line.startswith("Herinnering")) for b in reminders]
    assert heads == [
        "Herinnering: overleg Groep 5 morgen, dinsdag 6 oktober 2026, om 15:30 (60 minuten)",
        "Herinnering: overleg Groep 5 vandaag om 15:30 (60 minuten)",
        "Herinnering: overleg Groep 5 morgen, dinsdag 3 november 2026, om 15:30 (60 minuten)",
        "Herinnering: overleg Groep 5 vandaag om 15:30 (60 minuten)",
    ]
    for block in reminders[:2]:  # the agenda as the two members made it
        assert "1. Leesresultaten groep 5 bespreken (20 min, Carla)\n2. Nieuwe leesmethode: ervaringen (15 min)\n" in block
        assert "fase 1, Probleemanalyse" in block
    for block in reminders[2:]:  # not handled on 6 October: carried over
        assert "1. Leesresultaten groep 5 bespreken (20 min, Carla) — weer op de agenda" in block
    # the reminders came at the right moments (15:30 the day before, 14:30 on the day), in local time
    steps = [line for line in out.splitlines() if line.startswith("⏰")]
    for moment in ("⏰ maandag 5 oktober 2026 om 15:30", "⏰ dinsdag 6 oktober 2026 om 14:30",
                   "⏰ maandag 2 november 2026 om 15:30", "⏰ dinsdag 3 november 2026 om 14:30"):
        assert moment in steps
    # nothing for the cancelled meetings, nothing in the holiday week
    for day in ("13 oktober", "20 oktober", "27 oktober", "19 oktober", "26 oktober", "12 oktober"):
        assert not any(day in h for h in heads) and not any(day in s for s in steps), day
    # the momentum nudge: once, to the chair, after the second cancellation
    assert out.count("2 overleggen van Groep 5 op rij gingen niet door (13 oktober 2026, 27 oktober 2026)") == 1
    assert out.index("/afzeggen 2 Rapportbesprekingen") < out.index("op rij gingen niet door")
    # notes asked after each held meeting, the first answered and posted in the channel
    assert out.count("is voorbij. Wat waren de belangrijkste punten") == 2
    assert "Notulen van Groep 5, overleg van dinsdag 6 oktober 2026 om 15:30:" in out
    assert len(list(files.glob("leerteam-groep-5-*.ics"))) == 1
    # a restart: the same database, the clock a little further: nothing is sent twice
    again = run_console("/clock 2026-11-03 18:30\n", tmp_path, DATABASE_URL=database_url)
    assert again.returncode == 0, again.stderr
    assert "Verstuurd: 0 berichten" in again.stdout and "Herinnering" not in again.stdout
