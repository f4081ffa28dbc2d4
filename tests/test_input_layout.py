"""Issue 10's layout rules for the input side: no import cycle through inputs/ and evidence/,
inputs/ below evidence/, no module over about 500 lines; the old import paths still resolve."""

from __future__ import annotations

import ast
import importlib
import pathlib

import pytest

PKG = pathlib.Path(__file__).resolve().parent.parent / "zjtx_cli"


def _imports(path: pathlib.Path) -> set[str]:
    """Every zjtx_cli module a file imports, at the top or inside a function."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("zjtx_cli"):
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("zjtx_cli"))
    return out


def _graph(packages=("inputs", "evidence")) -> dict[str, set[str]]:
    files = {f"zjtx_cli.{p}.{f.stem}": f for p in packages for f in (PKG / p).glob("*.py") if f.stem != "__init__"}
    return {m: {t for t in _imports(f) if t in files and t != m} for m, f in files.items()}


def test_no_import_cycle_through_inputs_and_evidence():
    graph = _graph()
    state: dict[str, int] = {}

    def visit(m, stack):
        state[m] = 1
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                raise AssertionError("import cycle: " + " -> ".join(stack[stack.index(t):] + [t]))
            if t not in state:
                visit(t, stack + [t])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])


def test_inputs_never_imports_evidence():
    for m, targets in _graph().items():
        if m.startswith("zjtx_cli.inputs."):
            assert not any(t.startswith("zjtx_cli.evidence") for t in targets), (m, targets)


@pytest.mark.parametrize("package", ["inputs", "evidence"])
def test_modules_stay_small(package):
    sizes = {f.name: len(f.read_text(encoding="utf-8").splitlines()) for f in (PKG / package).glob("*.py")}
    assert max(sizes.values()) <= 500, sizes


@pytest.mark.parametrize("module,name", [
    ("zjtx_cli.inputs.reader", "read_json"), ("zjtx_cli.inputs.reader", "read_rows"),
    ("zjtx_cli.inputs.reader", "load_sheet"), ("zjtx_cli.inputs.reader", "parse_value"),
    ("zjtx_cli.inputs.reader", "UNCACHED_FORMULA"), ("zjtx_cli.inputs.reader", "_SheetXml"),
    ("zjtx_cli.inputs.reader", "_year_of"), ("zjtx_cli.inputs.safety", "check_xlsx_file"),
    ("zjtx_cli.inputs.safety", "atomic_save"), ("zjtx_cli.inputs.safety", "UnsafeInput"),
    ("zjtx_cli.evidence.read", "evidence_from_rows"), ("zjtx_cli.evidence.parse", "roster_columns"),
    ("zjtx_cli.inputs.roster", "parse_header_cell"),
])
def test_old_import_paths_resolve(module, name):
    assert getattr(importlib.import_module(module), name) is not None


def test_unknown_reader_name_is_an_attribute_error():
    reader = importlib.import_module("zjtx_cli.inputs.reader")
    with pytest.raises(AttributeError):
        reader.no_such_name  # noqa: B018
