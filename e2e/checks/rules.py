"""The security rules a console must enforce (docs/security.md), named so failures can cite them.

A negative test's assertion message starts with the rule it proves, e.g.
``assert refused, broken("replay", "the same code was accepted twice")`` fails with
"security rule broken: a code is accepted once (RFC 6238 §5.2; NIST SP 800-63B; ASVS 2.8.4): the
same code was accepted twice". The self-test checks that every injected fault is caught by a
failure that names an article step or one of these rules.
"""

from __future__ import annotations

RULES: dict[str, tuple[str, str]] = {
    "window": ("30 s steps, codes from T-1..T+1 only", "RFC 6238 §5.2, §6"),
    "replay": ("a code is accepted once", "RFC 6238 §5.2; NIST SP 800-63B; ASVS 2.8.4"),
    "pending": ("2SV is not on until a code verifies; a wrong code keeps the same secret",
                "the article, step 2.6"),
    "throttling": ("5 wrong codes lock code entry for a while, across sessions, Recovery Codes "
                   "too; each further lock lasts longer, and 20 in a row lock the account until "
                   "an administrator unlocks it",
                   "NIST SP 800-63B §5.2.2; RFC 4226 §7.3"),
    "secret": ("a random secret of at least 128 bits (the mock: 160), fresh at each enrolment, "
               "never shared between accounts", "RFC 4226 R6; NIST SP 800-63B §5.1.5.1"),
    "key_uri": ("the Key URI is well formed and the QR secret equals the key shown as text",
                "Key URI format"),
    "recovery": ("the Recovery Code is single use, replaced after use, void after turning off",
                 "NIST SP 800-63B-4 §4.2.1; ASVS 5 §6.5.2"),
    "csrf": ("every state-changing POST needs a valid CSRF token", "ASVS 4 §4.2.2"),
    "session": ("a new session id at sign-in; a half-finished sign-in expires; cookies "
                "HttpOnly, SameSite=Lax", "ASVS 5 §7.2.4, §7.3"),
    "turn_off_confirmation": ("'Turn off' asks for confirmation; Cancel changes nothing",
                              "the article, 3.3 and 3.4"),
    "reauth": ("with re-authentication on, Set up and Turn off are refused by the server without "
               "a fresh confirmation of access (password, or a code to turn off) in this "
               "session", "ASVS 5 §7.5.1; NIST SP 800-63B §7.2"),
    "enabled_outcome": ("after turning 2SV on, sign-in asks for a code", "the article, 2.7"),
    "disabled_outcome": ("after turning 2SV off, sign-in asks no code", "the article, 3.5"),
    "audit": ("every enable, disable, failed code, replay, lockout, recovery use is audited",
              "ASVS 4 §2.5.5"),
    "password_throttling": ("wrong passwords are throttled per account and per client, each "
                            "audited", "NIST SP 800-63B §5.2.2; ASVS 5 §6.3"),
    "other_sessions": ("turning 2SV on or off ends the account's other sessions",
                       "ASVS 5 §7.4.3"),
    "headers": ("pages showing the QR, key or Recovery Code are not cached; no page can be "
                "framed, sniffed or run inline script; session cookies keep their flags",
                "ASVS 5 §3.3, §3.4, §14.3.2"),
    "input": ("exactly six ASCII digits (spaces removed); anything else is refused, changing "
              "nothing", "docs/security.md, bad input"),
}


def rule(rule_id: str) -> str:
    """Return the rule's statement with its source, e.g. for a test's docstring or report."""
    statement, source = RULES[rule_id]
    return f"{statement} ({source})"


def broken(rule_id: str, detail: str) -> str:
    """Build an assertion message that names the security rule a failure breaks."""
    return f"security rule broken: {rule(rule_id)}: {detail}"
