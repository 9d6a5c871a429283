"""Doc-check, for documentation writers: a help article read into numbered steps and the UI
strings they quote (``article``), how a quoted string is matched with what a screen shows
(``match``, pure functions) and found there by the role a user sees (``screen``), the procedure
run once while each step's strings are judged (``run``), and the terminal table,
``doc-check.json`` and ``doc-check.html`` (``report``). The reports also lay a run out by the
article's words and numbering (``article``).
"""
