"""Leerteam replies -> Teams message activities (Bot Framework JSON), one renderer per reply type.

Text goes out in Teams' markdown subset (``textFormat: markdown``). Everything the core says is
parsed with :func:`prompts.markup.parse` and written again, so user text never becomes formatting,
a link or a mention:

- in messages, ``&``, ``<`` and ``>`` become HTML entities (Teams renders them as the
  characters), so ``<at>…</at>`` typed by someone stays text and never notifies anyone; the
  markdown markers ``\\ * _ ~ ` # [ ]`` get a backslash, and a line start that markdown would
  read as a list or heading is escaped too;
- Adaptive Cards' markdown has no escape character, so in cards those markers become
  look-alike characters (as the Slack renderer does), and ``<``/``>`` become ‹ ›;
- links exist only where the catalog wrote one, for http(s) and mailto.

Lines are separated by a blank line: Teams' clients do not all show a single newline as a
line break. Choices and questions are Adaptive Cards with ``Action.Submit`` buttons whose data
is the core's untrusted value (see :mod:`.activity`).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

from bot.core.delivery import Outgoing
from bot.core.replies import Ask, Choices, Document, Edit, Image, Text
from bot.transports.teams.activity import ANSWER_INPUT, ANSWER_KEY, CHOICE_KEY
from prompts.catalog import Catalog, Msg
from prompts.markup import Markup, MarkupError, Span, escape, parse

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"
SAFE_SCHEMES = ("https://", "http://", "mailto:")
MAX_TEXT = 20000  # characters per message; Teams refuses activities over about 28 KB (UTF-16)
MAX_LABEL = 80  # a button title
MAX_ANSWER = 3000
TEXT_DOCUMENTS = ("text/", "application/json")
MD_SPECIAL = re.compile(r"([\\*_~`#\[\]])")
LINE_START = re.compile(r"^(\s*)([-+]|\d+[.)])(?=\s)")
CARD_LOOKALIKES = str.maketrans(
    {
        "*": "\u2217",
        "_": "\u02cd",
        "~": "\u223c",
        "`": "\u02cb",
        "#": "\uff03",
        "[": "\uff3b",
        "]": "\uff3d",
        "<": "\u2039",
        ">": "\u203a",
        "\\": "\u29f5",
    }
)

Activity = dict[str, Any]


def entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _spans(markup: str) -> list[Span]:
    try:
        return [s for s in parse(markup) if s.text]
    except MarkupError:  # never expected (catalogs are checked, user text escaped): show it literally
        return [Span(str(markup))]


def _lines(markup: str) -> list[list[Span]]:
    lines: list[list[Span]] = [[]]
    for s in _spans(markup):
        for i, part in enumerate(s.text.split("\n")):
            if i:
                lines.append([])
            if part:
                lines[-1].append(Span(part, s.bold, s.italic, s.code, s.link))
    return lines


def _styled(text: str, s: Span) -> str:
    if not (s.bold or s.italic) or not text.strip():
        return text
    core = text.strip()
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    if s.italic:
        core = f"_{core}_"
    if s.bold:
        core = f"**{core}**"
    return f"{lead}{core}{trail}"


class Flavour:
    """How one kind of Teams text neutralises characters: messages (escapes) or cards (look-alikes)."""

    def __init__(self, card: bool) -> None:
        self.card = card

    def text(self, text: str) -> str:
        if self.card:
            return text.translate(CARD_LOOKALIKES)
        return MD_SPECIAL.sub(r"\\\1", entities(text))

    def code(self, text: str) -> str:
        text = text.replace("`", "\u02cb")
        return text.translate(CARD_LOOKALIKES) if self.card else entities(text)

    def span(self, s: Span) -> str:
        if s.link is not None:
            label = self.text(s.text) or self.text(s.link)
            if s.link.lower().startswith(SAFE_SCHEMES):
                url = s.link.replace(")", "%29").replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")
                return _styled(f"[{label}]({url})", s)
            return _styled(label if s.text == s.link else f"{label} ({self.text(s.link)})", s)
        if s.code:
            inner = self.code(s.text)
            return f"`{inner}`" if inner.strip() else inner
        return _styled(self.text(s.text), s)

    def line(self, spans: list[Span]) -> str:
        out = "".join(self.span(s) for s in spans)
        if not self.card and spans and not spans[0].code:
            out = LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), out)
        return out

    def markdown(self, markup: str) -> str:
        return "\n\n".join(line for line in (self.line(spans) for spans in _lines(markup)) if line.strip())


MESSAGE = Flavour(card=False)
CARD = Flavour(card=True)


def to_markdown(markup: str) -> str:
    """Leerteam markup as a Teams message's markdown."""
    return MESSAGE.markdown(markup)


def plain_label(markup: str, limit: int = MAX_LABEL) -> str:
    """A button title: plain text, one line, short."""
    text = " ".join("".join(s.text for s in _spans(markup)).split()) or "…"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def chunks(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split at paragraph ends into pieces of at most ``limit`` characters (long lines are cut)."""
    out: list[str] = []
    current = ""
    for para in text.split("\n\n"):
        while len(para) > limit:
            if current:
                out.append(current)
                current = ""
            cut = para.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            if para[cut - 1] == "\\":
                cut -= 1  # never split an escape from what it escapes
            out.append(para[:cut])
            para = para[cut:].lstrip()
        candidate = f"{current}\n\n{para}" if current else para
        if len(candidate) > limit:
            out.append(current)
            current = para
        else:
            current = candidate
    if current.strip():
        out.append(current)
    return [c for c in out if c.strip()]


def message(text: str) -> Activity:
    return {"type": "message", "text": text, "textFormat": "markdown"}


def card_activity(body: list[dict[str, Any]], actions: list[dict[str, Any]], summary: str) -> Activity:
    card = {"type": "AdaptiveCard", "$schema": CARD_SCHEMA, "version": CARD_VERSION, "body": body}
    if actions:
        card["actions"] = actions
    return {
        "type": "message",
        "summary": summary[:200],
        "attachments": [{"contentType": CARD_TYPE, "content": card}],
    }


def text_blocks(markup: str) -> list[dict[str, Any]]:
    """The text as card TextBlocks, one per line (Adaptive Card markdown, neutralised user text)."""
    blocks: list[dict[str, Any]] = []
    for spans in _lines(markup):
        line = CARD.line(spans)
        if line.strip():
            bold_all = all(s.bold for s in spans if s.text.strip())
            blocks.append(
                {"type": "TextBlock", "text": line, "wrap": True, "spacing": "Small"}
                | ({"weight": "Bolder"} if bold_all and not blocks else {})
            )
    return blocks or [{"type": "TextBlock", "text": "…", "wrap": True}]


class Renderer:
    """Turns one rendered Outgoing into the Teams activities that show it (usually one)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.table: dict[type, Callable[[Any, Outgoing], list[Activity]]] = {
            Text: self.text,
            Choices: self.choices,
            Ask: self.ask,
            Image: self.image,
            Document: self.document,
            Edit: self.edit,
        }

    def say(self, key: str, lang: str, **fields: Any) -> str:
        return self.catalog.render(Msg(key, **fields), lang)

    def render(self, out: Outgoing) -> list[Activity]:
        renderer = self.table.get(type(out.reply))
        if renderer is None:
            raise TypeError(f"no Teams rendering for {type(out.reply).__name__}")
        return renderer(out.reply, out)

    def text(self, reply: Text, out: Outgoing) -> list[Activity]:
        return [message(c) for c in chunks(to_markdown(reply.body))] or [message("…")]

    def choices(self, reply: Choices, out: Outgoing) -> list[Activity]:
        actions = [
            {"type": "Action.Submit", "title": plain_label(o.label), "data": {CHOICE_KEY: o.value}}
            for o in reply.options
        ]
        return [card_activity(text_blocks(reply.body), actions, plain_label(reply.body, 200))]

    def ask(self, reply: Ask, out: Outgoing) -> list[Activity]:
        answer_input = {
            "type": "Input.Text",
            "id": ANSWER_INPUT,
            "isMultiline": reply.multiline,
            "maxLength": MAX_ANSWER,
            "placeholder": plain_label(self.say("teams.answer_placeholder", out.lang)),
        }
        submit = {
            "type": "Action.Submit",
            "title": plain_label(self.say("teams.answer_button", out.lang)),
            "data": {ANSWER_KEY: out.question_id or ""},
        }
        return [
            card_activity(text_blocks(reply.body) + [answer_input], [submit], plain_label(reply.body, 200))
        ]

    def image(self, reply: Image, out: Outgoing) -> list[Activity]:
        parts = [str(reply.caption)] if reply.caption else []
        if reply.alt_text:
            parts.append(self.say("teams.alt_text", out.lang, text=Markup(reply.alt_text)))
        activity: Activity = message(to_markdown(Markup("\n".join(parts)))) if parts else {"type": "message"}
        data = base64.b64encode(reply.png).decode("ascii")
        activity["attachments"] = [
            {
                "contentType": "image/png",
                "contentUrl": f"data:image/png;base64,{data}",
                "name": reply.filename or "image.png",
            }
        ]
        return [activity]

    def document(self, reply: Document, out: Outgoing) -> list[Activity]:
        """Teams bots cannot attach a file to a channel post (files need the file-consent flow in
        a personal chat and storage the bot does not have): a text file is shown as its text,
        anything else is named with what to do instead."""
        head = [str(reply.caption)] if reply.caption else []
        if reply.mime.startswith(TEXT_DOCUMENTS):
            try:
                content = reply.data.decode("utf-8")
            except UnicodeDecodeError:
                content = None
            if content is not None:
                head.append(self.say("teams.document_inline", out.lang, filename=reply.filename))
                intro = to_markdown(Markup("\n".join(head)))
                body = (
                    ("```\n" + content.replace("```", "ˋˋˋ") + "\n```")
                    if not reply.mime.startswith("text/markdown")
                    else to_markdown(escape(content))
                )
                return [message(c) for c in chunks(intro + "\n\n" + body)]
        head.append(self.say("teams.document_unsupported", out.lang, filename=reply.filename))
        return [message(to_markdown(Markup("\n".join(head))))]

    def edit(self, reply: Edit, out: Outgoing) -> list[Activity]:
        replacement = reply.replacement
        activities = self.table[type(replacement)](replacement, out)
        return activities[:1]
