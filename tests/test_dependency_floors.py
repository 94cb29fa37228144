"""Dependency floors from the hardening plan (known CVEs below them), no pickle loading anywhere in
the package, and the layering rule: ingest/ never pulls in torch or FAISS."""

import ast
import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
FLOORS = {
    "pdfplumber": "0.11.10",  # pins a pdfminer.six with the CMap fixes
    "pdfminer.six": "20251230",  # CVE-2025-64512, CVE-2025-70559
    "langchain-core": "1.3.3",  # GHSA-pjwx-r37v-7724, CVE-2025-68664
}
HEAVY = {"torch", "faiss", "sentence_transformers", "transformers"}


def source_files(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py"))


@pytest.mark.parametrize(("package", "floor"), FLOORS.items())
def test_floor(package, floor):
    installed = importlib.metadata.version(package)
    assert Version(installed) >= Version(floor), f"{package} {installed} < {floor}"


def test_faiss_present():
    assert importlib.metadata.version("faiss-cpu")


def test_gradio_floor():
    try:
        installed = importlib.metadata.version("gradio")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("gradio is not installed")
    assert Version(installed) >= Version("6.16"), f"gradio {installed} < 6.16 (CVE-2026-49119)"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", source_files("ingest", "qa"), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_pickle_loading(path):
    text = path.read_text(encoding="utf-8")
    assert "allow_dangerous_deserialization" not in text
    assert "allow_pickle=True" not in text and "torch.load(" not in text
    assert not {"pickle", "cPickle", "dill", "joblib"} & {m.split(".")[0] for m in imported_modules(path)}


@pytest.mark.parametrize("path", source_files("ingest"), ids=lambda p: p.name)
def test_ingest_imports_no_torch_or_faiss(path):
    assert not HEAVY & {m.split(".")[0] for m in imported_modules(path)}


def test_ingest_import_graph_stays_light():
    """Catches indirect imports too: load every ingest module in a fresh interpreter."""
    modules = [f"ingest.{p.stem}" for p in source_files("ingest") if p.stem != "__init__"]
    code = (f"import sys\nfor m in {modules!r}: __import__(m)\n"
            f"print(sorted(set({sorted(HEAVY)!r}) & {{n.split('.')[0] for n in sys.modules}}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
