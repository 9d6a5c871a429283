"""Benchmarks: figures for "is the harness fast enough to run on every release?".

Each module is run as ``python -m bench.<name>``, prints its figures and writes
``bench/results/<name>.json``. They are never collected as tests (pytest's testpaths is
``tests``) and speed is never asserted anywhere: on a shared or busy machine a timing is news,
not a verdict. ``python -m bench.run_all`` (``make bench``) runs them all and rewrites the
README's table from the JSON.
"""
