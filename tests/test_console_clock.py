"""The console's simulated clock (issue 13): never back before the simulated time, no jump over a
year (``/klok +9999d`` used to block for minutes, ``9999-12-31`` and ``0001-01-01`` crashed with an
OverflowError), and kept in the database so a restarted console resumes where it was."""

from __future__ import annotations

from tests.harness import run_console


def test_the_clock_refuses_going_back_and_absurd_jumps(tmp_path, database_url):
    script = "\n".join([
        "/klok 2026-11-01 08:00", "/klok 2026-10-01 08:00", "/klok +9999d", "/klok 9999-12-31",
        "/klok 0001-01-01", "/klok 31-12-9999 23:59", "/klok +1d", "",
    ])
    result = run_console(script, tmp_path, DATABASE_URL=database_url)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Traceback" not in result.stderr and "OverflowError" not in result.stderr
    assert out.count("De klok gaat niet terug: hij staat al op zondag 1 november 2026 om 08:00") == 1, out
    assert out.count("Zo ver kan de klok niet in één keer: hoogstens een jaar verder.") == 1  # +9999d
    # years 0001 and 9999 are refused as every command refuses them (handlers/common/dates.py)
    assert "1 januari 1 ligt te ver terug." in out
    assert out.count("31 december 9999 ligt meer dan twee jaar vooruit.") == 2
    assert "De klok staat nu op maandag 2 november 2026 om 08:00." in out
    assert "2025" not in out and "9999 om" not in out


def test_a_restarted_console_resumes_the_simulated_time(tmp_path, database_url):
    first = run_console("/klok 2026-11-23 08:00\n", tmp_path, DATABASE_URL=database_url)
    assert first.returncode == 0, first.stderr
    again = run_console("/klok\n/klok 2026-11-01 08:00\n", tmp_path, DATABASE_URL=database_url)
    assert again.returncode == 0, again.stderr
    out = again.stdout
    assert "De gesimuleerde klok staat nog op maandag 23 november 2026 om 08:00" in out
    assert "De klok staat op maandag 23 november 2026 om 08:00." in out
    assert "De klok gaat niet terug: hij staat al op maandag 23 november 2026 om 08:00" in out
