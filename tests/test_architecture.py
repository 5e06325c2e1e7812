"""Layering rules, checked on the source with ast so nothing has to be imported.

- app/store, app/services, app/access, app/speech and app/voice never import Qt (PySide6 /
  shiboken6): they must run, and be tested, without a display (speech and voice in child processes).
- Nothing under app/ except app/ui imports app.ui: the UI depends on the core, never the reverse.
- No `from x import *` and no sys.path tricks anywhere in app/ or main.py.
- app/services is grouped by subject: only the shared modules sit at its top; each subpackage
  says in its docstring what it owns; `group` (the participants' work) imports neither
  `review` (the facilitator's side) nor `exchange` (bundles); `export` and `exchange` do not
  import each other; `meeting` (the live meeting) may use `group` but not `review`, `exchange`
  or `export`, and `group` does not import it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"
QT_PACKAGES = {"PySide6", "shiboken6"}
# speech and voice run in child processes with no display: they must not need Qt either.
QT_FREE = ("store", "services", "access", "speech", "voice")


def module_name(path: Path) -> str:
    """The dotted module name of a file under ROOT (a package's __init__ is the package)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute module an ImportFrom names, resolving relative imports."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
    return ".".join([*base, *([node.module] if node.module else [])])


def imported_modules(source: str, module: str = "", is_package: bool = False) -> Iterator[str]:
    """Every module a source imports, including `from pkg import sub` as pkg.sub and
    importlib.import_module("x") / __import__("x") with a literal name."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(node, module, is_package)
            yield target
            yield from (f"{target}.{alias.name}" for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                yield node.args[0].value


def imports_qt(source: str) -> list[str]:
    return sorted({m for m in imported_modules(source) if m.split(".")[0] in QT_PACKAGES})


def imports_ui(source: str, module: str, is_package: bool = False) -> list[str]:
    return sorted(
        {m for m in imported_modules(source, module, is_package) if m == "app.ui" or m.startswith("app.ui.")}
    )


def star_imports(source: str) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names)
    ]


def sys_path_uses(source: str) -> list[int]:
    """Lines that touch sys.path: `sys.path...`, `from sys import path`, `import sys.path`-style aliases."""
    tree = ast.parse(source)
    sys_names = {"sys"} | {
        alias.asname
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name == "sys" and alias.asname
    }
    lines = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "path"
            and isinstance(node.value, ast.Name)
            and node.value.id in sys_names
        ) or (
            isinstance(node, ast.ImportFrom)
            and node.module == "sys"
            and any(alias.name == "path" for alias in node.names)
        ):
            lines.append(node.lineno)
    return lines


def python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def all_app_files() -> list[Path]:
    files = python_files(APP)
    main = ROOT / "main.py"
    return [*files, main] if main.exists() else files


# --- the detectors themselves ----------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "import PySide6.QtCore",
        "import PySide6",
        "from PySide6 import QtCore",
        "from PySide6.QtWidgets import QWidget",
        "import shiboken6",
        "def f():\n    from PySide6.QtGui import QColor\n    return QColor",
        "import importlib\nimportlib.import_module('PySide6.QtCore')",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import PySide6.QtCore",
    ],
)
def test_qt_detector_flags_qt_imports(source: str):
    assert imports_qt(source)


@pytest.mark.parametrize(
    "source",
    ["import os", "from sqlalchemy import select", "import PySide6_stubs_unrelated", "x = 'PySide6'"],
)
def test_qt_detector_ignores_other_code(source: str):
    assert imports_qt(source) == []


def test_ui_detector_resolves_absolute_and_relative_imports():
    assert imports_ui("import app.ui.theme", "app.services.x") == ["app.ui.theme"]
    assert imports_ui("from app import ui", "app.services.x") == ["app.ui"]
    assert imports_ui("from ..ui import theme", "app.services.x") == ["app.ui", "app.ui.theme"]
    assert imports_ui("from . import ui", "app", is_package=True) == ["app.ui"]
    assert imports_ui("from .ui.theme import Theme", "app.x") == ["app.ui.theme", "app.ui.theme.Theme"]
    assert imports_ui("from ..store import models", "app.services.x") == []
    assert imports_ui("import app.uix", "app.services.x") == []


def test_star_and_sys_path_detectors():
    assert star_imports("from os.path import *") == [1]
    assert star_imports("from os.path import join") == []
    assert sys_path_uses("import sys\nsys.path.insert(0, 'x')") == [2]
    assert sys_path_uses("import sys as _s\n_s.path.append('x')") == [2]
    assert sys_path_uses("from sys import path") == [1]
    assert sys_path_uses("import sys\nsys.argv") == []
    assert sys_path_uses("import os\nos.path.join('a')") == []


# --- the rules on the real code --------------------------------------------------------------


def test_the_checked_folders_hold_code():
    """Guard against the rules passing vacuously because nothing was found."""
    for layer in (*QT_FREE, "ui"):
        assert len(python_files(APP / layer)) >= 2, layer


@pytest.mark.parametrize("layer", QT_FREE)
def test_core_layers_do_not_import_qt(layer: str):
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in python_files(APP / layer)
        if (found := imports_qt(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, f"app/{layer} must run without Qt"


def test_only_the_ui_imports_the_ui():
    offenders = {}
    for path in python_files(APP):
        if (APP / "ui") in path.parents:
            continue
        found = imports_ui(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py")
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}


def test_no_star_imports_or_sys_path_manipulation():
    offenders = {}
    for path in all_app_files():
        source = path.read_text(encoding="utf-8")
        problems = [f"star import, line {n}" for n in star_imports(source)]
        problems += [f"sys.path, line {n}" for n in sys_path_uses(source)]
        if problems:
            offenders[str(path.relative_to(ROOT))] = problems
    assert offenders == {}


# --- app/services, grouped by subject --------------------------------------------------------

SERVICES = APP / "services"
SHARED_SERVICE_MODULES = {"__init__", "base", "container", "dto", "errors", "validation"}
SERVICE_PACKAGES = ("group", "exchange", "review", "export", "meeting")
FORBIDDEN_SERVICE_IMPORTS = {  # package -> the packages it may not import
    "group": ("review", "exchange", "meeting"),
    "meeting": ("review", "exchange", "export"),
    "export": ("exchange",),
    "exchange": ("export",),
}


def test_only_shared_modules_sit_at_the_top_of_services():
    loose = {p.stem for p in SERVICES.glob("*.py")} - SHARED_SERVICE_MODULES
    assert loose == set(), "put each service module in the package of its subject"


@pytest.mark.parametrize("package", SERVICE_PACKAGES)
def test_each_service_package_says_what_it_owns(package: str):
    init = SERVICES / package / "__init__.py"
    docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
    assert docstring and len(docstring.split()) >= 8, f"app/services/{package} needs a docstring"


@pytest.mark.parametrize("package", sorted(FORBIDDEN_SERVICE_IMPORTS))
def test_service_packages_keep_their_distance(package: str):
    banned = tuple(f"app.services.{name}" for name in FORBIDDEN_SERVICE_IMPORTS[package])
    offenders = {}
    for path in python_files(SERVICES / package):
        found = sorted({
            m for m in imported_modules(path.read_text(encoding="utf-8"), module_name(path),
                                        path.name == "__init__.py")
            if m in banned or m.startswith(tuple(b + "." for b in banned))
        })
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert python_files(SERVICES / package), package
    assert offenders == {}
