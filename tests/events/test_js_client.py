"""The standard JavaScript client, ``graphql-ws`` run with node, subscribes to ``opportunityEvents``
with an API key in its ``connectionParams`` and receives the events committed meanwhile."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from models.event import EventType
from tests.events.sockets import Cluster, last_event_id, publish_events

pytestmark = pytest.mark.own_database

CLIENT = Path(__file__).parent / "js"


def _installed() -> Path:
    """The client's node_modules, installed from its lock file (``npm ci``) on first use."""
    npm = shutil.which("npm")
    assert npm is not None, "npm is needed for the graphql-ws client test (.ci/run installs it)"
    if not (CLIENT / "node_modules" / "graphql-ws").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=CLIENT, check=True, timeout=300)
    node = shutil.which("node")
    assert node is not None
    return Path(node)


async def test_graphql_ws_subscribes_with_its_connection_params(cluster: Cluster) -> None:
    node = _installed()
    after = await last_event_id(cluster.db_url)
    client = await asyncio.create_subprocess_exec(
        str(node),
        "subscribe.mjs",
        cluster.ws(0),
        cluster.keys["admin"],
        "2",
        str(after),
        cwd=CLIENT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert client.stdout is not None
        assert (await asyncio.wait_for(client.stdout.readline(), 20)).strip() == b"ready"
        await publish_events(cluster.db_url, (EventType.CREATED, "JS1", None))
        await publish_events(cluster.db_url, (EventType.DELETED, "JS1", None))
        out, err = await asyncio.wait_for(client.communicate(), 20)
    finally:
        if client.returncode is None:
            client.kill()
            await client.wait()
    assert client.returncode == 0, err.decode()
    events = [json.loads(line) for line in out.splitlines()]
    assert [(e["type"], e["opportunityNo"], e["opportunity"]) for e in events] == [
        ("CREATED", "JS1", None),
        ("DELETED", "JS1", None),
    ]
    assert int(events[0]["id"]) > after
