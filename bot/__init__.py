"""Leerteam's wiring: configuration, entry point, events and replies, dispatcher, transports."""
