"""A real console's accounts: one per test from a pool, split between parallel workers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from e2e.target import ACCOUNTS_ENV, Credentials, LiveTarget, TargetError, read_accounts

URL = "https://console.example"


def pool_file(tmp_path: Path, count: int) -> Path:
    """Write a pool of ``count`` accounts in the --seed / E2E_ACCOUNTS format."""
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps([{"username": f"qa{i}@example.com", "password": f"pw{i}"}
                                for i in range(count)]))
    return path


def test_each_test_gets_its_own_account_from_the_pool(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ACCOUNTS_ENV, str(pool_file(tmp_path, 3)))
    target = LiveTarget.from_environment(URL)
    names = [target.new_account().username for _ in range(3)]
    assert names == ["qa0@example.com", "qa1@example.com", "qa2@example.com"]
    with pytest.raises(TargetError, match="all 3 accounts of E2E_ACCOUNTS"):
        target.new_account()


def test_parallel_workers_never_share_an_account(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ACCOUNTS_ENV, str(pool_file(tmp_path, 6)))
    first = LiveTarget.from_environment(URL, share=(0, 2))
    second = LiveTarget.from_environment(URL, share=(1, 2))
    mine = {first.new_account().username for _ in range(3)}
    theirs = {second.new_account().username for _ in range(3)}
    assert not mine & theirs and len(mine | theirs) == 6


def test_a_single_account_is_handed_out_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ACCOUNTS_ENV, raising=False)
    monkeypatch.setenv("E2E_USERNAME", "admin@example.com")
    monkeypatch.setenv("E2E_PASSWORD", "secret")
    target = LiveTarget.from_environment(URL)
    assert target.new_account() == target.new_account() == Credentials("admin@example.com",
                                                                        "secret")


def test_no_account_configured_says_which_variables_to_set(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (ACCOUNTS_ENV, "E2E_USERNAME", "E2E_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(TargetError, match="E2E_USERNAME and E2E_PASSWORD .* or E2E_ACCOUNTS"):
        LiveTarget.from_environment(URL).new_account()


@pytest.mark.parametrize("content", ["not json", "{}", "[]", '[{"username": "a"}]'])
def test_a_malformed_pool_file_is_refused_clearly(tmp_path: Path, content: str) -> None:
    path = tmp_path / "accounts.json"
    path.write_text(content)
    with pytest.raises(TargetError, match="accounts"):
        read_accounts(path)
