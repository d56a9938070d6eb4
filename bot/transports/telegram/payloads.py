"""What buttons and deep links carry.

A button carries a core choice value (command id + arguments), nothing else: Telegram allows
1-64 bytes of callback data, so the value travels verbatim when it fits, else
deflate-compressed; nothing is kept in memory or stored. The data is never trusted: it decodes
to a value that the dispatcher checks like a typed command (team, role, arguments), and
anything that does not decode becomes a value no command answers to (a stale button).

A ``/start`` deep link is different: anyone can craft one and send it to a colleague, and
tapping it sends the payload *as that colleague*. So a deep link can only ever join a school
(``join-<code>``) or continue a waiting private question (``continue``); it never runs an
arbitrary command.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib

MAX_CALLBACK = 64  # telegram.constants.InlineKeyboardButtonLimit.MAX_CALLBACK_DATA (bytes)
MAX_START = 64  # deep-link payload, characters
MAX_VALUE = 1024  # a decoded value is never longer than this (no decompression bombs)
COMPRESSED = "~"  # callback data that starts with this is compressed
STALE = "\x00stale"  # decodes from garbage: no command has this id

RESUME = "resume"  # core command: show a waiting question again, or greet
JOIN_PREFIX = "join-"  # deep link that joins a school: join-<school code>
CONTINUE = "continue"  # deep link from a group: continue privately
JOIN_CODE = re.compile(r"^[A-Z0-9]{4,16}$")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _deflate(value: str) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(value.encode("utf-8")) + c.flush()


def _inflate(data: bytes) -> str:
    d = zlib.decompressobj(-15)
    out = d.decompress(data, MAX_VALUE)
    if d.unconsumed_tail or not d.eof:
        raise ValueError("too long or truncated")
    return out.decode("utf-8")


def encode_callback(value: str) -> str | None:
    """Callback data for a choice value, or None when even compressed it is too long."""
    raw = value.encode("utf-8")
    if not raw:
        return None
    if len(raw) <= MAX_CALLBACK and not value.startswith(COMPRESSED):
        return value
    packed = COMPRESSED + _b64(_deflate(value))
    return packed if len(packed) <= MAX_CALLBACK else None


def decode_callback(data: str | None) -> str:
    if not data:
        return STALE
    if not data.startswith(COMPRESSED):
        return data
    try:
        return _inflate(_unb64(data[len(COMPRESSED):]))
    except (ValueError, binascii.Error, zlib.error, UnicodeDecodeError):
        return STALE


def decode_start(payload: str) -> str:
    """The choice value a ``/start`` payload stands for: joining a school, or (for anything
    else, including ``continue``) asking the waiting question again or greeting."""
    payload = payload.strip()
    if payload.startswith(JOIN_PREFIX) and JOIN_CODE.match(payload[len(JOIN_PREFIX):]):
        return f"school_join {payload[len(JOIN_PREFIX):]}"
    return RESUME
