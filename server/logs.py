"""The process's logging: uvicorn's configuration extended to every logger, in one of two formats
(``SALESGRAPH_LOG_FORMAT``, api.md §7.7).

* ``json`` (the default outside ``--dev``): one JSON object a line, from python-json-logger, with
  ``timestamp`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, whatever the record carries as
  ``extra`` and, for an error, ``exc_info`` (the traceback as text). A request's line
  (``salesgraph.requests``) has ``message: "request"`` and the fields of
  :func:`server.answer.log_request`.
* ``text``: uvicorn's human-readable lines, as before.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from pythonjsonlogger.core import LogData
from pythonjsonlogger.orjson import OrjsonFormatter
from uvicorn.config import LOGGING_CONFIG

#: The logger of the one line per request.
REQUESTS_LOGGER = "salesgraph.requests"
#: Attributes uvicorn adds to its records for its coloured text, noise in JSON.
_TEXT_ONLY = ("color_message",)


class JsonFormatter(OrjsonFormatter):
    """python-json-logger's orjson formatter with salesgraph's field names."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", "%(levelname)s %(name)s %(message)s")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", True)
        super().__init__(**kwargs)

    def process_log_record(self, log_data: LogData) -> LogData:
        for name in _TEXT_ONLY:
            log_data.pop(name, None)
        if log_data.get("logger") == REQUESTS_LOGGER and "request_id" in log_data:
            # The text form of the line is for text mode; here its fields say it all.
            log_data["message"] = "request"
        return log_data


def logging_config(level: str, style: str = "text") -> dict[str, Any]:
    """uvicorn's logging, extended to the root logger so that ours (and alembic's) look the same,
    in ``style`` (``json`` or ``text``).

    Passed to uvicorn too, which applies it in every worker process.
    """
    config = copy.deepcopy(LOGGING_CONFIG)
    if style == "json":
        json_formatter = {"()": f"{__name__}.JsonFormatter"}
        config["formatters"] = {"default": json_formatter, "access": dict(json_formatter)}
    config["root"] = {"handlers": ["default"], "level": level.upper()}
    # Both narrate every step at INFO; we log what was done instead.
    config["loggers"]["pgserver"] = {"level": "WARNING"}
    config["loggers"]["alembic"] = {"level": "WARNING"}
    return config


def request_logger() -> logging.Logger:
    return logging.getLogger(REQUESTS_LOGGER)
