"""A mention covering several words is one person argument (issue 13): Telegram's text mention of
"Anna de Vries" (picked from the mention list) and a Slack user token."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Bot

from bot.core.commands import split_args
from bot.core.events import CommandEvent
from bot.transports.slack.inbound import split_command
from bot.transports.telegram.updates import BotInfo, to_event
from tests.telegram_fakes import TgUser, Updates


def test_a_telegram_text_mention_of_several_words_is_one_argument():
    updates = Updates(Bot("1:fake"))
    els, anna = TgUser(1, "Els"), {"id": 7, "is_bot": False, "first_name": "Anna", "last_name": "de Vries"}
    text = "/voorzitter Anna de Vries Onderbouw"
    entities = [{"type": "bot_command", "offset": 0, "length": 11},
                {"type": "text_mention", "offset": 12, "length": 13, "user": anna}]
    event = to_event(updates.message(els, text, entities=entities),
                     BotInfo("leerteam_bot", frozenset({"voorzitter"})), datetime(2026, 12, 1, tzinfo=UTC))
    assert isinstance(event, CommandEvent)
    assert split_args(event.args) == ["Anna de Vries", "Onderbouw"]
    assert [m.user_id for m in event.mentions] == ["7"]


def test_a_slack_user_token_with_a_name_of_several_words_is_one_argument():
    name, args, mentions = split_command("/voorzitter <@U0ANNA|Anna de Vries> Onderbouw")
    assert name == "voorzitter"
    assert split_args(args) == ["@Anna de Vries", "Onderbouw"]
    assert [m.user_id for m in mentions] == ["U0ANNA"]
