"""SQL text that builds JSON exactly as the resolver path serialises it.

Written by hand because no library produces these encodings: the global IDs and keyset cursors
of ``graph/relay.py`` and ``resolvers/reads/pagination.py`` (URL-safe base64 without padding of
orjson's compact JSON), Python's ``isoformat`` of a timestamp and ``pct``'s percentages.
"""

from __future__ import annotations

from collections.abc import Sequence

from resolvers.reads.compiled.catalog import PCT, RAW, TEXT, TIMESTAMP

#: The empty object as the compiler writes it: ``json`` keeps its text as given.
EMPTY_OBJECT = b"{\n}"
EMPTY_OBJECT_SQL = "'{\n}'::json"
#: ``json_build_object`` takes at most 100 arguments (PostgreSQL's FUNC_MAX_ARGS).
MAX_PAIRS = 50


def quote(text: str) -> str:
    """A SQL string literal (for names and fingerprints the compiler itself chose)."""
    return "'" + text.replace("'", "''") + "'"


def json_object(pairs: Sequence[tuple[str, str]]) -> str:
    """A JSON object of (key, SQL value) pairs, keys in order; any number of pairs."""
    if not pairs:
        # An object with no field (a fragment on another type): a line break inside is still JSON,
        # and unlike "{}" no string can hold it unescaped, so the objects can be counted.
        return EMPTY_OBJECT_SQL
    chunks = [pairs[i : i + MAX_PAIRS] for i in range(0, len(pairs), MAX_PAIRS)]
    built = ["json_build_object(" + ", ".join(f"{quote(k)}, {v}" for k, v in chunk) + ")" for chunk in chunks]
    if len(built) == 1:
        return built[0]
    # Objects of more than 50 keys (aliases): join the chunks' texts, dropping the inner braces.
    inner = " || ',' || ".join(f"substr(left({b}::text, -1), 2)" for b in built)
    return f"('{{' || {inner} || '}}')::json"


def formatted(sql: str, kind: str) -> str:
    """A column as its GraphQL scalar prints it."""
    if kind == RAW:
        return sql
    if kind == TEXT:
        return f"({sql})::text"
    if kind == PCT:
        # graph/types/common.py `pct`: no trailing zeros after the point ("42.5", "100", "0").
        return f"trim_scale({sql})::text"
    if kind == TIMESTAMP:
        # datetime.isoformat() of a UTC timestamp: microseconds only when there are any.
        utc = f"(({sql}) AT TIME ZONE 'UTC')"
        return (
            f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
            f"CASE WHEN date_part('microseconds', {utc})::bigint % 1000000 = 0 THEN '' "
            f"ELSE to_char({utc}, '.US') END || '+00:00'"
        )
    raise ValueError(kind)


def base64url(text_sql: str) -> str:
    """URL-safe base64 of a text's UTF-8 bytes, without padding or line breaks."""
    return f"rtrim(translate(encode(convert_to({text_sql}, 'UTF8'), 'base64'), E'+/\\n', '-_'), '=')"


def json_item(sql: str, kind: str) -> str:
    """One value as orjson writes it in an ID or a cursor: a string, a number or a boolean."""
    if kind == "s":
        return f"to_json({sql})::text"
    if kind in ("i", "b"):
        return f"({sql})::text"
    if kind == "n":
        return f"to_json(({sql})::text)::text"
    if kind == "d":
        # asyncpg reads -infinity as date.min, whose isoformat is 0001-01-01 (see catalog._NO_DATE).
        return f"CASE WHEN ({sql}) = '-infinity' THEN '\"0001-01-01\"' ELSE to_json(({sql})::text)::text END"
    raise ValueError(kind)


def global_id(type_name: str, key: Sequence[tuple[str, str]]) -> str:
    """``encode_id(type, key)``: base64url of ``["Type",part,…]``."""
    parts = " || ',' || ".join(json_item(sql, kind) for sql, kind in key)
    return base64url(f"{quote('[' + _json_string(type_name) + ',')} || {parts} || ']'")


def cursor(fingerprint: str, keys: Sequence[tuple[str, str]]) -> str:
    """``encode_cursor``: base64url of ``["fingerprint",[["kind",value],…]]``."""
    items = " || ',' || ".join(f"'[\"{kind}\",' || {json_item(sql, kind)} || ']'" for sql, kind in keys)
    return base64url(f"{quote('[' + _json_string(fingerprint) + ',[')} || {items} || ']]'")


def _json_string(text: str) -> str:
    if not text.isascii() or '"' in text or "\\" in text:
        raise ValueError(text)  # type names and fingerprints never hold these
    return f'"{text}"'
