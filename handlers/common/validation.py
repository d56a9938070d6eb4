"""Checks on names people type, shared by every command that stores one."""

from __future__ import annotations

import re
import unicodedata

from bot.core.errors import UserError
from prompts.catalog import Msg

# Characters that are markup on one of our platforms or a mention trick (<!channel>, @here).
FORBIDDEN = set("<>*_`[]{}|\\~#@")
MAX_SHOWN = 40


def clean_name(raw: str | None, *, max_length: int, what: str) -> str:
    """A tidy single-line name, or a UserError saying exactly what is wrong with it.

    ``what`` is a catalog key for the kind of name (e.g. ``name.team``), used in the message.
    """
    text = unicodedata.normalize("NFC", raw or "")
    # a zero-width joiner inside an emoji (👩‍👩‍👧) is part of the name; bot.core.typed removed the rest
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") and ch != "\u200d" for ch in text):
        raise UserError(Msg("name.control", what=Msg(what)))
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise UserError(Msg("name.empty", what=Msg(what)))
    if len(text) > max_length:
        raise UserError(Msg("name.too_long", what=Msg(what), max=max_length, length=len(text)))
    bad = sorted({ch for ch in text if ch in FORBIDDEN})
    if bad:
        raise UserError(Msg("name.markup", what=Msg(what), chars=" ".join(bad)))
    if not any(ch.isalnum() for ch in text):
        raise UserError(Msg("name.no_letters", what=Msg(what)))
    return text


def shorten(text: str, limit: int = MAX_SHOWN) -> str:
    """For echoing bad input back without flooding the chat."""
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
