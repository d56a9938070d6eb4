"""Transports translate between a platform and the platform-neutral core; no business rules."""
