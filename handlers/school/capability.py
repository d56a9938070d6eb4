"""The school and its teams: starting a school, joining, teams and their chats, roles, language,
help, the overview (Slack's App Home) and asking a waiting question again."""

from __future__ import annotations

from bot.core.capability import Capability
from handlers.common import undo
from handlers.school import (
    delivery_notices,
    help,
    home,
    language,
    manage,
    quiet,
    resume,
    role_name,  # issue 16 part 5: the school's word for the chair
    schools,
    team_restore,
    teams,
)

SCHOOL = Capability.collect(
    "school", (schools, teams, manage, team_restore, quiet, language, help, resume, home, undo, role_name),
    renderers=delivery_notices.RENDERERS,
    hooks={home.HOME_NEXT_HOOK: ((10, home.setup_steps), (20, home.focus_meeting_agenda))},
)
