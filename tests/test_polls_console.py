"""The scripted console session of examples/polls.txt, run through ``python -m bot``: a meeting
ends, its poll goes out, two of three answer (results withheld, saying how many more are
needed), the third answers (results and a PNG chart), a member changes her vote, the same vote
event delivered again changes nothing, and bad input is refused."""

from __future__ import annotations

from pathlib import Path

from tests.harness import EXAMPLES, run_console


def block_after(out: str, line: str) -> str:
    start = out.index(line)
    end = out.find("\n> ", start + len(line))
    return out[start:end if end != -1 else None]


def test_scripted_polls_session(tmp_path, database_url):
    files = tmp_path / "files"
    result = run_console((EXAMPLES / "polls.txt").read_text(), tmp_path, DATABASE_URL=database_url,
                         LEERTEAM_IMAGE_DIR=str(files))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Er ging bij mij iets mis" not in out and "Traceback" not in result.stderr
    # the meeting ended at 16:30: the poll went to the channel, once
    assert out.count("Korte terugblik op het overleg van Groep 5 — 3 korte vragen, open tot vrijdag "
                     "9 oktober 2026 om 16:30.") == 1
    assert "⏰ dinsdag 6 oktober 2026 om 16:30" in out and "Anoniem: je ziet alleen totalen, vanaf 3 antwoorden." in out
    # two of three answered: withheld, with how many more are needed
    assert "Nog 2 antwoorden nodig voor de uitslag (die verschijnt vanaf 3; nu 1)." in out
    assert "Nog 1 antwoord nodig voor de uitslag (die verschijnt vanaf 3; nu 2)." in out
    withheld = block_after(out, "> dirk@#groep-5: /uitslag")
    assert "De uitslag blijft verborgen tot er 3 antwoorden zijn. Nu 2: nog 1 nodig." in withheld
    assert "gemiddeld" not in withheld
    # the third answered: results in the channel, with a chart saved as a PNG
    third = block_after(out, "> bram@dm: 1")
    assert "(in kanaal #groep-5)\nKorte terugblik op het overleg van Groep 5 — tussenstand (geantwoord: 3 van " \
           "3)" in third
    assert "1. Ik kon in dit overleg zeggen wat ik echt dacht. — gemiddeld 4 (3 antwoorden; 1: 0 · 2: 0 · 3: 1 · " \
           "4: 1 · 5: 1)" in third
    assert "3. Ik heb uit dit overleg een concrete actie voor mijn klas meegenomen. — ja 2, nee 1 (3 antwoorden)" in third
    saved = [line for line in third.splitlines() if line.startswith("[afbeelding opgeslagen: ")]
    assert len(saved) == 1
    png = Path(saved[0][len("[afbeelding opgeslagen: "):-1])
    assert png.parent == files.resolve() and png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    # a changed vote, then the same event again: nothing new
    assert "Je antwoord op vraag 1 is veranderd." in block_after(out, "> carla@dm: 2")
    assert "Niets nieuws: ik zag dat bericht al en heb het genegeerd." in block_after(out, "> carla@dm: /again")
    # one changed vote does not change the interim results (it would show what she changed)
    after = block_after(out, "> carla@#groep-5: /uitslag")
    assert "gemiddeld 4 (3 antwoorden; 1: 0 · 2: 0 · 3: 1 · 4: 1 · 5: 1)" in after
    assert "Tussenstand: die wordt pas bijgewerkt na 3 nieuwe of gewijzigde antwoorden" in after
    # bad input: one option, eleven options, a vote after the poll closed
    assert "je gaf er 1." in out and "je gaf er 11." in out
    assert "Deze peiling is gesloten: er telt niets meer mee." in block_after(out, "> carla@dm: 3")
    final = block_after(out, "> carla@dm: /clock 2026-10-09 17:00")
    assert "Korte terugblik op het overleg van Groep 5 — uitslag (geantwoord: 3 van 3)" in final
    assert final.count("— gemiddeld 3,3") == 1  # the final results: once, with the changed vote
    assert "gemiddeld 3,3 (3 antwoorden; 1: 0 · 2: 1 · 3: 1 · 4: 0 · 5: 1)" in final and "tussenstand" not in final
    # nobody's own answer is ever printed next to their name
    for name in ("carla", "dirk", "bram"):
        for line in out.splitlines():
            if line.startswith(f"> {name}@"):
                continue
            assert not (name in line.lower() and "gemiddeld" in line), line
    assert len(list(files.glob("peiling-1-*.png"))) == 4
