#!/usr/bin/env python3
"""Prove the wheel is the product: build it, install it in a fresh venv, use it from nowhere.

A QA engineer installs the package and works in their own folder, never in this checkout. So
this builds the wheel from a copy of the sources, installs it (with its dependencies, from the
package registry; pip's cache makes repeat runs quick) into a new virtualenv in a temporary
folder outside the checkout, and from an empty folder runs what the README promises:
``e2e-2sv run``, ``doc-check`` with the shipped article, ``matrix`` for one device, a
``mock-console`` that serves its sign-in page, and a copy of the ``examples/`` suite (no
conftest.py) through the pytest plugin the package registers. Everything runs against the
embedded mock. Exit 0 when all of it worked; otherwise 1, naming the check that failed, with its
output.

Usage: python .ci/test_installed_wheel.py [--keep]
"""

from __future__ import annotations

import argparse
import os
import re
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
READY = re.compile(r"mock console serving on (http://\S+)")
SERVE_TIMEOUT_S = 30


class CheckFailed(Exception):
    """One check of the installed wheel failed; the message says which and shows its output."""


@dataclass
class Check:
    """A command run from the empty folder, and the files it must have written."""

    name: str
    command: list[str]
    expect: tuple[Path, ...] = ()
    cwd: Path | None = None  # default: the empty folder


def sh(command: list[str], *, cwd: Path, env: dict[str, str] | None = None,
       what: str) -> subprocess.CompletedProcess[str]:
    """Run a command to the end; raise CheckFailed with its output when it fails."""
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise CheckFailed(f"{what} failed (exit {done.returncode}): {' '.join(command)}\n"
                          f"{done.stdout[-4000:]}{done.stderr[-4000:]}")
    return done


def copy_sources(dest: Path) -> Path:
    """Copy the checkout's files (tracked and new, not ignored) so the build writes nowhere in it.

    Building in the checkout would leave build/ and *.egg-info there, and a stale build/ can
    smuggle deleted files into the wheel.
    """
    listed = sh(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                cwd=CHECKOUT, what="listing the sources").stdout
    src = dest / "src"
    for name in filter(None, listed.split("\0")):
        source = CHECKOUT / name
        if source.is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, src / name)
    return src


def clean_env(venv: Path) -> dict[str, str]:
    """The environment of a user who installed the wheel: its venv first on PATH, nothing of the
    checkout's Python, and no E2E_* variable that would point the harness at another console."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("E2E_") and k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    return env


def run_checks(checks: list[Check], *, cwd: Path, env: dict[str, str]) -> dict[str, float]:
    """Run the checks side by side (each starts its own mock and browser); fail on the first bad
    one, after all have ended."""
    started = time.perf_counter()
    running = [(check, subprocess.Popen(check.command, cwd=check.cwd or cwd, env=env, text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
               for check in checks]
    seconds, failures = {}, []
    for check, process in running:
        output, _ = process.communicate()
        seconds[check.name] = time.perf_counter() - started
        missing = [str(path) for path in check.expect if not path.exists()]
        if process.returncode != 0 or missing:
            failures.append(f"{check.name} failed (exit {process.returncode}"
                            f"{', missing ' + ', '.join(missing) if missing else ''}): "
                            f"{' '.join(check.command)}\n{output[-4000:]}")
    if failures:
        raise CheckFailed("\n\n".join(failures))
    return seconds


def check_mock_console_serves(venv: Path, tmp: Path, *, cwd: Path, env: dict[str, str]) -> None:
    """Start the installed mock-console on a free port and fetch its sign-in page."""
    command = [str(venv / "bin" / "mock-console"), "--port", "0", "--db",
               str(tmp / "console.sqlite3")]
    process = subprocess.Popen(command, cwd=cwd, env=env, text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    assert process.stdout is not None
    lines: list[str] = []
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            deadline = time.monotonic() + SERVE_TIMEOUT_S
            url = None
            while url is None and time.monotonic() < deadline:
                if not selector.select(deadline - time.monotonic()):
                    break
                line = process.stdout.readline()
                if not line:
                    break
                lines.append(line)
                found = READY.search(line)
                url = found.group(1) if found else None
        if url is None:
            raise CheckFailed(f"mock-console did not say where it serves within "
                              f"{SERVE_TIMEOUT_S} s: {' '.join(command)}\n{''.join(lines)}")
        with urllib.request.urlopen(f"{url}signin", timeout=SERVE_TIMEOUT_S) as response:
            page = response.read().decode("utf-8")
        if response.status != 200 or "Sign in" not in page:
            raise CheckFailed(f"mock-console at {url} served no sign-in page "
                              f"(HTTP {response.status})")
    finally:
        process.terminate()
        process.wait(timeout=SERVE_TIMEOUT_S)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (venv, reports) and print where it is")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="e2e-wheel-")).resolve()
    if tmp.is_relative_to(CHECKOUT):
        print(f"error: the temporary folder {tmp} is inside the checkout; set TMPDIR elsewhere",
              file=sys.stderr)
        return 2
    timings: dict[str, float] = {}
    ok = False
    try:
        timings.update(check_wheel(tmp))
        ok = True
    except CheckFailed as error:
        print(f"installed-wheel check FAILED: {error}", file=sys.stderr)
    finally:
        if args.keep or not ok:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if ok:
        print("installed-wheel check passed: " +
              ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items()))
    return 0 if ok else 1


def check_wheel(tmp: Path) -> dict[str, float]:
    """Build, install and use the wheel; return how long each stage took."""
    timings, clock = {}, time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now

    src = copy_sources(tmp)
    sh([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir",
        str(tmp / "dist"), str(src)], cwd=tmp, what="building the wheel")
    wheel = next((tmp / "dist").glob("*.whl"))
    lap("build")
    venv = tmp / "venv"
    sh([sys.executable, "-m", "venv", str(venv)], cwd=tmp, what="creating the venv")
    python = venv / "bin" / "python"
    sh([str(python), "-m", "pip", "install", "--quiet", "--no-compile", str(wheel)], cwd=tmp,
       what=f"installing {wheel.name}")
    lap("install")

    work = tmp / "empty"
    work.mkdir()
    env = clean_env(venv)
    where = sh([str(python), "-c", "import e2e, mock_console; print(e2e.__file__); "
                "print(mock_console.__file__)"], cwd=work, env=env, what="importing").stdout
    if any(not Path(line).is_relative_to(venv) for line in where.split()):
        raise CheckFailed(f"the packages were not imported from the venv:\n{where}")

    suite = tmp / "qa-suite"  # a QA team's repository: the examples, no conftest.py
    shutil.copytree(src / "examples", suite / "examples")
    cli, reports = str(venv / "bin" / "e2e-2sv"), tmp / "reports"
    run, doc_check, matrix = reports / "run", reports / "doc-check", reports / "matrix"
    checks = [
        Check("run", [cli, "run", "--report", str(run)],
              (run / "index.html", run / "junit.xml")),
        Check("doc-check", [cli, "doc-check", "--report", str(doc_check)],
              (doc_check / "doc-check.json",)),
        Check("matrix", [cli, "matrix", "--device", "Pixel 7", "--no-evidence",
                         "--report", str(matrix)], (matrix / "matrix.json",)),
        Check("pytest examples/", [str(venv / "bin" / "pytest"), "-q", "examples",
                                   f"--junitxml={reports / 'examples.xml'}"],
              (reports / "examples.xml",), cwd=suite),
    ]
    run_checks(checks, cwd=work, env=env)
    lap("run+doc-check+matrix+examples")
    check_mock_console_serves(venv, tmp, cwd=work, env=env)
    lap("mock-console")

    left = sorted(p.name for p in work.iterdir())
    if left:
        raise CheckFailed(f"the commands wrote into the folder they ran from: {left}")
    return timings


if __name__ == "__main__":
    sys.exit(main())
