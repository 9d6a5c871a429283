"""What the harness judges about the console's security beyond the article's words: the security
rules of docs/security.md by name, so a failure cites the rule it proves (``rules``), the
console's security posture read from the responses the browser received (``posture``), and the
quality of the TOTP secret it issues (``secret_lint``). The procedure's steps and the console
regression suite fail through ``rules`` and ``secret_lint``; the posture is reported beside the
steps.
"""
