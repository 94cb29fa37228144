import os

# Before anything imports huggingface_hub: it reads these once, at import.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
REPORT_TXT = ROOT / "data" / "ipa-fy2020" / "report.txt"


@pytest.fixture(scope="session")
def sample_pdf(tmp_path_factory) -> Path:
    from ingest.sample import build_sample_pdf

    return build_sample_pdf(REPORT_TXT, tmp_path_factory.mktemp("sample") / "report.pdf")


@pytest.fixture(scope="session")
def sample_pages(sample_pdf):
    from ingest.pdf import load_pdf

    return load_pdf(sample_pdf)
