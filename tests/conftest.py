import os

# Before anything imports huggingface_hub: it reads these once, at import.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from tests.helpers import CHUNKER, LUATEXJA, REPORT_TXT, CountingEmbedder, update  # noqa: E402


@pytest.fixture(scope="session")
def sample_pdf(tmp_path_factory) -> Path:
    from ingest.sample import build_sample_pdf

    return build_sample_pdf(REPORT_TXT, tmp_path_factory.mktemp("sample") / "report.pdf")


@pytest.fixture(scope="session")
def sample_pages(sample_pdf):
    from ingest.pdf import load_pdf

    return load_pdf(sample_pdf)


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory, sample_pdf) -> Path:
    """The sample report indexed with the real default embedder, once per session. Read-only:
    a test that adds documents works on a copy (copy_index)."""
    import shutil

    from qa.embed import load_embedder
    from qa.pipeline import ingest_files
    from qa.settings import Settings

    root = tmp_path_factory.mktemp("sample-index")
    settings = Settings(index_dir=root / "index")
    pdf = shutil.copy(sample_pdf, root / "report.pdf")
    assert not ingest_files([Path(pdf)], settings, load_embedder(settings.embed_model)).failed
    return root / "index"


@pytest.fixture(scope="session")
def luatexja(tmp_path_factory):
    """The LuaTeX-ja manual read by ingest (data/luatexja: a real TeX-typeset PDF), once per session."""
    from ingest.pdf import extract

    return extract(LUATEXJA)


@pytest.fixture(scope="session")
def luatexja_index(tmp_path_factory) -> Path:
    """The LuaTeX-ja manual indexed with the real default embedder, once per session. Read-only."""
    from qa.embed import load_embedder
    from qa.pipeline import ingest_files
    from qa.settings import Settings

    settings = Settings(index_dir=tmp_path_factory.mktemp("luatexja-index") / "index")
    assert not ingest_files([LUATEXJA], settings, load_embedder(settings.embed_model)).failed
    return settings.index_dir


@pytest.fixture
def root(tmp_path) -> Path:
    """Where a test's own index goes."""
    return tmp_path / "index"


@pytest.fixture
def built(root) -> CountingEmbedder:
    """An index at `root` holding one small document (helpers.TEXTS); its embedder counts what it embeds."""
    from qa.index import update_index

    embedder = CountingEmbedder()
    update_index(root, embedder, CHUNKER, [update()])
    return embedder
