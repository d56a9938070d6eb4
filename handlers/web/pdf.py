"""A quality card as a PDF, with WeasyPrint: the same HTML as the card's print page, laid out
by the print stylesheet (A4, page margins, headings kept with what follows).

Why WeasyPrint rather than a browser's print-to-PDF: it is a Python library on Debian's pango,
so the bot makes the PDF itself, in a thread, without a browser process per request or a
download of browser binaries; and the result is the same on every server. It is imported only
when a PDF is asked for (it takes a moment to load).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

STATIC = Path(__file__).parent / "static"
log = logging.getLogger(__name__)


def _write(html: str) -> bytes:
    from weasyprint import CSS, HTML

    css = [CSS(filename=str(STATIC / "web.css")), CSS(filename=str(STATIC / "print.css"))]
    return HTML(string=html, base_url=str(STATIC)).write_pdf(stylesheets=css)


async def card_pdf(html: str) -> bytes:
    return await asyncio.to_thread(_write, html)


async def card_pdf_reply(session: Any, catalog: Any, lang: str, team: Any, cycle: Any, at: datetime) -> Any:
    """``/kaart <n>`` in chat: the card as a PDF Document next to its Markdown (None if the PDF
    library cannot run here; the Markdown still goes out)."""
    from bot.core.replies import Document
    from handlers.cycle.quality_card import build_card, card_filename
    from handlers.web.render import Texts, page
    from prompts.catalog import Msg
    from storage.models import School

    school = await session.get(School, team.school_id)
    blocks = await build_card(session, team, cycle, school)
    html = page(
        "card.html",
        Texts(catalog, lang, school.role_name if school else None),
        blocks=blocks,
        for_pdf=True,
        card=None,
        team=team,
        viewer=None,
        school=None,
    )
    try:
        data = await card_pdf(html)
    except (ImportError, OSError) as exc:  # WeasyPrint or pango missing on this server
        log.warning("no PDF of the quality card: %s", exc)
        return None
    name = card_filename(team, cycle, at).removesuffix(".md") + ".pdf"
    return Document(data, name, mime="application/pdf", caption=Msg("page.card_pdf_caption"))
