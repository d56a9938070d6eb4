"""What a capability contributes to the bot, and the registry an app builds from a list of them.

A capability (the school and its teams, the inquiry cycle, meetings, polls, the leader's digest) is
one package under ``handlers/`` that exports one :class:`Capability`. The app lists the capabilities
it runs (``bot/app.py``); :meth:`Registry.build` joins what they contribute into the tables the
dispatcher and the clock read. Nothing is registered by importing a module: the ``@command`` and
``@answers`` decorators only *mark* a function, and a capability collects the marked functions of
the modules it names. So two apps with different capabilities can live in one process (tests do).

What a capability may contribute:

- **commands**: functions marked with :func:`bot.core.commands.command` (name, arguments, access);
- **answers**: functions marked with :func:`bot.core.commands.answers`, which take the free-text
  answer to a question of that kind;
- **renderers**: for each kind of queued :class:`storage.models.Outbox` row, the function that
  writes its messages at send time (:data:`Renderer`);
- **batch renderers**: for a kind that falls due for many teams at once (reminders), the function
  that writes a whole batch of rows from one query per kind of record (:data:`BatchRenderer`);
  the clock uses it when several rows of that kind are due together;
- **planners**: run in every clock tick's planning transaction, in the order of the app's list,
  to queue what has fallen due (:data:`Planner`);
- **due moments**: when this capability next has something to do, so the console's simulated
  clock stops there (:data:`DueMoments`);
- **hooks**: contributions to another capability's extension points, by name (for example
  ``"home.next"`` or ``"digest.reflection"``); the capability that reads a hook documents what it
  expects. This is how capabilities cooperate without importing each other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.commands import ANSWERS_MARK, COMMAND_MARK, AnswerHandler, Command
from bot.core.replies import Reply
from prompts.catalog import Catalog

if TYPE_CHECKING:
    from bot.core.config import Settings
    from bot.core.outbox import TickReport


@dataclass(frozen=True)
class Job:
    """A queued outbox row being written at send time: everything its renderer may use."""

    session: AsyncSession
    kind: str
    payload: dict[str, Any]
    now: datetime
    catalog: Catalog
    registry: Registry


@dataclass(frozen=True)
class PlanRun:
    """One tick's planning transaction, as a planner sees it."""

    session: AsyncSession
    now: datetime
    settings: Settings
    report: TickReport


Renderer = Callable[[Job], Awaitable[list[Reply]]]
# Jobs of one kind (sharing one session and ``now``) -> for each, its replies or why it is skipped.
# A batch renderer only reads: one skipped job must not leave writes behind for the others.
BatchRenderer = Callable[[Sequence[Job]], Awaitable[list["list[Reply] | Skip"]]]
Planner = Callable[[PlanRun], Awaitable[None]]
DueMoments = Callable[[AsyncSession, datetime, datetime], Awaitable[list[datetime]]]


class Skip(Exception):
    """Raised by a renderer: the row is no longer worth sending; the reason is kept on the row."""


@dataclass(frozen=True)
class Capability:
    name: str
    commands: tuple[Command, ...] = ()
    answers: Mapping[str, AnswerHandler] = field(default_factory=dict)
    renderers: Mapping[str, Renderer] = field(default_factory=dict)
    planners: tuple[Planner, ...] = ()
    due_moments: tuple[DueMoments, ...] = ()
    hooks: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    batch_renderers: Mapping[str, BatchRenderer] = field(default_factory=dict)

    @classmethod
    def collect(cls, name: str, modules: Iterable[ModuleType], **contributions: Any) -> Capability:
        """A capability whose commands and answer handlers are the marked functions of ``modules``."""
        commands: list[Command] = []
        answers: dict[str, AnswerHandler] = {}
        for module in modules:
            for value in vars(module).values():
                if getattr(value, "__module__", None) != module.__name__:
                    continue  # imported from elsewhere: it belongs to the module that defines it
                command = getattr(value, COMMAND_MARK, None)
                if isinstance(command, Command) and command not in commands:
                    commands.append(command)
                kind = getattr(value, ANSWERS_MARK, None)
                if isinstance(kind, str):
                    answers[kind] = value
        return cls(name, tuple(commands), answers, **contributions)


V = TypeVar("V")


def _join(table: dict[str, V], new: Mapping[str, V], what: str, capability: str) -> None:
    for key, value in new.items():
        if key in table:
            raise ValueError(f"{what} {key} contributed twice ({capability})")
        table[key] = value


@dataclass(frozen=True)
class Registry:
    """Everything the app's capabilities contribute, joined; lives on the app instance."""

    capabilities: tuple[Capability, ...]
    commands: Mapping[str, Command]
    answers: Mapping[str, AnswerHandler]
    renderers: Mapping[str, Renderer]
    planners: tuple[Planner, ...]
    due_moments: tuple[DueMoments, ...]
    _hooks: Mapping[str, tuple[Any, ...]]
    batch_renderers: Mapping[str, BatchRenderer] = field(default_factory=dict)

    @classmethod
    def build(cls, capabilities: Sequence[Capability]) -> Registry:
        commands: dict[str, Command] = {}
        answers: dict[str, AnswerHandler] = {}
        renderers: dict[str, Renderer] = {}
        batch_renderers: dict[str, BatchRenderer] = {}
        hooks: dict[str, tuple[Any, ...]] = {}
        names: set[str] = set()
        for cap in capabilities:
            if cap.name in names:
                raise ValueError(f"capability {cap.name} listed twice")
            names.add(cap.name)
            _join(commands, {c.id: c for c in cap.commands}, "command", cap.name)
            _join(answers, cap.answers, "answer kind", cap.name)
            _join(renderers, cap.renderers, "outbox kind", cap.name)
            _join(batch_renderers, cap.batch_renderers, "outbox batch kind", cap.name)
            for kind in cap.batch_renderers:
                if kind not in cap.renderers:  # a retry of one row needs the one-row form
                    raise ValueError(f"outbox kind {kind} has a batch renderer but no renderer ({cap.name})")
            for hook, values in cap.hooks.items():
                hooks[hook] = hooks.get(hook, ()) + tuple(values)
        return cls(
            capabilities=tuple(capabilities), commands=commands, answers=answers, renderers=renderers,
            planners=tuple(p for cap in capabilities for p in cap.planners),
            due_moments=tuple(d for cap in capabilities for d in cap.due_moments), _hooks=hooks,
            batch_renderers=batch_renderers,
        )

    def hooks(self, name: str) -> tuple[Any, ...]:
        """What the capabilities contribute to the extension point ``name``, in the app's order."""
        return self._hooks.get(name, ())
