"""Unit tests for e2e.otpauth: RFC 6238 codes, Key URI parsing, and the linter's warnings."""

from __future__ import annotations

import base64
import hashlib

import pyotp
import pytest

from e2e.otpauth import OtpAuth, OtpAuthError, hotp, lint_otpauth, normalise_secret, parse_otpauth

# RFC 6238 Appendix B: key = ASCII "1234567890" repeated to 20 / 32 / 64 bytes, 8 digits.
RFC_KEYS = {
    "SHA1": b"12345678901234567890",
    "SHA256": b"12345678901234567890123456789012",
    "SHA512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
RFC_VECTORS = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]
RFC_CASES = [
    pytest.param(algorithm, at, expected, id=f"{algorithm}-{at}")
    for at, *codes in RFC_VECTORS
    for algorithm, expected in zip(("SHA1", "SHA256", "SHA512"), codes, strict=True)
]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # 32 Base32 characters = 160 bits
SECRET_128_PADDED = "AAAQEAYEAUDAOCAJBIFQYDIOB4%3D%3D%3D%3D%3D%3D"  # 16 bytes, '=' percent-encoded
CLEAN_URI = f"otpauth://totp/HENNGE:admin%40example.com?secret={SECRET}&issuer=HENNGE"


def b32(key: bytes) -> str:
    return base64.b32encode(key).decode().rstrip("=")


def uri_with(query: str, label: str = "HENNGE:admin%40example.com") -> str:
    return f"otpauth://totp/{label}?{query}"


# -- codes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("algorithm", "at", "expected"), RFC_CASES)
def test_code_matches_rfc6238_appendix_b_vector(algorithm: str, at: int, expected: str) -> None:
    # given the RFC's key for this algorithm, in a URI asking for 8 digits
    entry = parse_otpauth(
        uri_with(f"secret={b32(RFC_KEYS[algorithm])}&issuer=HENNGE&algorithm={algorithm}&digits=8")
    )
    # when the code is computed at the vector's time
    # then it is the RFC's code
    assert entry.code(at) == expected


def test_rfc_vector_count_is_eighteen() -> None:
    assert len(RFC_CASES) == 18


@pytest.mark.parametrize("at", [0, 29.999, 30, 59, 1_700_000_000.5, 1_111_111_109, 2**32 + 7])
@pytest.mark.parametrize(
    ("algorithm", "digest"),
    [("SHA1", hashlib.sha1), ("SHA256", hashlib.sha256), ("SHA512", hashlib.sha512)],
)
def test_six_digit_code_equals_pyotp_for_same_secret_and_time(algorithm, digest, at) -> None:
    # given a 160-bit secret in a URI with 6 digits
    entry = parse_otpauth(uri_with(f"secret={SECRET}&issuer=HENNGE&algorithm={algorithm}"))
    # when both compute the code at the same time, then they agree
    assert entry.code(at) == pyotp.TOTP(SECRET, digest=digest).at(int(at))


def test_code_for_step_gives_neighbouring_window_codes() -> None:
    # given an entry and a time in step T
    entry = parse_otpauth(CLEAN_URI)
    at = 1_700_000_010.0
    step = entry.step(at)
    # then steps T-1 and T+1 are the codes 30 s before and after
    assert entry.code_for_step(step) == entry.code(at)
    assert entry.code_for_step(step - 1) == entry.code(at - 30)
    assert entry.code_for_step(step + 1) == entry.code(at + 30)


def test_seconds_left_counts_down_to_the_step_boundary() -> None:
    entry = parse_otpauth(CLEAN_URI)
    assert entry.seconds_left(60.0) == 30.0
    assert entry.seconds_left(88.5) == pytest.approx(1.5)
    assert entry.step(89.999) == 2 and entry.step(90) == 3


def test_time_before_epoch_is_refused() -> None:
    with pytest.raises(ValueError, match="since the epoch"):
        parse_otpauth(CLEAN_URI).code(-1)


def test_secret_bytes_and_bits_come_from_the_decoded_base32() -> None:
    entry = parse_otpauth(CLEAN_URI)
    assert entry.secret_bytes == base64.b32decode(SECRET)
    assert entry.secret_bits == 160


def test_hotp_matches_rfc4226_appendix_d() -> None:
    # RFC 4226 Appendix D: key "12345678901234567890", counters 0..9, 6 digits
    expected = ["755224", "287082", "359152", "969429", "338314"]
    expected += ["254676", "287922", "162583", "399871", "520489"]
    assert [hotp(RFC_KEYS["SHA1"], c) for c in range(10)] == expected


def test_repr_does_not_leak_the_secret() -> None:
    entry = parse_otpauth(CLEAN_URI)
    assert SECRET not in repr(entry)


# -- parsing ------------------------------------------------------------------------------------


def test_clean_uri_parses_every_field_with_defaults() -> None:
    # given the console's URI with only secret and issuer
    entry = parse_otpauth(CLEAN_URI)
    # then label and parameters are decoded, and SHA1/6/30 are the defaults
    assert entry == OtpAuth(
        secret=SECRET,
        issuer="HENNGE",
        account="admin@example.com",
        algorithm="SHA1",
        digits=6,
        period=30,
        label_issuer="HENNGE",
        uri=CLEAN_URI,
    )
    assert entry.key == "HENNGE:admin@example.com"


def test_explicit_algorithm_digits_and_period_are_parsed() -> None:
    entry = parse_otpauth(uri_with(f"secret={SECRET}&algorithm=SHA512&digits=8&period=60"))
    assert (entry.algorithm, entry.digits, entry.period) == ("SHA512", 8, 60)


def test_label_without_issuer_gives_account_only() -> None:
    entry = parse_otpauth(uri_with(f"secret={SECRET}", label="alice%40example.com"))
    assert entry.account == "alice@example.com"
    assert entry.issuer is None and entry.label_issuer is None


def test_label_issuer_with_percent_encoded_colon_and_spaces() -> None:
    # given "Example Co:alice@example.com" fully percent-encoded, with a space after the colon
    entry = parse_otpauth(
        uri_with(f"secret={SECRET}", label="Example%20Co%3A%20alice%40example.com")
    )
    assert entry.label_issuer == "Example Co"
    assert entry.account == "alice@example.com"


def test_issuer_falls_back_to_the_label_prefix() -> None:
    entry = parse_otpauth(uri_with(f"secret={SECRET}"))
    assert entry.issuer == "HENNGE"


def test_issuer_parameter_wins_over_the_label_prefix() -> None:
    entry = parse_otpauth(uri_with(f"secret={SECRET}&issuer=HENNGE%20Inc."))
    assert entry.issuer == "HENNGE Inc."
    assert entry.label_issuer == "HENNGE"


def test_parameter_names_and_algorithm_value_are_case_tolerant() -> None:
    entry = parse_otpauth(uri_with(f"Secret={SECRET}&ISSUER=HENNGE&Algorithm=sha256&Digits=8"))
    assert (entry.secret, entry.issuer, entry.algorithm, entry.digits) == (
        SECRET,
        "HENNGE",
        "SHA256",
        8,
    )


def test_secret_is_normalised_from_lower_case_spaces_and_padding() -> None:
    # given the 10-byte secret "JBSWY3DPEHPK3PXP" written lower case, grouped and padded
    entry = parse_otpauth(uri_with("secret=jbsw%20y3dp%20ehpk%203pxp%3D%3D%3D%3D&issuer=HENNGE"))
    assert entry.secret == "JBSWY3DPEHPK3PXP"
    assert normalise_secret("jbsw y3dp ehpk 3pxp") == "JBSWY3DPEHPK3PXP"


def test_parse_agrees_with_pyotp_on_a_pyotp_built_uri() -> None:
    uri = pyotp.TOTP(SECRET).provisioning_uri(name="admin@example.com", issuer_name="HENNGE")
    entry = parse_otpauth(uri)
    parsed = pyotp.parse_uri(uri)
    assert (entry.secret, entry.issuer, entry.account) == (
        parsed.secret,
        parsed.issuer,
        parsed.name,
    )
    assert lint_otpauth(uri) == []


@pytest.mark.parametrize(
    ("uri", "defect"),
    [
        pytest.param(
            "https://totp/HENNGE:a?secret=" + SECRET, "scheme must be otpauth", id="scheme"
        ),
        pytest.param(
            "otpauth://hotp/HENNGE:a?secret=" + SECRET + "&counter=0",
            "type must be totp, got hotp",
            id="hotp",
        ),
        pytest.param("otpauth://totp/HENNGE:a?issuer=HENNGE", "has no secret parameter", id="none"),
        pytest.param(uri_with("secret=&issuer=HENNGE"), "empty secret parameter", id="empty"),
        pytest.param(uri_with("secret=JBSWY3DP1"), "secret is not valid Base32", id="digit-1"),
        pytest.param(uri_with("secret=JBSWY3"), "secret is not valid Base32", id="bad-length"),
        pytest.param(
            uri_with(f"secret={SECRET}&algorithm=MD5"),
            "algorithm 'MD5' is not one of SHA1, SHA256, SHA512",
            id="algorithm",
        ),
        pytest.param(
            uri_with(f"secret={SECRET}&digits=7"), "digits must be 6 or 8, got 7", id="d7"
        ),
        pytest.param(
            uri_with(f"secret={SECRET}&digits=six"), "digits must be 6 or 8, got 'six'", id="dx"
        ),
        pytest.param(
            uri_with(f"secret={SECRET}&digits=%D9%A6"), "digits must be 6 or 8", id="arabic-six"
        ),
        pytest.param(uri_with(f"secret={SECRET}&period=0"), "period must be a positive", id="p0"),
        pytest.param(uri_with(f"secret={SECRET}&period=-30"), "period must be a positive", id="p-"),
        pytest.param(uri_with(f"secret={SECRET}&period=1.5"), "period must be a positive", id="pf"),
        pytest.param(
            uri_with(f"secret={SECRET}&secret={SECRET}"),
            "parameter 'secret' is given more than once",
            id="duplicate",
        ),
        pytest.param(
            uri_with(f"secret={SECRET}&Issuer=A&issuer=B"),
            "parameter 'issuer' is given more than once",
            id="duplicate-case",
        ),
        pytest.param(uri_with(f"secret={SECRET}&digits"), "'digits' has no value", id="no-value"),
        pytest.param(uri_with(f"secret={SECRET}", label=""), "has no label", id="no-label"),
        pytest.param(uri_with(f"secret={SECRET}", label="HENNGE:"), "no account name", id="noacc"),
        pytest.param(uri_with(f"secret={SECRET}", label=":alice"), "empty issuer", id="noiss"),
        pytest.param(uri_with(f"secret={SECRET}", label="a:b:c"), "more than one ':'", id="colons"),
    ],
)
def test_malformed_uri_raises_naming_the_defect(uri: str, defect: str) -> None:
    with pytest.raises(OtpAuthError) as caught:
        parse_otpauth(uri)
    assert defect in str(caught.value)


def test_otpauth_error_is_a_value_error() -> None:
    assert issubclass(OtpAuthError, ValueError)


# -- linting ----------------------------------------------------------------------------------


def test_clean_uri_gives_no_warnings() -> None:
    assert lint_otpauth(CLEAN_URI) == []


def test_explicit_default_parameters_give_no_warnings() -> None:
    assert lint_otpauth(CLEAN_URI + "&algorithm=SHA1&digits=6&period=30") == []


@pytest.mark.parametrize(
    ("uri", "warning"),
    [
        pytest.param(
            uri_with(f"secret={SECRET}&issuer=Other"),
            "label issuer 'HENNGE' and issuer parameter 'Other' differ",
            id="mismatch",
        ),
        pytest.param(uri_with(f"secret={SECRET}"), "issuer parameter is missing", id="no-issuer"),
        pytest.param(uri_with(f"secret={SECRET}&issuer="), "issuer parameter is empty", id="empty"),
        pytest.param(
            uri_with(f"secret={SECRET}&issuer=HENNGE", label="admin"),
            "label has no issuer prefix",
            id="no-label-issuer",
        ),
        pytest.param(
            uri_with(f"secret={SECRET_128_PADDED}&issuer=HENNGE"),
            "'=' padding",
            id="padding",
        ),
        pytest.param(uri_with(f"secret={SECRET.lower()}&issuer=HENNGE"), "lower case", id="lower"),
        pytest.param(
            uri_with(f"secret={SECRET[:8]}%20{SECRET[8:]}&issuer=HENNGE"),
            "secret contains spaces",
            id="spaces",
        ),
        pytest.param(
            uri_with("secret=JBSWY3DPEHPK3PXP&issuer=HENNGE"),
            "secret is 80 bits, shorter than the 128 bits RFC 4226 R6 requires (160 recommended)",
            id="short",
        ),
        pytest.param(
            uri_with(f"secret={SECRET}&issuer=HENNGE&algorithm=SHA256"),
            "algorithm SHA256 is ignored by common apps",
            id="algorithm",
        ),
        pytest.param(
            uri_with(f"secret={SECRET}&issuer=HENNGE&algorithm=sha1"),
            "algorithm 'sha1' should be upper case 'SHA1'",
            id="algorithm-case",
        ),
        pytest.param(
            uri_with(f"secret={SECRET}&issuer=HENNGE&digits=8"),
            "digits 8 is ignored by common apps",
            id="digits",
        ),
        pytest.param(
            uri_with(f"secret={SECRET}&issuer=HENNGE&period=60"),
            "period 60 is ignored by common apps",
            id="period",
        ),
        pytest.param(
            uri_with(f"secret={SECRET}&issuer=HENNGE&image=https%3A%2F%2Fx.test%2Fa.png"),
            "unknown parameter 'image'",
            id="unknown",
        ),
        pytest.param(
            uri_with(f"secret={SECRET}&issuer=HENNGE&counter=3"),
            "'counter' belongs to hotp",
            id="counter",
        ),
        pytest.param(
            uri_with(f"Secret={SECRET}&issuer=HENNGE"),
            "parameter 'Secret' should be lower case 'secret'",
            id="param-case",
        ),
    ],
)
def test_lint_warns_about_each_departure(uri: str, warning: str) -> None:
    # given a URI that parses but departs from the Key URI format in one way
    warnings = lint_otpauth(uri)
    # then exactly one warning names that departure
    assert len(warnings) == 1, warnings
    assert warning in warnings[0]


def test_lint_raises_for_an_unparseable_uri() -> None:
    with pytest.raises(OtpAuthError, match="no secret parameter"):
        lint_otpauth("otpauth://totp/HENNGE:a?issuer=HENNGE")
