"""Imports point one way: server → graph → resolvers → models (STYLE.md, "the house"), and no
module grows past ~400 lines without saying why.

Every module of a layer may import its own layer and the layers below it, never one above; and
each layer stays out of the libraries of the layers above it (``models`` knows neither GraphQL
nor sessions, ``resolvers`` knows no Strawberry types and no HTTP, ``graph`` no HTTP server).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
LAYERS = ["server", "graph", "resolvers", "models"]
#: Libraries a layer must not import (by module prefix), because they belong to a layer above.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "graph": ("starlette", "uvicorn"),
    "resolvers": ("starlette", "uvicorn", "strawberry.types", "strawberry.schema", "strawberry.field"),
    "models": ("starlette", "uvicorn", "strawberry", "sqlalchemy.ext.asyncio", "asyncpg"),
}
# migrations/ sits beside the layers: it may use models only.
MIGRATIONS_MAY_IMPORT = {"models", "migrations"}


def imported_modules(source: str) -> Iterator[tuple[int, str]]:
    """Every absolute module a source imports (``TYPE_CHECKING`` blocks included), with its line."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def violations(layer: str, path: str, source: str) -> list[str]:
    """The imports of one module of ``layer`` that point up or into a forbidden library."""
    allowed = set(LAYERS[LAYERS.index(layer) :])
    found = []
    for line, module in imported_modules(source):
        top = module.split(".")[0]
        if top in LAYERS and top not in allowed:
            found.append(f"{path}:{line}: {layer} imports {module} (a layer above)")
        found += [
            f"{path}:{line}: {layer} imports {module} ({banned} is not its concern)"
            for banned in FORBIDDEN.get(layer, ())
            if module == banned or module.startswith(banned + ".")
        ]
    return sorted(set(found))


def modules_of(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("layer", LAYERS)
def test_imports_point_down(layer: str) -> None:
    found: list[str] = []
    for path in modules_of(layer):
        found += violations(layer, str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))
    assert found == []


def test_migrations_use_models_only() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: imports {module}"
        for path in modules_of("migrations")
        for line, module in imported_modules(path.read_text(encoding="utf-8"))
        if module.split(".")[0] in set(LAYERS) - MIGRATIONS_MAY_IMPORT
    ]
    assert found == []


@pytest.mark.parametrize(
    ("layer", "source", "expected"),
    [
        ("models", "from resolvers.errors import DomainError\n", "models imports resolvers.errors"),
        ("resolvers", "import graph.schema\n", "resolvers imports graph.schema"),
        ("graph", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from server import app\n",
         "graph imports server"),
        ("resolvers", "from strawberry.types import Info\n", "resolvers imports strawberry.types"),
        (
            "models",
            "from sqlalchemy.ext.asyncio import AsyncSession\n",
            "models imports sqlalchemy.ext.asyncio",
        ),
    ],
)
def test_the_check_sees_an_import_pointing_up(layer: str, source: str, expected: str) -> None:
    assert any(expected in v for v in violations(layer, "x.py", source))


def test_the_check_lets_imports_point_down() -> None:
    source = "from models import Opportunity\nfrom resolvers.errors import DomainError\nimport strawberry\n"
    assert violations("graph", "x.py", source) == []


def test_every_module_is_in_a_layer_or_beside_them() -> None:
    top = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    assert top <= {*LAYERS, "migrations", "tests", "benchmarks"}


MAX_LINES = 400
LONG_BECAUSE = "Longer than 400 lines because"


def test_no_module_passes_400_lines_without_a_reason_in_its_docstring() -> None:
    too_long = []
    for folder in [*LAYERS, "migrations", "tests", "benchmarks"]:
        for path in modules_of(folder):
            source = path.read_text(encoding="utf-8")
            docstring = ast.get_docstring(ast.parse(source)) or ""
            if source.count("\n") > MAX_LINES and LONG_BECAUSE not in docstring:
                too_long.append(f"{path.relative_to(ROOT)}: {source.count(chr(10))} lines")
    assert too_long == [], f"split these, or say in the docstring: {LONG_BECAUSE} …"
