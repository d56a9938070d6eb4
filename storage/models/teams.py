"""What the Teams transport remembers: where to post, for messages nobody asked for right now.

Teams lets a bot post into a conversation only through the Bot Connector service that spoke to
it (``serviceUrl``), with the conversation's own id and tenant. Every activity that arrives
refreshes that reference here, keyed by the core's chat id (a channel) or the person's id (their
personal chat), so reminders and team posts (``Leerteam.attach``) survive restarts and reach
any process. A person's Teams user id is kept too, to open a personal chat they never started.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.models.base import aware  # noqa: F401  (the shared naming convention first)
from storage.types import UTCDateTime


class TeamsConversation(SQLModel, table=True):
    key: str = Field(primary_key=True, max_length=80)  # a channel's chat id, or a person's id
    kind: str = Field(max_length=16)  # channel | groupChat | personal
    conversation_id: str | None = Field(default=None, max_length=512)  # None: no personal chat yet
    service_url: str = Field(max_length=512)
    tenant_id: str = Field(max_length=64)
    bot_id: str = Field(max_length=160)
    teams_user_id: str | None = Field(default=None, max_length=256)  # personal: the person's 29:… id
    updated_at: datetime = Field(sa_type=UTCDateTime)
