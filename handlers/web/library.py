"""The school's library for the web pages: the search lives with the cycle's records
(``handlers/cycle/library_search.py``) so the chat commands /kaarten and /bibliotheek use the same."""

from __future__ import annotations

from handlers.cycle.library_search import MAX_RESULTS, QUERY_MAX, Library, search

__all__ = ["MAX_RESULTS", "QUERY_MAX", "Library", "search"]
