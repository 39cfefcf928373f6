"""Benchmarks: `make bench` (python -m bench [name ...]) prints a table and writes bench/results.json."""
