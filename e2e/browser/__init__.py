"""The browser layer: which Chromium to launch and with which flags (``launch``), a browser on
another machine instead (``remote``), the device and colour scheme a context emulates
(``devices``), a run's browser session against a target (``session``), and the one extra sign-in
of the posture check ``other_sessions`` in a second context (``other_session``). Nothing here
knows the article's steps; the procedure core and the CLI build on it.
"""
