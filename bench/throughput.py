"""Benchmark: the mock console's throughput under waitress for sign-in with a code.

Why: several xdist workers, or several CI jobs, may share one mock server; what it serves per
second for its most expensive pair of requests, a password sign-in (a real scrypt check) and the
code that completes it (TOTP check, replay ledger, audit event, session rotation, all in SQLite),
says how many parallel runs one mock can carry. The baseline is a trivial endpoint
(``GET /__bench__/ping``) registered on the same app, served by the same waitress server, so the
ratio is what the console's own work costs over Flask and waitress.

The server runs in a child process (``python -m bench.throughput serve``): the console built by
``create_app`` with its test API, the extra ping route, and accounts with 2SV on prepared in
process before serving. The load comes from this process: K client threads on loopback, each with
its own keep-alive connection, through the tests' console driver (``tests.support.console_http``
over HTTP), so the bench sends the very requests the load test does. A code is accepted once
per time step per account, so each pair takes an account not yet used in the console's current
step; when every idle account has been used, the clock is moved on a step through the test API
(one request per pool of pairs).
Timed windows of the two kinds alternate after a warm-up window of each.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyotp

from bench.common import (
    BenchError,
    Figure,
    base_parser,
    check_counts,
    machine_info,
    median,
    percentile,
    print_figures,
    reproduce_command,
    write_result,
)
from e2e.process import ProcessStartError, start_listener, stop_process
from tests.support.console_http import SIGNIN, SIGNIN_CODE, ConsoleHttp
from tests.support.transport import HttpReply, HttpTransport

NAME = "throughput"
MODULE = f"bench.{NAME}"
READY = "bench console serving on "
PING_PATH = "/__bench__/ping"
PERIOD = 30
STEP_SAFETY = 0.5
DEFAULT_REPS = 5  # timed windows of each kind
DEFAULT_SECONDS = 5.0
DEFAULT_RAMP = 1.0
DEFAULT_CLIENTS = 8
DEFAULT_ACCOUNTS = 64
DEFAULT_SERVER_THREADS = 8  # python -m mock_console's default
HTTP_TIMEOUT = 30
# The two password-hashing settings of the mock (mock_console.hashing): what a served mock
# keeps, and what the embedded, throwaway-account mock uses.
SERVED, EMBEDDED = "console scrypt", "console fast"
HASHING_KINDS = {SERVED: "scrypt", EMBEDDED: "fast"}

Client = ConsoleHttp[HttpReply]  # one client thread's browser: the shared driver over HTTP


# -- the server (child process) -----------------------------------------------------------------

def serve(db: Path, accounts_file: Path, count: int, threads: int, hashing: str) -> int:
    """Build the console with a ping route, prepare ``count`` accounts with 2SV on, serve."""
    from waitress.server import create_server

    from mock_console import accounts, create_app, totp

    app = create_app({"DATABASE": str(db), "TEST_API": True, "PASSWORD_HASHING": hashing})
    app.add_url_rule(PING_PATH, "bench_ping", lambda: "pong")
    services = app.extensions["mock_console"]

    def prepare(i: int) -> dict[str, Any]:
        username, password = accounts.create(services, f"bench-{i:04d}@example.com")
        secret = accounts.begin_setup(services, username)
        step = totp.step_at(services.clock.now())
        accounts.enable(services, username, totp.code_for_step(secret, step))
        return {"username": username, "password": password, "secret": secret, "step": step}

    with ThreadPoolExecutor(max_workers=4) as pool:  # scrypt leaves the GIL while it hashes
        prepared = list(pool.map(prepare, range(count)))
    accounts_file.write_text(json.dumps(prepared), "utf-8")
    server = create_server(app, host="127.0.0.1", port=0, threads=threads, ident="bench-console")
    print(f"{READY}http://127.0.0.1:{server.effective_port}", flush=True)
    server.run()
    return 0


def start_server(folder: Path, count: int, threads: int, hashing: str
                 ) -> tuple[subprocess.Popen[str], str, list[dict[str, Any]]]:
    """Start the child server; wait for its ready line (after the accounts are prepared)."""
    folder.mkdir(parents=True, exist_ok=True)
    accounts_file = folder / "accounts.json"
    command = [sys.executable, "-m", MODULE, "serve", "--db", str(folder / "console.sqlite3"),
               "--accounts", str(count), "--accounts-file", str(accounts_file),
               "--threads", str(threads), "--password-hashing", hashing]
    try:
        server = start_listener(command, re.compile(rf"^{READY}(\S+)"), timeout=60 + count,
                                what="the benchmark's console")
    except ProcessStartError as error:
        raise BenchError(str(error)) from None
    return server.process, server.url, json.loads(accounts_file.read_text("utf-8"))


# -- the load (this process) --------------------------------------------------------------------

@dataclass
class Account:
    username: str
    password: str
    totp: pyotp.TOTP
    last_step: int


class AccountPool:
    """Hands out an account with a code for a step it has not used yet; moves the clock when all
    idle accounts have used the current step (the console refuses a step twice)."""

    def __init__(self, console: Client, prepared: list[dict[str, Any]]) -> None:
        self.idle: deque[Account] = deque(
            Account(p["username"], p["password"], pyotp.TOTP(p["secret"]), int(p["step"]))
            for p in prepared)
        self.lock = threading.Lock()
        self.offset = console.now() - time.time()
        self.advances = 0

    def take(self, console: Client) -> tuple[Account, str]:
        with self.lock:
            step = math.floor((time.time() + self.offset) / PERIOD)
            usable = next((a for a in self.idle if a.last_step < step), None)
            if usable is None:
                now = time.time() + self.offset
                advance = (math.floor(now / PERIOD) + 1) * PERIOD - now + STEP_SAFETY
                self.offset = console.advance(advance) - time.time()
                self.advances += 1
                step = math.floor((time.time() + self.offset) / PERIOD)
                usable = next((a for a in self.idle if a.last_step < step), None)
                if usable is None:
                    raise BenchError("no idle account: raise --accounts above --clients")
            self.idle.remove(usable)
            usable.last_step = step
        return usable, usable.totp.generate_otp(step)

    def give_back(self, account: Account) -> None:
        with self.lock:
            self.idle.append(account)


@dataclass
class Window:
    """What one timed window of K clients achieved.

    Every client starts at once, so the first operations all end about one latency late, and
    the last ones are cut by the deadline. Only operations that ended between ``measured_from``
    (a ramp after the start) and the deadline count, over that interval: the steady state.
    """

    measured_from: float = 0.0
    deadline: float = 0.0
    done: list[tuple[float, int, dict[str, float]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def counted(self) -> list[tuple[float, int, dict[str, float]]]:
        return [d for d in self.done if self.measured_from <= d[0] <= self.deadline]

    def summary(self) -> dict[str, Any]:
        counted = self.counted()
        seconds = self.deadline - self.measured_from
        latencies: dict[str, list[float]] = {}
        for _, _, lat in counted:
            for key, value in lat.items():
                latencies.setdefault(key, []).append(value)
        made = sum(n for _, n, _ in counted)
        return {"seconds": round(seconds, 3), "operations": len(counted), "requests": made,
                "errors": len(self.errors), "operations_per_s": len(counted) / seconds,
                "requests_per_s": made / seconds,
                **{f"{k}_p{p}_ms": percentile(v, p) * 1000
                   for k, v in latencies.items() for p in (50, 95)}}


Operation = Callable[[Client], tuple[int, dict[str, float]]]


def ping(console: Client) -> tuple[int, dict[str, float]]:
    """One GET of the trivial endpoint."""
    started = time.perf_counter()
    response = console.get(PING_PATH)
    took = time.perf_counter() - started
    if response.status != 200 or response.text != "pong":
        raise BenchError(f"ping answered {response.status}")
    return 1, {"request": took}


def sign_in_pair(pool: AccountPool) -> Operation:
    """A fresh browser's sign-in: the form (for its CSRF token), the password, then the code."""

    def op(console: Client) -> tuple[int, dict[str, float]]:
        account, code = pool.take(console)
        try:
            console.transport.clear_cookies()
            token = console.token(SIGNIN)
            started = time.perf_counter()
            password = console.sign_in(account.username, account.password, token=token)
            middle = time.perf_counter()
            if password.status != 302 or not (password.location or "").endswith(SIGNIN_CODE):
                raise BenchError(f"POST {SIGNIN} answered {password.status}, "
                                 f"not a redirect to the code")
            answer = console.enter_code(code, token=token)
            done = time.perf_counter()
            if answer.status != 302 or answer.location not in ("/", answer.base_url + "/"):
                raise BenchError(f"POST {SIGNIN_CODE} answered {answer.status}: code refused")
        finally:
            pool.give_back(account)
        return 3, {"pair": done - started, "signin": middle - started, "code": done - middle}

    return op


def run_window(op: Operation, clients: int, seconds: float, ramp: float,
               consoles: list[Client]) -> Window:
    """Run ``op`` in a loop on ``clients`` threads for ``ramp + seconds``; count the last part."""
    window = Window()
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def client(console: Client) -> None:
        start.wait()
        while time.perf_counter() < window.deadline:
            try:
                made, latencies = op(console)
            except Exception as error:  # noqa: BLE001 - counted and reported, never hidden
                with lock:
                    window.errors.append(f"{type(error).__name__}: {error}")
                continue
            ended = time.perf_counter()
            with lock:
                window.done.append((ended, made, latencies))

    threads = [threading.Thread(target=client, args=(consoles[i],), daemon=True)
               for i in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    window.measured_from, window.deadline = began + ramp, began + ramp + seconds
    start.wait()
    for thread in threads:
        thread.join()
    return window


def measure(reps: int, warmup: int, seconds: float, ramp: float, clients: int, accounts: int,
            server_threads: int) -> dict[str, Any]:
    """Alternate the windows (sign-in pairs on a full-cost scrypt console and on a cheap-hashing
    one, and the trivial endpoint) after a warm-up window of each."""
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as tmp:
        processes: list[subprocess.Popen[str]] = []
        try:
            ops: dict[str, tuple[Operation, list[Client]]] = {}
            pools = []
            for kind, hashing in HASHING_KINDS.items():
                process, base_url, prepared = start_server(Path(tmp) / hashing, accounts,
                                                           server_threads, hashing)
                processes.append(process)
                # one browser (keep-alive session) per client thread on this console
                consoles = [ConsoleHttp(HttpTransport(base_url, timeout=HTTP_TIMEOUT))
                            for _ in range(clients)]
                pools.append(AccountPool(consoles[0], prepared))
                ops[kind] = sign_in_pair(pools[-1]), consoles
            ops["ping"] = ping, consoles  # on the cheap-hashing console: the same server code
            windows: dict[str, list[Window]] = {kind: [] for kind in ops}
            for round_ in range(-warmup, reps):
                for kind, (op, on) in ops.items():
                    window = run_window(op, clients, seconds, ramp, on)
                    tag = f"warm-up {round_ + warmup + 1}" if round_ < 0 else f"window {round_ + 1}"
                    s = window.summary()
                    print(f"  {tag:<10} {kind:<14} {s['operations_per_s']:8.1f} ops/s "
                          f"{s['requests_per_s']:8.1f} req/s  errors {s['errors']}")
                    if window.errors:
                        raise BenchError(f"{len(window.errors)} {kind} operations failed, e.g. "
                                         f"{window.errors[0]}")
                    if round_ >= 0:
                        windows[kind].append(window)
        finally:
            for process in processes:
                stop_process(process)
    return {"windows": windows, "advances": sum(pool.advances for pool in pools)}


def build_result(measured: dict[str, Any], args: argparse.Namespace, command: str
                 ) -> dict[str, Any]:
    summaries = {kind: [w.summary() for w in ws] for kind, ws in measured["windows"].items()}

    def med(kind: str, key: str) -> float:
        return median([s.get(key, math.nan) for s in summaries[kind]])

    console_rps, ping_rps = med(SERVED, "requests_per_s"), med("ping", "requests_per_s")
    fast_rps, fast_pairs = med(EMBEDDED, "requests_per_s"), med(EMBEDDED, "operations_per_s")
    pairs = med(SERVED, "operations_per_s")
    pair_p50, pair_p95 = med(SERVED, "pair_p50_ms"), med(SERVED, "pair_p95_ms")
    fast_p50 = med(EMBEDDED, "pair_p50_ms")
    ping_p50, ping_p95 = med("ping", "request_p50_ms"), med("ping", "request_p95_ms")
    reps = args.reps
    figures = [
        Figure(f"throughput, trivial endpoint (GET {PING_PATH})", ping_rps, "req/s", reps),
        Figure.against("throughput, sign-in + code, scrypt (a served mock; 3 requests a pair)",
                       console_rps, "req/s", reps, "trivial endpoint", ping_rps,
                       note=f"{pairs:.1f} pairs/s"),
        Figure.against("throughput, sign-in + code, cheap hashing (the embedded mock; goal "
                       ">= 0.5x)", fast_rps, "req/s", reps, "trivial endpoint", ping_rps,
                       note=f"{fast_pairs:.1f} pairs/s"),
        Figure.against("latency p50, sign-in + code pair, scrypt (2 POSTs)", pair_p50, "ms",
                       reps, "trivial endpoint p50", ping_p50,
                       note=f"p95 {pair_p95:.0f} ms against {ping_p95:.1f} ms"),
        Figure.against("latency p50, sign-in + code pair, cheap hashing", fast_p50, "ms", reps,
                       "trivial endpoint p50", ping_p50),
    ]
    return {
        "benchmark": NAME,
        "title": f"Mock console throughput under waitress, {args.clients} clients on loopback",
        "command": command,
        "reps": reps,
        "warmup": args.warmup,
        "order": "alternating timed windows: scrypt console | cheap-hashing console | trivial "
                 "endpoint, after a warm-up of each",
        "window_seconds": args.seconds,
        "ramp_seconds": args.ramp,
        "counted": "operations that ended between the ramp and the deadline, over that time",
        "clients": args.clients,
        "server_threads": args.server_threads,
        "accounts": args.accounts,
        "clock_advances": measured["advances"],
        "pair": "GET /signin (the CSRF token; a fresh cookie jar) then the timed pair: POST "
                "/signin (the password, hashed with full-cost scrypt on one console and with "
                "--password-hashing fast on the other) and POST /signin/code (a valid code, 302 "
                "to the console). requests/s counts all three.",
        "note": "the load generator shares the machine's CPUs with the server",
        "samples": summaries,
        "medians": {"console_requests_per_s": console_rps, "console_pairs_per_s": pairs,
                    "fast_console_requests_per_s": fast_rps, "fast_pair_p50_ms": fast_p50,
                    "ping_requests_per_s": ping_rps, "pair_p50_ms": pair_p50,
                    "pair_p95_ms": pair_p95, "ping_p50_ms": ping_p50, "ping_p95_ms": ping_p95,
                    "signin_p50_ms": med(SERVED, "signin_p50_ms"),
                    "code_p50_ms": med(SERVED, "code_p50_ms")},
        "ratios": {"console/trivial requests_per_s": figures[1].ratio,
                   "fast console/trivial requests_per_s": figures[2].ratio,
                   "console/trivial p50 latency": figures[3].ratio},
        "figures": figures,
        "machine": machine_info(with_chromium=False),
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"]:
        serve_parser = argparse.ArgumentParser(prog=f"python -m {MODULE} serve")
        serve_parser.add_argument("--db", type=Path, required=True)
        serve_parser.add_argument("--accounts-file", type=Path, required=True)
        serve_parser.add_argument("--accounts", type=int, default=DEFAULT_ACCOUNTS)
        serve_parser.add_argument("--threads", type=int, default=DEFAULT_SERVER_THREADS)
        serve_parser.add_argument("--password-hashing", default="scrypt")
        served = serve_parser.parse_args(argv[1:])
        return serve(served.db, served.accounts_file, served.accounts, served.threads,
                     served.password_hashing)
    parser = base_parser(MODULE, "Measure the mock console's sign-in + code throughput under "
                                 "waitress against a trivial endpoint on the same server.",
                         DEFAULT_REPS)
    parser.add_argument("--seconds", type=float, default=DEFAULT_SECONDS,
                        help=f"length of each timed window (default {DEFAULT_SECONDS:g})")
    parser.add_argument("--ramp", type=float, default=DEFAULT_RAMP,
                        help="seconds of load before each window starts counting, so it "
                             f"measures the steady state (default {DEFAULT_RAMP:g})")
    parser.add_argument("--clients", type=int, default=DEFAULT_CLIENTS,
                        help=f"concurrent client threads (default {DEFAULT_CLIENTS})")
    parser.add_argument("--accounts", type=int, default=DEFAULT_ACCOUNTS,
                        help=f"accounts with 2SV on to rotate through (default "
                             f"{DEFAULT_ACCOUNTS}; more means fewer clock moves)")
    parser.add_argument("--server-threads", type=int, default=DEFAULT_SERVER_THREADS,
                        help=f"waitress worker threads (default {DEFAULT_SERVER_THREADS})")
    args = parser.parse_args(argv)
    check_counts(parser, args)
    if args.accounts < 2 * args.clients:
        parser.error("--accounts must be at least twice --clients (codes are single-use)")
    print(f"{MODULE}: {args.reps} windows of {args.seconds:g} s per kind, {args.clients} "
          f"clients, after {args.warmup} warm-up window(s); preparing {args.accounts} accounts")
    measured = measure(args.reps, args.warmup, args.seconds, args.ramp, args.clients,
                       args.accounts, args.server_threads)
    result = build_result(measured, args, reproduce_command(MODULE, argv))
    print_figures(result["title"], result["figures"])
    path = write_result(NAME, args.results_dir, result)
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
