"""The layers, read from the code's own imports: each package may use only those below it.

    cli/         the olke command            may use ingest, ocr, archive, search_app
    search_app/  the Flask apps              may use archive
    ingest/      scans in, the pipeline      may use ocr, archive
    ocr/         the OCR engines             may use archive
    archive/     the library                 uses no other package of Olke

and none of them uses the tests (their OCR doubles included), the benchmarks or the sample scans.
Above archive/, the data is reached through the Archive alone: no sqlite3, no catalog connection.

Every import counts: at the top of a module, inside a function, under ``TYPE_CHECKING``, and a
module named by a string to ``importlib.import_module`` or ``__import__``.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {
    "archive": {"archive"},
    "ocr": {"ocr", "archive"},
    "ingest": {"ingest", "ocr", "archive"},
    "search_app": {"search_app", "archive"},
    "cli": {"cli", "ingest", "ocr", "archive", "search_app"},
}
OLKE = {*ALLOWED, "tests", "bench", "scans"}


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every module that ``path`` imports."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.ImportFrom):        # relative: resolve against the module's package
            package = path.relative_to(ROOT).parent.parts
            base = package[:len(package) - node.level + 1]
            found.append((node.lineno, ".".join([*base, node.module] if node.module else base)))
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and (getattr(node.func, "attr", None) == "import_module" or getattr(node.func, "id", None) in
                   ("import_module", "__import__"))):
            found.append((node.lineno, node.args[0].value))
    return found


def test_every_package_is_read():
    for package in ALLOWED:
        assert modules(package), f"{package}/ has no modules; is the layout in this test still the project's?"


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_the_layers_below_it(package):
    broken = []
    for path in modules(package):
        for line, module in imported(path):
            top = module.split(".")[0]
            if top in OLKE and top not in ALLOWED[package]:
                broken.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not broken, (f"{package}/ may import only {', '.join(sorted(ALLOWED[package]))} of Olke:\n  "
                        + "\n  ".join(broken))


ABOVE_THE_DATA = ("cli", "ingest", "search_app")


def reaches_past_the_archive(path: Path) -> list[tuple[int, str]]:
    """(line, what) for every use of the catalog's raw connection (an attribute ``conn``) and every
    import of sqlite3 in ``path``."""
    found = [(line, f"imports {module}") for line, module in imported(path) if module.split(".")[0] == "sqlite3"]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Attribute) and node.attr == "conn":
            found.append((node.lineno, "uses .conn"))
    return sorted(found)


@pytest.mark.parametrize("package", ABOVE_THE_DATA)
def test_the_layers_above_reach_the_data_only_through_the_archive(package):
    """The command line, ingest and the apps use the Archive and its desks; the SQL and the
    connection it runs on stay in archive/."""
    broken = [f"{path.relative_to(ROOT)}:{line} {what}"
              for path in modules(package) for line, what in reaches_past_the_archive(path)]
    assert not broken, (f"{package}/ reaches past the Archive (use archive.delivery, .plans, .collections, "
                        ".staff, .usage or a Catalog method):\n  " + "\n  ".join(broken))
