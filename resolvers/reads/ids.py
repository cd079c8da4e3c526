"""Global IDs: URL-safe base64 (unpadded) of the compact JSON ``["Type", key part, …]``."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any

import orjson

from models.validation import unstorable_paths
from resolvers.errors import RequestError


def encode_id(type_name: str, key: Sequence[str | int]) -> str:
    raw = orjson.dumps([type_name, *key])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_id(global_id: str) -> tuple[str, list[Any]]:
    """``(type name, natural key parts)``; a malformed ID is a client error."""
    try:
        parts = orjson.loads(base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)))
        if not isinstance(parts, list) or len(parts) < 2 or not isinstance(parts[0], str):
            raise ValueError(global_id)
        if unstorable_paths(parts):  # no row has such a key, and the driver could not send it
            raise ValueError(global_id)
    except (ValueError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise RequestError("INVALID_ID", f"{global_id!r} is not a valid node ID.") from exc
    return parts[0], parts[1:]


__all__ = ["decode_id", "encode_id"]
