"""The command line, on top of everything else: ``python -m e2e`` and ``e2e-2sv`` (both enter
through ``e2e.__main__``) parse their options and dispatch in ``main`` (``run``, ``doc-check``, the
exit codes ``EXIT_*``), which hands ``matrix`` (the procedure on every device) and ``selftest``
(does the suite catch every fault of the mock) to their own modules. Nothing outside this package
imports it; import its modules by name (``from e2e.cli.main import main``).
"""
