"""What a run writes for people to read: the report folder (``html``: ``index.html``,
``report.json``, ``junit.xml``; ``index.html``'s stylesheet ``report.css`` is package data here),
``report.md`` laid out as the help article for a writer to paste (``markdown``), and the per-step
lines on the terminal (``progress``). It lays out results and evidence; it runs nothing.
"""
