"""Benchmarks: `python -m bench` runs them all and writes the table in docs/benchmarks.md."""
