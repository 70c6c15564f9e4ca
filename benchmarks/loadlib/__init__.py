"""Helpers of benchmarks/load.py (not benchmarks themselves, so `make bench` skips them)."""
