"""Which Chromium a run launches: a headless run prefers the system's headless shell (the build
Playwright itself runs headless, a third less CPU); a headed run needs the full browser;
``CHROMIUM_PATH`` and Playwright's own Chromium win over both."""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e.browser import launch


@pytest.fixture
def system(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A machine with only the system's Chromium and its headless shell, at paths made here."""
    made = {name: tmp_path / name for name in ("chromium", "chromium-headless-shell")}
    for path in made.values():
        path.write_text("#!/bin/sh\n", "utf-8")
    monkeypatch.delenv("CHROMIUM_PATH", raising=False)
    monkeypatch.setattr(launch, "playwright_chromium_path", lambda *_: None)
    monkeypatch.setattr(launch, "SYSTEM_CHROMIUM_CANDIDATES", (str(made["chromium"]),))
    monkeypatch.setattr(launch, "SYSTEM_HEADLESS_SHELL_CANDIDATES",
                        (str(made["chromium-headless-shell"]),))
    return made


def test_a_headless_run_launches_the_headless_shell(system: dict[str, Path]) -> None:
    assert launch.chromium_executable() == system["chromium-headless-shell"]
    assert launch.launch_args()["executable_path"] == str(system["chromium-headless-shell"])


def test_a_headed_run_launches_the_full_browser(system: dict[str, Path]) -> None:
    assert launch.chromium_executable(headless=False) == system["chromium"]
    assert launch.launch_args(headless=False)["executable_path"] == str(system["chromium"])


def test_without_the_headless_shell_a_headless_run_uses_the_full_browser(
    system: dict[str, Path]
) -> None:
    system["chromium-headless-shell"].unlink()
    assert launch.chromium_executable() == system["chromium"]


def test_chromium_path_wins_headless_or_headed(system: dict[str, Path],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHROMIUM_PATH", "/opt/chrome/chrome")
    assert launch.chromium_executable() == Path("/opt/chrome/chrome")
    assert launch.chromium_executable(headless=False) == Path("/opt/chrome/chrome")


def test_playwrights_own_chromium_wins_over_the_system_ones(
    system: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(launch, "playwright_chromium_path", lambda *_: Path("/pw/chrome"))
    assert launch.chromium_executable() is None  # Playwright picks its own headless shell
    assert "executable_path" not in launch.launch_args()
