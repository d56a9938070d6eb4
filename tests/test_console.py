"""The console as a newcomer uses it: piped scripts, restarts, switching person and place."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from bot.core.commands import command
from bot.core.events import ChoiceEvent
from bot.core.replies import Choices, Image, Option
from bot.transports.console import ConsoleTransport
from prompts.catalog import Msg
from tests.harness import EXAMPLES, run_console, with_test_commands


@pytest.fixture
def capabilities():
    return with_test_commands(sys.modules[__name__])



def test_scripted_session_then_restart_shows_everything(tmp_path, database_url):
    script = (EXAMPLES / "school-setup.txt").read_text()
    first = run_console(script, tmp_path, DATABASE_URL=database_url)
    assert first.returncode == 0, first.stderr
    assert "School De Regenboog is gestart" in first.stdout
    assert "Bram is nu voorzitter van team Groep 3-4" in first.stdout
    second = run_console("/as carla\n/teams\n", tmp_path, DATABASE_URL=database_url)
    assert second.returncode == 0, second.stderr
    out = second.stdout
    for expected in ("Leerteams van De Regenboog", "Bovenbouw — 1 lid", "  - Carla",
                     "Groep 3-4 — 1 lid", "  - Bram (voorzitter)", "  - Anna (schoolleider, beheerder)",
                     "  - Carla (schoolleider)"):
        assert expected in out, out


def test_default_sqlite_file_in_working_directory(tmp_path):
    result = run_console("/as anna\n/nieuweschool Het Anker\n", tmp_path, DATABASE_URL="sqlite:///leerteam.db")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "leerteam.db").exists()


def test_english_script_is_answered_in_english(tmp_path):
    script = (EXAMPLES / "school-setup-en.txt").read_text()
    result = run_console(script, tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/en.db")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "School Rainbow School has started" in out
    assert "Learning teams of Rainbow School" in out and "  - Bram (chair)" in out
    assert "  - Anna (school leader, admin)" in out
    replies = [line for line in out.splitlines() if line and not line.startswith(">")]
    dutch = [line for line in replies if any(w in line for w in (" je ", " is nu ", "Welkom", "gestart"))]
    assert dutch == []


def test_english_by_setting(tmp_path):
    result = run_console("/as anna\n/bla\n", tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/x.db",
                         LEERTEAM_LANGUAGE="en")
    assert "I don't know the command /bla" in result.stdout


# --- the transport itself, in-process ------------------------------------------------------
@command("test_console_choices", hidden=True)
async def _choices(ctx):
    return [Choices(Msg("console.choose"), (Option(Msg("role.leader"), "help"), Option(Msg("role.admin"), "teams"))),
            Image(b"\x89PNG\r\n\x1a\nfake", "grafiek.png", caption=Msg("role.admin"), alt_text=Msg("role.leader"))]


async def test_numbers_answer_choices_and_images_are_saved(app):
    out = io.StringIO()
    console = ConsoleTransport(app, stdin=io.StringIO(), stdout=out, interactive=False)
    await console.handle_line("/as anna")
    assert "Je bent nu Anna in een privégesprek met Leerteam." in out.getvalue()
    # hidden commands are only reachable as button presses
    await app.handle(ChoiceEvent(value="test_console_choices", **console._event_base()), console)
    text = out.getvalue()
    assert "  1) schoolleider\n  2) beheerder" in text
    saved = [line for line in text.splitlines() if line.startswith("[afbeelding opgeslagen: ")]
    assert saved and Path(saved[0][len("[afbeelding opgeslagen: "):-1]).read_bytes().startswith(b"\x89PNG")
    await console.handle_line("7")
    assert "Kies een nummer van 1 tot en met 2." in out.getvalue()
    await console.handle_line("1")
    assert "Wat ik kan" in out.getvalue()  # option 1 ran /hulp


async def test_switching_place_and_bad_ids(app):
    out = io.StringIO()
    console = ConsoleTransport(app, stdin=io.StringIO(), stdout=out, interactive=False)
    await console.handle_line("/in groep-3-4")
    assert "kanaal #groep-3-4" in out.getvalue()
    await console.handle_line("/in <!channel>")
    assert "alleen letters, cijfers" in out.getvalue()
    await console.handle_line("/as")
    assert "/as <naam>" in out.getvalue()
    await console.handle_line("/dm")
    assert console.chat is None
    assert await console.handle_line("/stop") is False


async def test_run_reads_until_end_of_input(app):
    out = io.StringIO()
    console = ConsoleTransport(app, stdin=io.StringIO("/as anna\n/hulp\n"), stdout=out, interactive=False)
    await console.run()
    assert "> anna@dm: /hulp" in out.getvalue() and "Wat ik kan" in out.getvalue()


def test_scripted_inquiry_cycle_then_restart_retrieves_the_card(tmp_path, database_url):
    script = (EXAMPLES / "cycle.txt").read_text()
    first = run_console(script, tmp_path, DATABASE_URL=database_url, LEERTEAM_IMAGE_DIR=str(tmp_path / "files"))
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert out.count("Nog niet naar de volgende fase") == 1
    assert "Ronde 2. Het oordeel was: deels opgelost" in out
    assert "De cyclus Begrijpend lezen in groep 5 is afgerond" in out
    assert "Er ging bij mij iets mis" not in out and "Dat kan nu niet" not in out
    cards = list((tmp_path / "files").glob("kwaliteitskaart-*.md"))
    assert len(cards) == 1
    card = cards[0].read_text()
    assert "Oordeel: opgelost" in card and "Strategiekaart en tweetallen-lezen" in card
    again = run_console("/as dirk\n/in groep-5\n/kaart 1\n", tmp_path, DATABASE_URL=database_url,
                        LEERTEAM_IMAGE_DIR=str(tmp_path / "files"))
    assert again.returncode == 0, again.stderr
    assert len(list((tmp_path / "files").glob("kwaliteitskaart-*.md"))) == 2
