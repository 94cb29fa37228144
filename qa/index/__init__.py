"""The index: a folder of plain files, no pickle. One writer at a time; readers never see a half-written
version.

    index_root/
      CURRENT                  one line naming the live version folder; replaced with os.replace
      .lock                    fcntl.flock held by the one writer
      v-<UTC time>-<hex>/      one version, written whole, then made live:
        index.faiss            chunk vectors: IndexFlatIP over L2-normalised vectors; row i = chunk i
                               (IndexHNSWFlat above Settings.hnsw_threshold chunks: qa.index.dense)
        sentences.faiss        one vector per sentence (ingest.text.split_sentences) of each chunk,
                               chunks in row order: answers pick sentences by cosine with the question
        chunks.jsonl           one Chunk per line (ingest.records), in row order
        pages.jsonl            every page's text by doc: citations are checked against it, the UI shows it
        profiles.jsonl         one line per doc: its own vocabulary read at ingest (ingest.profile.DocProfile:
                               report profile, items with ids/labels/titles/topic words, fiscal years
                               covered, year under review, organisation names, frame terms)
        tables.jsonl           table rows kept as structure, by doc (ingest.tables.TableRow: page, label,
                               values, column headers, unit, context, the printed line, source)
        bm25/                  bm25s.BM25.save output (npy without pickle, JSON) over SudachiPy tokens
                               of section path + text (qa.index.tokenize)
        manifest.json          written last: schema (2 since profiles and tables), embedder, chunker and
                               tokenizer settings, dense_index ({"type": "flat"} or "hnsw" with its
                               parameters),
                               documents (doc, path, sha256, pages, chunks), every file's sha256 and size

Loading (qa.index.read) refuses a version that is incomplete, damaged (checksums are checked before
FAISS or bm25s parse anything), from another schema (an older one must be rebuilt: `docqa ingest
--rebuild`), a legacy pickle folder, or built with another
embedder, chunker or tokenizer (qa.index.manifest). Writing (qa.index.write) takes the lock, builds a
new version folder, fsyncs it, writes the manifest last and switches CURRENT; old versions are pruned.
Modules: errors, files (folder mechanics), rows (jsonl files), manifest, dense, sentences, tokenize,
read, write.
"""

from __future__ import annotations

from qa.lazy import exports

_PUBLIC = {
    "Index": "qa.index.read",
    "DocUpdate": "qa.index.write",
    "update_index": "qa.index.write",
    "remove_document": "qa.index.write",
    "read_manifest": "qa.index.manifest",
    "check_compatible": "qa.index.manifest",
    "has_document": "qa.index.manifest",
    "DocqaIndexError": "qa.index.errors",
    "IndexCorruptError": "qa.index.errors",
    "IndexLockedError": "qa.index.errors",
    "IndexMissingError": "qa.index.errors",
    "StaleIndexError": "qa.index.errors",
    "UnsupportedIndexFormat": "qa.index.errors",
}
__all__ = sorted(_PUBLIC)
__getattr__ = exports(__name__, _PUBLIC)
