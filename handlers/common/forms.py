"""Multi-field records entered either in one line (``a | b | c``) or step by step.

A teacher on a phone types ``/bron`` and is asked for the title, then the link, and so on; a
power user types it all at once with ``|`` between the fields. Both paths use the same field
checks. The half-filled form lives in the database (as the payload of a pending question), so
a restart in the middle loses nothing, and a wrong answer is simply asked again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from types import ModuleType
from typing import Any

from bot.core.commands import answers
from bot.core.context import Context
from bot.core.errors import UsageError, UserError
from bot.core.replies import Ask, Reply, Text
from handlers.common.measures import read_measure
from handlers.common.people import find_person
from handlers.common.values import (
    read_date,
    read_future_date,
    read_level,
    read_number,
    read_text,
    read_url,
    today_in,
)
from prompts.catalog import Join, Msg

CANCEL_WORDS = {"stop", "annuleer", "annuleren", "cancel"}
SKIP = "-"


@dataclass(frozen=True)
class Field:
    name: str
    # text | number | measure (a number and its %) | date | future_date | level | url | person
    kind: str = "text"
    optional: bool = False
    max_length: int = 500


Submit = Callable[[Context, dict[str, Any], dict[str, Any]], Awaitable[list[Reply]]]


@dataclass(frozen=True)
class Form:
    id: str
    command_id: str
    fields: tuple[Field, ...]
    submit: Submit


FORMS_HOOK = "forms"  # capabilities contribute their Form objects under this hook name
FORM_MARK = "__leerteam_form__"


def form(id: str, command_id: str, fields: tuple[Field, ...]) -> Callable[[Submit], Submit]:
    """Mark ``fn`` as the submit step of the form ``id``; :func:`forms_in` collects the marks."""

    def mark(fn: Submit) -> Submit:
        setattr(fn, FORM_MARK, Form(id, command_id, fields, fn))
        return fn

    return mark


def forms_in(*modules: ModuleType) -> tuple[Form, ...]:
    """The forms whose submit functions ``modules`` define (for their capability's hooks)."""
    marks = (getattr(v, FORM_MARK, None) for m in modules for v in vars(m).values())
    return tuple(f for f in marks if isinstance(f, Form))


def _form(ctx: Context, form_id: str) -> Form | None:
    return next((f for f in ctx.registry.hooks(FORMS_HOOK) if f.id == form_id), None)


async def read_field(ctx: Context, f: Form, field: Field, raw: str) -> Any:
    """One value, checked; JSON-friendly (dates as ISO strings, people as ids and names)."""
    text = raw.strip()
    if field.optional and text in ("", SKIP):
        return None
    what = f"form.{f.id}.{field.name}.what"
    school = ctx.school
    today = today_in(school.timezone if school else ctx.settings.timezone, ctx.now())
    if field.kind == "number":
        if not text:
            raise UserError(Msg("value.empty", what=Msg(what)))
        return read_number(text)
    if field.kind == "measure":
        if not text:
            raise UserError(Msg("value.empty", what=Msg(what)))
        return read_measure(text).as_json()
    if field.kind == "date":
        return read_date(text, today).isoformat()
    if field.kind == "future_date":
        return read_future_date(text, today).isoformat()
    if field.kind == "level":
        return read_level(text)
    if field.kind == "url":
        return read_url(text)
    if field.kind == "person":
        if text.lower() in ("team", "iedereen", "allemaal", "everyone", "all"):
            return {"member_id": None, "label": "team"}
        person = await find_person(ctx, read_text(text, max_length=80, what=what))
        return {"member_id": person.member.id, "label": person.member.display_name}
    return read_text(text, max_length=field.max_length, what=what)


def _ask(f: Form, index: int, payload: dict[str, Any]) -> Ask:
    field = f.fields[index]
    hint = Msg("form.optional_hint") if field.optional else Msg("form.cancel_hint")
    return Ask(
        Join(
            [Msg("form.step", n=index + 1, total=len(f.fields)), Msg(f"form.{f.id}.{field.name}.ask"), hint]
        ),
        question_id="form",
        payload={**payload, "form": f.id, "i": index},
    )


async def start_form(ctx: Context, form_id: str, args: str | None, context: dict[str, Any]) -> list[Reply]:
    """Submit at once when the fields are given on the line, else start asking."""
    f = _form(ctx, form_id)
    if f is None:
        raise LookupError(f"form {form_id} is not contributed by any capability")
    if not args or not args.strip():
        return [_ask(f, 0, {"ctx": context, "values": {}})]
    parts = [p.strip() for p in args.split("|")]
    required = sum(1 for fl in f.fields if not fl.optional)
    if len(parts) > len(f.fields) or len(parts) < required:
        raise UsageError(f.command_id, Msg("form.field_count", expected=len(f.fields), got=len(parts)))
    parts += [""] * (len(f.fields) - len(parts))
    values = {}
    for field, raw in zip(f.fields, parts, strict=True):
        if not field.optional and not raw:
            raise UserError(Msg("value.empty", what=Msg(f"form.{f.id}.{field.name}.what")))
        values[field.name] = await read_field(ctx, f, field, raw)
    return await f.submit(ctx, values, context)


@answers("form")
async def continue_form(ctx: Context, payload: dict[str, Any], text: str) -> list[Reply]:
    f = _form(ctx, payload.get("form", ""))
    if f is None:
        raise UserError(Msg("common.question_closed"))
    ctx.focus_team_id = payload.get("ctx", {}).get("team_id")
    if text.strip().lower() in CANCEL_WORDS:
        return [Text(Msg("form.cancelled"))]
    index = int(payload.get("i", 0))
    field = f.fields[index]
    values = dict(payload.get("values", {}))
    try:
        values[field.name] = await read_field(ctx, f, field, text)
    except UserError as err:  # the question stays open (the transaction rolls back): say so
        raise UserError(Join([err.message, Msg("form.retry")])) from None
    if index + 1 < len(f.fields):
        return [_ask(f, index + 1, {"ctx": payload.get("ctx", {}), "values": values})]
    return await f.submit(ctx, values, payload.get("ctx", {}))


def as_date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None
