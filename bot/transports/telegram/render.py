"""Leerteam markup -> Telegram HTML, split into messages that fit Telegram's limits.

Every piece of text is escaped with :func:`html.escape` before it is wrapped in tags, and each
styled run is closed within the message it starts in, so a split never breaks a tag. Splits
prefer line ends, then spaces; lengths are counted in UTF-16 code units, as Telegram does.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace

from prompts.markup import MarkupError, Span, parse

MAX_TEXT = 4096  # telegram.constants.MessageLimit.MAX_TEXT_LENGTH
MAX_CAPTION = 1024  # telegram.constants.MessageLimit.CAPTION_LENGTH
SAFE_SCHEMES = ("http://", "https://", "tg://", "mailto:")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


Piece = Span  # a styled run of text, as the core's markup parser returns it


def _pieces(markup: str) -> list[Piece]:
    try:
        spans = parse(markup)
    except MarkupError:  # never expected (catalogs are checked, user text escaped): show it literally
        spans = [Span(markup)]
    return [s for s in spans if s.text]


def _tag(piece: Piece) -> str:
    out = html.escape(piece.text, quote=False)
    if piece.code:
        out = f"<code>{out}</code>"
    if piece.italic:
        out = f"<i>{out}</i>"
    if piece.bold:
        out = f"<b>{out}</b>"
    if piece.link:
        if piece.link.startswith(SAFE_SCHEMES):
            out = f'<a href="{html.escape(piece.link, quote=True)}">{out}</a>'
        elif piece.link != piece.text:
            out += html.escape(f" ({piece.link})", quote=False)
    return out


def _render(pieces: list[Piece]) -> str:
    merged: list[Piece] = []
    for p in pieces:
        if merged and merged[-1].style() == p.style():
            last = merged[-1]
            merged[-1] = replace(last, text=last.text + p.text)
        else:
            merged.append(p)
    return "".join(_tag(p) for p in merged)


def to_html(markup: str) -> str:
    """One piece of markup as Telegram HTML, without splitting."""
    return _render(_pieces(markup))


def _split_piece(piece: Piece, pattern: str) -> list[Piece]:
    parts = [t for t in re.split(pattern, piece.text) if t]
    return [replace(piece, text=t) for t in parts]


def _hard_split(piece: Piece, limit: int) -> list[Piece]:
    out: list[str] = []
    buf: list[str] = []
    size = 0
    for ch in piece.text:
        n = utf16_len(ch)
        if size + n > limit and buf:
            out.append("".join(buf))
            buf, size = [], 0
        buf.append(ch)
        size += n
    if buf:
        out.append("".join(buf))
    return [replace(piece, text=t) for t in out]


def split_html(markup: str, limit: int = MAX_TEXT) -> list[str]:
    """Markup as one or more Telegram HTML messages, each at most ``limit`` visible characters."""
    pieces = _pieces(markup)
    if sum(utf16_len(p.text) for p in pieces) <= limit:  # nearly every message: it fits in one
        text = _render(_trim(pieces))
        return [text] if text else []
    return _split_long(pieces, limit)


def _split_long(pieces: list[Piece], limit: int) -> list[str]:
    """:func:`split_html` for a text longer than one message."""
    # units: whole lines first; a line too long becomes words; a word too long becomes characters
    lines: list[list[Piece]] = [[]]
    for piece in pieces:
        for part in _split_piece(piece, r"(?<=\n)"):
            lines[-1].append(part)
            if part.text.endswith("\n"):
                lines.append([])
    chunks: list[list[Piece]] = [[]]
    size = 0

    def add(unit: list[Piece]) -> None:
        nonlocal size
        n = sum(utf16_len(p.text) for p in unit)
        if size + n > limit and chunks[-1]:
            chunks.append([])
            size = 0
        chunks[-1].extend(unit)
        size += n

    for line in lines:
        if sum(utf16_len(p.text) for p in line) <= limit:
            add(line)
            continue
        for piece in line:
            for word in _split_piece(piece, r"(?<= )"):
                if utf16_len(word.text) <= limit:
                    add([word])
                else:
                    for part in _hard_split(word, limit):
                        add([part])
    out = []
    for chunk in chunks:
        text = _render(_trim(chunk))
        if text:
            out.append(text)
    return out


def _trim(chunk: list[Piece]) -> list[Piece]:
    """Telegram drops leading and trailing whitespace of a message; do it visibly here."""
    pieces = list(chunk)
    while pieces and not pieces[0].text.strip():
        pieces.pop(0)
    while pieces and not pieces[-1].text.strip():
        pieces.pop()
    if pieces:
        first, last = pieces[0], pieces[-1]
        pieces[0] = replace(first, text=first.text.lstrip())
        last = pieces[-1]
        pieces[-1] = replace(last, text=last.text.rstrip())
    return pieces


def plain_label(markup: str, limit: int = 64) -> str:
    """A button label: plain text (buttons have no formatting), shortened if need be."""
    text = "".join(p.text for p in _pieces(markup)).replace("\n", " ").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
