"""HSTS and Secure cookies behind a TLS-terminating proxy, only when told (``--behind-tls-proxy``).

With the option, the console trusts one proxy's X-Forwarded-Proto and X-Forwarded-For: https
responses carry Strict-Transport-Security and every cookie is Secure. Without it, the same headers
are anybody's words: a forged X-Forwarded-Proto changes nothing.
"""

from __future__ import annotations

from pathlib import Path

import pyotp
import pytest
from flask import Flask

from mock_console import HSTS, create_app
from mock_console.__main__ import parse_args
from mock_console.clock import Clock

HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"}


@pytest.fixture
def tls_app(tmp_path: Path, clock: Clock, password_hashing: str) -> Flask:
    """A console told that a TLS proxy on this host forwards to it."""
    return create_app({"DATABASE": str(tmp_path / "tls.sqlite3"), "TEST_API": True,
                       "TESTING": True, "CLOCK": clock, "PASSWORD_HASHING": password_hashing,
                       "BEHIND_TLS_PROXY": True})


def set_cookies(response) -> dict[str, str]:  # noqa: ANN001
    """Return each Set-Cookie header by cookie name."""
    return {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}


@pytest.mark.parametrize("path", ["/signin", "/", "/account", "/no-such-page"])
def test_behind_the_proxy_https_responses_carry_hsts(tls_app: Flask, path: str) -> None:
    response = tls_app.test_client().get(path, headers=HTTPS)
    assert response.headers["Strict-Transport-Security"] == HSTS
    assert HSTS == "max-age=31536000; includeSubDomains"


def test_behind_the_proxy_every_cookie_is_secure_through_a_whole_2sv_setup(
    tls_app: Flask,
) -> None:
    # Given a browser talking https to the proxy
    client = tls_app.test_client()
    account = client.post("/__test__/accounts", json={}, headers=HTTPS).json
    seen: dict[str, str] = {}

    def go(method: str, path: str, **data: str):  # noqa: ANN202
        response = client.open(path, method=method, headers=HTTPS, data=data or None,
                               base_url="https://localhost")
        seen.update(set_cookies(response))
        return response

    def token(path: str) -> str:
        html = go("GET", path).get_data(as_text=True)
        return html.split('name="csrf_token" value="')[-1].split('"')[0]

    # When it signs in and turns 2SV on (the Recovery Code's pad cookie included)
    assert go("POST", "/signin", csrf_token=token("/signin"), username=account["username"],
              password=account["password"]).status_code == 302
    assert go("POST", "/account/security/2sv/setup",
              csrf_token=token("/account/security/2sv")).status_code == 302
    page = go("GET", "/account/security/2sv/setup").get_data(as_text=True)
    key = page.split('class="manual-key"')[1].split("<code>")[1].split("</code>")[0]
    code = pyotp.TOTP(key.replace(" ", "")).at(float(client.get("/__test__/clock").json["now"]))
    assert go("POST", "/account/security/2sv/enable", code=code,
              csrf_token=token("/account/security/2sv/setup")).status_code == 302
    go("GET", "/account/security/2sv/enabled")
    # Then every cookie the console set was Secure (and HttpOnly, SameSite=Lax)
    assert {"console_session", "console_pad"} <= set(seen)
    for name, header in seen.items():
        assert "; Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header, name


def test_behind_the_proxy_a_plain_http_request_gets_no_hsts_but_secure_cookies(
    tls_app: Flask,
) -> None:
    # RFC 6797 §7.2: HSTS is never sent over http; the cookie stays Secure all the same
    for headers in ({"X-Forwarded-Proto": "http"}, {}):
        response = tls_app.test_client().get("/signin", headers=headers)
        assert "Strict-Transport-Security" not in response.headers
        assert "; Secure" in set_cookies(response)["console_session"]


@pytest.mark.parametrize("headers", [{}, {"X-Forwarded-Proto": "https"},
                                     {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "x.example",
                                      "X-Forwarded-For": "198.51.100.7"}])
def test_without_the_option_a_forged_forwarded_proto_changes_nothing(
    app: Flask, headers: dict[str, str]
) -> None:
    response = app.test_client().get("/signin", headers=headers)
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers
    assert "Secure" not in set_cookies(response)["console_session"]
    form = response.get_data(as_text=True)
    assert "https://" not in form and "x.example" not in form


def test_without_the_option_the_test_api_refuses_a_forwarded_request(console) -> None:
    # A proxy on this host would make every client look like loopback
    for header in ("X-Forwarded-For", "Forwarded"):
        response = console.client.post("/__test__/clock", json={"advance": 60},
                                       headers={header: "for=198.51.100.7"})
        assert response.status_code == 403, header
        assert header in response.json["error"] and "--behind-tls-proxy" in response.json["error"]
    assert console.client.get("/__test__/clock").status_code == 200


def test_behind_the_proxy_the_test_api_sees_the_client_the_proxy_names(tls_app: Flask) -> None:
    client = tls_app.test_client()
    remote = client.get("/__test__/clock", headers={**HTTPS, "X-Forwarded-For": "198.51.100.7"})
    assert remote.status_code == 403 and "loopback" in remote.json["error"]
    assert client.get("/__test__/clock", headers=HTTPS).status_code == 200


def test_the_option_needs_a_loopback_host(capsys: pytest.CaptureFixture[str]) -> None:
    assert parse_args(["--behind-tls-proxy"]).behind_tls_proxy is True
    assert parse_args(["--behind-tls-proxy", "--host", "::1"]).behind_tls_proxy is True
    assert parse_args([]).behind_tls_proxy is False
    with pytest.raises(SystemExit) as exit_:
        parse_args(["--behind-tls-proxy", "--host", "0.0.0.0"])
    assert exit_.value.code == 2
    assert "must listen on loopback only" in capsys.readouterr().err


@pytest.mark.parametrize(("option", "hsts", "refusal"), [
    (["--behind-tls-proxy"], True, "answers only clients on loopback"),
    ([], False, "refuses requests a proxy forwarded"),
])
def test_the_served_console_gets_the_proxy_headers_waitress_would_strip(
    tmp_path: Path, option: list[str], hsts: bool, refusal: str
) -> None:
    # waitress drops X-Forwarded-* unless told otherwise: the console must still see them, to
    # trust them (with the option) or to refuse them on the test API (without it)
    import json
    import urllib.error
    import urllib.request

    from e2e.process import stop_process
    from e2e.target import start_mock_console

    process, url, _ = start_mock_console(["--test-api", "--password-hashing", "fast", *option],
                                         db=tmp_path / "console.sqlite3")
    try:
        proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
        with urllib.request.urlopen(urllib.request.Request(f"{url}/signin",
                                                           headers=proxied)) as page:
            assert (page.headers.get("Strict-Transport-Security") == HSTS) is hsts
            assert ("; Secure" in page.headers.get("Set-Cookie", "")) is hsts
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(urllib.request.Request(f"{url}/__test__/clock",
                                                          headers=proxied))
        assert refused.value.code == 403
        assert refusal in json.loads(refused.value.read())["error"]
        refused.value.close()
    finally:
        stop_process(process)
