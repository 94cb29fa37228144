"""The import rules: no cycles, gradio only in qa/ui/, dev-only packages only in qa/bench/, and ingest/
never pulls in torch or FAISS. Imports are read from the source (deferred ones inside functions too)."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

HEAVY = {"torch", "faiss", "sentence_transformers", "transformers"}
# Installed by the `dev` extra only: the package itself must not need them.
DEV_ONLY = {"langchain_text_splitters", "playwright", "pypdf", "pytest", "hypothesis", "sklearn"}
# Dev-only code outside qa/bench: training the reader's weights (`make train`), checking the fusion constants.
DEV_MODULES = ("qa.bench", "qa.reader.train", "qa.reader.crossval", "qa.evaluation.fusion")


def source_files(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_nodes(tree: ast.AST):
    """Every node except those under `if TYPE_CHECKING:` (annotations only, never imported)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (n for orelse in node.orelse for n in [orelse, *_runtime_nodes(orelse)])
            continue
        yield node
        yield from _runtime_nodes(node)


def imported_modules(path: Path) -> set[str]:
    """Modules `path` imports: `from a.b import c` counts as a.b.c when that is a module of ours."""
    names = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names if _is_ours(f"{node.module}.{a.name}")}
    return names


def _is_ours(module: str) -> bool:
    base = ROOT / module.replace(".", "/")
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def import_graph() -> dict[str, set[str]]:
    files = [*source_files("ingest", "qa"), ROOT / "app.py"]
    return {module_name(p): {m for m in imported_modules(p) if _is_ours(m)} for p in files}


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle as a path of module names, or [] (depth-first search, colouring nodes)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def test_find_cycle_finds_one_and_only_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


def test_no_import_cycles():
    assert find_cycle(import_graph()) == []


def test_layers_point_one_way():
    """app.py -> qa -> ingest: ingest imports nothing of qa, qa nothing of app."""
    graph = import_graph()
    assert not [(m, i) for m, deps in graph.items() if m.startswith("ingest") for i in deps
                if not i.startswith("ingest")]
    assert not [(m, i) for m, deps in graph.items() if m.startswith("qa") for i in deps if i == "app"]


@pytest.mark.parametrize("path", source_files("ingest", "qa"), ids=lambda p: module_name(p))
def test_gradio_only_in_the_ui_and_dev_packages_only_in_bench(path):
    roots = {m.split(".")[0] for m in imported_modules(path)}
    name = module_name(path)
    if not name.startswith("qa.ui"):
        assert "gradio" not in roots
    if not name.startswith(DEV_MODULES):
        assert not roots & DEV_ONLY


@pytest.mark.parametrize("path", source_files("ingest"), ids=lambda p: p.name)
def test_ingest_imports_no_torch_or_faiss(path):
    assert not HEAVY & {m.split(".")[0] for m in imported_modules(path)}


def _loaded_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted({{n.split('.')[0] for n in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_ingest_import_graph_stays_light():
    """Catches indirect imports too: load every ingest module in a fresh interpreter."""
    modules = [module_name(p) for p in source_files("ingest")]
    assert not HEAVY & _loaded_after("\n".join(f"import {m}" for m in modules))


def test_status_and_sample_commands_load_no_index_engine():
    """`docqa status` and `docqa sample` import the CLI and read a manifest: no FAISS, Sudachi or model."""
    loaded = _loaded_after("import qa, qa.cli, qa.index.manifest, ingest.sample")
    assert not (HEAVY | {"sudachipy", "bm25s", "onnxruntime", "gradio"}) & loaded
