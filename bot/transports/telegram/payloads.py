"""What buttons and deep links carry: a core choice value (command id + arguments), nothing else.

Telegram allows 1-64 bytes of callback data per button and 64 characters ``[A-Za-z0-9_-]`` in a
``/start`` deep-link payload. Nothing is kept in memory and nothing has to be stored: the value
itself travels, verbatim when it fits, else deflate-compressed. The data is never trusted: it
decodes to a value that the dispatcher checks like a typed command (team, role, arguments),
and anything that does not decode becomes a value no command answers to (a stale button).
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
VALUE_PREFIX = "v-"  # deep link that runs a choice value: v-<base64url>
ZIP_PREFIX = "z-"  # the same, deflate-compressed: z-<base64url>
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


def encode_start(value: str) -> str | None:
    """A deep-link payload that runs a choice value, or None when it does not fit."""
    raw = value.encode("utf-8")
    plain = VALUE_PREFIX + _b64(raw)
    if len(plain) <= MAX_START:
        return plain
    packed = ZIP_PREFIX + _b64(_deflate(value))
    return packed if len(packed) <= MAX_START else None


def decode_start(payload: str) -> str:
    """The choice value a ``/start`` payload stands for; unknown payloads just greet."""
    payload = payload.strip()
    if payload.startswith(JOIN_PREFIX) and JOIN_CODE.match(payload[len(JOIN_PREFIX):]):
        return f"school_join {payload[len(JOIN_PREFIX):]}"
    try:
        if payload.startswith(VALUE_PREFIX):
            return _unb64(payload[len(VALUE_PREFIX):]).decode("utf-8")[:MAX_VALUE]
        if payload.startswith(ZIP_PREFIX):
            return _inflate(_unb64(payload[len(ZIP_PREFIX):]))
    except (ValueError, binascii.Error, zlib.error, UnicodeDecodeError):
        return STALE
    return RESUME
