"""Leerteam on Slack (slack-bolt's AsyncApp as a pure transport over the platform-neutral core).

``render`` turns core markup and replies into mrkdwn and Block Kit, ``inbound`` reads Slack's
payloads, ``transport`` maps events in and replies out, ``server`` runs HTTP or Socket Mode.
"""

from bot.transports.slack.server import build_app, build_client, run_slack, start_http
from bot.transports.slack.transport import SlackTransport

__all__ = ["SlackTransport", "build_app", "build_client", "run_slack", "start_http"]
