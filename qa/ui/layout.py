"""The Gradio Blocks layout: the Ask tab (chat, source chips, source panel) and the Documents tab."""

from __future__ import annotations

import html
import logging
from pathlib import Path
from types import SimpleNamespace

import gradio as gr

from qa.assistant import QuestionError
from qa.ui.chat import item_choices
from qa.ui.runtime import Runtime

log = logging.getLogger(__name__)

# Written for the sample report (IPA's FY2020 self-evaluation), not taken from eval/: examples that are
# eval questions would show users the answers the evaluation scores.
EXAMPLES = [
    "「データサイエンティストのためのスキルチェックリスト/タスクリスト概説」のダウンロード数は？",
    "安心相談窓口等との連携組織数の令和2年度の達成度は何％ですか？",
    "DX推進指標の自己診断を実施した組織が目標を大きく上回ったのはなぜですか？",
    "How was the IT talent item (I-2) rated for FY2020?",
    "What satisfaction scores did the ITSS+ agile online workshops get?",
]
CJK_FONTS = ["Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Hiragino Kaku Gothic ProN",
             "Yu Gothic UI", "Meiryo", "IPAexGothic", "ui-sans-serif", "system-ui", "sans-serif"]
CSS = """
.gradio-container { max-width: 1400px !important; }
#docqa-header h1 { margin: 0; font-size: 1.5rem; }
#docqa-header p { margin: .2rem 0; color: var(--body-text-color-subdued); }
#chips .wrap { gap: .4rem; }
#chips label { border-radius: 999px; padding: .25rem .8rem; font-size: .9rem; }
.docqa-meta { line-height: 1.5; font-size: .92rem; }
.docqa-page { white-space: pre-wrap; max-height: 340px; overflow: auto; font-size: .9rem;
  line-height: 1.65; border: 1px solid var(--border-color-primary); border-radius: 8px; padding: .6rem; }
.docqa-page mark { background: #ffe066; color: inherit; padding: 0 .1rem; }
.docqa-placeholder { color: var(--body-text-color-subdued); }
@media (max-width: 720px) { #page-image { height: 420px !important; } }
"""
SCROLL_TO_MARK = """() => {
  const m = document.querySelector('#page-text mark');
  const box = m && m.closest('.docqa-page');
  if (box) box.scrollTop += m.getBoundingClientRect().top - box.getBoundingClientRect().top - 40;
  const panel = document.querySelector('#source-panel');
  if (panel && window.innerWidth < 720) panel.scrollIntoView({block: 'start'});
}"""
FOLLOW_UP_HINT = ("続けて「その前年度は？」のように聞くと、前の質問を引き継ぎます。 / Follow-ups such as "
                  "“What about the previous year?” reuse the previous question.")
PLACEHOLDER = ("<p class='docqa-placeholder'>Click a source chip under an answer to see the cited page "
               "here. / 回答の下の出典をクリックすると、引用元のページを表示します。</p>")


def _theme():
    return gr.themes.Default(font=CJK_FONTS, font_mono=["ui-monospace", "Consolas", "monospace"])


APPEARANCE = {"css": CSS, "theme": _theme()}


def _header(runtime: Runtime) -> str:
    docs = runtime.documents()
    held = ", ".join(f"{html.escape(str(d[0]))} ({d[1]} pages)" for d in docs) or "no documents yet"
    mode = ("An LLM is configured: tick “Use LLM” to let it write the answer from the cited passages."
            if runtime.llm_configured else
            "Answers are extractive: sentences quoted from the report, with their pages — nothing is "
            "generated. / 回答は報告書からの抜粋です（生成ではありません）。")
    return (f"<div id='docqa-header'><h1>docqa — 報告書に質問 / Ask the report</h1>"
            f"<p>{mode}</p><p>Index: {held}</p></div>")


def _chips(sources: list[dict], refused: bool = False):
    label = ("近い箇所 / Nearest passages — click to see the page" if refused
             else "出典 / Sources — click to see the page")
    return gr.update(choices=[s["label"] for s in sources], value=None, visible=bool(sources), label=label)


def build_demo(runtime: Runtime) -> gr.Blocks:
    with gr.Blocks(title="docqa") as demo:
        header = gr.HTML(_header(runtime))
        turns = gr.State([])  # sources of each assistant message, in order
        current = gr.State([])  # sources behind the chips shown now
        with gr.Tabs():
            with gr.Tab("質問 / Ask", id="ask"):
                doc_filter = ask_tab(runtime, turns, current)
            with gr.Tab("文書 / Documents", id="docs"):
                docs_tab(runtime, header, doc_filter)
    return demo


def ask_tab(runtime: Runtime, turns, current):
    """The Ask tab; returns its document filter (the Documents tab refreshes its choices)."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=5, min_width=340):
            w = _chat_column(runtime)
        with gr.Column(scale=4, min_width=340, elem_id="source-panel"):
            panel = [gr.HTML(PLACEHOLDER, elem_id="source-meta"),
                     gr.Image(type="pil", show_label=False, interactive=False, height=560, format="png",
                              elem_id="page-image", buttons=["fullscreen", "download"]),
                     gr.HTML("", elem_id="page-text")]
            whole = gr.Checkbox(False, label="ページ全体 / Whole page", elem_id="whole-page")
    ask_inputs = [w.question, w.chat, w.item, w.use_llm, turns, w.doc]
    ask_outputs = [w.chat, w.question, w.chips, turns, current, *panel]
    on_ask = _on_ask(runtime)
    w.question.submit(on_ask, ask_inputs, ask_outputs)
    w.send.click(on_ask, ask_inputs, ask_outputs, api_name="ask")  # the endpoint qa.bench.loadtest drives
    w.chips.change(_on_chip(runtime), [w.chips, current, whole], panel).then(None, None, None,
                                                                           js=SCROLL_TO_MARK)
    whole.change(_on_chip(runtime), [w.chips, current, whole], panel)
    w.chat.select(_on_message, [turns], [w.chips, current])
    w.clear.click(lambda: ([], "", gr.update(choices=[], value=None, visible=False), [], [], *_cleared()),
                  None, [w.chat, w.question, w.chips, turns, current, *panel])
    return w.doc


def _chat_column(runtime: Runtime) -> SimpleNamespace:
    """The chat, its source chips, the question box and its controls."""
    w = SimpleNamespace()
    w.chat = gr.Chatbot(show_label=False, height=440, elem_id="chat", latex_delimiters=[],
                        feedback_options=None, sanitize_html=True,
                        placeholder="質問を入力してください。 / Ask a question about the report.")
    w.chips = gr.Radio(choices=[], visible=False, elem_id="chips", interactive=True)
    with gr.Row():
        w.question = gr.Textbox(show_label=False, scale=5, elem_id="question", max_length=1000,
                                placeholder="質問を入力… / Ask a question…")
        w.send = gr.Button("質問 / Ask", variant="primary", scale=1, min_width=90, elem_id="send")
    with gr.Row():
        w.item = gr.Dropdown(item_choices(runtime.assistant), value="all", label="項目 / Item",
                             elem_id="item-filter", min_width=160)
        w.doc = gr.Dropdown(_doc_choices(runtime), value="all", label="文書 / Document", elem_id="doc-filter",
                            min_width=160)
        w.use_llm = gr.Checkbox(False, label="Use LLM", visible=runtime.llm_configured, elem_id="use-llm")
        w.clear = gr.Button("会話をクリア / Clear chat", elem_id="clear", min_width=120)
    gr.Examples([[q] for q in EXAMPLES], inputs=[w.question], label="質問例 / Examples")
    gr.Markdown(FOLLOW_UP_HINT, elem_id="follow-up-hint")
    return w


def _doc_choices(runtime: Runtime) -> list[tuple[str, str]]:
    return [("すべて / all", "all")] + [(name, name) for name in runtime.document_names()]


def _on_ask(runtime: Runtime):
    def on_ask(message, history, item_filter, llm, turns_v, doc_filter="all"):
        history = list(history or [])
        try:
            only = {"doc_filter": doc_filter} if doc_filter and doc_filter != "all" else {}
            reply = runtime.respond(message, history, item_filter, use_llm=bool(llm), **only)
        except QuestionError:
            gr.Warning("質問を入力してください。 / Type a question first.")
            return history, message, gr.update(), turns_v, gr.update(), *_cleared()
        except Exception:  # a bug must not kill the session: say so, keep the chat
            log.exception("answering %r failed", message)
            reply_text, sources, refused = "Sorry — answering failed; see the server log.", [], False
        else:
            reply_text, sources, refused = reply.text, reply.sources, reply.refused
        history += [{"role": "user", "content": message}, {"role": "assistant", "content": reply_text}]
        turns_v = list(turns_v or []) + [sources]
        return history, "", _chips(sources, refused), turns_v, sources, *_cleared()

    return on_ask


def _on_chip(runtime: Runtime):
    def on_chip(choice, sources, whole=False):
        source = next((s for s in sources or [] if s["label"] == choice), None)
        if source is None or runtime.assistant is None:
            return _cleared()
        view = runtime.source_view(source, whole=bool(whole))
        return view.meta_html, view.image, f"<div class='docqa-page'>{view.text_html}</div>"

    return on_chip


def _on_message(turns_v, evt: gr.SelectData):
    """Clicking an earlier answer shows its source chips again."""
    turn = evt.index // 2 if isinstance(evt.index, int) else None
    if turn is None or not 0 <= turn < len(turns_v or []):
        return gr.update(), gr.update()
    return _chips(turns_v[turn]), turns_v[turn]


def _cleared():
    return PLACEHOLDER, None, ""


def docs_tab(runtime: Runtime, header, doc_filter) -> None:
    gr.Markdown("PDF を追加すると検索できるようになります。 / Add a PDF: it is checked, indexed, then "
                "searchable from the Ask tab. Text PDFs only (scanned pages have no text to search).")
    upload = gr.File(label="PDF を追加 / Add a PDF", file_types=[".pdf"], file_count="single",
                     type="filepath", elem_id="upload")
    status = gr.Markdown("", elem_id="upload-status")
    table = gr.Dataframe(runtime.documents(), headers=["document", "pages", "chunks", "status"],
                         interactive=False, elem_id="documents", label="索引済みの文書 / Indexed documents")

    def on_upload(path, progress=gr.Progress(track_tqdm=True)):  # noqa: B008 (Gradio injects it)
        if not path:
            return gr.update(), gr.update(), gr.update(), gr.update(), gr.update()
        progress(0.05, desc="Checking the file / 確認中")
        ok, message = runtime.upload(path, Path(path).name)
        progress(1.0, desc="Done")
        text = html.escape(message) if ok else f"**Not added.** {html.escape(message)}"
        return text, runtime.documents(), None, _header(runtime), gr.update(choices=_doc_choices(runtime))

    upload.upload(on_upload, [upload], [status, table, upload, header, doc_filter], concurrency_limit=1)
