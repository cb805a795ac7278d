"""Who may import whom (docs/architecture.md), read from every .py file's import statements with `ast`, those inside
functions included. A failure names the file, the line and the import."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = ("kiosk", "terminal", "server")  # terminal.rating is part of terminal
SHIPPED = ("common", "qtbase", "assets", "i18n", *PROGRAMS)  # what the wheel holds
DEVELOPMENT = ("devtools", "tests", "bench")
NOT_IN_COMMON = ("PySide6", "shiboken6", "fastapi", "starlette", "uvicorn", "jinja2")
# common's layers: what each may import from common besides itself (and from the project outside common, besides
# i18n: the one loader of texts, which every layer may use)
LAYERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "domain": ((), ()),
    "db": (("domain",), ()),
    "sync": (("domain",), ()),
    "devices": (("domain",), ("assets",)),
    # search: the editors' words checked as kiosks read them; planning: the live warnings the hub keeps
    "usecases": (("domain", "db", "sync", "guides", "search", "planning"), ()),
    "readmodels": (("domain", "db"), ()),
    "stations": (("domain", "sync", "devices", "search", "guides"), ()),
    "search": (("domain",), ()),
    "guides": (("domain",), ()),
    "planning": (("domain", "db"), ()),  # branch forecast: the arrival forecast and the staffing advice
}
PROJECT = (*SHIPPED, *DEVELOPMENT)


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, imported name) for each import in the file; `from a.b import c` gives a.b.c, a relative import
    is made absolute."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    package = module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[:len(package) - node.level + 1], *([base] if base else [])])
            found += [(node.lineno, f"{base}.{alias.name}" if base else alias.name) for alias in node.names]
    return sorted(found)


def sources() -> list[Path]:
    return sorted(p for top in PROJECT if (ROOT / top).is_dir() for p in (ROOT / top).rglob("*.py")
                  if "__pycache__" not in p.parts)


def violations_of(path: Path, root: Path = ROOT) -> list[str]:
    """Every rule this file's imports break, as 'file:line imports name (rule)'."""
    rel = path.relative_to(root).as_posix()
    me = module_name(path, root).split(".")
    top = me[0]
    broken = []
    for line, name in imports(path, root):
        parts = name.split(".")
        target = parts[0]

        def no(rule: str, line=line, name=name) -> None:
            broken.append(f"{rel}:{line} imports {name} ({rule})")

        if top in PROGRAMS and target in PROGRAMS and target != top:
            no(f"a program never imports another: {top} -> {target}")
        if top in SHIPPED and target in DEVELOPMENT:
            no(f"shipped code never imports {'/'.join(DEVELOPMENT)}")
        if top == "common" and target in NOT_IN_COMMON:
            no("common has no Qt and no web")
        if top == "qtbase" and target in PROGRAMS:
            no("qtbase serves the programs and imports none of them")
        if top == "server" and target in ("qtbase", "PySide6", "shiboken6"):
            no("the hub has no Qt")
        if top == "common" and len(me) > 1 and me[1] in LAYERS:
            layer = me[1]
            inside, outside = LAYERS[layer]
            if target == "common" and len(parts) > 1 and parts[1] != layer and parts[1] not in inside:
                no(f"common.{layer} may import only " + (", ".join(f"common.{x}" for x in inside) or "itself"))
            elif target in PROJECT and target not in ("common", "i18n") and target not in outside:
                no(f"common.{layer} may not import {target}")
    return broken


def test_the_sources_are_found():
    names = {module_name(p) for p in sources()}
    assert {"common.domain.model", "kiosk.app", "terminal.rating.app", "server.cli", "qtbase.theme"} <= names


@pytest.mark.parametrize("top", SHIPPED)
def test_imports_follow_the_architecture(top):
    broken = [v for p in sources() if module_name(p).split(".")[0] == top for v in violations_of(p)]
    assert not broken, "imports against docs/architecture.md:\n" + "\n".join(broken)


def test_the_rules_catch_a_bad_import(tmp_path):
    """The checker itself: a domain module importing the database layer and Qt, a kiosk importing the hub."""
    (tmp_path / "common" / "domain").mkdir(parents=True)
    (tmp_path / "kiosk").mkdir()
    bad_domain = tmp_path / "common" / "domain" / "x.py"
    bad_domain.write_text("from ..db import engine\nimport PySide6.QtCore\n")
    bad_kiosk = tmp_path / "kiosk" / "x.py"
    bad_kiosk.write_text("def f():\n    from server import cli\n    import devtools.harness\n")
    assert violations_of(bad_domain, tmp_path) == [
        "common/domain/x.py:1 imports common.db.engine (common.domain may import only itself)",
        "common/domain/x.py:2 imports PySide6.QtCore (common has no Qt and no web)",
    ]
    assert violations_of(bad_kiosk, tmp_path) == [
        "kiosk/x.py:2 imports server.cli (a program never imports another: kiosk -> server)",
        "kiosk/x.py:3 imports devtools.harness (shipped code never imports devtools/tests/bench)",
    ]
