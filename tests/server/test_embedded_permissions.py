"""As root, the embedded PostgreSQL changes the permissions of no directory salesgraph did not create.

pgserver runs PostgreSQL as its ``pgserver`` user when we are root, and would make every directory
above the cluster and its programs readable to it; server/embedded.py puts what that user needs
where it can already reach it instead. These tests start real servers as root and compare the mode
and owner of every directory that existed before with what it is after.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from server.embedded import CLUSTERS, PROGRAMS, SOCKETS, EmbeddedPostgres, EmbeddedPostgresError
from server.engine import create_engine

pytestmark = [
    pytest.mark.own_database,
    pytest.mark.skipif(
        os.geteuid() != 0,
        reason="only as root does pgserver run PostgreSQL as another user (pgserver) and touch "
        "the permissions of directories to let it in",
    ),
]

Modes = dict[Path, tuple[int, int, int]]


def modes(*directories: Path) -> Modes:
    """Mode, owner and group of each directory and of every directory above it."""
    found: Modes = {}
    for directory in directories:
        for path in (directory, *directory.parents):
            st = path.stat()
            found[path] = (st.st_mode, st.st_uid, st.st_gid)
    return found


def private_dirs(*paths: Path) -> None:
    for path in paths:
        path.mkdir()
        path.chmod(0o700)


def pgserver_module() -> Any:
    import pgserver

    return pgserver


def site_packages() -> Path:
    return Path(pgserver_module()._commands.POSTGRES_BIN_PATH).parents[2]


PROGRAM_PARTS = (
    "pgserver/pginstall/bin",
    "pgserver/pginstall/lib",
    "pgserver/pginstall/share",
    "pgserver.libs",
)


def program_dirs() -> list[Path]:
    return [site_packages() / part for part in PROGRAM_PARTS]


@pytest.fixture
def reachable_dir() -> Iterator[Path]:
    """A directory in /tmp that any user may search (pytest's tmp_path is 0700)."""
    path = Path(tempfile.mkdtemp(prefix="salesgraph-srv-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path)


async def query_runs(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT current_database()")) == "salesgraph"
            assert await conn.scalar(text("SELECT 6 * 7")) == 42
    finally:
        await engine.dispose()


def assert_unchanged(before: Modes) -> None:
    after = modes(*before)
    changed = {p: (oct(before[p][0]), oct(after[p][0])) for p in before if after[p] != before[p]}
    assert not changed, changed


async def test_a_data_dir_in_a_private_home_is_served_and_no_permission_above_it_changes(
    tmp_path: Path,
) -> None:
    # Given a data directory (not there yet) in a 0700 home with 0700 directories in it
    home = tmp_path / "home"
    private_dirs(home, home / "alice", home / "alice" / "projects")
    data_dir = home / "alice" / "projects" / ".salesgraph"
    before = modes(data_dir.parent, *program_dirs(), CLUSTERS.parents[1])
    embedded = EmbeddedPostgres(data_dir)
    try:
        # When the embedded server starts as root, answers a query and stops
        await query_runs(embedded.start())
        embedded.stop()
        assert not (embedded.pgdata / "postmaster.pid").exists()

        # Then every directory that was there is as it was
        assert_unchanged(before)
        # and the cluster lives in a directory salesgraph made, which <data dir>/pgdata links to
        assert embedded.pgdata.is_symlink()
        cluster = embedded.pgdata.resolve()
        assert cluster.parent.parent == CLUSTERS
        assert (cluster.parent / "linked-from").read_text() == f"{embedded.pgdata}\n"
        assert cluster.stat().st_uid != 0
        assert stat.S_IMODE(cluster.parent.stat().st_mode) == 0o711

        # and it is the same cluster on the next start
        await query_runs(embedded.start())
        embedded.stop()
        assert embedded.pgdata.resolve() == cluster
    finally:
        embedded.delete()
    assert not cluster.parent.exists()
    assert not embedded.pgdata.is_symlink()


async def test_a_data_dir_the_server_user_can_reach_keeps_the_cluster_in_place(
    reachable_dir: Path,
) -> None:
    # Given a data directory the pgserver user can reach, too long a path for the socket in it
    data_dir = reachable_dir / ("d" * 100)
    before = modes(reachable_dir, *program_dirs())
    embedded = EmbeddedPostgres(data_dir)
    socket_dir: Path | None = None
    try:
        # When the server starts, answers and stops
        url = embedded.start()
        socket_dir = Path(url.split("host=", 1)[1])
        await query_runs(url)
        embedded.stop()

        # Then the cluster is in the data directory, the socket in a directory of salesgraph's
        assert embedded.pgdata.is_dir()
        assert not embedded.pgdata.is_symlink()
        assert embedded.pgdata.stat().st_uid != 0
        assert socket_dir.parent == SOCKETS
        # and only the data directory, which salesgraph made, was made searchable
        assert stat.S_IMODE(data_dir.stat().st_mode) & 0o111 == 0o111
        assert_unchanged(before)
    finally:
        embedded.delete()
        if socket_dir is not None and socket_dir.parent == SOCKETS:
            shutil.rmtree(socket_dir)


async def test_programs_the_server_user_cannot_reach_are_run_from_a_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given pgserver's PostgreSQL installed in a 0700 home (as a virtualenv in /root would be)
    home = tmp_path / "root"
    private_dirs(home, home / "venv")
    site = home / "venv" / "site-packages"
    for part in PROGRAM_PARTS:
        shutil.copytree(site_packages() / part, site / part, symlinks=True)
    pgserver = pgserver_module()
    bin_path = site / "pgserver" / "pginstall" / "bin"
    monkeypatch.setattr(pgserver._commands, "POSTGRES_BIN_PATH", bin_path)
    monkeypatch.setattr(pgserver.postgres_server, "POSTGRES_BIN_PATH", bin_path)
    data_dir = home / "data"
    before = modes(*(site / part for part in PROGRAM_PARTS), data_dir.parent)
    embedded = EmbeddedPostgres(data_dir)
    copies = set(PROGRAMS.iterdir()) if PROGRAMS.is_dir() else set()
    try:
        # When the server starts, answers and stops
        await query_runs(embedded.start())
        postmaster = (embedded.pgdata / "postmaster.pid").read_text().split()[0]
        program = Path(os.readlink(f"/proc/{postmaster}/exe"))
        embedded.stop()

        # Then it ran a copy of the programs made by salesgraph, and nothing there was changed
        assert program.parents[3].parent == PROGRAMS
        assert program.relative_to(program.parents[3]) == Path("pgserver/pginstall/bin/postgres")
        assert_unchanged(before)
    finally:
        embedded.delete()
        for copy in set(PROGRAMS.iterdir()) - copies:
            shutil.rmtree(copy)


def test_an_existing_cluster_the_server_user_cannot_reach_is_refused_not_opened_up(
    reachable_dir: Path,
) -> None:
    # Given a cluster directory that exists in a 0700 home
    home = reachable_dir / "home"
    private_dirs(home, home / "data", home / "data" / "pgdata")
    before = modes(home / "data" / "pgdata")

    # When the server is started on it, then it is refused, naming the directory, and nothing changes
    embedded = EmbeddedPostgres(home / "data")
    with pytest.raises(EmbeddedPostgresError, match=f"cannot reach .*: it may not search {home} "):
        embedded.start()
    assert_unchanged(before)


def test_a_link_to_a_cluster_that_is_gone_is_refused(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "pgdata").symlink_to(tmp_path / "gone" / "pgdata")

    embedded = EmbeddedPostgres(data_dir)
    with pytest.raises(EmbeddedPostgresError, match="which is not a directory; remove the link"):
        embedded.start()
    assert not (tmp_path / "gone").exists()
