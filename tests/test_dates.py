"""One reader for dates (issue 13): every accepted and every refused form, in every command that
takes a date. "Today" is Wednesday 25 November 2026 in these tests."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from bot.core.errors import UserError
from handlers.common.dates import read_date, split_day_time
from prompts.catalog import default_catalog
from storage.models import Meeting
from tests.harness import ROOT, TEAM, rows, setup_team, utc

TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize("raw, expected", [
    ("3 december", date(2026, 12, 3)),
    ("donderdag 3 december", date(2026, 12, 3)),
    ("Donderdag 3 December", date(2026, 12, 3)),
    ("do 3-12", date(2026, 12, 3)),
    ("do 3.12", date(2026, 12, 3)),
    ("3/12", date(2026, 12, 3)),
    ("3-12", date(2026, 12, 3)),
    ("3 dec", date(2026, 12, 3)),
    ("3 december 2026", date(2026, 12, 3)),
    ("morgen", date(2026, 11, 26)),
    ("overmorgen", date(2026, 11, 27)),
    ("vandaag", date(2026, 11, 25)),
    ("volgende week donderdag", date(2026, 12, 3)),
    ("volgende donderdag", date(2026, 11, 26)),
    ("over twee weken", date(2026, 12, 9)),
    ("over 2 weken", date(2026, 12, 9)),
    ("15-3-2027", date(2027, 3, 15)),
    ("15 maart 2027", date(2027, 3, 15)),
    ("2026-12-03", date(2026, 12, 3)),
    ("１５-３-２０２７", date(2027, 3, 15)),  # full-width digits: one rule, read as digits
    ("tomorrow", date(2026, 11, 26)),
    ("thursday 3 december", date(2026, 12, 3)),
    ("next week thursday", date(2026, 12, 3)),
    ("in two weeks", date(2026, 12, 9)),
    ("3 March 2027", date(2027, 3, 3)),
    ("1-12-2026", date(2026, 12, 1)),
])
def test_accepted_dates(raw, expected):
    assert read_date(raw, TODAY) == expected


@pytest.mark.parametrize("raw", ["volgend jaar", "binnenkort", "ooit"])
def test_vague_words_are_no_date(raw):
    assert "geen datum die ik begrijp" in _refusal(raw)


def _refusal(raw: str) -> str:
    with pytest.raises(UserError) as err:
        read_date(raw, TODAY)
    return default_catalog().render(err.value.message, "nl")


def test_a_weekday_that_contradicts_the_date_names_both():
    text = _refusal("woensdag 3 december")
    assert "woensdag en 3 december 2026 gaan niet samen: 3 december 2026 is een donderdag" in text


@pytest.mark.parametrize("raw, says", [
    ("9999-12-31", "meer dan twee jaar vooruit"),
    ("0001-01-01", "te ver terug"),
    ("1-1-2029", "meer dan twee jaar vooruit"),
    ("31-2-2027", "geen datum die ik begrijp"),
    ("32 december", "geen datum die ik begrijp"),
    ("blauw", "geen datum die ik begrijp"),
    ("3", "geen datum die ik begrijp"),
])
def test_refused_dates(raw, says):
    assert says in _refusal(raw)


def test_a_date_in_words_is_split_from_its_time():
    assert split_day_time("16 december 14:00") == ("16 december", "14:00", "")
    assert split_day_time("donderdag 3 december 15.30 90") == ("donderdag 3 december", "15.30", "90")
    assert split_day_time("do 3.12") == ("do 3.12", None, "")
    assert split_day_time("morgen 9u") == ("morgen", "9u", "")


def test_dateparser_is_imported_only_when_a_date_in_words_is_read():
    code = ("import sys; from datetime import date; from handlers.common.dates import read_date; "
            "read_date('15-3-2027', date(2026, 11, 25)); assert 'dateparser' not in sys.modules; "
            "read_date('overmorgen', date(2026, 11, 25)); assert 'dateparser' in sys.modules")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


async def test_moving_a_meeting_to_a_date_in_words(app, chat, clock):
    clock.set(utc(2026, 11, 25, 9, 0))
    await setup_team(chat)
    await chat.say("/ritme dinsdag 15:30 60", as_="bram", in_=TEAM)
    moved = await chat.say("/verzet 1 woensdag 2 december 14:00", as_="bram", in_=TEAM)
    assert "woensdag 2 december 2026 om 14:00" in moved.text, moved.text
    refused = await chat.say("/verzet 1 dinsdag 3 december", as_="bram", in_=TEAM)
    assert "3 december 2026 is een donderdag" in refused.text
    extra = await chat.say("/extraoverleg 10 december 15:30 45", as_="bram", in_=TEAM)
    assert "donderdag 10 december 2026 om 15:30" in extra.text, extra.text
    assert any(m.kind == "extra" and m.duration_min == 45 for m in await rows(app, Meeting))
