"""Catalog text as HTML, and the Jinja2 environment the pages are drawn with.

Every sentence on a page comes from the catalogs (``prompts/*/web.toml`` and the chat's own
keys), rendered in the reader's language to Leerteam markup and then to HTML: bold, italic,
code and http(s) links become tags, everything else is escaped, line breaks become ``<br>``.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from prompts.catalog import Catalog, Msg
from prompts.markup import SPECIAL, parse, plain

HERE = Path(__file__).parent


def markup_to_html(markup: str) -> Markup:
    if not any(ch in markup for ch in SPECIAL):  # most lines: no formatting at all
        return Markup(str(escape(markup)).replace("\n", "<br>\n"))
    out: list[str] = []
    for span in parse(markup):
        text = str(escape(span.text)).replace("\n", "<br>\n")
        if span.code:
            text = f"<code>{text}</code>"
        if span.link and span.link.startswith(("https://", "http://")):
            text = f'<a href="{escape(span.link)}" rel="noopener noreferrer">{text}</a>'
        if span.bold:
            text = f"<strong>{text}</strong>"
        if span.italic:
            text = f"<em>{text}</em>"
        out.append(text)
    return Markup("".join(out))


class Texts:
    """What a template calls as ``t('page.key', name=...)`` and ``say(msg)``: catalog text in one
    language, as safe HTML (``plain`` for attributes such as alt and aria-label)."""

    def __init__(self, catalog: Catalog, lang: str, role: str | None = None) -> None:
        self.catalog, self.lang = catalog, lang
        self.role = role  # the school's word for the chair (School.role_name)
        self._done: dict[Any, Markup] = {}  # a page of 500 teams says "Geen punten" 500 times

    def __call__(self, key: str, **params: Any) -> Markup:
        try:
            memo = (key, tuple(sorted(params.items())))
            hash(memo)
        except TypeError:
            return self.say(Msg(key, **params))
        if memo not in self._done:
            self._done[memo] = self.say(Msg(key, **params))
        return self._done[memo]

    def say(self, body: Any) -> Markup:
        return markup_to_html(self.catalog.render(body, self.lang, None, self.role))

    def plain(self, key: str, **params: Any) -> str:
        """A catalog text without formatting, for attributes (alt, aria-label, title)."""
        return self.plain_body(Msg(key, **params))

    plain_key = plain

    def plain_body(self, body: Any) -> str:
        return plain(self.catalog.render(body, self.lang, None, self.role))


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def grouped(blocks: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """A card's blocks with each run of list items as one ("ul", [items]), so pages show real
    lists (announced as such by screen readers) instead of loose lines."""
    out: list[tuple[str, Any]] = []
    for kind, body in blocks:
        if kind == "li":
            if out and out[-1][0] == "ul":
                out[-1][1].append(body)
            else:
                out.append(("ul", [body]))
        else:
            out.append((kind, body))
    return out


def _date(when: Any) -> Any:
    from handlers.common.values import date_msg

    return date_msg(when.date() if isinstance(when, datetime) else when)


def page(template: str, texts: Texts, **values: Any) -> str:
    values.setdefault("for_pdf", False)
    return (
        environment()
        .get_template(template)
        .render(
            t=texts,
            say=texts.say,
            plain=texts.plain,
            plain_body=texts.plain_body,
            date=_date,
            grouped=grouped,
            lang=texts.lang,
            **values,
        )
    )
