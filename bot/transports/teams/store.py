"""Conversation references in the database (table ``teamsconversation``, migration 0007).

Refreshed from every activity that arrives, read for every send: replies, team posts and
scheduled messages all go out the same way, from any process, after any restart.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.transports.teams.activity import Where
from storage.models import TeamsConversation


class ConversationStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def get(self, key: str) -> TeamsConversation | None:
        async with self.sessions() as session:
            return await session.get(TeamsConversation, key)

    async def remember(self, where: Where, now: datetime) -> None:
        """The conversation the activity came from, and the sender's way to a personal chat."""
        rows = [
            TeamsConversation(
                key=where.chat_key,
                kind=where.kind,
                conversation_id=where.conversation_id if where.kind != "personal" else None,
                service_url=where.service_url,
                tenant_id=where.tenant_id,
                bot_id=where.bot_id,
                updated_at=now,
            )
        ]
        if where.user_key:
            rows.append(
                TeamsConversation(
                    key=where.user_key,
                    kind="personal",
                    conversation_id=where.conversation_id if where.kind == "personal" else None,
                    service_url=where.service_url,
                    tenant_id=where.tenant_id,
                    bot_id=where.bot_id,
                    teams_user_id=where.teams_user_id,
                    updated_at=now,
                )
            )
        for row in rows if where.kind != "personal" else rows[1:]:
            await self._upsert(row)

    async def set_personal(self, key: str, conversation_id: str, now: datetime) -> None:
        async with self.sessions() as session:
            row = await session.get(TeamsConversation, key)
            if row is not None:
                row.conversation_id, row.updated_at = conversation_id, now
                session.add(row)
                await session.commit()

    async def _upsert(self, row: TeamsConversation) -> None:
        for _ in range(2):  # a concurrent first insert of the same key: read it back and update
            async with self.sessions() as session:
                existing = await session.get(TeamsConversation, row.key)
                if existing is None:
                    session.add(row)
                else:
                    changed = False
                    for field in (
                        "kind",
                        "service_url",
                        "tenant_id",
                        "bot_id",
                        "conversation_id",
                        "teams_user_id",
                    ):
                        value = getattr(row, field)
                        if value is not None and getattr(existing, field) != value:
                            setattr(existing, field, value)
                            changed = True
                    if not changed:
                        return  # nothing new: no write on every message
                    existing.updated_at = row.updated_at
                    session.add(existing)
                try:
                    await session.commit()
                    return
                except IntegrityError:
                    await session.rollback()
