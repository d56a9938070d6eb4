"""Platform-neutral replies that handlers return instead of calling any platform API.

Bodies are catalog messages (:class:`prompts.Msg`), rendered late in the recipient's language;
after delivery resolves them they are :class:`prompts.markup.Markup`. Each transport renders these
few intents natively (Block Kit, inline keyboards, numbered console options) and degrades where a
platform lacks something, rather than the core knowing about platforms.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Union


@dataclass(frozen=True)
class Here:
    """The chat the event came from."""


@dataclass(frozen=True)
class Private:
    """Only the person who caused the event: ephemeral in a Slack channel, a DM on Telegram."""


@dataclass(frozen=True)
class TeamChat:
    team_id: int


@dataclass(frozen=True)
class DirectTo:
    member_id: int


Target = Union[Here, Private, TeamChat, DirectTo]
HERE = Here()
PRIVATE = Private()


@dataclass(frozen=True)
class Text:
    body: Any
    target: Target = HERE
    ref: str | None = None  # logical name, so the message can be edited later
    confirms: int | None = None  # "posted in team X's chat": left out when that post did not arrive


@dataclass(frozen=True)
class Option:
    label: Any
    value: str  # opaque payload, re-checked server-side when pressed


@dataclass(frozen=True)
class Choices:
    body: Any
    options: tuple[Option, ...]
    target: Target = HERE
    ref: str | None = None
    optional: bool = False  # a closing menu (e.g. "change an answer"): a question waiting comes first


@dataclass(frozen=True)
class Ask:
    """A question that expects a free-text answer (Slack: a modal; Telegram/console: next message)."""

    body: Any
    question_id: str  # the kind of question; its answer handler is registered under this name
    target: Target = PRIVATE
    multiline: bool = True
    payload: Mapping[str, Any] = field(default_factory=dict)  # what the answer handler needs


@dataclass(frozen=True)
class Image:
    png: bytes
    filename: str
    caption: Any = None
    alt_text: Any = None  # the numbers in words, for screen readers and the console
    target: Target = HERE


@dataclass(frozen=True)
class Document:
    """A file to download (a quality card in Markdown, an export)."""

    data: bytes
    filename: str
    mime: str = "text/markdown"
    caption: Any = None
    target: Target = HERE


@dataclass(frozen=True)
class Edit:
    """Replace an earlier bot message, found by its ``ref``."""

    ref: str
    replacement: Text | Choices


Reply = Union[Text, Choices, Ask, Image, Document, Edit]
