"""API keys (api.md §7.1): created, listed and revoked from the CLI; looked up on every request.

A key is ``sg_`` followed by 256 random bits (URL-safe base64), so secret scanners can recognise a
leaked one. Only its SHA-256 hash is stored. A key is known by its name, which also names its cost
bucket and its stored idempotent responses; a revoked key keeps its row (and so its name), so that
``keys list`` still shows it and a new key can never inherit what belonged to the old one.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import LargeBinary, String, bindparam, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from models import ApiKey, Salesperson
from models.access import KEY_NAME_LENGTH
from models.base import CODE20
from resolvers.viewer import Role, Viewer

KEY_PREFIX = "sg_"
#: Far above a generated key (46 characters); anything longer is not worth hashing.
KEY_MAX_LENGTH = 200
#: ``last_used_at`` is kept to this resolution, so that a busy key does not write on every request.
LAST_USED_RESOLUTION_SECONDS = 60

#: The roles a key may carry (``ANONYMOUS`` is what having no key means).
KEY_ROLES = (Role.ADMIN, Role.MANAGER, Role.SALESPERSON, Role.READ_ONLY)
_NAME = re.compile(r"[A-Za-z0-9._@-]+")


class KeyRefused(ValueError):  # noqa: N818 (a refusal, not a failure: the CLI's own wording)
    """A ``keys`` command asked for something that cannot be done; the message (one line) says why."""


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """What ``keys list`` shows of a key: everything but its hash."""

    name: str
    role: Role
    salesperson_code: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class NewKey:
    """A checked ``keys create`` request: a valid name, a key role, the salesperson code upper-cased."""

    name: str
    role: Role
    salesperson_code: str | None


def generate_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> bytes:
    """The SHA-256 digest (32 bytes) that is stored and looked up instead of the key.

    Not bcrypt or another slow password hash: those protect low-entropy secrets from guessing,
    while a key is 256 random bits, which no amount of hashing speed makes guessable. And the
    hash is computed on every request, where a deliberately slow one would be pure latency.
    """
    return hashlib.sha256(key.encode("utf-8")).digest()


def check_new_key(*, name: str, role: str, salesperson_code: str | None) -> NewKey:
    """Everything about a new key that can be checked without the database (``KeyRefused`` if not).

    ``role`` is a role name in any case; a salesperson code is upper-cased, as codes are.
    """
    if not name:
        raise KeyRefused("the key name must not be blank")
    if len(name) > KEY_NAME_LENGTH:
        raise KeyRefused(f"the key name must be at most {KEY_NAME_LENGTH} characters, not {len(name)}")
    if not _NAME.fullmatch(name):
        raise KeyRefused(f"the key name {name!r} may only contain letters A-Z and a-z, digits and . _ @ -")
    known = {r.value: r for r in KEY_ROLES}
    key_role = known.get(role.upper())
    if key_role is None:
        raise KeyRefused(f"unknown role {role!r}: the roles are {', '.join(known)}")
    if key_role is Role.SALESPERSON and not salesperson_code:
        raise KeyRefused("a SALESPERSON key needs --salesperson CODE, the salesperson it acts as")
    if key_role is not Role.SALESPERSON and salesperson_code is not None:
        raise KeyRefused(f"--salesperson is for SALESPERSON keys only, not {key_role.value}")
    code = salesperson_code.upper() if salesperson_code else None
    if code is not None and len(code) > CODE20:
        raise KeyRefused(f"unknown salesperson {code!r}")
    return NewKey(name, key_role, code)


async def create_key(session: AsyncSession, *, name: str, role: str, salesperson_code: str | None) -> str:
    """Store a new key (its hash only) and return the key, which exists nowhere else: show it once.

    Runs in the caller's transaction; the caller commits. ``KeyRefused`` (nothing written) for a
    request ``check_new_key`` refuses, an unknown salesperson or a name already taken, even by a
    revoked key.
    """
    new = check_new_key(name=name, role=role, salesperson_code=salesperson_code)
    if new.salesperson_code is not None:
        found = await session.scalar(select(Salesperson.code).where(Salesperson.code == new.salesperson_code))
        if found is None:
            raise KeyRefused(f"unknown salesperson {new.salesperson_code!r}")
    key = generate_key()
    # ON CONFLICT rather than a look first: two creates of one name at once still refuse cleanly.
    inserted = await session.scalar(
        insert(ApiKey)
        .values(
            name=new.name,
            key_hash=hash_key(key),
            role=new.role.value,
            salesperson_code=new.salesperson_code,
        )
        .on_conflict_do_nothing(index_elements=[ApiKey.name])
        .returning(ApiKey.name)
    )
    if inserted is None:
        raise KeyRefused(f"a key named {new.name!r} already exists (a revoked key keeps its name)")
    return key


async def list_keys(session: AsyncSession) -> list[KeyInfo]:
    """Every key, revoked ones included, by name."""
    rows = await session.execute(
        select(
            ApiKey.name,
            ApiKey.role,
            ApiKey.salesperson_code,
            ApiKey.created_at,
            ApiKey.last_used_at,
            ApiKey.revoked_at,
        ).order_by(ApiKey.name)
    )
    return [
        KeyInfo(
            row.name, Role[row.role], row.salesperson_code, row.created_at, row.last_used_at, row.revoked_at
        )
        for row in rows
    ]


async def revoke_key(session: AsyncSession, name: str) -> None:
    """Revoke the key ``name`` now: the next request with it, on any server process, is refused.

    Runs in the caller's transaction; the caller commits. ``KeyRefused`` (nothing written) for an
    unknown name or a key already revoked.
    """
    revoked = await session.scalar(
        update(ApiKey)
        .where(ApiKey.name == name, ApiKey.revoked_at.is_(None))
        .values(revoked_at=func.now())
        .returning(ApiKey.name)
    )
    if revoked is not None:
        return
    since = await session.scalar(select(ApiKey.revoked_at).where(ApiKey.name == name))
    if since is None:
        raise KeyRefused(f"no key named {name!r}")
    raise KeyRefused(f"the key {name!r} is already revoked (since {since:%Y-%m-%d %H:%M:%S %Z})")


# One statement, so that authentication is one round trip: the SELECT finds the key, the UPDATE
# (which runs whether or not the SELECT's result refers to it) bumps last_used_at at most once a
# minute. SKIP LOCKED: a request never waits for another one touching the same key (or for a
# revoke in progress, which it may still precede); it then leaves last_used_at to that one.
# NO KEY UPDATE, as the UPDATE itself locks: a FOR UPDATE lock would block the foreign-key check
# of a concurrent request's cost_bucket insert, which can then deadlock with this one's.
_FIND_VIEWER = (
    text(
        f"""
        WITH touched AS (
            UPDATE api_key SET last_used_at = now()
            WHERE name = (
                SELECT name FROM api_key
                WHERE key_hash = :key_hash AND revoked_at IS NULL
                  AND (last_used_at IS NULL
                       OR last_used_at < now() - interval '{LAST_USED_RESOLUTION_SECONDS} seconds')
                FOR NO KEY UPDATE SKIP LOCKED
            )
        )
        SELECT name, role, salesperson_code FROM api_key
        WHERE key_hash = :key_hash AND revoked_at IS NULL
        """
    )
    .bindparams(bindparam("key_hash", type_=LargeBinary))
    .columns(name=String, role=String, salesperson_code=String)
)


async def find_viewer(conn: AsyncConnection, key: str) -> Viewer | None:
    """The caller a key stands for, or ``None`` for an unknown or revoked key.

    The hot path: one SQL statement, and none at all for a string that cannot be a key (no
    ``sg_`` prefix, longer than ``KEY_MAX_LENGTH``, not ASCII). It also records the key's use
    (``last_used_at``, to the minute).

    Contract: when ``conn`` had no transaction open, the statement's transaction is committed
    here, before returning; inside a transaction the caller already has open, the caller commits
    it (or the touch is lost with its rollback, which is harmless). So the intended use is::

        async with engine.connect() as conn:
            viewer = await find_viewer(conn, key)
            await conn.commit()  # a no-op after find_viewer's own commit; keeps the usage uniform
    """
    if not key.startswith(KEY_PREFIX) or len(key) > KEY_MAX_LENGTH or not key.isascii():
        return None
    own_transaction = not conn.in_transaction()
    result = await conn.execute(_FIND_VIEWER, {"key_hash": hash_key(key)})
    row = result.first()
    if own_transaction:
        await conn.commit()
    if row is None:
        return None
    return Viewer(Role[row.role], row.salesperson_code, key_name=row.name)
