"""The statements of the five-dimension scan (seed 003), each also tagged with one of Verbiest's
three capacities (seed 002), so a team can read its results per dimension and per capacity.

The sentences live in the catalogs (``<key>.text`` and ``<key>.short``); this module holds what a
statement *is*: its dimension, its capacity, and whether it is reverse-keyed (agreeing is the
undesirable answer, so 1 counts as 5 in every average and chart: ``6 - value``).

A stored scan question only keeps its catalog key (``PollQuestion.key``), so a key's meaning never
changes: a statement that is rewritten gets a new key, and the old one stays here as *retired*
(no longer asked, still read and labelled for the rounds that asked it). That is how the rounds
taken before this item bank keep their answers, averages and trend.

Every statement (of a scan, nothing else) also offers "weet ik niet" (value ``DONT_KNOW``): it
is stored like any answer but counts neither in a mean nor in that mean's n for the anonymity
threshold (``handlers.polls.store.QuestionResult``).
"""

from __future__ import annotations

from dataclasses import dataclass

DIMENSIONS = ("visie", "focus", "werkwijze", "cultuur", "structuur")
CAPACITIES = ("personal", "interpersonal", "organisational")  # persoonlijk, interpersoonlijk, organisatorisch
DONT_KNOW = 0  # the vote value of "weet ik niet"


@dataclass(frozen=True)
class Statement:
    key: str
    dimension: str
    capacity: str
    reverse: bool = False
    retired: bool = False  # asked in earlier rounds only; kept so those rounds still read correctly


STATEMENTS: tuple[Statement, ...] = (
    # visie: a shared, detailed picture of good teaching; a few ambitions; the team's ground rules
    Statement("scan.item.visie.instruction", "visie", "interpersonal"),
    Statement("scan.item.visie.ambitions", "visie", "organisational"),
    Statement("scan.item.visie.ground_rules", "visie", "interpersonal"),
    # focus: one thing at a time, aimed at what pupils learn; no pile-up of initiatives
    Statement("poll.scan.focus.s1", "focus", "organisational"),
    Statement("poll.scan.focus.s2", "focus", "interpersonal"),
    Statement("scan.item.focus.pile_up", "focus", "organisational", reverse=True),
    # werkwijze: the cause first, the literature (verdieping), data to see whether it works
    Statement("poll.scan.werkwijze.s1", "werkwijze", "interpersonal"),
    Statement("scan.item.werkwijze.literature", "werkwijze", "personal"),
    Statement("poll.scan.werkwijze.s2", "werkwijze", "interpersonal"),
    # cultuur: vulnerability, learning in each other's classrooms, reflection rather than deflection
    Statement("poll.scan.cultuur.s1", "cultuur", "personal"),
    Statement("scan.item.cultuur.visit", "cultuur", "personal"),
    Statement("scan.item.cultuur.deflection", "cultuur", "personal", reverse=True),
    # structuur: protected time, time in the timetable, everyone in a team, the leader's presence
    Statement("poll.scan.structuur.s1", "structuur", "organisational"),
    Statement("scan.item.structuur.timetable", "structuur", "organisational"),
    Statement("scan.item.structuur.participation", "structuur", "organisational"),
    Statement("scan.item.structuur.leader", "structuur", "organisational"),
    # retired (double-barrelled or abstract; method review §3): still read for earlier rounds
    Statement("poll.scan.visie.s1", "visie", "interpersonal", retired=True),
    Statement("poll.scan.visie.s2", "visie", "interpersonal", retired=True),
    Statement("poll.scan.cultuur.s2", "cultuur", "interpersonal", retired=True),
    Statement("poll.scan.cultuur.s3", "cultuur", "personal", retired=True),
    Statement("poll.scan.structuur.s2", "structuur", "organisational", retired=True),
)
BY_KEY = {s.key: s for s in STATEMENTS}


def current() -> list[Statement]:
    """What a new scan round asks, grouped by dimension in the fixed order."""
    return [s for d in DIMENSIONS for s in STATEMENTS if s.dimension == d and not s.retired]


def statement_of(key: str | None) -> Statement | None:
    return BY_KEY.get(key or "")


def is_reverse(key: str | None) -> bool:
    found = statement_of(key)
    return found is not None and found.reverse


def capacity_of(key: str | None) -> str | None:
    found = statement_of(key)
    return found.capacity if found is not None else None


def scored(key: str | None, value: int) -> int:
    """A 1–5 answer as it counts: reversed for a reverse-keyed statement."""
    return 6 - value if is_reverse(key) else value
