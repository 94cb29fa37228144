"""The docqa command line: sample, ingest, search, ask, eval, bench, serve, status."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from qa.settings import SAMPLE_PDF, SAMPLE_TEXT, Settings

log = logging.getLogger("docqa")


def _settings(args) -> Settings:
    overrides = {"index_dir": Path(args.index)} if getattr(args, "index", None) else {}
    return Settings(**overrides)


def cmd_sample(args) -> int:
    from ingest.sample import build_sample_pdf

    out = Path(args.out)
    if out.exists() and not args.force:
        print(f"{out} already exists (use --force to rebuild)")
        return 0
    build_sample_pdf(SAMPLE_TEXT, out)
    print(f"wrote {out} — a reconstruction of the report from its text, not the original PDF")
    return 0


def cmd_ingest(args) -> int:
    from qa.embed import load_embedder
    from qa.pipeline import ingest_files

    settings = _settings(args)
    report = ingest_files([Path(p) for p in args.paths], settings, load_embedder(settings.embed_model),
                          rebuild=args.rebuild, password=args.password)
    for f in report.files:
        print(_file_line(f))
    secs = " ".join(f"{k} {v:.1f}s" for k, v in report.seconds.items())
    counts = {s: sum(f.status == s for f in report.files) for s in ("indexed", "unchanged", "failed")}
    print(", ".join(f"{n} {s}" for s, n in counts.items()) +
          f"; embedded {report.embedded} new chunks; {secs}; index at {settings.index_dir}")
    if report.failed:
        print(f"docqa: {len(report.failed)} file(s) failed and added nothing to the index", file=sys.stderr)
    return 1 if report.failed else 0


def _file_line(f) -> str:
    """One line per file: what was indexed, which pages were skipped and why, or why it failed."""
    from ingest.pdf import page_ranges

    if f.status == "failed":
        return f"failed    [{f.kind}] {f.error}"
    line = f"{f.status:9} {f.path}"
    if f.status == "indexed":
        line += f": {f.pages} pages, {f.sections} sections, {f.chunks} chunks"
    reasons: dict[str, list[int]] = {}
    for page, why in f.skipped:
        reasons.setdefault(why.replace("no_text_layer", "no text layer (scanned?)"), []).append(page)
    for why, pages in reasons.items():
        line += f"; skipped page(s) {page_ranges(pages)}: {why}"
    return line


def cmd_search(args) -> int:
    from qa.embed import load_embedder
    from qa.index import Index
    from qa.search import search

    settings = _settings(args)
    embedder = load_embedder(settings.embed_model)
    index = Index.load(settings.index_dir, embedder, settings.chunker())
    hits = search(index, embedder, args.question, k=args.k)
    rows = [
        {"doc": h.chunk.doc, "item": h.chunk.item, "section": h.chunk.section,
         "page": h.chunk.page_start, "score": round(h.score, 4), "text": h.chunk.text}
        for h in hits
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    for rank, row in enumerate(rows, start=1):
        print(f"[{rank}] {row['item'] or '-'} · {row['section']} · p.{row['page']}  ({row['score']})")
        print("    " + row["text"][:160].replace("\n", " "))
    return 0


def cmd_ask(args) -> int:
    from qa.assistant import Assistant, QuestionError

    assistant = Assistant.load(settings=_settings(args))
    try:
        answer = assistant.ask(args.question, items=tuple(args.item) if args.item else None, k=args.k)
    except QuestionError as exc:
        print(f"docqa: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=1))
        return 0
    if answer.span is not None:
        print(f"→ {answer.span.text} [{answer.span.n}]")
    print(answer.text)
    for c in answer.citations:
        print(f"  {c.long_label}")
    if answer.refused:
        print("Nearest passages:")
        for h, page in list(zip(answer.passages, answer.pages, strict=True))[:3]:
            print(f"  {h.chunk.item or '-'} · {h.chunk.section} · p.{page}: {h.chunk.text[:80]}")
    return 0


def cmd_serve(args) -> int:
    from qa.ui.launch import serve

    overrides = {k: v for k, v in {"host": args.host, "port": args.port}.items() if v is not None}
    return serve(_settings(args).model_copy(update=overrides))


def cmd_eval(args) -> int:
    from qa.assistant import Assistant
    from qa.evaluation.runner import answer_row, eval_command

    assistant = Assistant.load(settings=_settings(args))
    pages = [p for doc_pages in assistant.index.pages.values() for p in doc_pages]
    if len(assistant.index.pages) > 1:
        doc = args.doc or next(iter(assistant.index.pages))
        pages = assistant.index.pages[doc]
    return eval_command(args.set, args.out, args.json, args.baseline, args.update_baseline,
                        lambda q: answer_row(assistant.ask(q)), pages)


def cmd_status(args) -> int:
    from qa.index import read_manifest

    manifest = read_manifest(_settings(args).index_dir)
    for doc in manifest.get("documents", []):
        print(f"{doc['doc']}: {doc['n_pages']} pages, {doc['n_chunks']} chunks, sha256 {doc['sha256'][:12]}")
    print(f"model {manifest['embed_model']} (dim {manifest['embed_dim']}), {manifest['n_vectors']} vectors")
    return 0


def cmd_bench(args) -> int:
    from qa.bench.compare import bench_command

    if args.load:  # the loopback load test of the running app (qa.bench.loadtest)
        from qa.bench.loadtest import load_command

        return load_command(_settings(args), args.clients, args.per_client, args.set, args.json)
    return bench_command(args.pdf, args.set, args.json, Settings().embed_model)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="docqa", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("sample", help="build the sample PDF from the report's text")
    p.add_argument("--out", default=str(SAMPLE_PDF))
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=cmd_sample)

    _index_commands(sub)
    _report_commands(sub)
    return parser


def _index_commands(sub) -> None:
    """Commands that write or read the index: ingest, status, search, ask."""
    p = sub.add_parser("ingest", help="add PDFs to the index (unchanged files are skipped)")
    p.add_argument("paths", nargs="+")
    p.add_argument("--index", help="index folder (default: DOCQA_INDEX_DIR or ./index)")
    p.add_argument("--password", help="password of encrypted PDFs")
    p.add_argument("--rebuild", action="store_true",
                   help="start a new index version from these files alone (after a settings or model change)")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("search", help="top chunks for a question (dense + BM25)")
    p.add_argument("question")
    p.add_argument("-k", type=int, default=5)
    p.add_argument("--json", action="store_true")
    p.add_argument("--index")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="answer a question with cited pages")
    p.add_argument("question")
    p.add_argument("--item", action="append", help="only this item (I-1, II, …); repeatable")
    p.add_argument("-k", type=int, default=10, help="passages to retrieve")
    p.add_argument("--json", action="store_true")
    p.add_argument("--index")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("status", help="what the index holds")
    p.add_argument("--index")
    p.set_defaults(func=cmd_status)


def _report_commands(sub) -> None:
    """Commands around the index: the UI, the question sets, the benchmarks."""
    p = sub.add_parser("serve", help="the web UI: chat with cited pages, add PDFs")
    p.add_argument("--index")
    p.add_argument("--host", help="address to bind (default 127.0.0.1; others need DOCQA_UI_AUTH)")
    p.add_argument("--port", type=int, help="port (default 7860)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("eval", help="run the question set and report metrics")
    p.add_argument("--set", help="question set (default eval/qa.jsonl)")
    p.add_argument("--index")
    p.add_argument("--doc", help="the indexed document the set is about (when the index holds several)")
    p.add_argument("--out", help="results file (default eval/results/results.jsonl)")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.add_argument("--baseline", help="fail when a metric falls below this baseline")
    p.add_argument("--update-baseline", action="store_true", help="write the metrics as the new baseline")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("bench", help="docqa vs the LangChain-style peer: ingest time, RSS, latency, hit@k")
    p.add_argument("--pdf", help="PDF to ingest (default: the sample report)")
    p.add_argument("--set", help="question set (default: eval/qa.jsonl)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--load", action="store_true",
                   help="instead: start the app on a free loopback port and load-test it (qa.bench.loadtest)")
    p.add_argument("--clients", type=int, default=8, help="--load: concurrent clients")
    p.add_argument("--per-client", type=int, default=25, help="--load: questions per client")
    p.add_argument("--index", help="--load: index folder (default: DOCQA_INDEX_DIR or ./index)")
    p.set_defaults(func=cmd_bench)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(message)s")
    from qa.index import DocqaIndexError

    try:
        return args.func(args)
    except DocqaIndexError as exc:
        print(f"docqa: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
