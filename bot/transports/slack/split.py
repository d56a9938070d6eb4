"""A long message over several Slack messages, as Telegram's 4,096-character rule does
(bot/transports/telegram/render.split_html): Slack takes at most 50 blocks per message and 3,000
characters per section text (https://api.slack.com/reference/block-kit/blocks). The renderer cuts
section texts at line ends; this module groups the blocks into messages of at most 50, never
leaving a header as the last block of a part (it goes with what it heads). Nothing is dropped: the
leader's digest for hundreds of teams arrives whole, in as many parts as it needs."""

from __future__ import annotations

from typing import Any

from bot.transports.slack.render import MAX_BLOCKS, MAX_FALLBACK

MAX_PART_CHARS = 40_000  # chat.postMessage truncates a message's text after 40,000 characters: stay under


def _size(block: dict[str, Any]) -> int:
    text = block.get("text")
    return len(str(text.get("text", ""))) if isinstance(text, dict) else 0


def message_groups(blocks: list[dict[str, Any]], max_blocks: int = MAX_BLOCKS,
                   max_chars: int = MAX_PART_CHARS) -> list[list[dict[str, Any]]]:
    """``blocks`` split into messages of at most ``max_blocks`` blocks (and ``max_chars`` characters)
    each, in order."""
    groups: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    chars = 0
    for block in blocks:
        if current and (len(current) >= max_blocks or chars + _size(block) > max_chars):
            carried = [current.pop()] if current[-1].get("type") == "header" and len(current) > 1 else []
            groups.append(current)
            current = carried
            chars = sum(_size(b) for b in current)
        current.append(block)
        chars += _size(block)
    if current:
        groups.append(current)
    return groups


def fallback_of(blocks: list[dict[str, Any]], limit: int = MAX_FALLBACK) -> str:
    """The notification text of one part: its own words, not the first part's."""
    texts = [str(b.get("text", {}).get("text", "")) for b in blocks if isinstance(b.get("text"), dict)]
    text = "\n".join(t for t in texts if t).strip() or "…"
    return text if len(text) <= limit else text[: limit - 1] + "…"
