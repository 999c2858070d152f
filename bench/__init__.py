"""Benchmarks for Kejin; see bench/README.md for how to run them and the figures measured."""
