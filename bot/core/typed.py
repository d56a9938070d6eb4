"""What people type, cleaned the same way for every command, answer and message, on every platform.

Invisible characters that change how text *looks* without being text are removed before anything
reads or stores it: bidi overrides and isolates (an echoed ``/\\u202epleh`` would otherwise reverse
the bot's own sentence around it) and zero-width spaces and marks. A zero-width joiner stays where
it joins emoji (👩‍👩‍👧 is one family, allowed in names) and goes everywhere else. Lone surrogates
(a terminal with a broken encoding) cannot be stored or shown at all: :func:`clean` refuses them
with a clear answer instead of the generic failure text.
"""

from __future__ import annotations

import re
import unicodedata

from bot.core.errors import UserError
from prompts.catalog import Msg

_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_ZERO_WIDTH = "\u200b\u200c\u2060\ufeff\u180e"
_REMOVE = re.compile(f"[{_BIDI}{_ZERO_WIDTH}]")
_ZWJ = "\u200d"


def _is_emoji(ch: str) -> bool:
    return unicodedata.category(ch) == "So" or "\U0001f3fb" <= ch <= "\U0001f3ff" or ch == "\ufe0f"


def _keep_joiners_in_emoji(text: str) -> str:
    if _ZWJ not in text:
        return text
    out = []
    for i, ch in enumerate(text):
        if ch == _ZWJ and not (0 < i < len(text) - 1 and _is_emoji(text[i - 1]) and _is_emoji(text[i + 1])):
            continue
        out.append(ch)
    return "".join(out)


def clean(text: str) -> str:
    """The typed text without invisible direction and width tricks; lone surrogates refused."""
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        raise UserError(Msg("conv.broken_text"))
    return _keep_joiners_in_emoji(_REMOVE.sub("", text))
