"""Choosing a remote browser, and the launch options a browser server reads (no browser here)."""

from __future__ import annotations

import json

import pytest

from e2e.browser.remote import (
    BROWSER_WS_ENV,
    CDP_URL_ENV,
    LAUNCH_OPTIONS_ENV,
    LAUNCH_OPTIONS_HEADER,
    BrowserEndpoint,
    RemoteBrowserError,
    choose_endpoint,
    explain,
    launch_options_header,
    remote_launch_args,
)

WS, CDP = "ws://grid.example:3000/", "http://grid.example:9222"


def test_no_option_and_no_variable_means_launch_here() -> None:
    assert choose_endpoint(environ={}) is None


@pytest.mark.parametrize(("args", "env", "expected"), [
    ((WS, None), {}, BrowserEndpoint("server", WS)),
    ((None, CDP), {}, BrowserEndpoint("cdp", CDP)),
    ((None, None), {BROWSER_WS_ENV: WS}, BrowserEndpoint("server", WS)),
    ((None, None), {CDP_URL_ENV: CDP}, BrowserEndpoint("cdp", CDP)),
    # an option wins over the environment, whichever kind the environment names
    ((None, CDP), {BROWSER_WS_ENV: WS}, BrowserEndpoint("cdp", CDP)),
    ((WS, None), {CDP_URL_ENV: CDP, BROWSER_WS_ENV: "ws://other:1/"},
     BrowserEndpoint("server", WS)),
])
def test_an_option_wins_over_the_environment(
    args: tuple[str | None, str | None], env: dict[str, str], expected: BrowserEndpoint
) -> None:
    assert choose_endpoint(*args, environ=env) == expected


@pytest.mark.parametrize(("args", "env", "says"), [
    ((WS, CDP), {}, "pass one of them"),
    ((None, None), {BROWSER_WS_ENV: WS, CDP_URL_ENV: CDP}, "unset one of them"),
    (("http://grid.example:3000/", None), {}, "must be a URL starting with ws://"),
    ((None, "grid.example:9222"), {}, "must be a URL starting with ws://"),
    (("ws://grid.example:port/", None), {}, "invalid port"),
])
def test_ambiguous_or_malformed_choices_are_refused(
    args: tuple[str | None, str | None], env: dict[str, str], says: str
) -> None:
    with pytest.raises(RemoteBrowserError, match=says):
        choose_endpoint(*args, environ=env)


def test_the_header_spells_launch_options_the_javascript_way() -> None:
    # the server ignores executable_path silently, then cannot find its own browser
    header = launch_options_header({"executable_path": "/usr/bin/chromium", "headless": True,
                                    "args": ["--no-sandbox"], "slowMo": 5})
    assert json.loads(header[LAUNCH_OPTIONS_HEADER]) == {
        "executablePath": "/usr/bin/chromium", "headless": True, "args": ["--no-sandbox"],
        "slowMo": 5}


def test_launch_options_from_the_environment_replace_this_machines() -> None:
    options = {"executablePath": "/opt/chrome/chrome", "args": ["--lang=ja"]}
    assert remote_launch_args({LAUNCH_OPTIONS_ENV: json.dumps(options)}) == options


@pytest.mark.parametrize("raw", ["{not json", '["--no-sandbox"]'])
def test_launch_options_that_are_not_a_json_object_are_refused(raw: str) -> None:
    with pytest.raises(RemoteBrowserError, match=LAUNCH_OPTIONS_ENV):
        remote_launch_args({LAUNCH_OPTIONS_ENV: raw})


def test_a_server_that_dropped_the_executable_is_told_to_run_with_unsafe() -> None:
    message = ("BrowserType.connect: Executable doesn't exist at /root/.cache/ms-playwright/"
               "chrome-headless-shell\n╔══╗ Looks like Playwright was just installed")
    text = explain(BrowserEndpoint("server", WS), message, {"executablePath": "/usr/bin/chromium"})
    assert text.startswith(f"cannot use the Playwright browser server at {WS}: Executable")
    assert "--unsafe" in text and "╔" not in text
