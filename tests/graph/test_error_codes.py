"""Every error code a client can get is documented, and the README's reference is the code's.

The codes are found where they are raised: ``DomainError(...)`` / ``violations.add(...)`` for the
``userErrors`` codes, ``RequestError(...)`` and ``extensions={"code": ...}`` for the top-level ones.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph import error_reference
from graph.error_reference import END, REGENERATE, START, render, section_of, with_section
from graph.errors import TOP_LEVEL_CODES
from graph.schema import schema
from graph.types.errors import ErrorCode
from resolvers.writes.transaction import CONSTRAINT_ERRORS

ROOT = Path(__file__).parents[2]
README = ROOT / "README.md"
LAYERS = ("server", "graph", "resolvers", "models")
CODE = re.compile(r"[A-Z][A-Z0-9_]*")
NOT_RAISED_YET = "Not raised yet"

#: api.md §7.2 (and §7.4 for IDEMPOTENCY_KEY_IN_USE): each request-level code and its HTTP status.
CONTRACT = {
    "BAD_REQUEST": 400,
    "GRAPHQL_PARSE_FAILED": 400,
    "GRAPHQL_VALIDATION_FAILED": 400,
    "BAD_USER_INPUT": 400,
    "MAX_COST_EXCEEDED": 400,
    "MAX_DEPTH_EXCEEDED": 400,
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "IDEMPOTENCY_KEY_IN_USE": 409,
    "PAYLOAD_TOO_LARGE": 413,
    "METHOD_NOT_ALLOWED": 405,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "IDEMPOTENCY_KEY_REUSED": 422,
    "THROTTLED": 429,
    "INTERNAL_SERVER_ERROR": 500,
    "SERVICE_UNAVAILABLE": 503,
    "TIMEOUT": 503,
}


def calls() -> Iterator[tuple[str, ast.Call]]:
    """Every call in the application's modules, with where it is."""
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call):
                    yield f"{path.relative_to(ROOT)}:{node.lineno}", node


def callee(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def first_argument(call: ast.Call) -> ast.expr | None:
    if call.args:
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg == "code"), None)


def literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def domain_codes() -> set[str]:
    """The codes of ``DomainError("CODE", …)`` and ``….add("CODE", …)``, and of the constraint map."""
    found = {code for code, _, _ in CONSTRAINT_ERRORS.values()}
    for _, call in calls():
        code = literal(first_argument(call))
        if code is None or not CODE.fullmatch(code):
            continue
        if callee(call) == "DomainError" or (callee(call) == "add" and len(call.args) >= 2):
            found.add(code)
    return found


def forwards(node: ast.expr | None) -> bool:
    """``error.code``: a code raised elsewhere, passed on."""
    return isinstance(node, ast.Attribute) and node.attr == "code"


def top_level_codes() -> tuple[set[str], set[str], list[str]]:
    """The codes given to ``RequestError`` and those put in an ``extensions`` dict by hand, and
    every place whose code is not a literal (which this test could not check)."""
    request_errors: set[str] = set()
    by_hand: set[str] = set()
    unreadable: list[str] = []
    for where, call in calls():
        # RefusalError(status, "CODE", …) answers a request before or instead of executing it.
        if callee(call) == "RefusalError" and len(call.args) >= 2 and not forwards(call.args[1]):
            code = literal(call.args[1])
            if code is None:
                unreadable.append(where)
            else:
                by_hand.add(code)
        if callee(call) in ("OperationRefusedError", "PlanError") and not forwards(first_argument(call)):
            code = literal(first_argument(call))
            if code is None:
                unreadable.append(where)
            else:
                by_hand.add(code)
        if callee(call) == "RequestError":
            code = literal(first_argument(call))
            if code is None:
                unreadable.append(where)
            else:
                request_errors.add(code)
        for keyword in call.keywords:
            if keyword.arg != "extensions" or not isinstance(keyword.value, ast.Dict):
                continue
            for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                # ``extensions={"code": error.code}`` passes on a code raised elsewhere.
                forwarded = isinstance(value, ast.Attribute) and value.attr == "code"
                if key is not None and literal(key) == "code" and not forwarded:
                    code = literal(value)
                    if code is None:
                        unreadable.append(where)
                    else:
                        by_hand.add(code)
    return request_errors, by_hand, unreadable


REGISTRY = {c.code: c for c in TOP_LEVEL_CODES}


def test_every_error_code_has_a_description_in_the_schema() -> None:
    values = schema._schema.type_map["ErrorCode"].values  # type: ignore[attr-defined]

    assert sorted(values) == sorted(e.name for e in ErrorCode)
    assert [name for name, value in values.items() if not value.description] == []


def test_every_code_the_domain_raises_is_an_error_code() -> None:
    # UserError.from_error looks the code up in ErrorCode: an unknown one would be an internal error.
    assert domain_codes() - {e.name for e in ErrorCode} == set()


def test_the_error_codes_nothing_raises_are_described_as_not_raised_yet() -> None:
    raised = domain_codes()
    described_as_unused = {
        name for name, when in error_reference.user_error_codes() if when.startswith(NOT_RAISED_YET)
    }

    assert {e.name for e in ErrorCode} - raised == described_as_unused


def test_every_top_level_code_the_server_raises_is_in_the_registry() -> None:
    request_errors, by_hand, unreadable = top_level_codes()

    assert unreadable == [], "pass the code as a string literal, so that this test can find it"
    assert (request_errors | by_hand) - REGISTRY.keys() == set(), (
        "add the code to graph.errors.TOP_LEVEL_CODES"
    )


def test_the_registry_marks_as_emitted_exactly_the_codes_the_server_raises() -> None:
    request_errors, by_hand, _ = top_level_codes()

    assert {c.code for c in TOP_LEVEL_CODES if c.emitted} == request_errors | by_hand


def test_request_errors_are_raised_while_executing_so_they_answer_200() -> None:
    request_errors, _, _ = top_level_codes()

    assert {code: REGISTRY[code].http_status for code in request_errors} == dict.fromkeys(request_errors, 200)


def test_the_registry_holds_every_code_of_the_contract_with_its_status() -> None:
    assert {code: REGISTRY[code].http_status for code in CONTRACT if code in REGISTRY} == CONTRACT


def test_the_registry_names_each_code_once_and_says_when_it_happens() -> None:
    codes = [c.code for c in TOP_LEVEL_CODES]

    assert len(codes) == len(set(codes))
    assert [c.code for c in TOP_LEVEL_CODES if not CODE.fullmatch(c.code) or not c.when] == []
    assert [c.code for c in TOP_LEVEL_CODES if not c.emitted and not c.today] == []


def test_the_readme_error_code_section_is_the_rendered_one() -> None:
    section = section_of(README.read_text(encoding="utf-8"))

    assert section == render(), f"README.md's error-code section is stale: run `{REGENERATE}`"


def test_the_section_lists_every_code() -> None:
    section = render()

    for e in ErrorCode:
        assert f"| `{e.name}` |" in section
    for c in TOP_LEVEL_CODES:
        assert f"| `{c.code}` | {c.http_status} |" in section
    assert section.count("| *not yet*") == sum(not c.emitted for c in TOP_LEVEL_CODES)


def test_writing_the_section_keeps_the_rest_of_the_file(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\nBefore.\n\n{START}\nold\n{END}\n## Next\n\nAfter.\n", encoding="utf-8")

    assert error_reference.main(["--write", str(readme)]) == 0

    assert readme.read_text(encoding="utf-8") == f"# Title\n\nBefore.\n\n{render()}## Next\n\nAfter.\n"
    assert with_section(readme.read_text(encoding="utf-8"), render()) == readme.read_text(encoding="utf-8")


def test_writing_refuses_a_file_without_the_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n", encoding="utf-8")

    with pytest.raises(SystemExit) as exc:
        error_reference.main(["--write", str(readme)])

    assert exc.value.code == 2
    assert readme.read_text(encoding="utf-8") == "# Title\n"
