"""``salesgraph keys create|list|revoke``: API keys are managed here, never over the API (api.md §7.1).

``create`` prints the new key alone on the last line of standard output (its one showing: only a
hash is stored), so ``KEY=$(salesgraph keys create …)`` captures it; what else it says goes to
standard error. A request that is refused raises ``KeyRefused``, which the CLI reports as a bad
argument (exit 2); arguments that need no database are checked before the database is opened.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from resolvers.access.keys import (
    KeyInfo,
    check_new_key,
    create_key,
    list_keys,
    revoke_key,
)
from resolvers.session import session_factory
from server.database import Database, connect, ensure_schema, open_database
from server.settings import Settings

log = logging.getLogger("salesgraph")

T = TypeVar("T")

LIST_COLUMNS = ("NAME", "ROLE", "SALESPERSON", "CREATED", "LAST USED", "REVOKED")


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], migrate_flag: argparse.ArgumentParser
) -> None:
    """Register ``keys`` and its subcommands on the CLI's ``commands``."""
    keys = commands.add_parser("keys", help="create, list and revoke API keys")
    actions = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    create = actions.add_parser(
        "create", parents=[migrate_flag], help="create a key and print it (shown this once only)"
    )
    create.add_argument("--name", required=True, help="the key's name: letters, digits, . _ @ - (64 at most)")
    create.add_argument("--role", required=True, help="ADMIN, MANAGER, SALESPERSON or READ_ONLY")
    create.add_argument(
        "--salesperson", metavar="CODE", help="for a SALESPERSON key: the salesperson it acts as"
    )
    actions.add_parser("list", parents=[migrate_flag], help="list the keys (never their secrets)")
    revoke = actions.add_parser("revoke", parents=[migrate_flag], help="revoke a key at once")
    revoke.add_argument("name", metavar="NAME")


def cmd_keys(args: argparse.Namespace, settings: Settings) -> None:
    if args.keys_command == "create":
        # A mistake in the arguments is reported before a database is started or connected to.
        new = check_new_key(name=args.name, role=args.role, salesperson_code=args.salesperson)
        key = _in_transaction(
            args,
            settings,
            lambda session: create_key(
                session, name=new.name, role=new.role.value, salesperson_code=new.salesperson_code
            ),
        )
        # Printed once committed: a key shown is a key that works.
        print(f"Created key {new.name} ({new.role.value}); it is shown once:", file=sys.stderr)
        print(key)
    elif args.keys_command == "list":
        sys.stdout.write(key_table(_in_transaction(args, settings, list_keys)))
    else:
        _in_transaction(args, settings, lambda session: revoke_key(session, args.name))
        log.info("key %s revoked", args.name)


def _in_transaction(
    args: argparse.Namespace, settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]
) -> T:
    """``work`` in one committed transaction on the CLI's database (migrated as ``serve`` would be)."""

    async def run(db: Database) -> T:
        async with connect(db, settings) as engine:
            await ensure_schema(engine, db, migrate=args.migrate)
            async with session_factory(engine)() as session, session.begin():
                return await work(session)

    with open_database(settings) as db:
        return asyncio.run(run(db))


def key_table(keys: Sequence[KeyInfo]) -> str:
    """The ``keys list`` table: a header and one line per key, times in UTC, ``-`` for never."""
    rows = [LIST_COLUMNS] + [
        (
            k.name,
            k.role.value,
            k.salesperson_code or "-",
            _time(k.created_at),
            _time(k.last_used_at),
            _time(k.revoked_at),
        )
        for k in keys
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(LIST_COLUMNS))]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() + "\n"
        for row in rows
    )


def _time(moment: datetime | None) -> str:
    return "-" if moment is None else f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%SZ}"
