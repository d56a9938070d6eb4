"""Leerteam in Microsoft Teams, on Microsoft's own Agents SDK for Python (issue 19).

``activity`` reads Teams activities into core events, ``render`` writes replies as Teams
messages and Adaptive Cards, ``connector`` calls the Bot Connector (rate limits, outcomes),
``store`` keeps conversation references, ``transport`` joins these, ``auth`` checks the Bot
Framework's tokens, ``server`` serves ``/api/messages``, ``package`` builds the app package.
Nothing here is imported by the console: ``bot.main`` imports it only when Teams is chosen.
"""
