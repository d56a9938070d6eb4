"""Telegram's answers as the core's delivery outcome (bot/core/delivery.py, ``DeliveryFailed``)."""

from __future__ import annotations

from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.core.delivery import DeliveryFailed

# Bad Request answers that mean the chat is not there for the bot (sending again cannot help)
GONE = ("chat not found", "group chat was deactivated", "bot was kicked", "not a member",
        "have no rights to send", "need administrator rights", "user is deactivated")
MEMBER = ("member", "administrator", "creator", "restricted")


def delivery_failed(exc: TelegramError) -> DeliveryFailed:
    """Telegram's answer as the core's delivery outcome: 403 (kicked, blocked) and a Bad Request
    saying the chat is gone are for good; flood control, network errors and timeouts for now."""
    text = str(exc)
    if isinstance(exc, Forbidden) or (isinstance(exc, BadRequest) and any(g in text.lower() for g in GONE)):
        status = 403 if isinstance(exc, Forbidden) else 400
        return DeliveryFailed(permanent=True, reason=text[:200], status=status)
    if isinstance(exc, RetryAfter):
        return DeliveryFailed(permanent=False, reason=text[:200], status=429)
    return DeliveryFailed(permanent=isinstance(exc, BadRequest), reason=text[:200])
