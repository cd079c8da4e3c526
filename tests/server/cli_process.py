"""Running the installed ``salesgraph`` command as a subprocess, as a user would."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ERROR_PREFIX = "salesgraph: error: "


def salesgraph() -> str:
    script = Path(sys.executable).parent / "salesgraph"
    assert script.exists(), "the salesgraph command is not installed: pip install -e '.[test]'"
    return str(script)


def cli_env(**overrides: str) -> dict[str, str]:
    """This process's environment without the variables salesgraph reads, plus ``overrides``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k != "DATABASE_URL" and not (k.startswith("SALESGRAPH_") and k != "SALESGRAPH_TEST_DATABASE_URL")
    }
    env.update(overrides)
    return env


def create_key_with_cli(url: str, name: str, role: str = "READ_ONLY") -> str:
    """A new API key made by ``salesgraph keys create`` on the database at ``url``."""
    done = subprocess.run(
        [salesgraph(), "keys", "create", "--name", name, "--role", role],
        env=cli_env(DATABASE_URL=url),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


@dataclass(frozen=True)
class Finished:
    code: int
    stdout: str
    stderr: str

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith(ERROR_PREFIX)]

    def assert_one_error(self, code: int, message: str) -> str:
        """The run exited ``code`` with exactly one error line, its last, containing ``message``."""
        assert self.code == code, self.stderr
        assert "Traceback" not in self.stderr, self.stderr
        assert len(self.error_lines) == 1, self.stderr
        line = self.error_lines[0]
        assert self.stderr.splitlines()[-1] == line, self.stderr
        assert message in line, line
        return line


async def run_cli(*args: str, env: dict[str, str], wait_seconds: float = 120) -> Finished:
    proc = await asyncio.create_subprocess_exec(
        salesgraph(),
        *args,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=wait_seconds)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    assert proc.returncode is not None
    return Finished(proc.returncode, stdout.decode(), stderr.decode())
