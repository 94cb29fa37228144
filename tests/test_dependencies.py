"""Dependency floors from the hardening plan (known CVEs below them) and no pickle loading anywhere."""

import ast
import importlib.metadata
from pathlib import Path

import pytest
from packaging.version import Version

from tests.helpers import ROOT

FLOORS = {
    "pdfplumber": "0.11.10",  # pins a pdfminer.six with the CMap fixes
    "pdfminer.six": "20251230",  # CVE-2025-64512, CVE-2025-70559
    "langchain-core": "1.3.3",  # GHSA-pjwx-r37v-7724, CVE-2025-68664
}


def source_files(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


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


@pytest.mark.parametrize("path", source_files("ingest", "qa"), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_pickle_loading(path):
    text = path.read_text(encoding="utf-8")
    assert "allow_dangerous_deserialization" not in text
    assert "allow_pickle=True" not in text and "torch.load(" not in text
    assert not {"pickle", "cPickle", "dill", "joblib"} & {m.split(".")[0] for m in imported_modules(path)}
