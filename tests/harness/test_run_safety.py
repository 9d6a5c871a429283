"""Options that would expose a real console's secrets are refused unless explicitly accepted."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from e2e.browser.session import SetupError, trace_path
from e2e.target import ALLOW_PLAIN_HTTP_ENV, Target, TargetError, refuse_plain_http


class Console(Target):
    def __init__(self, has_test_api: bool) -> None:
        self.base_url = "https://console.example/"
        self.has_test_api = has_test_api


@pytest.mark.parametrize("url", ["http://console.example/", "http://10.0.0.7:8000/"])
def test_plain_http_to_another_machine_is_refused(url: str, monkeypatch) -> None:
    monkeypatch.delenv(ALLOW_PLAIN_HTTP_ENV, raising=False)
    with pytest.raises(TargetError, match="--allow-plain-http"):
        refuse_plain_http(url)
    monkeypatch.setenv(ALLOW_PLAIN_HTTP_ENV, "1")
    refuse_plain_http(url)  # accepted when the user says the network is trusted


@pytest.mark.parametrize("url", ["https://console.example/", "http://127.0.0.1:8000/",
                                 "http://localhost:5000/", "http://[::1]:8000/"])
def test_https_and_loopback_are_fine(url: str, monkeypatch) -> None:
    monkeypatch.delenv(ALLOW_PLAIN_HTTP_ENV, raising=False)
    refuse_plain_http(url)


def test_a_trace_of_a_real_console_needs_an_explicit_yes_and_says_so_in_its_name(
        capsys) -> None:
    with pytest.raises(SetupError, match="--trace-contains-secrets"):
        trace_path(Console(has_test_api=False), Path("r/trace.zip"), contains_secrets_ok=False)
    path = trace_path(Console(has_test_api=False), Path("r/trace.zip"), contains_secrets_ok=True)
    try:
        # not in the report folder a CI job uploads, but a folder only this user can open
        assert path.name == "trace.SENSITIVE.zip" and path.parent != Path("r")
        assert path.parent.is_dir() and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert str(path) in capsys.readouterr().err.replace("\n", "")
    finally:
        path.parent.rmdir()


def test_a_trace_of_the_mock_with_its_test_api_is_free() -> None:
    assert trace_path(Console(has_test_api=True), Path("trace.zip"), False) == Path("trace.zip")
