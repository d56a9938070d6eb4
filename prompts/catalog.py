"""Loads and checks the message catalogs (``nl/*.toml``, ``en/*.toml``).

Every sentence a user sees comes from here. The catalogs are validated as a pair when the bot
starts, so a missing translation, a placeholder that exists in one language only, or a broken
marker is a start-up error rather than a surprise in a teacher's chat.
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from prompts.markup import Markup, MarkupError, escape, parse

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
CATALOG_DIR = Path(__file__).parent
COMMAND_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


class CatalogError(Exception):
    pass


@dataclass(frozen=True)
class Msg:
    """A sentence to say, by catalog key, rendered late in the recipient's language."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, key: str, /, **params: Any) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "params", params)


@dataclass(frozen=True)
class Join:
    """Several pieces of text shown as one (one line each by default)."""

    items: tuple[Any, ...]
    sep: str = "\n"

    def __init__(self, items: Iterable[Any], sep: str = "\n") -> None:
        object.__setattr__(self, "items", tuple(items))
        object.__setattr__(self, "sep", sep)


def _flatten(prefix: str, table: Mapping[str, Any], out: dict[str, str]) -> None:
    for key, value in table.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(full, value, out)
        elif isinstance(value, str):
            out[full] = value
        else:
            raise CatalogError(f"{full}: expected text, found {type(value).__name__}")


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class Catalog:
    """All languages' messages, checked against each other."""

    def __init__(self, messages: Mapping[str, Mapping[str, str]]) -> None:
        self.messages = {lang: dict(m) for lang, m in messages.items()}
        self.validate()

    @classmethod
    def load(cls, directory: Path = CATALOG_DIR) -> Catalog:
        """Each language is a folder of TOML files (one per capability), merged into one catalog."""
        messages: dict[str, dict[str, str]] = {}
        for lang in LANGUAGES:
            flat: dict[str, str] = {}
            files = sorted((directory / lang).glob("*.toml"))
            if not files:
                raise CatalogError(f"{directory / lang}: no catalog files")
            for path in files:
                try:
                    data = tomllib.loads(path.read_text(encoding="utf-8"))
                except (OSError, tomllib.TOMLDecodeError) as exc:
                    raise CatalogError(f"{path}: {exc}") from exc
                part: dict[str, str] = {}
                _flatten("", data, part)
                twice = sorted(set(part) & set(flat))
                if twice:
                    raise CatalogError(f"{path}: keys defined in another file too: {', '.join(twice)}")
                flat.update(part)
            messages[lang] = flat
        return cls(messages)

    def validate(self) -> None:
        problems: list[str] = []
        reference = self.messages[DEFAULT_LANGUAGE]
        for lang, msgs in self.messages.items():
            for key in sorted(set(reference) - set(msgs)):
                problems.append(f"{lang}: missing key {key}")
            for key in sorted(set(msgs) - set(reference)):
                problems.append(f"{lang}: key {key} is not in {DEFAULT_LANGUAGE}")
            for key, template in msgs.items():
                if key in reference and _placeholders(template) != _placeholders(reference[key]):
                    problems.append(
                        f"{lang}: {key} uses placeholders {sorted(_placeholders(template))}, "
                        f"{DEFAULT_LANGUAGE} uses {sorted(_placeholders(reference[key]))}"
                    )
                try:
                    dummy = {name: "x" for name in _placeholders(template)}
                    parse(template.format_map(dummy))
                except (MarkupError, ValueError, KeyError, IndexError) as exc:
                    problems.append(f"{lang}: {key}: {exc}")
                if key.startswith("cmd.") and key.endswith(".name"):
                    if not COMMAND_NAME.match(template):
                        problems.append(f"{lang}: {key}: {template!r} is not a valid command name")
        if problems:
            raise CatalogError("; ".join(problems))

    def has(self, key: str) -> bool:
        return key in self.messages[DEFAULT_LANGUAGE]

    def raw(self, lang: str, key: str) -> str:
        return self.messages[self.language(lang)][key]

    @staticmethod
    def language(lang: str | None) -> str:
        return lang if lang in LANGUAGES else DEFAULT_LANGUAGE

    def render(self, body: Any, lang: str) -> Markup:
        """Render a Msg, Join, Markup or plain value; plain strings are user text and escaped."""
        if isinstance(body, Markup):
            return body
        if isinstance(body, Msg):
            template = self.raw(lang, body.key)
            params = {k: self.render(v, lang) for k, v in body.params.items()}
            return Markup(template.format_map(params))
        if isinstance(body, Join):
            return Markup(body.sep.join(self.render(item, lang) for item in body.items))
        if body is None:
            return Markup("")
        return escape(str(body))


@cache
def default_catalog() -> Catalog:
    return Catalog.load()
