"""Architecture rules of issue 10, checked on the source: one write path, a thin edge.

- Entry points (routes, consumers) build commands and call views: they import no SQLAlchemy and, from
  their service's domain, only its commands, errors and event vocabulary (never an aggregate), so
  they cannot call a domain method or run SQL.
- Every write goes through the unit of work: nothing in a service begins a transaction, appends to the
  event store, or touches an aggregate's pending events itself.
- Reads open connections only in views modules and adapters.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from shared.services import SERVICES

ALLOWED_DOMAIN_MODULES = {"commands", "errors", "events"}


def _python_files(service) -> list[Path]:
    return sorted((service.directory / service.package).rglob("*.py"))


def _is_under(path: Path, service, folder: str) -> bool:
    return (service.directory / service.package / folder) in path.parents


def _imports(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def _calls(tree: ast.AST) -> list[tuple[str, str, int]]:
    """(receiver text, attribute, line) of every `x.attr(...)` call."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            found.append((ast.unparse(node.func.value), node.func.attr, node.lineno))
    return found


def _attributes(tree: ast.AST) -> list[tuple[str, int]]:
    return [(n.attr, n.lineno) for n in ast.walk(tree) if isinstance(n, ast.Attribute)]


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_entrypoints_import_no_sql_and_no_aggregate(service):
    offences = []
    for path in _python_files(service):
        if not _is_under(path, service, "entrypoints"):
            continue
        for name in _imports(ast.parse(path.read_text())):
            if name == "sqlalchemy" or name.startswith("sqlalchemy."):
                offences.append(f"{path.name}: imports {name}")
            prefix = f"{service.package}.domain."
            if name.startswith(prefix):
                module = name[len(prefix) :].split(".")[0]
                if module not in ALLOWED_DOMAIN_MODULES:
                    offences.append(f"{path.name}: imports {name}")
    assert offences == []


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_every_write_goes_through_the_unit_of_work(service):
    offences = []
    for path in _python_files(service):
        if _is_under(path, service, "migrations"):
            continue
        tree = ast.parse(path.read_text())
        in_domain = _is_under(path, service, "domain")
        reader = (
            path.stem.startswith("views")
            or _is_under(path, service, "views")
            or _is_under(path, service, "adapters")
        )
        for receiver, attribute, line in _calls(tree):
            where = f"{path.relative_to(service.directory)}:{line}"
            if attribute == "begin" and "engine" in receiver:
                offences.append(f"{where}: {receiver}.begin() (write through the unit of work)")
            if attribute in ("append", "append_many") and "store" in receiver:
                offences.append(f"{where}: {receiver}.{attribute}() (the unit of work appends)")
            if attribute == "uow" and "runtime" in receiver:
                offences.append(f"{where}: legacy runtime.uow()")
            if attribute == "connect" and "engine" in receiver and not reader:
                offences.append(f"{where}: {receiver}.connect() outside views/adapters")
        if not in_domain:
            for attribute, line in _attributes(tree):
                if attribute in ("pending_events", "published"):
                    offences.append(f"{path.relative_to(service.directory)}:{line}: .{attribute}")
    assert offences == []
