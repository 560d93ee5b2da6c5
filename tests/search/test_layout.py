"""The shape of clearinghouse/search, kept: no private attributes of other objects (Whoosh's above all),
the on-disk format in ondisk.py only, modules of a readable size."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "clearinghouse" / "search"
TESTS = Path(__file__).resolve().parent
MODULES = sorted(PACKAGE.glob("*.py"))
# Flask documents LocalProxy._get_current_object() as the way to the object behind current_app.
ALLOWED = {("service.py", "current_app._get_current_object")}
ON_DISK_NAMES = {"pickle", "zlib", "W3TermInfo", "WHOOSH3_HEADER_MAGIC", "OrderedHashWriter", "OrderedHashReader"}
MAX_LINES = 400


def private_uses(tree: ast.Module) -> list[str]:
    """`obj._name` for any obj but self and cls, getattr/hasattr/setattr(obj, "_name"), and
    `from module import _name`."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            if not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                found.append(ast.unparse(node))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("getattr", "hasattr", "setattr") and len(node.args) > 1
              and isinstance(node.args[1], ast.Constant) and str(node.args[1].value).startswith("_")):
            found.append(ast.unparse(node))
        elif isinstance(node, ast.ImportFrom):
            found += [f"from {node.module} import {a.name}" for a in node.names if a.name.startswith("_")]
    return found


def imported_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names |= {a.name for a in node.names} | {(node.module or "").split(".")[-1]}
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_module_uses_private_names_of_other_objects(path):
    uses = [u for u in private_uses(ast.parse(path.read_text())) if (path.name, u) not in ALLOWED]
    assert uses == []


@pytest.mark.parametrize("path", [p for p in MODULES if p.name != "ondisk.py"], ids=lambda p: p.name)
def test_only_ondisk_touches_the_on_disk_format(path):
    assert imported_names(ast.parse(path.read_text())) & ON_DISK_NAMES == set()


def test_the_checks_see_what_they_look_for():
    assert private_uses(ast.parse("from a import _b\nx._y = 1\ngetattr(s, '_t')\nself._ok\n")) == [
        "from a import _b", "x._y", "getattr(s, '_t')"]
    assert imported_names(ast.parse((PACKAGE / "ondisk.py").read_text())) >= {"pickle", "zlib", "W3TermInfo"}


@pytest.mark.parametrize("path", MODULES + sorted(TESTS.glob("*.py")), ids=lambda p: p.parent.name + "/" + p.name)
def test_modules_stay_readable(path):
    assert len(path.read_text().splitlines()) <= MAX_LINES
