"""What the bot does: platform-neutral capabilities, one package each, around the core (bot/core).

Each package exports one :class:`bot.core.capability.Capability` from its ``capability`` module;
``bot/app.py`` lists the ones the app runs. ``common`` holds what several capabilities share.
Importing a package registers nothing.
"""
