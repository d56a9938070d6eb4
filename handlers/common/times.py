"""One reader for times of day, as Dutch, Flemish and English teachers type them.

``15:15``, ``15.15``, ``15u15``, ``15u``, ``15 uur``, ``9:05`` are read as written (24-hour clock).
Times in words are read with a small table (no library reads Dutch clock words): ``kwart over drie``,
``half vier`` (3:30 — Dutch "half" points at the *next* hour), ``tien voor half vier`` (3:20),
``vijf over half vier`` (3:35), ``kwart voor vier``, ``drie uur``, and English ``quarter past three``,
``half past three``, ``ten to four``, ``3pm``. A clock word is ambiguous (three in the morning or the
afternoon); a learning team meets in or just after school hours, so hours 1 to 6 are afternoon
(``kwart over drie`` is 15:15) and 7 to 12 stay as they are (``half negen`` is 8:30), unless the
words say otherwise (``'s ochtends``, ``'s avonds``, ``am``, ``pm``). Anything else is refused with
an example, the same way in every command that takes a time.
"""

from __future__ import annotations

import re

from bot.core.conversation import digits_to_ascii
from bot.core.errors import UserError
from handlers.common.validation import shorten
from prompts.catalog import Msg

HOURS = {
    "een": 1, "één": 1, "eén": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7,
    "acht": 8, "negen": 9, "tien": 10, "elf": 11, "twaalf": 12,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12,
}
MINUTES = {
    "een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8,
    "negen": 9, "tien": 10, "elf": 11, "twaalf": 12, "dertien": 13, "veertien": 14, "kwart": 15,
    "twintig": 20, "five": 5, "ten": 10, "quarter": 15, "a quarter": 15, "twenty": 20,
    "twenty-five": 25, "twenty five": 25,
}
MORNING = ("'s ochtends", "s ochtends", "'s morgens", "s morgens", "in de ochtend", "am", "a.m.",
           "in the morning")
EVENING = ("'s middags", "s middags", "'s avonds", "s avonds", "in de middag", "pm", "p.m.",
           "in the afternoon", "in the evening")
_NUMERIC = re.compile(r"(\d{1,2})(?:[:.u](\d{2})?)?")
_MINUTE = "|".join(sorted((re.escape(w) for w in MINUTES), key=len, reverse=True))
_HOUR = "|".join(sorted((re.escape(w) for w in HOURS), key=len, reverse=True))
_WORDED = re.compile(
    rf"(?:(?P<min>{_MINUTE}|\d{{1,2}}) (?:minuten )?(?P<dir>over|voor|past|to|after|before) )?"
    rf"(?P<half>half (?:past )?)?(?P<hour>{_HOUR}|\d{{1,2}})(?: uur| o'?clock)?"
)


class NotATime(ValueError):
    """The text is not a time of day this reader knows."""


def _day_part(text: str) -> tuple[str, bool | None]:
    """``half negen 's avonds`` -> ('half negen', True): True afternoon, False morning, None unsaid."""
    for words, evening in ((EVENING, True), (MORNING, False)):
        for word in words:
            if text.endswith(" " + word) or (text.endswith(word) and word in ("am", "pm")):
                return text[: -len(word)].strip(), evening
    return text, None


def _in_school_hours(hour: int, evening: bool | None) -> int:
    """A clock hour (1..12) on the 24-hour clock: said afternoon, said morning, or school hours."""
    if evening is True:
        return hour if hour == 12 else hour + 12
    if evening is False:
        return 0 if hour == 12 else hour
    return hour + 12 if hour <= 6 else hour


def _worded(text: str, evening: bool | None) -> tuple[int, int]:
    m = _WORDED.fullmatch(text)
    if m is None:
        raise NotATime(text)
    hour = HOURS.get(m["hour"]) or int(m["hour"])
    if not 1 <= hour <= 12:
        raise NotATime(text)  # "kwart over dertien", "half 0": not a clock word
    minutes = 0
    english_half = m["half"] is not None and "past" in m["half"]
    if m["half"]:
        minutes, hour = (30, hour) if english_half else (30, hour - 1 or 12)  # "half vier" is 3:30
    if m["min"]:
        offset = MINUTES.get(m["min"]) or int(m["min"])
        if not 1 <= offset <= 29 or (m["half"] and offset >= 15):
            raise NotATime(text)
        forward = m["dir"] in ("over", "past", "after")
        minutes += offset if forward else -offset
        if minutes < 0:  # "kwart voor vier": 3:45
            minutes, hour = minutes + 60, hour - 1 or 12
    hour = _in_school_hours(hour, evening)
    return hour % 24, minutes


def read_clock(raw: str) -> tuple[int, int]:
    """(hour, minute) for ``raw``; raises :class:`NotATime`."""
    text = re.sub(r"\s+", " ", digits_to_ascii(raw).strip().lower()).removeprefix("om ").strip()
    text, evening = _day_part(text)
    numeric = text.removesuffix("uur").strip()
    if m := _NUMERIC.fullmatch(numeric):
        hour, minute = int(m[1]), int(m[2] or 0)
        if evening is not None and 1 <= hour <= 12:
            hour = _in_school_hours(hour, evening)
        if hour <= 23 and minute <= 59:
            return hour, minute
        raise NotATime(text)
    return _worded(text, evening)


def read_time(raw: str) -> tuple[int, int]:
    """The one time reader of every command: (hour, minute), or a UserError with an example."""
    try:
        return read_clock(raw)
    except NotATime:
        raise UserError(Msg("talk.not_time", text=shorten(raw))) from None


def looks_like_time(text: str) -> bool:
    """Whether ``text`` reads as a time (used to split ``donderdag 3 december kwart over drie``)."""
    try:
        read_clock(text)
    except NotATime:
        return False
    return True


_MARKERS = {"half", "kwart", "over", "voor", "past", "to", "after", "before", "uur", "o'clock", "am", "pm",
            "quarter"}


def _said_as_time(words: list[str]) -> bool:
    """A stretch of words that is a time, and says so: ``15:15``/``15u15``, or words with a clock
    marker (``kwart over drie``, ``drie uur``, ``3pm``) — never a bare ``3`` or ``twee``, which in
    ``3 december`` or ``over twee weken`` belong to the date."""
    if len(words) == 1 and re.fullmatch(r"\d{1,2}(?::\d{2}|u\d{0,2}|\.\d{2})", words[0]):
        return True
    lowered = [w.lower() for w in words]
    marked = bool(_MARKERS & set(lowered)) or re.search(r"\d(am|pm)$", lowered[-1]) is not None
    return marked and looks_like_time(" ".join(words))


def find_time(words: list[str], start: int = 0) -> tuple[int, int] | None:
    """The first stretch ``words[i:j]`` (i >= start) that reads as a time, the longest one there."""
    for i in range(start, len(words)):
        for j in range(min(len(words), i + 6), i, -1):
            if _said_as_time(words[i:j]):
                return i, j
    return None


def time_first(parts: list[str | None]) -> tuple[str, list[str]]:
    """Positional arguments that begin with a time of one or more words (``half vier 60 2`` split
    into ``half``, ``vier``, ``60`` …) regrouped: (the time, the arguments after it)."""
    words = [w for p in parts if p for w in p.split()]
    for j in range(min(len(words), 6), 0, -1):
        if looks_like_time(" ".join(words[:j])) and (j == 1 or _said_as_time(words[:j])):
            return " ".join(words[:j]), words[j:]
    # no time there: for the refusal's echo, a first word with digits (25:00) alone, else the words
    # up to the first one with digits (kwart over dertien | 60), or all of them
    digits = [i for i, w in enumerate(words) if any(ch.isdigit() for ch in w)]
    n = max(len(words), 1) if not digits else max(digits[0], 1)
    return " ".join(words[:n]), words[n:]
