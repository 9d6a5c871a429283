"""The harness as a pytest plugin: installing the package gives any suite its fixtures.

Registered through the ``pytest11`` entry point (``hennge_2sv``): ``plugin`` holds the options
and hooks, ``fixtures`` the public fixtures (``target``, ``base_url``, ``labels``, ``mock``,
``account``, ``authenticator``, ``private_mock``, ``faults``, ``context``, ``browser``, …),
``diagnosis`` the missing catalogue words of a test whose locator found nothing.
"""
