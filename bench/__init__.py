"""Leerteam's benchmark: how fast, how far, measured against the limits (issue 9).

Run ``python -m bench`` from the repository root. Every figure is set against a limit measured
in the same run (the database's own commit rate, the platform's rate limit, the bare interpreter),
because absolute times drift between machines. See the README section "Benchmarks".
"""
