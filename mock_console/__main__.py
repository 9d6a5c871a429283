"""Serve the mock console with waitress: ``python -m mock_console [--port 8000] [--test-api]``.

``--unlock USERNAME`` is the administrator's side instead: it lifts an account's code lock in the
database and exits, serving nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import sys
from pathlib import Path

from flask import Flask

from mock_console import hashing
from mock_console.faults import FaultParamsError, UnknownFault, parse_fault_spec

READY_PREFIX = "mock console serving on "


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="mock-console" if Path(sys.argv[0]).name == "mock-console"
        else "python -m mock_console",
        description="Serve the mock HENNGE Cloud Protection Admin Console.",
    )
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8000,
                        help="port to listen on; 0 picks a free one (default 8000)")
    parser.add_argument("--db", type=Path, default=None,
                        help="SQLite database file (default: console.sqlite3 in Flask's instance "
                             "folder: instance/ in a checkout, VENV/var/mock_console-instance/ "
                             "when installed; the startup line names it)")
    parser.add_argument("--test-api", action="store_true",
                        help="serve the /__test__/ API (accounts, clock, faults) to loopback")
    parser.add_argument("--seed", type=Path, default=None,
                        help='JSON file of accounts to create if missing: '
                             '[{"username": ..., "password": ...}]')
    parser.add_argument("--fault", action="append", default=[], metavar="NAME[=JSON]",
                        help="start with a fault switched on (repeatable), e.g. no_lockout or "
                             "'rename_label={\"from\": \"Change\", \"to\": \"Edit\"}'")
    parser.add_argument("--ui", choices=("html", "spa"), default="html",
                        help="the front-end: server-rendered pages (html, default) or a "
                             "single-page app over the JSON API under /api/ (spa)")
    parser.add_argument("--latency-ms", type=int, default=0, metavar="N",
                        help="the single-page app waits N ms before each /api/ request, as "
                             "over a slow network (its spinner shows; default 0)")
    parser.add_argument("--reauth", action="store_true",
                        help="ask the user to confirm access before 'Set up' (password) and "
                             "'Turn off' (password or a current code); a confirmation lasts 5 "
                             "minutes of the console's clock, in that session only")
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    parser.add_argument("--behind-tls-proxy", action="store_true",
                        help="a TLS-terminating proxy on this host forwards to the console: trust "
                             "its X-Forwarded-Proto and X-Forwarded-For (one hop), send HSTS on "
                             "https requests and mark cookies Secure (needs a loopback --host)")
    parser.add_argument("--unlock", metavar="USERNAME", default=None,
                        help="as an administrator: lift the code lock (timed, or the hard lock "
                             "after 20 wrong codes in a row) of USERNAME in the --db database, "
                             "then exit without serving; a running console sees it at once")
    parser.add_argument("--password-hashing", choices=sorted(hashing.METHODS),
                        default=hashing.SCRYPT,
                        help="how passwords and Recovery Codes are hashed: scrypt at full cost "
                             "(default), or 'fast' for a throwaway mock whose accounts are all "
                             "made up (what the harness's embedded mock uses)")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be between 0 and 65535, got {args.port}")
    if args.latency_ms < 0:
        parser.error("--latency-ms must be 0 or more")
    if args.threads < 1:
        parser.error("--threads must be at least 1")
    try:  # before anything touches the disk: a typo must not leave a database behind
        args.faults = [parse_fault_spec(spec) for spec in args.fault]
    except (UnknownFault, FaultParamsError) as error:
        parser.error(str(error))
    if args.behind_tls_proxy and not _is_loopback_host(args.host):
        parser.error(f"--behind-tls-proxy trusts X-Forwarded-* headers, so the console must "
                     f"listen on loopback only (the proxy's side), not --host {args.host}: "
                     "anyone reaching it directly could claim to be https or another client")
    return args


def _is_loopback_host(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host.lower() == "localhost"


class SeedError(ValueError):
    """The seed file cannot be read as a list of accounts."""


def seed_accounts(app: Flask, path: Path) -> list[tuple[str, str]]:
    """Create the accounts listed in ``path`` that do not exist yet; return all of them."""
    from mock_console import accounts

    try:
        entries = json.loads(path.read_text("utf-8"))
        pairs = [(str(e["username"]), str(e["password"])) for e in entries]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SeedError(f"cannot read accounts from {path}: {error}. Expected a JSON list of "
                        '{"username": ..., "password": ...} objects.') from None
    services = app.extensions["mock_console"]
    for username, password in pairs:
        if accounts.load(services.store.read(), username) is None:
            accounts.create(services, username, password)
    return pairs


def unlock(config: dict[str, object], username: str, db: Path | None) -> int:
    """Lift ``username``'s lock in the database (the administrator's act the hard lock waits
    for), print what was done, and return the exit code."""
    from mock_console import accounts, create_app

    if db is not None and not db.exists():  # never create an empty database for a typo
        print(f"error: no database at {db}. Pass the --db the console was started with.",
              file=sys.stderr)
        return 2
    app = create_app(config)
    services = app.extensions["mock_console"]
    if accounts.load(services.store.read(), username) is None:
        print(f"error: no account named {username!r} in {app.config['DATABASE']}. Check the "
              "name, and pass the --db the console was started with.", file=sys.stderr)
        return 2
    cleared = accounts.unlock(services, username, by="mock-console --unlock")
    print(f"unlocked {username}: codes and Recovery Codes are accepted again "
          f"({cleared} wrong codes in a row cleared; audit event account_unlocked)", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from waitress.server import create_server

    from mock_console import create_app

    config: dict[str, object] = {"TEST_API": args.test_api,
                                 "PASSWORD_HASHING": args.password_hashing,
                                 "BEHIND_TLS_PROXY": args.behind_tls_proxy,
                                 "UI": args.ui, "LATENCY_MS": args.latency_ms,
                                 "REAUTH": args.reauth}
    if args.db is not None:
        config["DATABASE"] = str(args.db)
    if args.unlock is not None:
        return unlock(config, args.unlock, args.db)
    try:
        app = create_app(config)
        seeded = seed_accounts(app, args.seed) if args.seed else []
        for name, params in args.faults:
            app.extensions["mock_console"].faults.enable(name, params)
        # waitress would strip X-Forwarded-* itself; let them through to the app, which trusts
        # them only under --behind-tls-proxy (ProxyFix) and otherwise refuses them on the test API
        server = create_server(app, host=args.host, port=args.port, threads=args.threads,
                               ident="mock-console", clear_untrusted_proxy_headers=False)
    except SeedError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: cannot listen on {args.host}:{args.port}: {error.strerror or error}. "
              "Pick another --port (0 picks a free one).", file=sys.stderr)
        return 2
    port = server.effective_port
    api = "on" if args.test_api else "off"
    print(f"{READY_PREFIX}http://{args.host}:{port}/ (test API {api}; "
          f"database {app.config['DATABASE']})", flush=True)
    print(f"  password hashing: {hashing.DESCRIPTIONS[args.password_hashing]}", flush=True)
    if args.behind_tls_proxy:
        print("  behind a TLS proxy: X-Forwarded-Proto and X-Forwarded-For trusted (one hop), "
              "HSTS on https requests, Secure cookies", flush=True)
    if args.ui != "html" or args.latency_ms:
        print(f"  front-end: {args.ui}; API latency {args.latency_ms} ms", flush=True)
    if args.reauth:
        print("  re-authentication: access is confirmed before Set up and Turn off "
              "(good for 5 minutes)", flush=True)
    if app.extensions["mock_console"].faults.enabled():
        print(f"  faults on: {', '.join(app.extensions['mock_console'].faults.enabled())}",
              flush=True)
    for username, _password in seeded:  # the password stays in the seed file, never on stdout
        print(f"  account: {username} (password as in the seed file)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
