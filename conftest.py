"""What only this repository's own tests need; the fixtures come from the harness's plugin.

The public fixtures (``target``, ``labels``, ``account``, ``authenticator``, ``mock``, ``browser``,
…) and options (``--lang``, ``--labels``, ``--accounts``, …) are the pytest plugin
``e2e.pytest_plugin``, which the package's ``pytest11`` entry point loads wherever it is
installed. Here stay the guards of this checkout.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from e2e.pytest_plugin import plugin as harness_plugin
from e2e.target import REPORT_ENV
from tests.support.checkout import file_stamps


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    """Load the harness's plugin when no entry point did (a venv installed before it had one,
    or PYTEST_DISABLE_PLUGIN_AUTOLOAD); loading it twice would be an error."""
    if not pluginmanager.is_registered(harness_plugin) and not pluginmanager.is_blocked(
            "hennge_2sv"):
        pluginmanager.register(harness_plugin, "hennge_2sv")


WORKERS_PER_CPU = 2  # a browser test mostly waits on Chromium and the console, not on a CPU


@pytest.hookimpl(tryfirst=True, optionalhook=True)  # optional: a run with -p no:xdist
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto`` (``make test``): two workers per CPU this process may use.

    Each browser test spends most of its time waiting on round trips between pytest,
    Playwright's driver, Chromium and the mock, so on the 2-CPU reference machine four workers
    finish the suite sooner than two (``bench.suite``). ``PYTEST_XDIST_AUTO_NUM_WORKERS``
    still decides when set.
    """
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own hook reads it
    return WORKERS_PER_CPU * len(os.sched_getaffinity(0))


def pytest_configure(config: pytest.Config) -> None:
    """Under xdist, let an idle worker take tests queued on a busy one (``--dist worksteal``)
    unless ``--dist`` was chosen on the command line.

    xdist's default (``load``) hands each worker a long queue up front and never takes it back:
    with browser tests of very different lengths, three of four workers finished after 160 s of
    a 270 s run and the fourth ran its queue alone for the rest.
    """
    given = [*config.invocation_params.args, *os.environ.get("PYTEST_ADDOPTS", "").split()]
    chosen = any(arg == "-d" or arg.startswith("--dist") for arg in given)
    if getattr(config.option, "dist", None) == "load" and not chosen:
        config.option.dist = "worksteal"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the slow tier's tests first when they run at all (CI runs every test in one session).

    They are few and each long, much of it waiting on real time: started first, they overlap
    the rest instead of leaving one worker finishing them alone at the end.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: else as found


CHECKOUT = Path(__file__).resolve().parent
GUARDED = ("reports", "fixtures", "e2e/data")  # the last report; the data the tests read


# Where a running ``e2e selftest`` writes meanwhile: its other fault runs' JUnit files land in its
# report folder, which is not this test's doing. Set before this process started: read once.
SELFTEST_REPORT = Path(os.environ[REPORT_ENV]).resolve() if os.environ.get(REPORT_ENV) else None


def _listing() -> dict[str, tuple[int, int]]:
    """The guarded files' stamps, but those the self-test running this suite writes."""
    return file_stamps(CHECKOUT, GUARDED, skip=SELFTEST_REPORT)


@pytest.fixture(autouse=True)
def _checkout_untouched() -> Iterator[None]:
    """Fail a test that writes into the checkout's reports/, fixtures/ or e2e/data/.

    Tests write only under their own tmp folders (a run without --report would replace the
    user's last report)."""
    before = _listing()
    yield
    after = _listing()
    touched = sorted(name for name in before.keys() | after.keys()
                     if before.get(name) != after.get(name))
    assert not touched, (f"this test wrote into the checkout: {', '.join(touched[:5])}; "
                         "give the harness a folder under tmp_path (--report, evidence_dir)")
