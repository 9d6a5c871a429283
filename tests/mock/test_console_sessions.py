"""No server session for a visitor until one is needed, and expired sessions purged.

A crawler that opens the sign-in page over and over must not grow the sessions table: a visitor's
CSRF token, language and notice travel in a signed cookie, and a row is written only once a
password is accepted. Rows past their expiry are deleted, at most once a minute of the console's
clock, by whichever request comes next. The tests count the rows in the console's SQLite file.
"""

from __future__ import annotations

import pytest

from mock_console.sessions import PURGE_EVERY_SECONDS, SESSION_LIFETIME

PUBLIC = ["/", "/signin", "/account", "/account/security/2sv", "/signin/code",
          "/signin?lang=ja", "/static/console.css", "/static/menu.js", "/no-such-page",
          "/no-such-page?lang=ja", "/%5Cevil.example/x"]


def fetch(app, path: str) -> tuple[int, list[str]]:  # noqa: ANN001
    """GET ``path`` as a new visitor; return the status and the Set-Cookie headers."""
    with app.test_client().get(path) as response:  # closed: static files hold an open file
        return response.status_code, response.headers.getlist("Set-Cookie")


def session_rows(console) -> int:  # noqa: ANN001
    """Return how many rows the sessions table holds."""
    conn = console.db()
    try:
        return int(conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0])
    finally:
        conn.close()


def test_a_crawler_opening_every_public_page_adds_no_session_row(console, app) -> None:
    # Given an empty console, When a crawler opens every public page many times, each time as a
    # new visitor (no cookies kept)
    for _ in range(20):
        for path in PUBLIC:
            assert fetch(app, path)[0] in (200, 302, 404), path
    # Then the sessions table is still empty
    assert session_rows(console) == 0


@pytest.mark.parametrize("path", ["/static/console.css", "/no-such-page", "/"])
def test_static_files_404s_and_redirects_set_no_session_cookie(app, path: str) -> None:
    status, cookies = fetch(app, path)
    assert status in (200, 302, 404)
    assert not [h for h in cookies if h.startswith("console_session=")], path


def test_the_sign_in_page_works_from_a_signed_visitor_cookie_without_a_row(console) -> None:
    # Given a visitor who chose Japanese on the sign-in page
    console.new_account()
    page = console.open("/signin?lang=ja")
    visitor = console.cookie()
    header = next(h for h in page.response.headers.getlist("Set-Cookie")
                  if h.startswith("console_session="))
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Path=/" in header
    # Then the language holds on the next page, and nothing is stored on the server
    assert console.open("/signin").root.find("html").attrs["lang"] == "ja"
    assert session_rows(console) == 0
    # When the password is wrong (in English again), still no row
    console.open("/signin?lang=en")
    for _ in range(3):
        assert console.sign_in(password="wrong-guess").status_code == 422
    assert session_rows(console) == 0
    # When it is right, one row, under a new id the cookie now carries
    assert console.sign_in().status_code == 302
    assert session_rows(console) == 1
    assert console.cookie() != visitor
    assert console.db().execute("SELECT id FROM sessions").fetchone()[0] == console.cookie()
    # and signing out deletes it again
    console.sign_out()
    assert session_rows(console) == 0


def test_the_password_step_of_a_2sv_sign_in_is_stored_then_replaced(console) -> None:
    console.enabled_account()
    console.sign_out()
    assert session_rows(console) == 0
    console.to_code_page()  # a password accepted: the session names someone now
    assert session_rows(console) == 1
    assert console.enter_code(console.code()).location == console.HOME
    assert session_rows(console) == 1  # the password step's row gave way to the signed-in one


def test_a_tampered_visitor_cookie_is_ignored(console) -> None:
    # Given a visitor cookie saying Japanese, changed by hand
    console.open("/signin?lang=ja")
    genuine = console.cookie()
    assert genuine and "." in genuine
    compressed = "." if genuine.startswith(".") else ""  # a zlib-compressed payload starts "."
    payload, rest = genuine.removeprefix(".").split(".", 1)
    flipped = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
    tampered = f"{compressed}{flipped}.{rest}"
    console.client.set_cookie("console_session", tampered)
    # Then the console starts a fresh visitor session instead of believing it
    page = console.open("/signin")
    assert page.root.find("html").attrs["lang"] == "en"
    assert console.cookie() not in (genuine, tampered)
    assert session_rows(console) == 0


def test_a_visitor_cookie_lasts_eight_hours_of_the_console_clock(console) -> None:
    # Given a visitor's sign-in page, When the console's clock moves past the cookie's 8 hours
    console.new_account()
    page = console.open("/signin")
    old = console.cookie()
    console.advance(SESSION_LIFETIME + 1)
    # Then its form is refused (its CSRF token went with the cookie), and a fresh page works
    stale = console.submit(page, "Sign in", username=console.username, password=console.password)
    assert stale.status_code == 400
    assert console.open("/signin").status == 200 and console.cookie() != old
    assert console.sign_in().status_code == 302


def test_a_sign_in_form_posted_with_another_visitors_token_is_refused(console, app) -> None:
    # The CSRF token lives in the visitor's own signed cookie: another visitor's token fails
    console.new_account()
    stranger = app.test_client()
    stranger.get("/signin")
    page = console.open("/signin")
    other = console.read(stranger.get("/signin")).csrf_token()
    response = console.client.post("/signin", data={
        "csrf_token": other, "username": console.username, "password": console.password})
    assert response.status_code == 400
    assert console.submit(page, "Sign in", username=console.username,
                          password=console.password).status_code == 302


def test_expired_sessions_are_purged_at_most_once_a_minute_of_the_console_clock(
    console, app
) -> None:
    # Given three browsers signed in, and one more signed in 30 s later
    console.new_account()
    for _ in range(3):
        browser = console.other_browser()
        assert browser.sign_in().status_code == 302
    console.advance(30)
    late = console.other_browser()
    assert late.sign_in().status_code == 302
    assert session_rows(console) == 4
    # When the first three have just expired, and a request comes (a stylesheet will do)
    console.advance(SESSION_LIFETIME - 30 + 1)
    fetch(app, "/static/console.css")
    # Then their rows are gone; the later one stays until it expires too
    assert session_rows(console) == 1
    # and within the minute after a purge no request purges again, even past that expiry
    console.advance(40)
    fetch(app, "/static/console.css")
    assert session_rows(console) == 1
    assert late.client.get(console.ACCOUNT).status_code == 302  # expired: never honoured
    console.advance(PURGE_EVERY_SECONDS - 40)
    fetch(app, "/no-such-page")
    assert session_rows(console) == 0
