"""The school's web pages (issue 20): overview, team pages, the library of quality cards and
sources, the leader's digest, a person's own data, calendar feeds and printable cards.

The capability (``capability.py``) contributes only the chat command ``/web``
(:mod:`handlers.web.login`); the pages themselves (:mod:`handlers.web.server`) import aiohttp and
Jinja2 and are loaded only when a web server starts, so the console starts as fast as before.
"""
