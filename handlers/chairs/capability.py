"""The voorzittersoverleg (seed 003: the chairs' meeting with the management team): its commands,
its section on the Home overview, and the teams' state on its reminders. The clock's work (meetings,
reminders, notes asked) is the meetings capability's, since the chairs' meeting is a team row of
kind "chairs" (``circle.py``)."""

from __future__ import annotations

from bot.core.capability import Capability
from handlers.chairs import commands
from handlers.chairs.home import home_section, reminder_state
from handlers.meetings.reminders import AGENDA_EXTRA_HOOK
from handlers.school.home import HOME_SECTIONS_HOOK

CHAIRS = Capability.collect(
    "chairs", (commands,),
    hooks={HOME_SECTIONS_HOOK: (home_section,), AGENDA_EXTRA_HOOK: (reminder_state,)},
)
