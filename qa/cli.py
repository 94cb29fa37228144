"""The docqa command line: sample, ingest, search, ask, eval, bench, serve, status."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from qa.logs import setup_logging
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
    from qa.ingest_lines import file_line, summary_line
    from qa.pipeline import ingest_files

    settings = _settings(args)
    engine = {}
    if args.engine == "ray":  # the same ingest, spread over a Ray cluster (qa.cluster, `scale` extra)
        try:
            from qa.cluster.ray_ingest import ingest_files
        except ImportError as exc:
            print(f"docqa: --engine ray needs the scale extra (pip install 'docqa[scale]'): {exc}",
                  file=sys.stderr)
            return 2
        engine = {"address": args.address}
    report = ingest_files([Path(p) for p in args.paths], settings, load_embedder(settings.embed_model),
                          rebuild=args.rebuild, password=args.password, **engine)
    for f in report.files:
        print(file_line(f))
    where = settings.index_dir if settings.backend == "local" else f"Qdrant ({settings.index_dir.name})"
    print(summary_line(report, where))
    if report.failed:
        print(f"docqa: {len(report.failed)} file(s) failed and added nothing to the index", file=sys.stderr)
    return 1 if report.failed else 0


def cmd_search(args) -> int:
    from qa.backends import open_index
    from qa.embed import load_embedder
    from qa.records import label_of, page_text
    from qa.search import search

    settings = _settings(args)
    embedder = load_embedder(settings.embed_model)
    index = open_index(settings, embedder)
    held = sorted(d["doc"] for d in index.documents)
    unknown = sorted(set(args.doc or ()) - set(held))
    if unknown:
        print(f"docqa: unknown document {', '.join(unknown)}; the index holds {', '.join(held)}",
              file=sys.stderr)
        return 2
    hits = search(index, embedder, args.question, k=args.k, docs=tuple(args.doc) if args.doc else None)
    rows = [
        {"doc": h.chunk.doc, "item": h.chunk.item, "section": h.chunk.section, "page": h.chunk.page_start,
         "label": label_of(index.pages.get(h.chunk.doc, []), h.chunk.page_start),
         "score": round(h.score, 4), "text": h.chunk.text}
        for h in hits
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    several = len(held) > 1
    for rank, row in enumerate(rows, start=1):
        where = f"{row['doc']} · " * several + f"{row['item'] or '-'} · {row['section']}"
        print(f"[{rank}] {where} · {page_text(row['page'], row['label'])}  ({row['score']})")
        print("    " + row["text"][:160].replace("\n", " "))
    return 0


def cmd_ask(args) -> int:
    from qa.assistant import Assistant, QuestionError
    from qa.records import label_of, page_text

    assistant = Assistant.load(settings=_settings(args))
    try:
        answer = assistant.ask(args.question, items=tuple(args.item) if args.item else None, k=args.k,
                               docs=args.doc)
    except QuestionError as exc:
        print(f"docqa: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=1))
        return 0
    several = len(assistant.index.pages) > 1
    if answer.span is not None:
        print(f"→ {answer.span.text} [{answer.span.n}]")
    print(answer.text)
    for c in answer.citations:
        print(f"  {c.long_label}" + (f"  ({c.doc})" if several else ""))
    if answer.refused:
        print("Nearest passages:")
        for h, page in list(zip(answer.passages, answer.pages, strict=True))[:3]:
            where = page_text(page, label_of(assistant.index.pages.get(h.chunk.doc, []), page))
            doc = f"{h.chunk.doc} · " if several else ""
            print(f"  {doc}{h.chunk.item or '-'} · {h.chunk.section} · {where}: {h.chunk.text[:80]}")
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
    docs = None
    if len(assistant.index.pages) > 1:
        doc = args.doc or next(iter(assistant.index.pages))
        pages, docs = assistant.index.pages[doc], (doc,)  # gold pages are this document's pages
        log.info("answering from %s only: the set's gold pages are its pages", doc)
    return eval_command(args.set, args.out, args.json, args.baseline, args.update_baseline,
                        lambda q: answer_row(assistant.ask(q, docs=docs)), pages)


def cmd_status(args) -> int:
    from qa.backends import read_manifest

    manifest = read_manifest(_settings(args))
    for doc in manifest.get("documents", []):
        print(f"{doc['doc']}: {doc['n_pages']} pages, {doc['n_chunks']} chunks, sha256 {doc['sha256'][:12]}")
    print(f"model {manifest['embed_model']} (dim {manifest['embed_dim']}), {manifest['n_vectors']} vectors")
    return 0


def cmd_bench(args) -> int:
    from qa.bench.compare import bench_command

    if args.scale is not None:  # synthetic reports: ingest speed, latency vs corpus size (qa.bench.scale)
        from qa.bench.scale import scale_command

        sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else None
        return scale_command(args.scale, sizes, _settings(args), args.json)
    if args.load:  # the loopback load test of the running app (qa.bench.loadtest)
        from qa.bench.loadtest import load_command

        return load_command(_settings(args), args.clients, args.per_client, args.set, args.json, args.url)
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
    p.add_argument("--engine", choices=("local", "ray"), default="local",
                   help="local: this process (default); ray: parse and embed on a Ray cluster")
    p.add_argument("--address", help="--engine ray: 'auto' (the running cluster) or ray://HOST:PORT; "
                   "default: a new local cluster of this machine's cores")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("search", help="top chunks for a question (dense + BM25)")
    p.add_argument("question")
    p.add_argument("-k", type=int, default=5)
    p.add_argument("--doc", action="append", help="only this document (its file name); repeatable")
    p.add_argument("--json", action="store_true")
    p.add_argument("--index")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="answer a question with cited pages")
    p.add_argument("question")
    p.add_argument("--item", action="append", help="only this item (I-1, II, …); repeatable")
    p.add_argument("--doc", action="append", help="only this document (its file name); repeatable")
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
    p.add_argument("--url", action="append", help="--load: a running replica's loopback URL instead of a "
                   "new app; repeat for several (client i talks to replica i mod n)")
    p.add_argument("--scale", type=int, metavar="N",
                   help="instead: ingest N synthetic reports in-process and on Ray, then query latency "
                   "against corpus size for the local and Qdrant backends (qa.bench.scale); N = 0: "
                   "latency only, corpora grown from the index at --index")
    p.add_argument("--sizes", help="--scale: corpus sizes in chunks, comma-separated "
                   "(default 1000,10000,50000,100000,250000)")
    p.set_defaults(func=cmd_bench)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(args.verbose)
    from qa.index import DocqaIndexError

    try:
        return args.func(args)
    except DocqaIndexError as exc:
        print(f"docqa: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
