"""Exceptions that end a handler with a friendly, localized answer and no change stored."""

from __future__ import annotations

from prompts.catalog import Join, Msg


class UserError(Exception):
    """Something the user can fix; the transaction is rolled back and ``message`` is shown."""

    def __init__(self, message: Msg | Join) -> None:
        super().__init__(getattr(message, "key", "user_error"))
        self.message = message


class UsageError(UserError):
    """Wrong or missing arguments for a command; the dispatcher adds the command's usage line."""

    def __init__(self, command_id: str, problem: Msg) -> None:
        super().__init__(problem)
        self.command_id = command_id
