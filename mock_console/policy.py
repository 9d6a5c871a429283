"""The rules the console keeps, as one object: window, replay, lockout, recovery, confirmation,
re-authentication.

Every rule of ``docs/security.md`` that has a number or a switch reads it from here, so a rule
reads as a rule (``policy.max_failures``), never as a test of a fault's name. A console starts
with ``STRICT``; the self-test's fault switches (``mock_console.faults``) each derive a laxer
policy from it, which is the only way the product's behaviour is ever bent.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Policy:
    """What the console enforces. The defaults are the rules a trustworthy console keeps."""

    # -- codes (RFC 6238 §5.2, §6) ------------------------------------------------------------
    verify_codes: bool = True  # a code must match the secret at all
    require_code_to_enable: bool = True  # "Turn on" checks the code it is given
    steps_behind: int = 1  # window: T-1 .. T+1
    steps_ahead: int = 1
    replay_protection: bool = True  # a matched step is never accepted again
    verification_skew_seconds: float = 0.0  # verify at the console's Date time, not another
    enable_step_used: bool = True  # the step whose code turned 2SV on cannot sign in after it
    strict_code_input: bool = True  # six ASCII digits (ASCII spaces removed), nothing else

    # -- throttling (NIST SP 800-63B §5.2.2) ----------------------------------------------------
    max_failures: int | None = 5  # wrong codes in a row before a lock; None never locks
    lock_seconds: int = 300
    max_password_failures: int | None = 10  # wrong passwords for an account before a pause
    max_client_password_failures: int = 50  # wrong passwords from one client, any accounts
    password_window_seconds: int = 900  # failures older than this (or a success) count no more
    password_pause_seconds: int = 300
    recovery_obeys_lock: bool = True  # while code entry is locked, Recovery Codes are refused too

    # -- the secret (RFC 4226 R6) -----------------------------------------------------------------
    secret_bytes: int = 20  # 160 bits
    fresh_secret_per_enrolment: bool = True  # else derived from the account: the same every time

    # -- turning on (the article, 2.5-2.7) -------------------------------------------------------
    persist_enable: bool = True  # "Turn on" saves what it says it saved
    text_key_matches_qr: bool = True  # the key printed under the QR code is the QR's secret
    issue_recovery_code: bool = True

    # -- Recovery Codes (NIST SP 800-63B-4 §4.2.1) -----------------------------------------------
    recovery_single_use: bool = True

    # -- turning off (the article, 3.3-3.5) -----------------------------------------------------
    disable_clears_secret: bool = True  # sign-in stops asking for a code
    confirm_turn_off: bool = True  # the status page's "Turn off" asks first

    # -- re-authentication before Set up and Turn off (``--reauth``; ASVS 5 §7.5.1) -----
    reauth_before_change: bool = False  # ask to confirm access (password; or a code to turn off)
    reauth_seconds: int = 300  # a confirmation lasts this long, in this session only
    reauth_server_check: bool = True  # Set up / Turn off refuse (and ask) without a fresh one

    # -- requests and screens ------------------------------------------------------------------
    csrf_check: bool = True  # ASVS 4 §4.2.2
    rotate_session_at_sign_in: bool = True  # a new session id at sign-in (ASVS 5 §7.2.4)
    pending_sign_in_seconds: int | None = 300  # a password check is good for 5 min of code entry
    end_other_sessions_on_change: bool = True  # turning 2SV on/off signs out other browsers
    security_headers: bool = True  # no-store, no framing, nosniff, CSP (ASVS 5 §3.4, §14.3.2)
    status_reflects_change: bool = True  # Account Information shows the current status
    correct_confirmation_messages: bool = True
    label_renames: tuple[tuple[str, str], ...] = field(default=())  # (from, to) pairs

    # -- lockout escalation (NIST SP 800-63B §5.2.2: at most 100 consecutive failures) ---------
    lock_growth: int = 2  # each further lock lasts this many times longer
    hard_lock_failures: int | None = 20  # wrong codes in a row before only an administrator unlocks

    @property
    def locks(self) -> bool:
        """Whether wrong codes lead to a lock at all."""
        return self.max_failures is not None

    def label(self, text: str) -> str:
        """Return the label the screens show for ``text`` (renamed only under a fault)."""
        for old, new in self.label_renames:
            if text == old:
                return new
        return text


STRICT = Policy()
