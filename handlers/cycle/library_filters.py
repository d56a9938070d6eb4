"""Filters for the school's library (/kaarten, /bibliotheek): by phase of the school year and by theme.

*Phase of the school year*: the two halves every Dutch and Flemish primary school plans by —
``najaar`` (August to December: the start of the school year until the Christmas break) and
``voorjaar`` (January to July: from the midterm tests — Cito's M-toetsen — to the end-of-year
tests). A card belongs to the half in which its cycle was closed, a source to the half in which it
was recorded (in the school's time zone). ``herfst``/``lente`` and ``autumn``/``spring`` mean the same.

*Theme*: a word tag. Each card's themes are derived from its title, problem and goal with a small
vocabulary of what primary-school teams work on (lezen, rekenen, spelling, …, below), plus the
words the team's chair gave the card with /thema. In a search a theme is written with ``#``:
``/kaarten #lezen voorjaar`` or ``/bibliotheek #rekenen``; the other words search the text as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from handlers.common.values import today_in

PERIODS = {"najaar": "najaar", "herfst": "najaar", "autumn": "najaar", "fall": "najaar",
           "voorjaar": "voorjaar", "lente": "voorjaar", "spring": "voorjaar"}
AUTUMN_MONTHS = range(8, 13)  # August–December; January–July is the voorjaar

# theme → word starts that point to it (Dutch and English), matched at the start of a word
THEMES: dict[str, tuple[str, ...]] = {
    "lezen": ("lees", "lezen", "leest", "begrijpend", "reading", "read"),
    "rekenen": ("reken", "tafel", "sommen", "redactiesom", "breuk", "getal", "math", "arithmetic",
                "fraction"),
    "spelling": ("spelling", "spellen", "dictee"),
    "schrijven": ("schrijf", "schrijv", "stellen", "handschrift", "writing", "handwriting"),
    "woordenschat": ("woordenschat", "vocabula"),
    "gedrag": ("gedrag", "klassenmanagement", "pesten", "behaviour", "behavior", "bullying"),
    "welbevinden": ("welbevinden", "sociaal-emotione", "wellbeing", "well-being"),
    "ouders": ("ouder", "parent"),
    "instructie": ("instructie", "differenti", "feedback", "instruction"),
    "motivatie": ("motivat", "betrokken", "engagement"),
}
_STEMS = [(theme, re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, stems)) + ")", re.IGNORECASE))
          for theme, stems in THEMES.items()]
TAG = re.compile(r"^[a-zà-ÿ][a-zà-ÿ0-9\-]{1,29}$")
MAX_TAGS = 5


@dataclass
class Filters:
    text: str = ""
    period: str | None = None
    themes: list[str] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return self.period is not None or bool(self.themes)


def parse(query: str | None) -> Filters:
    """``'#lezen voorjaar begrip'`` → text 'begrip', period 'voorjaar', themes ['lezen']."""
    out = Filters()
    words = []
    for word in (query or "").split():
        low = word.lower()
        theme = low[1:].strip(",;.")  # "#lezen, #rekenen": the list's commas are not part of a theme
        if low.startswith("#") and theme:
            out.themes.append(theme)
        elif low in PERIODS and out.period is None:
            out.period = PERIODS[low]
        else:
            words.append(word)
    out.text = " ".join(words)
    return out


def period_of(when: datetime, tz: str) -> str:
    return "najaar" if today_in(tz, when).month in AUTUMN_MONTHS else "voorjaar"


def derive_themes(*texts: str | None) -> set[str]:
    """The themes a card's or source's own words point to."""
    joined = " ".join(t for t in texts if t)
    return {theme for theme, stems in _STEMS if stems.search(joined)}


def read_tags(text: str) -> list[str]:
    """The chair's tags: words (with or without #), separated by spaces or commas (see valid_tag)."""
    tags = [w.lstrip("#").lower() for w in re.split(r"[\s,;]+", text.strip()) if w.lstrip("#")]
    return list(dict.fromkeys(tags))


def valid_tag(tag: str) -> bool:
    return bool(TAG.match(tag))


def matches(filters: Filters, when: datetime, tz: str, themes: Iterable[str]) -> bool:
    if filters.period is not None and period_of(when, tz) != filters.period:
        return False
    have = set(themes)
    return all(t in have for t in filters.themes)
