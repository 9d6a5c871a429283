"""What a run writes for people to read: the report folder (``html``: ``index.html``,
``report.json``, ``junit.xml``, with the one stylesheet ``report.css`` shipped beside it as
package data), ``report.md`` laid out as the help article for a writer to paste (``markdown``), and
the per-step lines on the terminal (``progress``). It lays out results and evidence; it runs
nothing.
"""
