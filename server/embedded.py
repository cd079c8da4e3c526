"""An embedded PostgreSQL (pgserver) kept in a data directory, for running salesgraph with no setup.

The cluster lives in ``<data_dir>/pgdata`` and survives restarts; the server listens on a unix
socket only, in that directory unless its path would pass the ~107-byte socket path limit (then in
a short runtime directory).

As root. PostgreSQL refuses to run as root, so pgserver runs it as a ``pgserver`` system user
(created on first use). To let that user reach the cluster, the socket directory and pgserver's own
programs, pgserver would ``chmod g+rx,o+rx`` every directory above them up to ``/``: a 0700 home
made world-readable. salesgraph never changes the permissions of a directory it did not create.
pgserver's two chmod helpers are replaced by checks that change nothing, and everything the
``pgserver`` user needs is put where it can already reach it:

* The cluster. When the ``pgserver`` user can reach ``<data_dir>`` as it is (the data directory,
  or its nearest existing parent, and every directory above), the cluster lives in
  ``<data_dir>/pgdata`` as for any other user. Otherwise (a data directory in root's home, or in a
  0700 temporary directory) it lives in ``/var/lib/salesgraph/clusters/<id>/pgdata``, created by
  salesgraph, and ``<data_dir>/pgdata`` is a symbolic link to it: ``SALESGRAPH_DATA_DIR`` still
  names the cluster (the link is followed on every start, whoever starts it, and
  ``<id>/linked-from`` names the link). The choice is made once, when the cluster is created.
  Deleting the data directory starts a new cluster on the next start and leaves the old one in
  ``/var/lib/salesgraph/clusters`` (``EmbeddedPostgres.delete`` removes both).
* PostgreSQL's programs. When the ``pgserver`` user cannot run them where pip installed them (a
  virtualenv in root's home), they are copied once to ``/var/lib/salesgraph/postgresql/<id>``.
* The socket, when it cannot be in the cluster's directory: ``/var/lib/salesgraph/run/<hash>``,
  not root's runtime directory (often a 0700 ``/run/user/0``).

A directory salesgraph creates gets search permission (x) for all added to what the umask gave it,
and nothing more; a directory that existed and that the ``pgserver`` user cannot search is an
error that names it, never a chmod.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from server.engine import async_url

DATABASE = "salesgraph"
# What pgserver runs PostgreSQL as when we are root, and where we keep what that user must reach.
SYSTEM_USER = "pgserver"
ROOT_HOME = Path("/var/lib/salesgraph")
CLUSTERS = ROOT_HOME / "clusters"
PROGRAMS = ROOT_HOME / "postgresql"
SOCKETS = ROOT_HOME / "run"

_SEARCH, _READ = 0o1, 0o4
# What PostgreSQL needs of pgserver's installation, relative to its site-packages, and what it needs
# of each file there: the programs, their libraries and data, and the libraries the wheel vendors
# (found by the programs' RPATH, $ORIGIN/../../../pgserver.libs).
_PROGRAM_PARTS = {
    "pgserver/pginstall/bin": _READ | _SEARCH,
    "pgserver/pginstall/lib": _READ,
    "pgserver/pginstall/share": _READ,
    "pgserver.libs": _READ,
}

log = logging.getLogger("salesgraph")


class EmbeddedPostgresError(RuntimeError):
    """The embedded server cannot be started; the message says why."""


def _pgserver() -> Any:
    # pgserver asks platformdirs for a runtime dir when its module is imported; without
    # XDG_RUNTIME_DIR (containers, CI) that warns and falls back to /tmp, which is fine for us.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        import pgserver
        import pgserver.postgres_server

    # pgserver (0.1.4, pinned) calls these two as root only, to chmod g+rx,o+rx every directory
    # above the cluster, the socket directory and its programs, and the files of its programs.
    server_module: Any = pgserver.postgres_server
    server_module.ensure_prefix_permissions = _check_prefix
    server_module.ensure_folder_permissions = _check_folder
    return pgserver


@dataclass(frozen=True)
class _ServerUser:
    """Who PostgreSQL runs as under pgserver as root: the ``pgserver`` uid with *our* groups, since
    pgserver starts it with ``subprocess.run(user=...)``, which changes the uid only."""

    uid: int
    gids: frozenset[int]

    @classmethod
    def lookup(cls) -> _ServerUser:
        return cls(pwd.getpwnam(SYSTEM_USER).pw_uid, frozenset({os.getegid(), *os.getgroups()}))

    def may(self, path: Path, bits: int) -> bool:
        """Whether the mode of ``path`` grants this user ``bits`` (r=4, x=1). ACLs are not read."""
        st = path.stat()
        if st.st_uid == self.uid:
            granted = st.st_mode >> 6
        elif st.st_gid in self.gids:
            granted = st.st_mode >> 3
        else:
            granted = st.st_mode
        return granted & bits == bits

    def blocked_at(self, directory: Path) -> Path | None:
        """The highest directory on the way to ``directory`` (included) this user may not search."""
        for step in (*reversed(directory.parents), directory):
            if not self.may(step, _SEARCH):
                return step
        return None

    def denied_in(self, tree: Path, file_bits: int) -> Path | None:
        """A directory below ``tree`` it may not read and search, or a file lacking ``file_bits``."""
        for dirpath, _, filenames in os.walk(tree):
            if not self.may(Path(dirpath), _READ | _SEARCH):
                return Path(dirpath)
            for name in filenames:
                path = Path(dirpath, name)
                if path.exists() and not self.may(path, file_bits):
                    return path
        return None


def _require_search(user: _ServerUser, directory: Path, target: Path | None = None) -> None:
    """Fail, naming the obstacle, unless ``user`` can search its way into ``directory``."""
    blocked = user.blocked_at(directory)
    if blocked is None:
        return
    st = blocked.stat()
    raise EmbeddedPostgresError(
        f"as root, the embedded PostgreSQL runs as the {SYSTEM_USER} user, which cannot reach "
        f"{target or directory}: it may not search {blocked} (mode {stat.filemode(st.st_mode)}, "
        f"owner {st.st_uid}:{st.st_gid}), and salesgraph does not change the permissions of "
        "directories it did not create"
    )


def _check_prefix(path: Path) -> None:
    """Stands in for pgserver's ``ensure_prefix_permissions``: fails where that would chmod."""
    _require_search(_ServerUser.lookup(), path.parent, path)


def _check_folder(path: Path, flag: int) -> None:
    """Stands in for pgserver's ``ensure_folder_permissions``: fails where that would chmod."""
    file_bits = _READ | (_SEARCH if flag & stat.S_IXOTH else 0)
    denied = _ServerUser.lookup().denied_in(path, file_bits)
    if denied is not None:
        raise EmbeddedPostgresError(
            f"as root, the embedded PostgreSQL runs as the {SYSTEM_USER} user, which may not use "
            f"{denied} (mode {stat.filemode(denied.stat().st_mode)})"
        )


def _make_dirs(path: Path) -> None:
    """``mkdir -p``; the directories this creates, and only those, get search permission for all."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for directory in reversed(missing):
        try:
            directory.mkdir()
        except FileExistsError:
            continue  # another process made it meanwhile: not ours to change
        directory.chmod(stat.S_IMODE(directory.stat().st_mode) | 0o111)


def _reachable_dirs(user: _ServerUser, path: Path) -> None:
    """Make ``path`` (a directory of ours) and fail unless ``user`` can search it."""
    _make_dirs(path)
    _require_search(user, path)


def _programs_denied(user: _ServerUser, site: Path) -> Path | None:
    for part, file_bits in _PROGRAM_PARTS.items():
        path = site / part
        denied = user.blocked_at(path.parent) or user.denied_in(path, file_bits)
        if denied is not None:
            return denied
    return None


def _copy_programs(site: Path, copy: Path) -> None:
    scratch = Path(tempfile.mkdtemp(dir=copy.parent, prefix=".copying-"))
    try:
        for part in _PROGRAM_PARTS:
            if (site / part).is_dir():
                shutil.copytree(site / part, scratch / part, symlinks=True)
        for dirpath, _, filenames in os.walk(scratch):
            os.chmod(dirpath, stat.S_IMODE(os.stat(dirpath).st_mode) | 0o555)
            for name in filenames:
                path = Path(dirpath, name)
                if not path.is_symlink():
                    mode = stat.S_IMODE(path.stat().st_mode)
                    path.chmod(mode | 0o444 | (0o111 if mode & stat.S_IXUSR else 0))
        scratch.rename(copy)
    except OSError:
        shutil.rmtree(scratch, ignore_errors=True)
        if not copy.is_dir():  # else another process copied them first
            raise


def _use_reachable_programs(pgserver: Any, user: _ServerUser) -> None:
    site = Path(pgserver._commands.POSTGRES_BIN_PATH).parents[2]
    if _programs_denied(user, site) is None:
        return
    digest = hashlib.sha256(str(site).encode()).hexdigest()[:12]
    copy = PROGRAMS / f"pgserver-{version('pgserver')}-{digest}"
    _reachable_dirs(user, PROGRAMS)
    if not copy.is_dir():
        log.info("the %s user cannot run PostgreSQL in %s; copying it to %s", SYSTEM_USER, site, copy)
        _copy_programs(site, copy)
    denied = _programs_denied(user, copy)
    if denied is not None:
        raise EmbeddedPostgresError(f"the {SYSTEM_USER} user cannot use {denied}")
    # Both modules hold their own reference: _commands runs the programs, postgres_server checks them.
    bin_path = copy / "pgserver" / "pginstall" / "bin"
    pgserver._commands.POSTGRES_BIN_PATH = pgserver.postgres_server.POSTGRES_BIN_PATH = bin_path


def _place_cluster(pgdata: Path, user: _ServerUser) -> Path:
    """The directory to give pgserver for the cluster named by ``pgdata``, made reachable (root)."""
    if pgdata.is_symlink() or pgdata.exists():
        cluster = pgdata.resolve()
        if not cluster.is_dir():
            raise EmbeddedPostgresError(
                f"{pgdata} links to {cluster}, which is not a directory; remove the link to start "
                "a new cluster"
            )
        _require_search(user, cluster.parent, cluster)
        return cluster

    data_dir = pgdata.parent
    nearest = next(p for p in (data_dir, *data_dir.parents) if p.exists())
    if user.blocked_at(nearest) is None:
        _make_dirs(data_dir)
        return pgdata

    _reachable_dirs(user, CLUSTERS)
    home = Path(tempfile.mkdtemp(dir=CLUSTERS, prefix=""))
    home.chmod(0o711)
    (home / "linked-from").write_text(f"{pgdata}\n", encoding="utf-8")
    cluster = home / "pgdata"
    cluster.mkdir()
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata.symlink_to(cluster, target_is_directory=True)
    log.info("the %s user cannot reach %s: its cluster is %s", SYSTEM_USER, data_dir, cluster)
    return cluster


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class EmbeddedPostgres:
    """One embedded server per data directory: ``start`` starts or joins it, ``stop`` leaves it."""

    def __init__(self, data_dir: str | Path) -> None:
        self.data_dir = Path(data_dir).expanduser().resolve()
        # As root, possibly a link to the cluster elsewhere (see the module docstring).
        self.pgdata = self.data_dir / "pgdata"
        self._server: Any = None
        self._cluster: Path | None = None

    def start(self) -> str:
        """Start (or join) the server, create the ``salesgraph`` database if missing.

        Returns ``postgresql://postgres:@/salesgraph?host=<socket dir>``.
        """
        if self._server is None:
            if any(c.isspace() for c in str(self.pgdata)):
                # pgserver passes the socket directory to pg_ctl unquoted.
                raise EmbeddedPostgresError(
                    f"the embedded PostgreSQL cannot live in a path with spaces ({self.data_dir}); "
                    "set SALESGRAPH_DATA_DIR to a path without spaces"
                )
            pgserver = _pgserver()
            cluster = self._prepare(pgserver)
            self._forget_dead_handles(pgserver, cluster)
            try:
                self._server = pgserver.get_server(cluster, cleanup_mode="stop")
            except subprocess.CalledProcessError as exc:
                raise EmbeddedPostgresError(
                    f"the embedded PostgreSQL did not start: {exc}; see {cluster / 'log'}"
                ) from exc
            finally:
                if self._server is None:
                    # pgserver caches its handle before starting; a failed one must not be reused.
                    pgserver.PostgresServer._instances.pop(cluster, None)
            self._cluster = cluster
        admin_url: str = self._server.get_uri(database="postgres")
        with ThreadPoolExecutor(max_workers=1) as pool:
            # A thread of its own, so that start() also works when called inside an event loop.
            pool.submit(asyncio.run, _create_database(admin_url, DATABASE)).result()
        url: str = self._server.get_uri(database=DATABASE)
        return url

    def stop(self) -> None:
        """Stop the server unless another live process still uses it. Idempotent."""
        server, self._server = self._server, None
        if server is None:
            return
        server.cleanup()
        # pgserver caches one handle per directory and would hand it back without registering this
        # process again; forget it so that a later start() here counts as a user of the server.
        _pgserver().PostgresServer._instances.pop(self._cluster, None)

    def delete(self) -> None:
        """Stop the server and delete the cluster, also where salesgraph put it as root (the data
        directory itself stays). Refused while another process still uses the server."""
        self.stop()
        cluster = self.pgdata.resolve()
        postmaster = cluster / "postmaster.pid"
        if postmaster.exists() and _pid_alive(int(postmaster.read_text().split()[0])):
            raise EmbeddedPostgresError(f"the embedded PostgreSQL in {cluster} is still in use")
        if self.pgdata.is_symlink():
            if cluster.parent.parent == CLUSTERS.resolve():
                shutil.rmtree(cluster.parent)
            self.pgdata.unlink()
        elif self.pgdata.exists():
            shutil.rmtree(self.pgdata)

    def _prepare(self, pgserver: Any) -> Path:
        """Make the directories the server needs; the cluster's directory, to pass to pgserver."""
        if os.geteuid() != 0:
            self.pgdata.mkdir(parents=True, exist_ok=True)
            return self.pgdata
        pgserver.postgres_server.ensure_user_exists(SYSTEM_USER)
        user = _ServerUser.lookup()
        try:
            _use_reachable_programs(pgserver, user)
            _reachable_dirs(user, SOCKETS)
            pgserver.PostgresServer.runtime_path = SOCKETS
            with pgserver.PostgresServer._lock:
                return _place_cluster(self.pgdata, user)
        except OSError as exc:
            raise EmbeddedPostgresError(
                f"the embedded PostgreSQL cannot be prepared for the {SYSTEM_USER} user: {exc}"
            ) from exc

    def _forget_dead_handles(self, pgserver: Any, cluster: Path) -> None:
        # pgserver stops the server when its last user leaves, counting users by the pids listed in
        # .handle_pids.json. A process killed with SIGKILL never leaves that list, and the server
        # would then never be stopped again; drop pids that no longer exist.
        handles = cluster / ".handle_pids.json"
        with pgserver.PostgresServer._lock:
            if not handles.exists():
                return
            pids: list[int] = json.loads(handles.read_text() or "[]")
            alive = [pid for pid in pids if _pid_alive(pid)]
            if alive != pids:
                handles.write_text(json.dumps(alive))


async def _database_exists(conn: AsyncConnection, name: str) -> bool:
    query = text("SELECT 1 FROM pg_database WHERE datname = :name")
    return await conn.scalar(query, {"name": name}) is not None


async def _create_database(admin_url: str, name: str) -> None:
    engine = create_async_engine(async_url(admin_url), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            if await _database_exists(conn, name):
                return
            try:
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
            except ProgrammingError:
                # Another process may have created it between our check and our CREATE.
                if not await _database_exists(conn, name):
                    raise
    finally:
        await engine.dispose()
