"""Benchmarks for issue 9: reconciler against the naive one-GET-per-object way, at scale.

`python -m bench.run` (or `make bench`) seeds a Graph emulator, started as a separate
process so its CPU is not counted as ours, with N policies and measures plan, apply under
throttling and export of the `reconciler` command line, a naive reader and the request
floor. Results land in bench/results/ (results.md, results.json, bench.png).
"""
