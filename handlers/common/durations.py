"""One reader for spans of time, as teachers type them: ``2d``, ``2 dagen``, ``48u``, ``1 week``,
``90 minuten``, ``1u30``, ``1:30`` or a bare ``90`` (minutes).

Every command that takes a duration reads it here, so ``99999d`` or ``1e309m`` is refused the same
way everywhere instead of being taken for the first word of a poll's question.
"""

from __future__ import annotations

import math
import re

from bot.core.conversation import digits_to_ascii

UNITS = {"m": 1, "min": 1, "mins": 1, "minuut": 1, "minuten": 1, "minute": 1, "minutes": 1,
         "u": 60, "uur": 60, "uren": 60, "h": 60, "hr": 60, "hour": 60, "hours": 60,
         "d": 1440, "dag": 1440, "dagen": 1440, "day": 1440, "days": 1440,
         "w": 10080, "wk": 10080, "week": 10080, "weken": 10080, "weeks": 10080}
_NUMBER = r"[0-9][0-9.,e+\-]*|nan|inf(?:inity)?"
_WITH_UNIT = re.compile(rf"({_NUMBER})\s*([a-z]+)")


class NotADuration(ValueError):
    """Looks like a span of time but cannot be one (``1e309m``, ``NaN``, ``2,5,5d``)."""


def _amount(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise NotADuration(text) from None
    if not math.isfinite(value) or value < 0:
        raise NotADuration(text)
    return value


def minutes_of(raw: str) -> int | None:
    """Minutes in ``raw``; None if it is not written as a span of time at all. Raises
    :class:`NotADuration` for a number with a unit that is no real amount (``1e309m``)."""
    text = re.sub(r"\s+", " ", digits_to_ascii(raw).strip().lower()).rstrip(".")
    if re.fullmatch(r"[0-9]{1,9}", text):
        return int(text)
    if m := re.fullmatch(r"([0-9]{1,3})\s?[:u]\s?([0-9]{2})", text):
        return int(m[1]) * 60 + int(m[2]) if int(m[2]) < 60 else None
    if m := _WITH_UNIT.fullmatch(text):
        unit = UNITS.get(m[2])
        if unit is None:
            return None
        value = _amount(m[1]) * unit
        if value > 10**9:
            raise NotADuration(raw)
        return round(value)
    if text in ("nan", "inf", "infinity"):
        raise NotADuration(raw)
    return None


def _is_span(text: str) -> bool:
    m = _WITH_UNIT.fullmatch(text.lower())
    return m is not None and m[2] in UNITS


def split_leading(text: str) -> tuple[str, str] | None:
    """The duration at the start of a line (``2 dagen Welke dag?`` -> ('2 dagen', 'Welke dag?')),
    or None if the line does not start with a number and a unit."""
    words = text.strip().split(" ")
    for n in (2, 1):
        head = " ".join(words[:n])
        if len(words) >= n and _is_span(head):
            return head, " ".join(words[n:]).strip()
    return None
