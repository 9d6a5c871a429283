"""Serve the mock console with waitress: ``python -m mock_console [--port 8000] [--test-api]``."""

from __future__ import annotations

import argparse
import contextlib
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
                        help="hold every /api/ answer back N ms, as a slow network would "
                             "(the SPA's spinner shows; default 0)")
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads")
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
    return args


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


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from waitress.server import create_server

    from mock_console import create_app

    config: dict[str, object] = {"TEST_API": args.test_api,
                                 "PASSWORD_HASHING": args.password_hashing,
                                 "UI": args.ui, "LATENCY_MS": args.latency_ms}
    if args.db is not None:
        config["DATABASE"] = str(args.db)
    try:
        app = create_app(config)
        seeded = seed_accounts(app, args.seed) if args.seed else []
        for spec in args.fault:
            app.extensions["mock_console"].faults.enable(*parse_fault_spec(spec))
        server = create_server(app, host=args.host, port=args.port, threads=args.threads,
                               ident="mock-console")
    except (SeedError, UnknownFault, FaultParamsError) as error:
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
    if args.ui != "html" or args.latency_ms:
        print(f"  front-end: {args.ui}; API latency {args.latency_ms} ms", flush=True)
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
