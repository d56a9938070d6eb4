"""The command registry: what each command needs (arguments, role, kind of chat).

Handlers declare their needs with :func:`command`; the dispatcher enforces them before the
handler runs, so a handler never has to remember to check a role. Command *names* are not here:
they live in the catalogs (``cmd.<id>.name``) in both languages, and either language's name
works everywhere.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.core.errors import UsageError, UserError
from prompts.catalog import Msg


class Access(enum.Enum):
    ANYONE = "anyone"
    SCHOOL_MEMBER = "school_member"
    SCHOOL_MANAGER = "school_manager"  # leader or admin of the school


class Where(enum.Enum):
    ANYWHERE = "anywhere"
    GROUP = "group"  # a team channel or group, not a private chat
    PRIVATE = "private"


@dataclass(frozen=True)
class Param:
    name: str
    required: bool = True
    rest: bool = False  # takes the remainder of the line (names with spaces)
    max_length: int = 200


Handler = Callable[..., Awaitable[Any]]
AnswerHandler = Callable[..., Awaitable[Any]]  # (ctx, payload, text) -> replies
COMMAND_MARK = "__leerteam_command__"  # the Command a decorated function carries
ANSWERS_MARK = "__leerteam_answers__"  # the kind of question a decorated function answers


@dataclass(frozen=True)
class Command:
    id: str
    handler: Handler
    params: tuple[Param, ...] = ()
    access: Access = Access.ANYONE
    where: Where = Where.ANYWHERE
    hidden: bool = False  # only reachable through buttons; not typed, not in /help
    section: str = "general"


SECTIONS = ("general", "school", "teams", "cycle", "meetings", "polls", "leader")


def command(
    id: str,
    *,
    params: tuple[Param, ...] = (),
    access: Access = Access.ANYONE,
    where: Where = Where.ANYWHERE,
    hidden: bool = False,
    section: str = "general",
) -> Callable[[Handler], Handler]:
    """Mark ``fn`` as the command ``id``; its capability collects it (bot/core/capability.py)."""

    def mark(fn: Handler) -> Handler:
        setattr(fn, COMMAND_MARK, Command(id, fn, params, access, where, hidden, section))
        return fn

    return mark


def answers(kind: str) -> Callable[[AnswerHandler], AnswerHandler]:
    """Mark ``fn`` as the handler for free-text answers to questions of this kind."""

    def mark(fn: AnswerHandler) -> AnswerHandler:
        setattr(fn, ANSWERS_MARK, kind)
        return fn

    return mark


def command_name(command_id: str) -> Msg:
    """The one way to put a command's name in a message: rendered in the language of whoever
    reads that message (a team channel in the school's language, a private answer in the member's)."""
    return Msg(f"cmd.{command_id}.name")


_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
# Unicode's control characters (category Cc: U+0000–U+001F, U+007F–U+009F) but for line breaks and tabs
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def split_args(text: str) -> list[str]:
    """Split on spaces; double quotes group words. Apostrophes are text ('t Kompas, Anna's)."""
    return [m.group(1) if m.group(1) is not None else m.group(2) for m in _TOKEN.finditer(text)]


def parse_args(cmd: Command, text: str) -> dict[str, str | None]:
    """Positional arguments; a ``rest`` parameter takes the remaining text as typed (so a name
    keeps its inner spacing, and stray line breaks or control characters reach validation)."""
    if _CONTROL.search(text):
        raise UserError(Msg("usage.control"))  # e.g. a NUL byte, which PostgreSQL cannot even store
    matches = list(_TOKEN.finditer(text))
    values: dict[str, str | None] = {}
    used = 0
    for i, param in enumerate(cmd.params):
        if param.rest:
            raw = text[matches[i].start():].strip() if i < len(matches) else ""
            if len(matches) - i == 1 and matches[i].group(1) is not None:
                raw = matches[i].group(1)  # one quoted name: drop the quotes
            values[param.name] = raw or None
            used = len(matches)
        else:
            m = matches[i] if i < len(matches) else None
            values[param.name] = (m.group(1) if m.group(1) is not None else m.group(2)) if m else None
            used = min(i + 1, len(matches))
        if values[param.name] is None and param.required:
            raise UsageError(cmd.id, Msg("usage.missing"))
    if len(matches) > used:
        raise UsageError(cmd.id, Msg("usage.extra"))
    return values
