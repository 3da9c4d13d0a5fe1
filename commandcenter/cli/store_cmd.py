"""`commandcenter store grant --recorder ROLE --wall ROLE [--store URL] [--print]`: least privilege on a shared
PostgreSQL store (store/grants.py; docs/deploy.md, "Database roles").

Run it as the database owner: it opens the store (creating or migrating it), then grants the recorder's role every
write on the records and the walls' role reads plus operator actions and drill rows. `--print` only prints the SQL.
"""
from __future__ import annotations

import argparse
import sys

from .common import default_config, load_or_exit, store_url_or_exit


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("store", help="存储管理 / store administration (database roles)")
    sub = p.add_subparsers(dest="store_command", required=True, metavar="STORE_COMMAND")
    g = sub.add_parser("grant", help="grant the recorder's and the walls' database roles their rights (PostgreSQL)")
    g.add_argument("--config", default=str(default_config()), help="the TOML config (its [store] url)")
    g.add_argument("--store", default="", help="store URL of the owner (default: the config's)")
    g.add_argument("--recorder", required=True, help="the recorder's role (writes records)")
    g.add_argument("--wall", required=True, help="the walls' and consoles' role (reads; writes operator actions)")
    g.add_argument("--print", dest="print_only", action="store_true",
                   help="print the SQL (for the schema public), change nothing")
    g.set_defaults(func=run_grant)


def run_grant(args: argparse.Namespace) -> int:
    from ..store import Store, StoreError
    from ..store.grants import grant, grant_statements

    try:
        if args.print_only:
            for sql in grant_statements("public", args.recorder, args.wall):
                print(sql + ";")
            return 0
        config = load_or_exit(args.config)
        url = store_url_or_exit(config, args.store, create=True)
        if not url.startswith("postgresql"):
            print("store grant: roles are for a PostgreSQL store; give --store postgresql+psycopg://...",
                  file=sys.stderr)
            return 2
        with Store.open(url, calendar="keep") as store:     # the recorder's config decides the KPI calendar
            statements = grant(store.engine, args.recorder, args.wall)
    except StoreError as exc:
        print(f"store grant: {exc}", file=sys.stderr)
        return 2
    print(f"store grant: {len(statements)} statements applied: recorder role {args.recorder!r} writes records, "
          f"wall role {args.wall!r} reads and writes operator actions and drill rows", file=sys.stderr)
    return 0
