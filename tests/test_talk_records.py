"""Issue 13, the rest, for what a team records: numbers keep their unit (42 % stays 42 % in every
echo: the record, the comparison, the status, the quality card, the web chart and the digest), and
/ongedaan of an edit brings the earlier version back instead of removing the entry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.core.errors import UserError
from handlers.common.measures import Measure, read_measure
from handlers.common.versions import _from_json
from handlers.cycle.quality_card import build_card, to_markdown
from handlers.web.views import GoalChart, chart_words
from storage.models import (
    Answer,
    Cycle,
    DirectionRecord,
    EntryVersion,
    MeasurementMoment,
    PlanRecord,
    ProblemRecord,
    School,
    Team,
)
from tests.harness import ROUND1, SETUP, TEAM, play, rows

PERCENT_ROUND = [
    ("/nulmeting 67 | % leerlingen op niveau | M5-toets januari 2026",
     "/nulmeting 42 % | leerlingen op niveau | M5"),
    ("/doel % leerlingen op niveau | 80 | 1-6-2027", "/doel leerlingen op niveau | 65% | 1-6-2027"),
    ("/resultaat 1 71", "/resultaat 1 58"),  # typed without the sign: the round's % is kept
]


def _percent_steps() -> list:
    swap = dict(PERCENT_ROUND)
    steps = []
    for step in ROUND1:
        if isinstance(step, tuple) and step[2] in swap:
            step = (step[0], step[1], swap[step[2]])
        if isinstance(step, tuple) and step[2].startswith("/resultaat 2"):
            break  # stay in phase 4, the cycle running, for the digest and the page
        steps.append(step)
    return steps


@pytest.mark.parametrize("typed, expected", [
    ("62%", Measure(62, "%")), ("62 %", Measure(62, "%")), ("62,5", Measure(62.5)), ("62.5", Measure(62.5)),
    ("62,5 procent", Measure(62.5, "%")), ("42", Measure(42)),
])
def test_a_number_keeps_the_unit_it_was_typed_with(typed, expected):
    assert read_measure(typed) == expected


@pytest.mark.parametrize("typed", ["%", "62%%", "zestig", "1e309", "NaN %"])
def test_what_is_no_number_is_refused(typed):
    with pytest.raises(UserError):
        read_measure(typed)


async def test_a_baseline_of_42_percent_shows_as_42_percent_everywhere(app, chat, clock):
    said = await play(chat, [*SETUP, *_percent_steps()])
    text = "\n".join(a.text for a in said)
    assert "Nulmeting vastgelegd: 42 % (leerlingen op niveau)" in text, text
    assert "streefwaarde 65 %" in text or "65 %" in text
    assert "Nulmeting 42 %, doel 65 %, gemeten 58 %" in text, text
    assert [(p.baseline_value, p.baseline_sign) for p in await rows(app, ProblemRecord)] == [(42, "%")]
    assert [(p.goal_value, p.goal_sign) for p in await rows(app, PlanRecord)] == [(65, "%")]
    assert [(m.result_value, m.result_sign) for m in await rows(app, MeasurementMoment)
            if m.result_value is not None] == [(58, "%")]
    status = await chat.say("/status", as_="bram", in_=TEAM)
    assert "58 %" in status.text, status.text
    async with app.sessions() as session:
        team = (await session.exec(select(Team))).first()
        cycle = (await session.exec(select(Cycle))).first()
        school = await session.get(School, team.school_id)
        card = to_markdown(await build_card(session, team, cycle, school), app.catalog, "nl")
    assert "42 %" in card and "65 %" in card and "58 %" in card, card
    words = app.catalog.render(chart_words(GoalChart(65, 42, [(clock.now().date(), 58)], "", "%")), "en")
    assert "42%" in str(words) and "65%" in str(words) and "58%" in str(words)
    digest = await chat.say("/overzicht", as_="anna")
    assert "65 %" in digest.text and "42 %" in digest.text, digest.text


async def test_rows_from_before_keep_working_without_a_sign(app, chat):
    steps = [s for s in ROUND1 if not (isinstance(s, tuple) and s[2].startswith("/resultaat 2"))]
    said = await play(chat, [*SETUP, *steps[: steps.index(("bram", TEAM, "/resultaat 1 71")) + 1]])
    text = "\n".join(a.text for a in said)
    assert "Nulmeting 67, doel 80, gemeten 71" in text, text
    assert [p.baseline_sign for p in await rows(app, ProblemRecord)] == [None]


# --- /ongedaan of an edit --------------------------------------------------------------------------
async def test_undoing_an_edited_answer_brings_the_earlier_answer_back(app, chat, clock):
    await play(chat, SETUP)
    await chat.say("/antwoord 1 Negen leerlingen halen het niveau niet.", as_="bram", in_=TEAM)
    clock.set(clock.now() + timedelta(minutes=20))  # the first answer is the team's record now
    await chat.say("/antwoord 1 Tien leerlingen halen het niveau niet.", as_="bram", in_=TEAM)
    undone = await chat.say("/ongedaan", as_="bram", in_=TEAM)
    assert "Teruggezet zoals het was vóór je laatste wijziging — je antwoord:" in undone.text, undone.text
    assert "Negen leerlingen" in undone.text
    assert [a.text for a in await rows(app, Answer)] == ["Negen leerlingen halen het niveau niet."]
    nothing = await chat.say("/ongedaan", as_="bram", in_=TEAM)  # the first one is older than the window
    assert "Er is niets van jou" in nothing.text
    assert len(await rows(app, Answer)) == 1


async def test_an_edited_answer_keeps_every_column_of_the_version_it_replaces(app, chat, clock):
    """The answer path writes the version from plain values (one Core insert, no ORM object): it
    must still hold each column of the answer as it was, so that a column added to Answer later
    cannot silently go missing from what /ongedaan puts back."""
    await play(chat, SETUP)
    await chat.say("/antwoord 1 Negen leerlingen halen het niveau niet.", as_="bram", in_=TEAM)
    (before,) = await rows(app, Answer)
    clock.set(clock.now() + timedelta(minutes=20))
    await chat.say("/antwoord 1 Tien leerlingen halen het niveau niet.", as_="bram", in_=TEAM)
    (version,) = await rows(app, EntryVersion)
    columns = {c.name for c in Answer.__table__.columns} - {"id"}  # type: ignore[attr-defined]
    assert (version.entry_table, version.entry_id) == ("answer", before.id)
    assert set(version.data) == columns
    assert {name: _from_json(value) for name, value in version.data.items()} == {
        name: getattr(before, name) for name in columns}


async def test_undoing_an_edited_record_restores_it_and_a_new_one_is_removed(app, chat, clock):
    steps = ROUND1[: ROUND1.index(("bram", TEAM,
                                   "/richting Dagelijks hardop-denkend voordoen met korte teksten."))]
    await play(chat, [*SETUP, *steps])
    clock.set(clock.now() + timedelta(minutes=1))  # after the answers and sources (the same clock)
    first = await chat.say("/richting Eerst modelen.", as_="bram", in_=TEAM)
    assert "Eerst modelen" in first.text
    clock.set(clock.now() + timedelta(minutes=1))
    await chat.say("/richting Dagelijks modelen met korte teksten.", as_="carla", in_=TEAM)
    undone = await chat.say("/ongedaan", as_="carla", in_=TEAM)
    assert "— de gekozen richting:" in undone.text and "Eerst modelen." in undone.text, undone.text
    assert [d.text for d in await rows(app, DirectionRecord)] == ["Eerst modelen."]
    removed = await chat.say("/ongedaan", as_="bram", in_=TEAM)  # bram's was new: it goes
    assert "Ongedaan gemaakt" in removed.text, removed.text
    assert await rows(app, DirectionRecord) == []


async def test_undoing_a_changed_baseline_keeps_the_problem_statement(app, chat, clock):
    await play(chat, [*SETUP, *ROUND1[:4]])  # the answers and the problem statement
    clock.set(clock.now() + timedelta(minutes=1))
    await chat.say("/nulmeting 42 % | leerlingen op niveau | M5", as_="carla", in_=TEAM)
    undone = await chat.say("/ongedaan", as_="carla", in_=TEAM)
    assert "— de probleemstelling en nulmeting:" in undone.text, undone.text
    [problem] = await rows(app, ProblemRecord)
    assert problem.statement == "Een derde van groep 5 haalt het niveau begrijpend lezen niet."
    assert problem.baseline_value is None and problem.baseline_sign is None
