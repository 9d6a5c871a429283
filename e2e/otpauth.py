"""Parse, lint and compute the TOTP Key URI (``otpauth://totp/...``) in the console's QR code.

The harness computes codes itself (RFC 4226 HOTP with RFC 6238 time steps, ``hmac`` + ``hashlib``)
instead of trusting a library, so a test can never pass because both sides share the same bug;
the unit tests pin it to the RFC 6238 Appendix B vectors and cross-check it against pyotp.

Parsing is strict where a wrong value would give wrong codes (secret, algorithm, digits, period,
type) and tolerant where real apps are (parameter-name case, spaces and padding in the secret);
everything tolerated is reported by :func:`lint_otpauth`, so the console's URI can be held to the
Key URI format without making the harness brittle.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import math
import re
import struct
from dataclasses import dataclass, field
from urllib.parse import unquote, unquote_plus, urlsplit

from e2e.errors import HarnessError

__all__ = [
    "ALGORITHMS",
    "DEFAULT_ALGORITHM",
    "DEFAULT_DIGITS",
    "DEFAULT_PERIOD",
    "OtpAuth",
    "OtpAuthError",
    "hotp",
    "lint_otpauth",
    "normalise_secret",
    "parse_otpauth",
]

ALGORITHMS: dict[str, str] = {"SHA1": "sha1", "SHA256": "sha256", "SHA512": "sha512"}
DEFAULT_ALGORITHM = "SHA1"
DEFAULT_DIGITS = 6
DEFAULT_PERIOD = 30
KNOWN_PARAMETERS = frozenset({"secret", "issuer", "algorithm", "digits", "period"})

_BASE32_ALPHABET = re.compile(r"[A-Z2-7]+")
# Lengths (mod 8) a Base32 string without padding can have: 0, 2, 4, 5 or 7 characters.
_BASE32_VALID_REMAINDERS = frozenset({0, 2, 4, 5, 7})
_DECIMAL = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() would accept "٦" or "⁶"
_MIN_SECRET_BITS = 128  # RFC 4226 R6: MUST be at least 128 bits
_RECOMMENDED_SECRET_BITS = 160  # RFC 4226 R6: SHOULD be 160 bits


class OtpAuthError(HarnessError, ValueError):
    """The otpauth URI (or a secret) is malformed; the message names the defect."""


def normalise_secret(secret: str) -> str:
    """Return ``secret`` as upper-case Base32 without spaces or padding, or raise OtpAuthError.

    Apps show keys in groups ("JBSW Y3DP ...") and some consoles pad or lower-case them; all of
    those mean the same key, so they are normalised here and only reported by the linter.
    """
    cleaned = re.sub(r"\s", "", secret).upper().rstrip("=")
    if not cleaned:
        raise OtpAuthError("secret is empty")
    if not _BASE32_ALPHABET.fullmatch(cleaned):
        bad = sorted({c for c in cleaned if not _BASE32_ALPHABET.fullmatch(c)})
        raise OtpAuthError(
            f"secret is not valid Base32: characters {''.join(bad)!r} are outside A-Z and 2-7"
        )
    if len(cleaned) % 8 not in _BASE32_VALID_REMAINDERS:
        raise OtpAuthError(
            f"secret is not valid Base32: {len(cleaned)} characters cannot encode whole bytes"
        )
    return cleaned


def _decode_base32(secret: str) -> bytes:
    try:
        return base64.b32decode(secret + "=" * (-len(secret) % 8))
    except binascii.Error as exc:  # pragma: no cover - normalise_secret rejects these first
        raise OtpAuthError(f"secret is not valid Base32: {exc}") from exc


def hotp(key: bytes, counter: int, digits: int = DEFAULT_DIGITS, algorithm: str = "SHA1") -> str:
    """RFC 4226 HOTP: HMAC the 8-byte big-endian counter, dynamic truncation, zero-padded."""
    if algorithm not in ALGORITHMS:
        raise OtpAuthError(f"algorithm {algorithm!r} is not one of {', '.join(ALGORITHMS)}")
    if counter < 0:
        raise ValueError(f"counter must not be negative, got {counter}")
    mac = hmac.new(key, struct.pack(">Q", counter), ALGORITHMS[algorithm]).digest()
    offset = mac[-1] & 0x0F
    binary = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(binary % 10**digits).zfill(digits)


@dataclass(frozen=True)
class OtpAuth:
    """One TOTP account as an authenticator app stores it after scanning the QR code.

    ``secret`` and ``uri`` are left out of ``repr`` so that logs and reports do not leak keys.
    """

    secret: str = field(repr=False)
    issuer: str | None
    account: str
    algorithm: str = DEFAULT_ALGORITHM
    digits: int = DEFAULT_DIGITS
    period: int = DEFAULT_PERIOD
    label_issuer: str | None = None
    uri: str = field(default="", repr=False)

    @property
    def key(self) -> str:
        """How an app tells accounts apart: ``"Issuer:account"``, or the account alone."""
        return f"{self.issuer}:{self.account}" if self.issuer else self.account

    @property
    def secret_bytes(self) -> bytes:
        """The shared key as HMAC uses it (the decoded Base32 secret)."""
        return _decode_base32(self.secret)

    @property
    def secret_bits(self) -> int:
        """Key length in bits, for the RFC 4226 R6 strength check (128 minimum, 160 advised)."""
        return len(self.secret_bytes) * 8

    def step(self, at: float) -> int:
        """The RFC 6238 time step T = floor(at / period) that a code for time ``at`` belongs to."""
        if not math.isfinite(at) or at < 0:
            raise ValueError(f"time must be a finite number of seconds since the epoch, got {at}")
        return int(at // self.period)

    def code_for_step(self, step: int) -> str:
        """The code for time step ``step`` (used for T-1 / T+1 window tests)."""
        return hotp(self.secret_bytes, step, self.digits, self.algorithm)

    def code(self, at: float) -> str:
        """The code an app shows at ``at`` (epoch seconds, the console's time)."""
        return self.code_for_step(self.step(at))

    def seconds_left(self, at: float) -> float:
        """Seconds until the code for ``at`` expires (in ``(0, period]``)."""
        self.step(at)  # validates ``at``
        return self.period - (at % self.period)


def _split_query(query: str) -> list[tuple[str, str, str]]:
    """Return (lower-case name, name as written, decoded value) for each ``name=value`` pair."""
    pairs: list[tuple[str, str, str]] = []
    for part in query.split("&"):
        if not part:
            continue
        raw_name, sep, raw_value = part.partition("=")
        name = unquote_plus(raw_name)
        if not sep:
            raise OtpAuthError(f"parameter {name!r} has no value (expected {name}=...)")
        pairs.append((name.strip().lower(), name, unquote_plus(raw_value)))
    return pairs


def _parse_label(raw_path: str) -> tuple[str | None, str]:
    """Split the label into (issuer prefix, account); the colon may be literal or ``%3A``."""
    label = unquote(raw_path.lstrip("/"))
    if not label.strip():
        raise OtpAuthError("otpauth URI has no label (expected /Issuer:account or /account)")
    if label.count(":") > 1:
        raise OtpAuthError(
            f"label {label!r} has more than one ':'; neither issuer nor account may contain one"
        )
    issuer, sep, account = label.rpartition(":")
    account = account.strip()
    if not account:
        raise OtpAuthError(f"label {label!r} has no account name")
    if sep and not issuer.strip():
        raise OtpAuthError(f"label {label!r} has an empty issuer before ':'")
    return (issuer.strip() if sep else None), account


def _parse_int(name: str, value: str, allowed: frozenset[int] | None = None) -> int:
    if allowed is not None:
        expect = " or ".join(str(v) for v in sorted(allowed))
        if not _DECIMAL.fullmatch(value) or int(value) not in allowed:
            got = value if _DECIMAL.fullmatch(value) else repr(value)
            raise OtpAuthError(f"{name} must be {expect}, got {got}")
        return int(value)
    if not _DECIMAL.fullmatch(value) or int(value) <= 0:
        raise OtpAuthError(f"{name} must be a positive whole number of seconds, got {value!r}")
    return int(value)


def parse_otpauth(uri: str) -> OtpAuth:
    """Parse a TOTP Key URI into an :class:`OtpAuth`, or raise :class:`OtpAuthError`."""
    if not isinstance(uri, str):
        raise OtpAuthError(f"otpauth URI must be a string, got {type(uri).__name__}")
    text = uri.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() != "otpauth":
        raise OtpAuthError(f"scheme must be otpauth, got {parts.scheme or 'none'!r} in {text!r}")
    otp_type = parts.netloc.lower()
    if otp_type != "totp":
        raise OtpAuthError(f"type must be totp, got {otp_type or 'none'}")
    label_issuer, account = _parse_label(parts.path)

    params: dict[str, str] = {}
    for name, written, value in _split_query(parts.query):
        if name in params:
            raise OtpAuthError(f"parameter {written!r} is given more than once")
        params[name] = value

    if "secret" not in params:
        raise OtpAuthError("otpauth URI has no secret parameter")
    if not params["secret"].strip():
        raise OtpAuthError("otpauth URI has an empty secret parameter")
    secret = normalise_secret(params["secret"])

    algorithm = params.get("algorithm", DEFAULT_ALGORITHM).strip().upper()
    if algorithm not in ALGORITHMS:
        raise OtpAuthError(
            f"algorithm {params['algorithm']!r} is not one of {', '.join(ALGORITHMS)}"
        )
    digits = DEFAULT_DIGITS
    if "digits" in params:
        digits = _parse_int("digits", params["digits"].strip(), frozenset({6, 8}))
    period = DEFAULT_PERIOD
    if "period" in params:
        period = _parse_int("period", params["period"].strip())

    issuer = params.get("issuer", "").strip() or label_issuer
    return OtpAuth(
        secret=secret,
        issuer=issuer,
        account=account,
        algorithm=algorithm,
        digits=digits,
        period=period,
        label_issuer=label_issuer,
        uri=text,
    )


def lint_otpauth(uri: str) -> list[str]:
    """Warnings for a URI that parses but departs from the Key URI format or what apps support.

    Raises :class:`OtpAuthError` if the URI does not parse at all. An empty list means clean.
    """
    entry = parse_otpauth(uri)
    query = urlsplit(entry.uri).query
    pairs = _split_query(query)
    params = {name: value for name, _written, value in pairs}
    warnings: list[str] = []

    issuer_param = params.get("issuer")
    if issuer_param is None:
        warnings.append(
            "issuer parameter is missing; the Key URI format recommends it "
            "(apps fall back to the label prefix, if any)"
        )
    elif not issuer_param.strip():
        warnings.append("issuer parameter is empty")
    if entry.label_issuer is None:
        warnings.append("label has no issuer prefix (expected Issuer:account)")
    elif issuer_param and issuer_param.strip() != entry.label_issuer:
        warnings.append(
            f"label issuer {entry.label_issuer!r} and issuer parameter {issuer_param.strip()!r} "
            "differ; apps show one or the other"
        )

    for name, written, _value in pairs:
        if name in KNOWN_PARAMETERS and written != name:
            warnings.append(
                f"parameter {written!r} should be lower case {name!r}; apps may skip it"
            )

    raw_secret = params["secret"]
    if "=" in raw_secret:
        warnings.append("secret has '=' padding; the Key URI format says to omit it")
    if any(c.islower() for c in raw_secret):
        warnings.append("secret is in lower case; Base32 secrets should be upper case")
    if any(c.isspace() for c in raw_secret):
        warnings.append("secret contains spaces; apps that do not strip them will reject it")
    if entry.secret_bits < _MIN_SECRET_BITS:
        warnings.append(
            f"secret is {entry.secret_bits} bits, shorter than the {_MIN_SECRET_BITS} bits "
            f"RFC 4226 R6 requires ({_RECOMMENDED_SECRET_BITS} recommended)"
        )

    algorithm_param = params.get("algorithm")
    if algorithm_param is not None and algorithm_param != algorithm_param.upper():
        warnings.append(f"algorithm {algorithm_param!r} should be upper case {entry.algorithm!r}")
    if entry.algorithm != DEFAULT_ALGORITHM:
        warnings.append(
            f"algorithm {entry.algorithm} is ignored by common apps (Google Authenticator "
            "uses SHA1): their codes will not match"
        )
    if entry.digits != DEFAULT_DIGITS:
        warnings.append(
            f"digits {entry.digits} is ignored by common apps (Google Authenticator shows 6)"
        )
    if entry.period != DEFAULT_PERIOD:
        warnings.append(
            f"period {entry.period} is ignored by common apps (Google Authenticator uses 30 s)"
        )

    for name, written, _value in pairs:
        if name == "counter":
            warnings.append("parameter 'counter' belongs to hotp URIs and is ignored for totp")
        elif name not in KNOWN_PARAMETERS:
            warnings.append(f"unknown parameter {written!r} is ignored by common apps")
    return warnings
