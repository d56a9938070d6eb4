"""/rolnaam: the school's own word for the person who guides a team (voorzitter, procesbegeleider,
PLG-begeleider, leerteamcoördinator — seed 001 calls the role PLG-begeleider; schools use all four).

One setting per school (``School.role_name``). Every text that names the role says ``{role}`` and
friends (prompts/catalog.py fills them per reader's school, like the platform words); the command
names (/voorzitter, /geenvoorzitter) stay, so help texts and habits do not break.
"""

from __future__ import annotations

import re
import unicodedata

from bot.core.commands import Access, Param, command, command_name
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Text
from handlers.common.validation import shorten
from prompts.catalog import DEFAULT_ROLE, ROLES, Join, Msg

# how people type the four roles, in Dutch and English (lower case, no accents, no spaces or hyphens)
ALIASES = {
    "voorzitter": "voorzitter", "chair": "voorzitter", "chairperson": "voorzitter",
    "procesbegeleider": "procesbegeleider", "processfacilitator": "procesbegeleider",
    "facilitator": "procesbegeleider",
    "plgbegeleider": "plg_begeleider", "plg": "plg_begeleider", "plcfacilitator": "plg_begeleider",
    "plc": "plg_begeleider",
    "leerteamcoordinator": "leerteamcoordinator", "coordinator": "leerteamcoordinator",
    "learningteamcoordinator": "leerteamcoordinator",
}


def role_of(text: str) -> str | None:
    """A role as typed (``PLG-begeleider``, ``leerteamcoördinator``, ``process facilitator``) → its id."""
    plain = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return ALIASES.get(re.sub(r"[\s\-_]+", "", plain))


def _choices() -> Join:
    return Join([Msg(f"role_words.{r}.role") for r in ROLES], sep=", ")


@command("role_name", params=(Param("role", rest=True, required=False),),
         access=Access.SCHOOL_MEMBER, section="school")
async def role_name(ctx: Context, role: str | None) -> Text:
    school = ctx.require_school()
    if not role:
        return Text(Msg("start.role.now", school=school.name, word=_word(school.role_name),
                        choices=_choices(), cmd=command_name("role_name")))
    if not await ctx.is_school_manager():
        raise UserError(Msg("start.role.only_leader"))
    chosen = role_of(role)
    if chosen is None:
        raise UserError(Msg("start.role.unknown", text=shorten(role, 40), choices=_choices()))
    school.role_name = chosen
    ctx.session.add(school)
    return Text(Msg("start.role.set", school=school.name, word=_word(chosen),
                    chair_cmd=command_name("make_chair")))


def _word(role: str) -> Msg:
    return Msg(f"role_words.{role if role in ROLES else DEFAULT_ROLE}.role")
