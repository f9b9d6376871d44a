"""Benchmarks (`make bench`): each figure beside a floor measured in the same run.

Every module ``benchmarks/bench_*.py`` defines ``run(report)``; ``report(name, value, unit, floor=None)``
prints a human line and the machine-readable ``BENCH <name> <value> <unit>`` lines (with ``.floor``
and ``.ratio`` when a floor was measured).
"""
