"""Benchmark of finance.calc: bulk schedules and XIRR. Run ``python -m bench.calc``."""
