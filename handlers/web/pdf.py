"""A quality card as a PDF, with WeasyPrint: the same HTML as the card's print page, laid out
by the print stylesheet (A4, page margins, headings kept with what follows).

Why WeasyPrint rather than a browser's print-to-PDF: it is a Python library on Debian's pango,
so the bot makes the PDF itself, in a thread, without a browser process per request or a
download of browser binaries; and the result is the same on every server. It is imported only
when a PDF is asked for (it takes a moment to load).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

STATIC = Path(__file__).parent / "static"


def _write(html: str) -> bytes:
    from weasyprint import CSS, HTML

    css = [CSS(filename=str(STATIC / "web.css")), CSS(filename=str(STATIC / "print.css"))]
    return HTML(string=html, base_url=str(STATIC)).write_pdf(stylesheets=css)  # type: ignore[no-any-return]


async def card_pdf(html: str) -> bytes:
    return await asyncio.to_thread(_write, html)
