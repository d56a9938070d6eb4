"""The web pages' chat side: ``/web`` sends a one-time login link, ``/web uit`` ends the sessions,
and ``/kaart`` sends each quality card as a PDF too."""

from __future__ import annotations

from bot.core.capability import Capability
from handlers.cycle.commands import CARD_FILES_HOOK
from handlers.web import login
from handlers.web.pdf import card_pdf_reply

WEB = Capability.collect("web", (login,), hooks={CARD_FILES_HOOK: (card_pdf_reply,)})
