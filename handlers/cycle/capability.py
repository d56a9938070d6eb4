"""The inquiry cycle: focus, the four phases with their guiding questions and records, the exit
criteria, rounds, and the quality card."""

from __future__ import annotations

from bot.core.capability import Capability
from handlers.common import forms
from handlers.cycle import answers, commands, evaluation, intervention, records

CYCLE = Capability.collect(
    "cycle", (answers, commands, records, intervention, evaluation, forms),
    hooks={forms.FORMS_HOOK: forms.forms_in(records, intervention, evaluation)},
)
