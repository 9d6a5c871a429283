"""The evidence a run keeps and what keeps it safe: what each step's screen holds beside its
screenshot (``capture``), where an element sits on a full-page screenshot (``geometry``), the
writer's crops with the element outlined (``crops``), the live secrets painted out of every
picture (``masking``) and kept out of every text (``redaction``), and screenshot drift against a
baseline folder (``baseline``). The reports and doc-check lay this evidence out; nothing here
drives the procedure.
"""
