"""The web pages' credentials: one-time login links, browser sessions and calendar feed tokens.

A token is 32 random bytes (``secrets.token_urlsafe``) handed out once; the database keeps only
its SHA-256, so a copy of the database logs nobody in. Consuming a login link is one conditional
UPDATE (``used_at IS NULL AND expires_at > now``), so two browsers racing for the same link
cannot both win, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import FeedToken, WebLogin, WebSession
from storage.queries import table_of

LINK_VALID = timedelta(minutes=10)
SESSION_VALID = timedelta(hours=12)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def issue_login(session: AsyncSession, member_id: int, now: datetime) -> str:
    token = new_token()
    session.add(
        WebLogin(
            token_hash=digest_of(token), member_id=member_id, created_at=now, expires_at=now + LINK_VALID
        )
    )
    await session.flush()
    return token


async def consume_login(session: AsyncSession, token: str, now: datetime) -> int | None:
    """The member the link belongs to, once: an unknown, expired or used link gives None."""
    row = (await session.exec(select(WebLogin).where(WebLogin.token_hash == digest_of(token)))).first()
    if row is None:
        return None
    table = table_of(WebLogin)
    result = await (await session.connection()).execute(
        update(table)
        .where(table.c.id == row.id, table.c.used_at.is_(None), table.c.expires_at > now)
        .values(used_at=now)
    )
    return row.member_id if result.rowcount == 1 else None


async def start_session(session: AsyncSession, member_id: int, now: datetime) -> tuple[str, WebSession]:
    token = new_token()
    row = WebSession(
        token_hash=digest_of(token),
        member_id=member_id,
        csrf=new_token()[:43],
        created_at=now,
        expires_at=now + SESSION_VALID,
    )
    session.add(row)
    await session.flush()
    return token, row


async def find_session(session: AsyncSession, token: str | None, now: datetime) -> WebSession | None:
    if not token or len(token) > 100:
        return None
    row = (await session.exec(select(WebSession).where(WebSession.token_hash == digest_of(token)))).first()
    if row is None or row.ended_at is not None or row.expires_at <= now:
        return None
    return row


async def end_sessions(session: AsyncSession, member_id: int, now: datetime) -> int:
    """End every open session of this person (``/web uit``); returns how many were open."""
    table = table_of(WebSession)
    result = await (await session.connection()).execute(
        update(table)
        .where(table.c.member_id == member_id, table.c.ended_at.is_(None), table.c.expires_at > now)
        .values(ended_at=now)
    )
    return int(result.rowcount or 0)


async def end_session(session: AsyncSession, row: WebSession, now: datetime) -> None:
    row.ended_at = now
    session.add(row)


async def issue_feed(session: AsyncSession, member_id: int, team_id: int | None, now: datetime) -> str:
    token = new_token()
    session.add(FeedToken(token_hash=digest_of(token), member_id=member_id, team_id=team_id, created_at=now))
    await session.flush()
    return token


async def find_feed(session: AsyncSession, token: str) -> FeedToken | None:
    if len(token) > 100:
        return None
    row = (await session.exec(select(FeedToken).where(FeedToken.token_hash == digest_of(token)))).first()
    return row if row is not None and row.revoked_at is None else None


async def feeds_of(session: AsyncSession, member_id: int) -> list[FeedToken]:
    return list(
        (
            await session.exec(
                select(FeedToken)
                .where(FeedToken.member_id == member_id, col(FeedToken.revoked_at).is_(None))
                .order_by(col(FeedToken.id))
            )
        ).all()
    )


async def revoke_feed(session: AsyncSession, member_id: int, feed_id: int, now: datetime) -> bool:
    """Only the owner can revoke a feed; returns whether one was revoked."""
    row = await session.get(FeedToken, feed_id)
    if row is None or row.member_id != member_id or row.revoked_at is not None:
        return False
    row.revoked_at = now
    session.add(row)
    return True
