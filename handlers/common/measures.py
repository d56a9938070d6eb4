"""Numbers that keep their unit: a baseline typed as ``42 %`` is shown as 42 % wherever it is
echoed (the cycle's records, the comparison "nulmeting 42 %, doel 65 %, gemeten 58 %", the quality
card, the web page, the digest).

The number itself is read by the one number reader (:func:`handlers.common.values.read_number`:
``62``, ``62,5``, ``62.5``); this module keeps the sign typed with it. Only the percent sign is a
unit here (``62%``, ``62 %``, ``62 procent``): the cycle's numbers are shares of pupils or scores,
and what they count is written in words beside them (the baseline's "wat meet dat getal").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.core.errors import UserError
from handlers.common.validation import shorten
from handlers.common.values import number_msg, read_number
from prompts.catalog import Msg

PERCENT = "%"
_PERCENT_WORDS = re.compile(r"\s*(%|procent|percent|pct\.?)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Measure:
    """A typed number and its sign (``%`` or None), as stored in a record's ``*_value``/``*_sign``."""

    value: float
    sign: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"value": self.value, "sign": self.sign}

    @classmethod
    def from_json(cls, data: Any) -> Measure:
        """A form's stored field: the dict :meth:`as_json` made (a bare number from before: no sign)."""
        if isinstance(data, dict):
            return cls(float(data["value"]), data.get("sign"))
        return cls(float(data))


def read_measure(raw: str) -> Measure:
    """``42 %`` -> Measure(42, '%'); ``62,5`` -> Measure(62.5, None); anything else is refused by the
    number reader with its own example."""
    text = raw.strip()
    sign = PERCENT if _PERCENT_WORDS.search(text) else None
    number = _PERCENT_WORDS.sub("", text) if sign else text
    if "%" in number:  # "62%%": not a number with a unit
        raise UserError(Msg("value.not_number", text=shorten(raw)))
    return Measure(read_number(number), sign)


def measure_msg(value: float | None, sign: str | None = None) -> Msg | str:
    """The number in the reader's convention with its sign: 42 % in Dutch, 42% in English."""
    shown = number_msg(value)
    if value is None or sign != PERCENT:
        return shown
    return Msg("talk.percent", value=shown)
