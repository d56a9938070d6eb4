"""Leerteam markup and replies as Slack mrkdwn and Block Kit.

Everything the core says is parsed with :func:`prompts.markup.parse` and written again in Slack's own
syntax, so user text can never become formatting, a link or a ping:

- ``&``, ``<`` and ``>`` become entities in every piece of text, so ``<!channel>``, ``<!here>``,
  ``<@U…>`` and ``<http://…|…>`` typed by a user stay visible text;
- mrkdwn has no escape character, so the formatting characters ``*``, ``_``, ``~`` and the
  backtick in text are replaced by look-alikes (∗ ˍ ∼ ˋ) that Slack never treats as markers;
- every mrkdwn text object is sent with ``verbatim: true``, so Slack does not turn words like
  ``@here`` or bare URLs into mentions or links by itself; links exist only where the catalog
  wrote one, and only for http(s) and mailto.

Command names in the catalogs (``/hulp``) are rewritten to the app's one slash command
(``/leerteam hulp``), because on Slack every command is a subcommand of that one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from prompts.markup import Span, parse

LOOKALIKES = str.maketrans({"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb"})
SAFE_SCHEMES = ("https://", "http://", "mailto:")
MAX_SECTION = 3000  # characters of a section's text
MAX_HEADER = 150
MAX_BLOCKS = 50  # per message; a Home tab allows 100
MAX_HOME_BLOCKS = 100
MAX_BUTTON_LABEL = 75
MAX_VALUE = 2000  # a button's value
MAX_FALLBACK = 3000  # the notification text beside the blocks
BUTTONS_PER_ACTIONS = 25

CHOICE_ACTION = "leerteam_choice"
ANSWER_ACTION = "leerteam_answer"
ANSWER_VIEW = "leerteam_answer"
ANSWER_BLOCK = "answer"
ANSWER_INPUT = "text"
ANSWER_MAX = 3000


def entities(text: str) -> str:
    """Slack's three control characters as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}


def plain_text(text: str, limit: int) -> dict[str, Any]:
    text = text.strip() or "…"
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return {"type": "plain_text", "text": text, "emoji": True}


def chunks(text: str, limit: int = MAX_SECTION) -> list[str]:
    """Split at line ends into pieces of at most ``limit`` characters (long lines are cut)."""
    out: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                out.append(current)
                current = ""
            cut = _safe_cut(line, limit)
            out.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            out.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        out.append(current)
    return [c for c in out if c.strip()]


def _safe_cut(line: str, limit: int) -> int:
    """A cut at most ``limit`` that does not split an entity (``&amp;``) or a link (``<…>``)."""
    cut = limit
    amp, lt = line.rfind("&", 0, cut), line.rfind("<", 0, cut)
    if amp > cut - 6 and ";" not in line[amp:cut]:
        cut = amp
    if lt > line.rfind(">", 0, cut) and lt > 0:
        cut = lt
    return max(cut, 1)


class Renderer:
    def __init__(self, slash_command: str, command_names: Iterable[str]) -> None:
        self.slash = slash_command
        names = sorted(set(command_names), key=len, reverse=True)
        self._commands = (
            re.compile(r"(?<![\w/])/(" + "|".join(re.escape(n) for n in names) + r")\b") if names else None
        )

    # --- inline text ----------------------------------------------------------------------
    def _neutral(self, text: str, code: bool) -> str:
        text = entities(text)
        return text.replace("`", "\u02cb") if code else text.translate(LOOKALIKES)

    def _inline(self, text: str, code: bool = False) -> str:
        """Text made safe, with catalog command names turned into subcommands of the slash command."""
        if self._commands is None:
            return self._neutral(text, code)
        out, pos = [], 0
        for m in self._commands.finditer(text):
            out.append(self._neutral(text[pos:m.start()], code))
            out.append(f"{self.slash} {m.group(1)}")
            pos = m.end()
        out.append(self._neutral(text[pos:], code))
        return "".join(out)

    def plain(self, markup: str) -> str:
        """The text without formatting, for plain_text fields (buttons, headers, modal titles)."""
        text = "".join(s.text for s in parse(markup))
        if self._commands is not None:
            text = self._commands.sub(lambda m: f"{self.slash} {m.group(1)}", text)
        return text

    def _span(self, s: Span) -> str:
        if s.link is not None:
            label = self._inline(s.text) or self._neutral(s.link, False)
            if s.link.lower().startswith(SAFE_SCHEMES):
                body = f"<{entities(s.link).replace('|', '%7C')}|{label}>"
            else:
                body = label if s.text else self._neutral(s.link, False)
            return self._styled(body, s)
        if s.code:
            text = self._inline(s.text, code=True)
            return f"`{text}`" if text.strip() else text
        return self._styled(self._inline(s.text), s)

    @staticmethod
    def _styled(text: str, s: Span) -> str:
        if not (s.bold or s.italic) or not text.strip():
            return text
        core = text.strip()
        lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
        if s.italic:
            core = f"_{core}_"
        if s.bold:
            core = f"*{core}*"
        return f"{lead}{core}{trail}"

    def _lines(self, markup: str) -> list[list[Span]]:
        lines: list[list[Span]] = [[]]
        for s in parse(markup):
            parts = s.text.split("\n")
            for i, part in enumerate(parts):
                if i:
                    lines.append([])
                if part:
                    lines[-1].append(Span(part, s.bold, s.italic, s.code, s.link))
        return lines

    def mrkdwn(self, markup: str) -> str:
        return "\n".join("".join(self._span(s) for s in line) for line in self._lines(markup))

    def fallback(self, markup: str) -> str:
        """The message's ``text``: shown in notifications and by screen readers."""
        text = self.mrkdwn(markup).strip()
        return text if len(text) <= MAX_FALLBACK else chunks(text, MAX_FALLBACK - 1)[0] + "…"

    # --- blocks ---------------------------------------------------------------------------
    def text_blocks(self, markup: str, max_blocks: int = MAX_BLOCKS) -> list[dict[str, Any]]:
        """A line that is bold all through becomes a header; runs of other lines become sections
        (one message's worth: a text too long for one message is sent in parts, see all_blocks)."""
        blocks = self.all_blocks(markup)
        if len(blocks) > max_blocks:  # too many headers: one run of sections instead
            blocks = [section(chunk) for chunk in chunks(self.mrkdwn(markup))][:max_blocks]
        return blocks

    def all_blocks(self, markup: str) -> list[dict[str, Any]]:
        """Every block of a text, however many: bot/transports/slack/split.py groups them into messages."""
        blocks: list[dict[str, Any]] = []
        buffer: list[str] = []

        def flush() -> None:
            text = "\n".join(buffer).strip("\n")
            buffer.clear()
            if text.strip():
                blocks.extend(section(chunk) for chunk in chunks(text))

        for line in self._lines(markup):
            words = [s for s in line if s.text.strip()]
            title = "".join(s.text for s in line).strip()
            if (
                words
                and all(s.bold and not s.code and s.link is None for s in words)
                and len(title) <= MAX_HEADER
            ):
                flush()
                blocks.append(
                    {"type": "header", "text": plain_text(self.plain(_escape_markup(title)), MAX_HEADER)}
                )
            else:
                buffer.append("".join(self._span(s) for s in line))
        flush()
        return blocks

    def choice_blocks(self, markup: str, options: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
        """The text, then the options as buttons; a button carries the option's value, nothing else."""
        buttons = []
        for i, (label, value) in enumerate(options):
            if len(value) > MAX_VALUE:
                continue  # cannot be carried by a button; the core's values are short
            buttons.append({"type": "button", "action_id": f"{CHOICE_ACTION}_{i}",
                            "text": plain_text(self.plain(label), MAX_BUTTON_LABEL), "value": value})
        rows = [buttons[i:i + BUTTONS_PER_ACTIONS] for i in range(0, len(buttons), BUTTONS_PER_ACTIONS)]
        actions = [{"type": "actions", "block_id": f"leerteam_choices_{n}", "elements": row}
                   for n, row in enumerate(rows)]
        text = self.text_blocks(markup, MAX_BLOCKS - len(actions))
        return text + actions

    def ask_blocks(self, markup: str, button: str, value: str) -> list[dict[str, Any]]:
        text = self.text_blocks(markup, MAX_BLOCKS - 1)
        return text + [{"type": "actions", "block_id": "leerteam_answer", "elements": [
            {"type": "button", "action_id": ANSWER_ACTION, "style": "primary",
             "text": plain_text(button, MAX_BUTTON_LABEL), "value": value}]}]

    def answer_modal(self, *, title: str, submit: str, close: str, label: str, question: str,
                     multiline: bool, metadata: dict[str, Any]) -> dict[str, Any]:
        """The modal a free-text answer is written in; ``question`` is mrkdwn made by this renderer."""
        blocks: list[dict[str, Any]] = [section(c) for c in chunks(question)][:10] if question else []
        blocks.append({
            "type": "input", "block_id": ANSWER_BLOCK, "label": plain_text(label, 2000),
            "element": {"type": "plain_text_input", "action_id": ANSWER_INPUT, "multiline": multiline,
                        "max_length": ANSWER_MAX},
        })
        return {
            "type": "modal", "callback_id": ANSWER_VIEW,
            "title": plain_text(title, 24), "submit": plain_text(submit, 24), "close": plain_text(close, 24),
            "private_metadata": json.dumps(metadata, separators=(",", ":"))[:3000],
            "blocks": blocks,
        }

    @staticmethod
    def home_view(parts: list[list[dict[str, Any]]]) -> dict[str, Any]:
        """The Home tab: the blocks of each reply, with a divider between replies."""
        blocks: list[dict[str, Any]] = []
        for i, part in enumerate(parts):
            if i:
                blocks.append({"type": "divider"})
            blocks.extend(part)
        return {"type": "home", "blocks": blocks[:MAX_HOME_BLOCKS]}


def _escape_markup(text: str) -> str:
    """``title`` is already plain text; keep parse() in :meth:`Renderer.plain` from reading it as markup."""
    return "".join("\\" + ch if ch in "\\*_`[" else ch for ch in text)
