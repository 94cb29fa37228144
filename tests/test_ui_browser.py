"""The UI in a real browser (Debian's chromium via Playwright) and the server's file-serving guards.

Starts the app on a free loopback port over the sample report indexed with the real embedder.
Screenshots go to tests/artifacts/ (ignored by git).
"""

import re
import shutil
import socket
from pathlib import Path

import httpx
import pytest

from qa.settings import Settings
from tests.helpers import ROOT, copy_index

pytestmark = pytest.mark.slow

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TEST_MAX_FILE = 3 * 1024 * 1024  # a small upload cap so the over-size probe stays cheap
WAIT_MS = 90_000  # first answers on a cold CPU
CHIP = re.compile(r"^[\[(]\d+[\])] .+ · p\.(\d+)$")
PRINTED_CHIP = re.compile(r"^\[\d+\] .+ · p\.(\d+) · PDF (\d+)$")  # the printed page, then the PDF page


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, sample_index):
    from qa.ui.launch import start
    from qa.ui.runtime import Runtime

    # A copy: the upload test adds a document, other tests read the shared index.
    index = copy_index(sample_index, tmp_path_factory.mktemp("browser") / "index")
    runtime = Runtime(Settings(index_dir=index, port=_free_port()))
    demo, url = start(runtime, block=False, server_name="127.0.0.1", max_file_size=TEST_MAX_FILE)
    yield runtime, url.rstrip("/")
    demo.close()


@pytest.fixture(scope="module")
def manual_server(luatexja_index):
    """The app over the LuaTeX-ja manual, whose printed page numbers are one less than its PDF pages."""
    from qa.ui.launch import start
    from qa.ui.runtime import Runtime

    runtime = Runtime(Settings(index_dir=luatexja_index, port=_free_port()))
    demo, url = start(runtime, block=False, server_name="127.0.0.1")
    yield url.rstrip("/")
    demo.close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ja-JP")
    page = context.new_page()
    page.goto(server[1])
    page.wait_for_selector("#question textarea", timeout=WAIT_MS)
    yield page
    context.close()


def _ask(page, question: str, turn: int) -> list[str]:
    """Type a question, wait for the answer and its chips; returns the chip labels."""
    page.fill("#question textarea", question)
    page.click("#send")
    page.wait_for_function(
        "n => document.querySelectorAll('#chat .message-row.bot-row').length >= n",
        arg=turn, timeout=WAIT_MS)
    page.wait_for_selector("#chips label", timeout=WAIT_MS)
    return [t.strip() for t in page.locator("#chips label").all_inner_texts()]


def _open_chip(page, label: str) -> str:
    page.locator("#chips label", has_text=label).click()
    page.wait_for_selector("#page-image img", timeout=WAIT_MS)
    page.wait_for_selector("#page-text mark", timeout=WAIT_MS)
    return page.inner_text("#source-meta")


def test_ask_in_japanese_and_english_then_open_the_cited_page(page, server):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-start-1280x800.png"))

    chips = _ask(page, "SECURITY ACTIONの自己宣言者は累計で何件ですか？", 1)
    assert chips and all(CHIP.match(c) for c in chips), chips
    assert chips[0].startswith("[1] ")
    assert "144,847" in page.inner_text("#chat")
    expected_page = CHIP.match(chips[0]).group(1)
    meta = _open_chip(page, chips[0])
    assert f"p.{expected_page}" in meta and "report.pdf" in meta
    marked = page.inner_text("#page-text mark")
    assert len(marked) > 10
    box = page.locator("#page-image img").bounding_box()
    assert box and box["width"] > 150 and box["height"] > 150
    page.screenshot(path=str(ARTIFACTS / "ui-answer-ja-1280x800.png"))

    chips = _ask(page, "What rating did IPA give itself for item II?", 2)
    assert chips and all(CHIP.match(c) for c in chips), chips
    meta = _open_chip(page, chips[0])
    assert f"p.{CHIP.match(chips[0]).group(1)}" in meta
    page.screenshot(path=str(ARTIFACTS / "ui-answer-en-1280x800.png"), full_page=True)

    page.set_viewport_size({"width": 420, "height": 860})
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "ui-narrow-420.png"), full_page=True)
    assert page.locator("#send").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 430, f"the page scrolls sideways at 420 px ({width} px wide)"


def test_follow_up_and_clear(page):
    _ask(page, "令和2年度における一般管理費は前年度比で何%減少しましたか？", 1)
    _ask(page, "その前年度は？", 2)
    assert "令和元年度" in page.inner_text("#chat")
    page.click("#clear")
    page.wait_for_function("() => !document.querySelector('#chips label')", timeout=WAIT_MS)
    assert "令和元年度" not in page.inner_text("#chat")


def test_html_renamed_pdf_is_rejected_by_the_server(page, server, tmp_path):
    runtime, _url = server
    before = runtime.documents()
    fake = tmp_path / "report2.pdf"
    fake.write_text("<!doctype html><html><script>alert(document.cookie)</script></html>")
    page.get_by_role("tab", name="文書 / Documents").click()
    page.set_input_files("#upload input[type=file]", str(fake))
    page.wait_for_function(
        "() => document.querySelector('#upload-status')?.innerText.includes('not a PDF')", timeout=WAIT_MS)
    assert runtime.documents() == before
    page.screenshot(path=str(ARTIFACTS / "ui-documents-rejected.png"), full_page=True)


def _probes(index: Path) -> list[str]:
    version = (index / "CURRENT").read_text().strip()
    manifest = index / version / "manifest.json"
    return [
        "/gradio_api/file=/etc/passwd",
        "/gradio_api/file=../../../../../../etc/passwd",
        "/gradio_api/file=%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/gradio_api/file=%252e%252e%252f%252e%252e%252fetc%252fpasswd",
        "/gradio_api/file=..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/gradio_api/file=//etc/passwd",
        "/file=/etc/passwd",
        f"/gradio_api/file={manifest}",
        f"/gradio_api/file={str(manifest).upper()}",
        f"/gradio_api/file={index}/CURRENT",
        f"/gradio_api/file={index.parent / 'report.pdf'}",
        f"/gradio_api/file={Path.cwd()}/pyproject.toml",
    ]


def test_file_serving_traversal_probes_fail(server):
    runtime, url = server
    index = Path(runtime.settings.index_dir).resolve()
    secrets = [Path("/etc/passwd").read_text()[:20], '"embed_model"', "%PDF-", "[project]"]
    with httpx.Client(base_url=url, timeout=10) as client:
        for probe in _probes(index):
            response = client.get(probe)
            assert response.status_code in (400, 403, 404), (probe, response.status_code)
            assert not any(s in response.text for s in secrets), probe


def test_upload_over_the_size_limit_is_refused(server, tmp_path):
    runtime, url = server
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.7\n" + b"0" * (TEST_MAX_FILE + 1024))
    with httpx.Client(base_url=url, timeout=30) as client, open(big, "rb") as fh:
        response = client.post("/gradio_api/upload", files={"files": ("big.pdf", fh, "application/pdf")})
    assert response.status_code in (400, 413), response.status_code
    assert not any(Path(runtime.settings.index_dir).resolve().parent.glob("*-uploads/big.pdf"))


def test_valid_pdf_upload_is_ingested_and_listed(page, server, tmp_path):
    """Last in the module: it adds a document to the session's sample index."""
    runtime, _url = server
    pdf = tmp_path / "tiny report.pdf"
    shutil.copy(ROOT / "tests" / "data" / "tiny.pdf", pdf)
    page.get_by_role("tab", name="文書 / Documents").click()
    page.set_input_files("#upload input[type=file]", str(pdf))
    page.wait_for_function(
        "() => document.querySelector('#upload-status')?.innerText.includes('searchable now')",
        timeout=WAIT_MS)
    page.wait_for_timeout(800)  # the table and header finish updating
    assert "tiny report.pdf" in page.inner_text("#documents")
    assert [row[0] for row in runtime.documents()] == ["report.pdf", "tiny report.pdf"]
    page.screenshot(path=str(ARTIFACTS / "ui-documents-added.png"), full_page=True)
    page.get_by_role("tab", name="質問 / Ask").click()
    chips = _ask(page, "一般管理費は前年度比で何%減少した？", 1)
    assert chips


def test_citation_chip_shows_the_printed_page_and_opens_the_pdf_page(browser, manual_server):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ja-JP")
    page = context.new_page()
    page.goto(manual_server)
    page.wait_for_selector("#question textarea", timeout=WAIT_MS)
    chips = _ask(page, "LuaTeX-ja パッケージの動作に必要な LuaTeX のバージョンは？", 1)
    found = PRINTED_CHIP.match(chips[0])
    assert found, chips
    printed, pdf_page = map(int, found.groups())
    assert printed == pdf_page - 1
    meta = _open_chip(page, chips[0])
    assert f"p.{printed} · PDF {pdf_page}" in meta and "luatexja-ja.pdf" in meta
    page.screenshot(path=str(ARTIFACTS / "ui-printed-page-1280x800.png"))
    context.close()
