"""Every setting salesgraph reads from its environment, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Settings:
    """Process settings. ``database_url`` is ``None`` when the embedded database should be used."""

    database_url: str | None
    data_dir: Path
    pool_size: int
    max_overflow: int
    statement_timeout_ms: int
    log_level: str

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        e = dict(os.environ if env is None else env)
        return cls(
            database_url=e.get("DATABASE_URL") or None,
            data_dir=Path(e.get("SALESGRAPH_DATA_DIR") or Path.cwd() / ".salesgraph"),
            pool_size=int(e.get("SALESGRAPH_POOL_SIZE", "10")),
            max_overflow=int(e.get("SALESGRAPH_MAX_OVERFLOW", "10")),
            statement_timeout_ms=int(e.get("SALESGRAPH_STATEMENT_TIMEOUT_MS", "15000")),
            log_level=e.get("SALESGRAPH_LOG_LEVEL", "INFO"),
        )
