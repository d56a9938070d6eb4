"""Leerteam's small, platform-neutral markup.

The catalogs in ``prompts/`` write formatted text with four markers (``*`` and ``_`` only at
word edges, as in Slack and Telegram): ``*bold*``, ``_italic_``, `` `code` `` and
``[label](https://link)`` (a ``[`` that does not start such a link is just a bracket); a
backslash makes the next character literal. User text is always escaped with :func:`escape`
before it is placed into a template, so a team called ``*Groep_3*`` can never turn into
formatting, and each transport turns the parsed spans into its own syntax (Telegram HTML, Slack
mrkdwn, plain console text) with its own escaping. Keeping one syntax in the core is what lets
transports "only translate"."""

from __future__ import annotations

import re
from dataclasses import dataclass

LINK = re.compile(r"\[([^\]\n]*)\]\(([^)\s]+)\)")
SPECIAL = "\\*_`["
_NEXT = re.compile(r"[\\*_`\[]")  # where markup may start
_NEXT_IN_CODE = re.compile(r"[\\`]")  # inside `code`: only an escape or the closing mark


class Markup(str):
    """A string that is already in Leerteam markup (trusted: from a catalog or escaped)."""

    __slots__ = ()


_ESCAPES = str.maketrans({ch: "\\" + ch for ch in SPECIAL})


def escape(text: str) -> Markup:
    """Make arbitrary user text literal inside markup (one ``str.translate``: every answer shown
    back to a team passes through here)."""
    return Markup(str(text).translate(_ESCAPES))


@dataclass(frozen=True)
class Span:
    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    link: str | None = None

    def style(self) -> tuple:
        """Everything but the text: spans with the same style can be joined."""
        return (self.bold, self.italic, self.code, self.link)


class MarkupError(ValueError):
    pass


def parse(markup: str) -> list[Span]:
    """Split markup into styled spans; raises :class:`MarkupError` on unbalanced markers."""
    spans: list[Span] = []
    buf: list[str] = []
    bold = italic = code = False
    i, n = 0, len(markup)

    def flush() -> None:
        if buf:
            spans.append(Span("".join(buf), bold=bold, italic=italic, code=code))
            buf.clear()

    while i < n:
        # ordinary text up to the next character that may be markup, in one step (every message
        # a transport sends is parsed: a reminder is hundreds of characters)
        nxt = (_NEXT_IN_CODE if code else _NEXT).search(markup, i)
        j = nxt.start() if nxt else n
        if j > i:
            buf.append(markup[i:j])
            i = j
            if i == n:
                break
        ch = markup[i]
        if ch == "\\" and i + 1 < n:
            buf.append(markup[i + 1])
            i += 2
            continue
        if code and ch != "`":
            buf.append(ch)
            i += 1
            continue
        if ch == "`":
            flush()
            code = not code
        elif ch in "*_" and _toggles(markup, i, bold if ch == "*" else italic):
            flush()
            if ch == "*":
                bold = not bold
            else:
                italic = not italic
        elif ch == "[" and (m := LINK.match(markup, i)):
            flush()
            label = "".join(s.text for s in parse(m.group(1)))
            spans.append(Span(label, bold=bold, italic=italic, link=m.group(2)))
            i = m.end()
            continue
        else:
            buf.append(ch)
        i += 1
    if bold or italic or code:
        raise MarkupError(f"unbalanced markers in {markup!r}")
    flush()
    return spans


def _toggles(markup: str, i: int, is_open: bool) -> bool:
    """Like Slack and Telegram: ``*``/``_`` only format at word edges (DATABASE_URL stays text)."""
    before = markup[i - 1] if i > 0 else " "
    after = markup[i + 1] if i + 1 < len(markup) else " "
    if is_open:
        return not before.isspace() and before != "(" and not after.isalnum()
    return not before.isalnum() and not after.isspace() and after not in ").,;:!?"


def plain(markup: str) -> str:
    """The text without any formatting (console, notifications, screen readers)."""
    out = []
    for s in parse(markup):
        out.append(f"{s.text} ({s.link})" if s.link and s.link != s.text else s.text)
    return "".join(out)
